"""Number Cards of the role workspaces ("Custom" cards): each returns the count for the user who asks and the
list it opens, filtered the same way, so the number on the card is the number of rows the user then sees. The
district's and the city's cards count the current round (as their lists open on it), an applicant's every round
of their own."""

import json

import frappe
from frappe.utils import cint

from case_selection.constants import APPLICATION, DEADLINE, LIST, REVIEW
from case_selection.workflow import deadlines, list_moves
from case_selection.workspaces import current_round, state_doctype, state_field
from case_selection.workspaces import states as groups


def card(value, route: list, route_options: dict | None = None, fieldtype: str = "Int") -> dict:
	return {"value": value, "fieldtype": fieldtype, "route": route, "route_options": route_options or {}}


def count(doctype: str, filters: dict) -> int:
	"""Rows of `doctype` the current user may read that match `filters` (frappe.get_list: row rules apply)."""
	rows = frappe.get_list(doctype, filters=filters, fields=["count(*) as n"])
	return cint(rows[0].n) if rows else 0


def list_card(doctype: str, filters: dict) -> dict:
	return card(count(doctype, filters), ["List", doctype], {k: _route_value(v) for k, v in filters.items()})


def _route_value(value):
	return list(value) if isinstance(value, tuple) else value


def states_card(state_list: list[str], **filters) -> dict:
	return list_card(state_doctype(state_list), {**filters, state_field(): ("in", state_list or [""])})


def assigned_to_me() -> tuple:
	"""Frappe's own "Assigned To" filter, exact: `_assign` holds a JSON list of users."""
	return ("like", f"%{json.dumps(frappe.session.user)}%")


# 申报单位 ------------------------------------------------------------------------------------------------


@frappe.whitelist()
def my_drafts(filters=None) -> dict:
	"""待提交: the user's own applications not yet handed in."""
	return states_card(groups.drafts(), owner=frappe.session.user)


@frappe.whitelist()
def my_returned(filters=None) -> dict:
	"""退回待修改: back with the applicant to revise and hand in again."""
	return states_card(groups.returned(), owner=frappe.session.user)


@frappe.whitelist()
def my_in_progress(filters=None) -> dict:
	"""办理中: handed in, no result published yet."""
	editable = groups.drafts() + groups.returned()
	return states_card(groups.not_yet(editable, groups.finals()), owner=frappe.session.user)


@frappe.whitelist()
def my_results(filters=None) -> dict:
	"""遴选结果: published results (sealed ones count as in progress until publication)."""
	return states_card(groups.finals(), owner=frappe.session.user)


# 区县 --------------------------------------------------------------------------------------------------


@frappe.whitelist()
def cases_to_sign(filters=None) -> dict:
	"""待我会签（申报书）: cases assigned to the user, which the system does while the department's
	signature is awaited."""
	return list_card(APPLICATION, {"round": current_round(), "_assign": assigned_to_me()})


@frappe.whitelist()
def lists_to_sign(filters=None) -> dict:
	"""待我会签（推荐名单）."""
	return list_card(LIST, {"_assign": assigned_to_me()})


@frappe.whitelist()
def recommended_to_send(filters=None) -> dict:
	"""已推荐待报送: recommended by the district, to be listed and sent to the city (the current round's)."""
	return states_card(groups.recommended(), round=current_round())


@frappe.whitelist()
def days_to_deadline(filters=None) -> dict:
	"""距报送截止（天）: the nearest deadline of the user's districts in the current round, extensions included
	(District Deadline records the user may read: a district officer's own)."""
	round_name = current_round()
	rows = []
	if frappe.has_permission(DEADLINE, "read"):
		rows = frappe.get_list(
			DEADLINE,
			filters={"round": round_name},
			fields=["deadline"],
			order_by="deadline asc",
			limit_page_length=1,
		)
	if rows:
		deadline, route = rows[0].deadline, ["List", DEADLINE]
	else:  # an applicant: the round's deadline
		deadline = (
			frappe.db.get_value("Selection Round", round_name, "district_deadline") if round_name else None
		)
		route = ["List", APPLICATION]
	days = max(deadlines.days_left(deadline), 0) if deadline else 0
	return card(days, route, {"round": round_name})


# 市级 --------------------------------------------------------------------------------------------------


@frappe.whitelist()
def lists_to_receive(filters=None) -> dict:
	"""待受理名单: lists the districts sent, waiting for the city."""
	return list_card(LIST, {"status": ("in", list(list_moves.where("awaiting_city")) or [""])})


@frappe.whitelist()
def received_to_review(filters=None) -> dict:
	"""已受理待评审: received, the formal check and the start of review are the city's."""
	return states_card(groups.received(), round=current_round())


@frappe.whitelist()
def under_review(filters=None) -> dict:
	return states_card(groups.in_review(), round=current_round())


@frappe.whitelist()
def in_public_notice(filters=None) -> dict:
	return states_card(groups.public_notice(), round=current_round())


@frappe.whitelist()
def review_progress(filters=None) -> dict:
	"""专家评分进度 (%): scored reviews among those assigned, for cases under expert review."""
	in_review = groups.in_review()
	cases = frappe.get_list(
		state_doctype(in_review),
		filters={state_field(): ("in", in_review or [""])},
		pluck="name",
		limit_page_length=0,
	)
	assigned = count(REVIEW, {"application": ("in", cases or [""])})
	scored = count(REVIEW, {"application": ("in", cases or [""]), "status": "Scored"})
	percent = round(100.0 * scored / assigned, 1) if assigned else 0
	return card(percent, ["List", REVIEW], {"status": "Assigned"}, fieldtype="Percent")


@frappe.whitelist()
def districts_submitted(filters=None) -> dict:
	"""已报送区县: districts whose list of the current round is at the city (sent or received)."""
	round_name = current_round()
	n = count(DEADLINE, {"round": round_name, "list_status": ("in", list_moves.at_city() or [""])})
	return card(n, ["query-report", "District Submission Progress"], {"round": round_name})


# 评审专家 ------------------------------------------------------------------------------------------------


@frappe.whitelist()
def reviews_to_score(filters=None) -> dict:
	"""待我评审: the expert's reviews not yet scored (the city's view of the same card: all of them)."""
	return list_card(REVIEW, {"status": "Assigned"})


@frappe.whitelist()
def reviews_scored(filters=None) -> dict:
	return list_card(REVIEW, {"status": "Scored"})
