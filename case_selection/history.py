"""签核历程: one Case Action Log row per action, whoever takes it and through whichever door."""

import frappe
from frappe.utils import now_datetime

from case_selection.setup.roles import ROLES


def acting_role(user: str | None = None) -> str:
	roles = frappe.get_roles(user or frappe.session.user)
	return next((ROLES[r] for r in ROLES if r in roles), "系统管理员" if "System Manager" in roles else "")


def log_action(
	doc, action: str, from_state: str | None = None, to_state: str | None = None, remark: str = ""
):
	user = frappe.session.user
	frappe.get_doc(
		{
			"doctype": "Case Action Log",
			"reference_doctype": doc.doctype,
			"reference_name": doc.name,
			"district": doc.get("district"),
			"action": action,
			"from_state": from_state,
			"to_state": to_state,
			"actor": user,
			"actor_name": frappe.utils.get_fullname(user),
			"actor_role": acting_role(user),
			"action_time": now_datetime(),
			"remark": remark or "",
		}
	).insert(ignore_permissions=True)  # a log row is written by the system on the actor's behalf


def history(doctype: str, name: str) -> list[dict]:
	return frappe.get_all(
		"Case Action Log",
		filters={"reference_doctype": doctype, "reference_name": name},
		fields=[
			"action",
			"from_state",
			"to_state",
			"actor",
			"actor_name",
			"actor_role",
			"action_time",
			"remark",
		],
		order_by="action_time asc, creation asc",
	)
