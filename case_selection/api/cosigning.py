"""会签: a department's opinion on a case or a district list, and the opinions read back."""

import time

import frappe
from frappe import _

from case_selection.access import sealing
from case_selection.access.documents import load
from case_selection.constants import COSIGNABLE
from case_selection.cosign.service import record_opinion

DEADLOCK_RETRIES = 3


@frappe.whitelist(methods=["POST"])
def cosign(
	doctype: str,
	name: str,
	opinion: str,
	remarks: str = "",
	seal: str | None = None,
	department: str | None = None,
) -> dict:
	"""会签: the current user's department signs `opinion` on a case or a district list."""
	if doctype not in COSIGNABLE:
		frappe.throw(_("不能对「{0}」会签。").format(doctype), frappe.PermissionError)
	for label, value in (("编号", name), ("意见", opinion), ("会签部门", department), ("公章图片", seal)):
		if (value is not None and not isinstance(value, str)) or len(value or "") > 500:
			frappe.throw(_("「{0}」须为不超过 500 个字符的文字。").format(label), frappe.ValidationError)
	for attempt in range(DEADLOCK_RETRIES):
		try:
			outcome, doc = record_opinion(doctype, name, opinion, remarks, seal, department)
			break
		except frappe.QueryDeadlockError:
			# MariaDB chose this signature as a deadlock victim and rolled it back: nothing of it was kept,
			# so it is signed again (the signer never sees the collision).
			frappe.db.rollback()
			if attempt == DEADLOCK_RETRIES - 1:
				raise
			time.sleep(0.05 * (attempt + 1))
	return {
		"cosign_status": outcome,
		"state": (
			sealing.public_state_of(doc.workflow_state, doc.round)
			if doctype == "Case Application"
			else doc.status
		),
	}


@frappe.whitelist()
def get_cosign_opinions(doctype: str, name: str) -> list[dict]:
	return opinion_rows(load(doctype, name, doctypes=COSIGNABLE))


def opinion_rows(doc) -> list[dict]:
	"""The opinions signed on `doc` (loaded with the reader's permission checked), in the order they were signed."""
	return frappe.get_all(
		"Case Cosign Opinion",
		filters={"reference_doctype": doc.doctype, "reference_name": doc.name},
		fields=["department", "opinion", "remarks", "signer_name", "signed_at", "seal"],
		order_by="signed_at asc",
	)
