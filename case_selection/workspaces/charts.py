"""Dashboard Chart sources of the role workspaces ("Custom" charts), computed for the user who asks.

Frappe's own Group By charts cache one result per chart for every user (frappe.utils.dashboard.cache_source),
which would show one district's or the city's numbers to another; these sources compute each request's data
from frappe.get_list under the asker's row rules, by the state the asker may know (workspaces.state_field)."""

import frappe
from frappe import _

from case_selection.constants import APPLICATION, DEADLINE
from case_selection.export.casebook import code_key
from case_selection.workflow import states as state_classes
from case_selection.workflow.definition import LIST
from case_selection.workspaces import current_round, state_doctype, state_field
from case_selection.workspaces import states as groups


def chart(labels: list[str], *datasets: tuple[str, list]) -> dict:
	return {"labels": labels, "datasets": [{"name": name, "values": values} for name, values in datasets]}


def _round(filters) -> str | None:
	filters = frappe.parse_json(filters) if isinstance(filters, str) and filters.strip() else (filters or {})
	if isinstance(filters, dict) and filters.get("round"):
		return filters["round"]
	return current_round()


@frappe.whitelist()
def cases_by_state(chart_name=None, filters=None, **kwargs) -> dict:
	"""Cases of the current round by state: the real one for the city, the public one for the others."""
	field, round_name = state_field(), _round(filters)
	at_city = list(state_classes.where("city_visible"))
	if state_doctype(at_city) != APPLICATION:
		# The cases at the city by their real state (Case Evaluation), the others by the case's own.
		sources = [(state_doctype(at_city), ("in", at_city)), (APPLICATION, ("not in", at_city))]
	else:
		sources = [(APPLICATION, ("is", "set"))]
	counts = {}
	for doctype, state_filter in sources:
		rows = frappe.get_list(
			doctype,
			filters={"round": round_name, field: state_filter},
			fields=[f"{field} as state", "count(*) as n"],
			group_by=field,
		)
		counts.update({r.state: r.n for r in rows if r.state})
	order = [s for s in groups.workflow_states() if s in counts]
	return chart([state_classes.label(s) for s in order], (_("申报书"), [counts[s] for s in order]))


@frappe.whitelist()
def cases_by_direction(chart_name=None, filters=None, **kwargs) -> dict:
	"""Cases of the current round the user may read (the city: those sent to it) by selection direction."""
	rows = frappe.get_list(
		APPLICATION,
		filters={"round": _round(filters)},
		fields=["direction", "count(*) as n"],
		group_by="direction",
	)
	codes = dict(frappe.get_all("Selection Direction", fields=["name", "direction_code"], as_list=True))
	rows = sorted(
		(r for r in rows if r.direction), key=lambda r: (_code_key(codes.get(r.direction)), r.direction)
	)
	return chart([r.direction for r in rows], (_("申报书"), [r.n for r in rows]))


def _code_key(code) -> tuple:

	return code_key(code)


@frappe.whitelist()
def review_progress(chart_name=None, filters=None, **kwargs) -> dict:
	"""Per expert: reviews assigned and scored, for the current round's cases under expert review."""
	in_review = groups.in_review()
	cases = frappe.get_list(
		state_doctype(in_review),
		filters={"round": _round(filters), state_field(): ("in", in_review or [""])},
		pluck="name",
		limit_page_length=0,
	)
	rows = frappe.get_list(
		"Case Review",
		filters={"application": ("in", cases or [""])},
		fields=["expert", "status", "count(*) as n"],
		group_by="expert, status",
	)
	experts = sorted({r.expert for r in rows})
	names = dict(
		frappe.get_all(
			"User", filters={"name": ("in", experts or [""])}, fields=["name", "full_name"], as_list=True
		)
	)
	assigned = {e: sum(r.n for r in rows if r.expert == e) for e in experts}
	scored = {e: sum(r.n for r in rows if r.expert == e and r.status == "Scored") for e in experts}
	return chart(
		[names.get(e) or e for e in experts],
		(_("已分配"), [assigned[e] for e in experts]),
		(_("已评分"), [scored[e] for e in experts]),
	)


@frappe.whitelist()
def district_lists(chart_name=None, filters=None, **kwargs) -> dict:
	"""Districts of the current round by where their list stands (District Deadline records the user may
	read: the city sees all 41)."""
	rows = frappe.get_list(
		DEADLINE,
		filters={"round": _round(filters)},
		fields=["list_status", "count(*) as n"],
		group_by="list_status",
	)
	counts = {(r.list_status or ""): r.n for r in rows}
	# the stages in the order of the list's state classes (Case Selection Settings → 推荐名单状态分类), each
	# named as there: a state an admin added in Desk shows with the others
	known = ("", *state_classes.all_states(LIST))
	stages = [
		(s, state_classes.stage_label(s, LIST) if s else _("未建立名单")) for s in known if counts.get(s)
	]
	stages += [(s, _(s)) for s in counts if s not in known]
	return chart([label for _s, label in stages], (_("区县"), [counts[s] for s, _l in stages]))
