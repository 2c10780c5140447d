"""Whitelisted endpoints. Each checks permission explicitly before acting."""

import frappe
from frappe import _

from case_selection.cosign.service import record_opinion
from case_selection.history import display_row, history

COSIGNABLE = ("Case Application", "District Recommendation List")


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
	outcome = record_opinion(doctype, name, opinion, remarks, seal, department)
	state_field = "workflow_state" if doctype == "Case Application" else "status"
	return {"cosign_status": outcome, "state": frappe.db.get_value(doctype, name, state_field)}


@frappe.whitelist(methods=["POST"])
def submit_list(name: str) -> str:
	doc = frappe.get_doc("District Recommendation List", name)
	doc.submit_to_city()
	return doc.status


@frappe.whitelist(methods=["POST"])
def receive_list(name: str) -> str:
	doc = frappe.get_doc("District Recommendation List", name)
	doc.check_permission("read")
	doc.receive()
	return doc.status


@frappe.whitelist(methods=["POST"])
def return_list(name: str, reason: str) -> str:
	doc = frappe.get_doc("District Recommendation List", name)
	doc.check_permission("read")
	doc.return_to_district(reason)
	return doc.status


@frappe.whitelist(methods=["POST"])
def assign_experts(application: str, experts: list[str] | str) -> list[str]:
	"""The city assigns experts to a case; each gets one Case Review to score."""
	frappe.only_for(("City Case Manager", "System Manager"))
	frappe.get_doc("Case Application", application).check_permission("read")
	experts = frappe.parse_json(experts) if isinstance(experts, str) else experts
	made = []
	for expert in experts:
		if "Case Expert" not in frappe.get_roles(expert):
			frappe.throw(_("「评审专家」{0} 没有评审专家角色。").format(expert))
		if not frappe.db.exists("Case Review", {"application": application, "expert": expert}):
			made.append(
				frappe.get_doc({"doctype": "Case Review", "application": application, "expert": expert})
				.insert()
				.name
			)
	return made


@frappe.whitelist()
def list_experts(txt: str = "") -> list[dict]:
	"""Users holding Case Expert, for the city's assignment dialog."""
	frappe.only_for(("City Case Manager", "System Manager"))
	user, has_role = frappe.qb.DocType("User"), frappe.qb.DocType("Has Role")
	rows = (
		frappe.qb.from_(user)
		.join(has_role)
		.on(has_role.parent == user.name)
		.select(user.name, user.full_name)
		.where((has_role.role == "Case Expert") & (user.enabled == 1))
		.where(user.name.like(f"%{txt}%") | user.full_name.like(f"%{txt}%"))
		.limit(50)
		.run(as_dict=True)
	)
	return [{"value": r.name, "description": r.full_name} for r in rows]


@frappe.whitelist()
def get_history(doctype: str, name: str) -> list[dict]:
	"""签核历程 of one document, for its form: actions, states and roles in words, as the print shows them."""
	frappe.get_doc(doctype, name).check_permission("read")
	return [display_row(r, doctype) for r in history(doctype, name)]


@frappe.whitelist()
def get_cosign_opinions(doctype: str, name: str) -> list[dict]:
	frappe.get_doc(doctype, name).check_permission("read")
	return frappe.get_all(
		"Case Cosign Opinion",
		filters={"reference_doctype": doctype, "reference_name": name},
		fields=["department", "opinion", "remarks", "signer_name", "signed_at", "seal"],
		order_by="signed_at asc",
	)


@frappe.whitelist(methods=["POST"])
def publish_results(round_name: str) -> dict:
	"""Publishes every result of a round at once, once every case sent to the city has its decision."""
	frappe.only_for(("City Case Manager", "System Manager"))
	from case_selection.workflows import NOT_SELECTED, SELECTED

	decided = (SELECTED, NOT_SELECTED)
	pending = frappe.get_all(
		"Case Application",
		filters={
			"round": round_name,
			"recommendation_list": ("is", "set"),
			"workflow_state": ("not in", decided),
		},
		pluck="name",
	)
	if pending:
		frappe.throw(
			_("尚有 {0} 个报送市级的案例未作出入选决定，不能发布：{1}").format(
				len(pending), "、".join(pending[:10])
			)
		)
	round_doc = frappe.get_doc("Selection Round", round_name)
	round_doc.status = "Published"
	round_doc.save()
	return {
		s: frappe.db.count("Case Application", {"round": round_name, "workflow_state": s}) for s in decided
	}
