"""Whitelisted endpoints. Each checks permission explicitly before acting."""

import time

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow
from frappe.utils import escape_html

from case_selection import actors, sealing
from case_selection.actors import actor, expert_role
from case_selection.cosign.service import record_opinion
from case_selection.history import display_row, visible_history
from case_selection.review import copies
from case_selection.review import service as review_service
from case_selection.text_rules import check_value
from case_selection.workflows import (
	LIST_COSIGNING,
	LIST_EDITABLE,
	LIST_RETURNED,
	LIST_SUBMITTED,
	RETURN_TO_DISTRICT,
	SUBMIT_TO_CITY,
	has_action,
	states,
	transitions_from,
)
from case_selection.write_policy import system_write

COSIGNABLE = ("Case Application", "District Recommendation List")
HISTORY_DOCTYPES = COSIGNABLE
DEADLOCK_RETRIES = 3


NAME_MAX = 140  # the length of every name column


def load(doctype, name, ptype: str = "read", doctypes=None):
	"""The document a method was asked about, or a typed refusal: 417 for an argument of the wrong kind, 404
	for a DocType the method does not serve or a record that does not exist, 403 without permission."""
	if not isinstance(doctype, str) or not isinstance(name, str) or not name or len(name) > NAME_MAX:
		frappe.throw(
			_("「单据类型」和「编号」须为不超过 {0} 个字符的文字。").format(NAME_MAX), frappe.ValidationError
		)
	if doctypes is not None and doctype not in doctypes:
		raise frappe.DoesNotExistError(_("这里不处理「{0}」。").format(doctype[:NAME_MAX]))
	if not frappe.db.exists(doctype, name):
		raise frappe.DoesNotExistError(_("「{0}」{1} 不存在。").format(_(doctype), name))
	doc = frappe.get_doc(doctype, name)
	doc.check_permission(ptype)
	return doc


@frappe.whitelist(allow_guest=True, methods=["GET"])
def served_site() -> str:
	"""The site that answered, for the scripts (lib.sh assert_serves): a server pinned to one site (make demo's
	`bench --site X serve`) answers every host name with that site's data, and a test or figure taken through it
	would be about the wrong site. Nothing but the name of the site the caller has reached."""
	return frappe.local.site


def require_city_manager():
	a = actor()
	if not (a.is_city_manager or a.admin):
		frappe.throw(_("只有市级管理部门可以执行此操作。"), frappe.PermissionError)


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


@frappe.whitelist(methods=["POST"])
def return_case(name: str, reason: str) -> str:
	"""The city sends one received case back to its district, with the reason (市级退回)."""
	require_city_manager()
	if not (reason or "").strip():
		frappe.throw(_("「市级意见」不能为空：退回时须写明理由。"), frappe.ValidationError)
	doc = load("Case Application", name, "write")
	doc.city_remark = reason.strip()
	doc.save()
	return apply_workflow(doc, RETURN_TO_DISTRICT).workflow_state


@frappe.whitelist()
def get_history(doctype: str, name: str) -> list[dict]:
	"""签核历程 of one document, for its form: actions, states and roles in words, as the print shows them
	(the city's sealed steps only once the round is published)."""
	load(doctype, name, doctypes=HISTORY_DOCTYPES)
	return [display_row(r, doctype) for r in visible_history(doctype, name)]


@frappe.whitelist()
def get_cosign_opinions(doctype: str, name: str) -> list[dict]:
	load(doctype, name, doctypes=COSIGNABLE)
	return frappe.get_all(
		"Case Cosign Opinion",
		filters={"reference_doctype": doctype, "reference_name": name},
		fields=["department", "opinion", "remarks", "signer_name", "signed_at", "seal"],
		order_by="signed_at asc",
	)


@frappe.whitelist(methods=["POST"])
def publish_results(round_name: str) -> dict:
	"""Publishes every result of a round at once, once every case at the city has its decision: the sealed
	states become everyone's, and applicants and districts are told."""
	require_city_manager()
	round_doc = load("Selection Round", round_name, "write")
	if round_doc.status == "Published":
		frappe.throw(_("「{0}」的结果已经发布。").format(round_doc.round_title), frappe.ValidationError)
	at_city = [s for s in states.where("city_visible") if not states.has(s, "cosign_open")]
	pending = frappe.get_all(
		sealing.EVALUATION,  # the real states (sealing.py)
		filters={
			"round": round_name,
			"workflow_state": ("in", [s for s in at_city if not states.final_result(s)] or [""]),
		},
		pluck="name",
	)
	if pending:
		frappe.throw(
			_("尚有 {0} 个报送市级的案例未作出入选决定，不能发布：{1}").format(
				len(pending), "、".join(pending[:10])
			)
		)
	round_doc.status = "Published"
	round_doc.published_on = frappe.utils.today()  # 结果发布日期, what 入选单位查询 reports
	with system_write():  # "Published" is set here only, once every decision is made
		round_doc.save()
	sealing.publish(round_name)
	notify_publication(round_doc)
	return {
		s: frappe.db.count("Case Application", {"round": round_name, "workflow_state": s})
		for s in states.final_states()
	}


def notify_publication(round_doc):
	"""Everyone who applied in the round hears their case's result, and the districts' officers that the round
	is out: Notification records (case_selection/notifications/), sent from the RQ queue once this commits."""
	from case_selection.notifications import publication

	publication.enqueue(round_doc.name)


@frappe.whitelist()
def form_actions(doctype: str, name: str) -> dict:
	"""What the current user may do on this document right now, for the form's buttons. Decided here from
	the roles, departments and state classes (data), so the Desk script names no role and no state."""
	doc = load(doctype, name, doctypes=(*COSIGNABLE, "Selection Round"))
	a = actor()
	manager = a.is_city_manager or a.admin
	out = {}
	if doctype == "Case Application":
		departments = [d.department for d in actors.round_departments(doc.round) if d.role in a.roles]
		stored_state = doc.workflow_state  # loaded just now: the real state for those who see the city stage
		if states.has(stored_state, "cosign_open") and a.is_officer(doc.district) and departments:
			out["cosign"] = departments
		if manager and states.has(stored_state, "review_open"):
			out["assign_experts"] = True
		if manager and any(
			t.action == RETURN_TO_DISTRICT and t.allowed in a.roles for t in transitions_from(stored_state)
		):
			out["return_case"] = True
		if sealing.sees_city_stage() and frappe.db.exists(sealing.EVALUATION, name):
			ev = sealing.evaluation(name)
			out["evaluation"] = {
				"name": name,
				"state": states.label(ev.workflow_state),
				"formal_check": ev.formal_check,
				"review_score": ev.review_score,
				"review_count": ev.review_count,
				"public_notice_end": ev.public_notice_end,
			}
	elif doctype == "District Recommendation List":
		editable = doc.status in LIST_EDITABLE
		departments = [d.department for d in actors.round_departments(doc.round) if d.role in a.roles]
		lead = a.is_lead(doc.round, doc.district)
		if editable and lead:
			out["add_recommended"] = True
		if editable and doc.items and a.is_officer(doc.district) and departments:
			out["cosign"] = departments
		if lead and doc.status in (LIST_COSIGNING, LIST_RETURNED) and doc.cosign_status == "Agreed":
			out["submit"] = True
		if manager and doc.status == LIST_SUBMITTED:
			out["receive"] = out["return"] = True
	elif doctype == "Selection Round":
		if manager and doc.status != "Published":
			out["publish"] = out["assign_experts"] = True
	return out


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
