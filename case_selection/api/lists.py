"""The district recommendation list (附件2): submitted to the city, received, returned, and the cases it may hold."""

import frappe
from frappe import _

from case_selection.access.documents import load
from case_selection.checks.text_rules import check_value
from case_selection.workflow.definition import (
	SUBMIT_TO_CITY,
	has_action,
)


@frappe.whitelist(methods=["POST"])
def submit_list(name: str) -> str:
	doc = load("District Recommendation List", name)
	doc.submit_to_city()
	return doc.status


@frappe.whitelist(methods=["POST"])
def receive_list(name: str) -> str:
	doc = load("District Recommendation List", name)
	doc.receive()
	return doc.status


@frappe.whitelist(methods=["POST"])
def return_list(name: str, reason: str) -> str:
	doc = load("District Recommendation List", name)
	check_value(_("「市级意见/退回原因」"), reason)
	doc.return_to_district(reason)
	return doc.status


@frappe.whitelist()
def listable_cases(name: str) -> list[str]:
	"""Cases of the list's district and round that may be added to it (recommended, not yet listed)."""
	doc = load("District Recommendation List", name, "write")
	listed = {r.application for r in doc.items}
	candidates = frappe.get_list(
		"Case Application",
		filters={"round": doc.round, "district": doc.district},
		fields=["name", "workflow_state"],
		limit_page_length=0,
	)
	return [
		c.name for c in candidates if c.name not in listed and has_action(c.workflow_state, SUBMIT_TO_CITY)
	]
