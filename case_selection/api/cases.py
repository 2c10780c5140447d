"""A case or list in Desk: returned to its district, its 签核历程, and the actions its form offers the user."""

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow

from case_selection.access import actors, sealing
from case_selection.access.actors import actor
from case_selection.access.documents import load, require_city_manager
from case_selection.api.cosigning import opinion_rows
from case_selection.constants import COSIGNABLE, EVALUATION, PUBLISHED
from case_selection.workflow import list_moves, states
from case_selection.workflow.action_log import display_row, visible_history
from case_selection.workflow.definition import (
	RETURN_TO_DISTRICT,
	transitions_from,
)

HISTORY_DOCTYPES = COSIGNABLE


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
	return history_rows(load(doctype, name, doctypes=HISTORY_DOCTYPES))


def history_rows(doc) -> list[dict]:
	"""签核历程 of `doc`, loaded with the reader's permission checked."""
	return [display_row(r, doc.doctype) for r in visible_history(doc.doctype, doc.name)]


@frappe.whitelist()
def form_actions(doctype: str, name: str) -> dict:
	"""What the current user may do on this document right now, for the form's buttons. Decided here from
	the roles, departments and state classes (data), so the Desk script names no role and no state."""
	return actions_for(load(doctype, name, doctypes=(*COSIGNABLE, "Selection Round")))


def form_onload(doc, method=None) -> None:
	"""Case Application and District Recommendation List `onload`, which Frappe runs when it sends the document to
	a form (getdoc, once the user's read permission is checked; savedocs, after a save): what the form shows
	besides the fields — the opinions, 签核历程 and the user's actions — goes with the document in `__onload`, as
	get_cosign_opinions, get_history and form_actions answer them, instead of in three more requests
	(case_selection.js form_data)."""
	doc.set_onload(
		"case_form",
		{"opinions": opinion_rows(doc), "history": history_rows(doc), "actions": actions_for(doc)},
	)


def actions_for(doc) -> dict:
	"""form_actions of `doc`, loaded with the reader's permission checked."""
	doctype, name = doc.doctype, doc.name
	a = actor()
	manager = a.manages_city
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
		if sealing.sees_city_stage() and frappe.db.exists(EVALUATION, name):
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
		departments = [d.department for d in actors.round_departments(doc.round) if d.role in a.roles]
		lead = a.is_lead(doc.round, doc.district)
		if list_moves.means(doc.status, "district_editable") and lead:
			out["add_recommended"] = True
		if (
			list_moves.means(doc.status, "cosign_open")
			and doc.items
			and a.is_officer(doc.district)
			and departments
		):
			out["cosign"] = departments
		if lead and doc.cosign_status == "Agreed" and list_moves.candidate(doc, list_moves.SUBMISSION):
			out["submit"] = True
		if manager and list_moves.means(doc.status, "awaiting_city"):
			out["receive"] = out["return"] = True
	elif doctype == "Selection Round":
		if manager and doc.status != PUBLISHED:
			out["publish"] = out["assign_experts"] = True
	return out
