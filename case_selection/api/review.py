"""The city's expert review: experts assigned to cases, similarity checks, peers' scores, the expert picker."""

import frappe
from frappe import _
from frappe.utils import escape_html

from case_selection.access.actors import expert_role
from case_selection.access.documents import load, require_city_manager
from case_selection.review import copies
from case_selection.review import service as review_service


@frappe.whitelist(methods=["POST"])
def assign_experts(application: str, experts: list[str] | str) -> list[str]:
	"""The city assigns experts to a case; each gets one Case Review to score."""
	require_city_manager()
	load("Case Application", application)
	experts = frappe.parse_json(experts) if isinstance(experts, str) else experts
	if (
		not isinstance(experts, list)
		or not all(isinstance(e, str) and e for e in experts)
		or len(experts) > 50
	):
		frappe.throw(_("「评审专家」须为用户列表（最多 50 位）。"), frappe.ValidationError)
	made = []
	for expert in experts:
		if not frappe.db.exists("Case Review", {"application": application, "expert": expert}):
			made.append(
				frappe.get_doc({"doctype": "Case Review", "application": application, "expert": expert})
				.insert()
				.name
			)
	return made


@frappe.whitelist(methods=["POST"])
def assign_round_experts(round_name: str, per_case: int | str | None = None) -> dict:
	"""均衡分配评审专家: every case of the round under review gets the round's number of experts from the
	library, by direction, load spread evenly, never a conflicted one (review/service.py)."""
	require_city_manager()
	load("Selection Round", round_name, ptype="write")
	if per_case not in (None, ""):
		try:
			per_case = int(per_case)
		except (TypeError, ValueError):
			frappe.throw(
				_("「每个案例评审专家数」须为整数（收到「{0}」）。").format(str(per_case)[:20]),
				frappe.ValidationError,
			)
	return review_service.assign_round(round_name, per_case or None)


@frappe.whitelist(methods=["POST"])
def check_round_similarity(round_name: str) -> int:
	"""重新检查雷同: every handed-in case of the round without a text fingerprint is queued for the similarity
	check (review/copies.py); returns how many."""
	require_city_manager()
	load("Selection Round", round_name, ptype="write")
	return copies.check_round(round_name)


@frappe.whitelist()
def peer_scores(review: str) -> dict:
	"""查看其他专家评分: for an expert, the other experts' totals of the case of their own review, without names,
	once their own score is in and if the round shows them (review/service.py)."""
	if not isinstance(review, str) or not review or len(review) > 140:
		frappe.throw(_("「专家评审」编号须为不超过 140 个字符的文字。"), frappe.ValidationError)
	return review_service.peer_scores(review)


@frappe.whitelist()
def list_experts(txt: str = "") -> list[dict]:
	"""Experts of the library (Review Expert, in the library) holding the expert role, for the city's assignment
	dialog; each with the unit the conflict check reads."""
	require_city_manager()
	if not isinstance(txt, str) or len(txt) > 140:
		frappe.throw(_("「搜索内容」须为不超过 140 个字符的文字。"), frappe.ValidationError)
	user, has_role = frappe.qb.DocType("User"), frappe.qb.DocType("Has Role")
	expert = frappe.qb.DocType("Review Expert")
	rows = (
		frappe.qb.from_(user)
		.join(has_role)
		.on(has_role.parent == user.name)
		.join(expert)
		.on(expert.name == user.name)
		.select(user.name, user.full_name, expert.unit_name)
		.where((has_role.role == expert_role()) & (user.enabled == 1) & (expert.enabled == 1))
		.where(
			user.name.like(f"%{txt}%") | user.full_name.like(f"%{txt}%") | expert.unit_name.like(f"%{txt}%")
		)
		.limit(50)
		.run(as_dict=True)
	)
	# Desk's multi-select list shows the description as HTML: escaped here, whatever the library holds.
	return [
		{"value": r.name, "description": escape_html(f"{r.full_name or ''}（{r.unit_name}）")} for r in rows
	]
