"""评分比较: for a round, each case's weighted raw average and its average once every expert's scores are made
comparable (z-score within the expert's own scores, mapped back to 0–100; review/scores.py), the two rankings
side by side, the spread of the experts' totals and the 专家分歧较大 flag (spread above the round's threshold).
A recused review counts in nothing. City roles only (the report's roles; Review Expert is city-only).
"""

import frappe
from frappe import _

from case_selection.review import service
from case_selection.workspaces import current_round

TITLE = "评分比较"  # the sheet's name in the city summary (export/excel.py)


def columns() -> list[dict]:
	return [
		{"fieldname": "rank_normalised", "label": _("标准化排名"), "fieldtype": "Int", "width": 90},
		{"fieldname": "rank_raw", "label": _("原始排名"), "fieldtype": "Int", "width": 80},
		{"fieldname": "rank_change", "label": _("名次变化"), "fieldtype": "Int", "width": 80},
		{
			"fieldname": "application",
			"label": _("申报书"),
			"fieldtype": "Link",
			"options": "Case Application",
		},
		{"fieldname": "case_title", "label": _("案例名称"), "fieldtype": "Data", "width": 240},
		{"fieldname": "district", "label": _("所属区县"), "fieldtype": "Data", "width": 90},
		{"fieldname": "n", "label": _("计分专家数"), "fieldtype": "Int", "width": 90},
		{"fieldname": "raw_average", "label": _("原始平均分"), "fieldtype": "Float", "precision": 2},
		{"fieldname": "normalised_average", "label": _("标准化平均分"), "fieldtype": "Float", "precision": 2},
		{"fieldname": "spread", "label": _("专家间标准差"), "fieldtype": "Float", "precision": 2},
		{"fieldname": "flag", "label": _("提示"), "fieldtype": "Data", "width": 120},
	]


def rows(round_name: str) -> list[dict]:
	summary = service.round_summary(round_name)
	facts = {
		a.name: a
		for a in frappe.get_all(
			"Case Application",
			filters={"name": ("in", [c.case for c in summary.cases] or [""])},
			fields=["name", "case_title", "district"],
		)
	}
	out = []
	for row in summary.as_rows():
		app = facts.get(row["case"], frappe._dict())
		out.append(
			{
				**row,
				"application": row["case"],
				"case_title": app.case_title,
				"district": app.district,
				"flag": _("专家分歧较大") if row["disagree"] else "",
			}
		)
	return out


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	round_name = filters.round or current_round()
	frappe.has_permission(service.EXPERT, "read", throw=True)
	return columns(), rows(round_name)
