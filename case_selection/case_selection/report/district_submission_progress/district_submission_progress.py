"""区县报送进度: for a round, each district's deadline (its extension included), the days left, where its
recommendation list stands, how many cases it holds, when it was sent and received, and whether it was on time.

Rows are the District Deadline records the user may read (the city: every district; a district officer: their
own), read through frappe.get_list; list sizes only for lists the user may read.
"""

import frappe
from frappe import _
from frappe.utils import get_datetime, getdate

from case_selection.constants import DEADLINE
from case_selection.workflow import deadlines, list_moves
from case_selection.workspaces import current_round


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	round_name = filters.round or current_round()
	rows = frappe.get_list(
		DEADLINE,
		filters={"round": round_name},
		fields=[
			"district",
			"deadline",
			"extended",
			"recommendation_list",
			"list_status",
			"submitted_at",
			"received_at",
		],
		limit_page_length=0,
	)
	lists = frappe.get_list(
		"District Recommendation List", filters={"round": round_name}, pluck="name", limit_page_length=0
	)
	sizes = dict(
		frappe.get_all(
			"Recommendation List Item",
			filters={"parent": ("in", lists or [""]), "parenttype": "District Recommendation List"},
			fields=["parent", "count(*) as n"],
			group_by="parent",
			as_list=True,
		)
	)
	order = dict(frappe.get_all("Case District", fields=["name", "sort_order"], as_list=True))
	data = [row_of(r, sizes) for r in sorted(rows, key=lambda r: (order.get(r.district) or 0, r.district))]
	return columns(), data, None, chart(data)


def row_of(r, sizes: dict) -> dict:
	at_city = r.list_status in list_moves.at_city()
	on_time = ""
	if r.submitted_at and at_city:
		on_time = _("按期") if getdate(get_datetime(r.submitted_at)) <= getdate(r.deadline) else _("逾期")
	elif r.deadline and getdate(r.deadline) < getdate():
		on_time = _("逾期")
	return {
		"district": r.district,
		"deadline": r.deadline,
		"extended": _("已延期") if r.extended else "",
		"days_left": deadlines.days_left(r.deadline) if r.deadline else None,
		"list_status": _(r.list_status) if r.list_status else _("未建立名单"),
		"cases": sizes.get(r.recommendation_list) or 0,
		"submitted_at": r.submitted_at,
		"received_at": r.received_at,
		"on_time": on_time,
		"at_city": int(at_city),
	}


def columns() -> list[dict]:
	return [
		{
			"fieldname": "district",
			"label": _("区县"),
			"fieldtype": "Link",
			"options": "Case District",
			"width": 150,
		},
		{"fieldname": "deadline", "label": _("报送截止日期"), "fieldtype": "Date", "width": 120},
		{"fieldname": "extended", "label": _("延期"), "fieldtype": "Data", "width": 80},
		{"fieldname": "days_left", "label": _("剩余天数"), "fieldtype": "Int", "width": 90},
		{"fieldname": "list_status", "label": _("名单状态"), "fieldtype": "Data", "width": 120},
		{"fieldname": "cases", "label": _("推荐案例数"), "fieldtype": "Int", "width": 100},
		{"fieldname": "submitted_at", "label": _("报送时间"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "on_time", "label": _("是否按期"), "fieldtype": "Data", "width": 90},
		{"fieldname": "received_at", "label": _("受理时间"), "fieldtype": "Datetime", "width": 160},
	]


def chart(data: list[dict]) -> dict | None:
	if not data:
		return None
	statuses = {}
	for row in data:
		statuses[row["list_status"]] = statuses.get(row["list_status"], 0) + 1
	return {
		"data": {
			"labels": list(statuses),
			"datasets": [{"name": _("区县"), "values": list(statuses.values())}],
		},
		"type": "bar",
	}
