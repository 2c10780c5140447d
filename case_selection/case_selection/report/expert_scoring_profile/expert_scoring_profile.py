"""专家评分特征: for a round, each expert's scores (count, mean, spread), how far they score from colleagues on
the same cases, and the label 偏严 / 偏松 / 区分度低 / 正常 with the numbers behind it (review/scores.py, with the
round's thresholds). City roles only (the report's roles; Review Expert is city-only).
"""

import frappe
from frappe import _

from case_selection.review import service
from case_selection.workspaces import current_round

TITLE = "专家评分特征"  # the sheet's name in the city summary (export/excel.py)

METHODS = {"z": "标准分换算", "shift": "仅校正水平（评分无差异）", "raw": "保持原始分（仅评 1 个）"}


def columns() -> list[dict]:
	return [
		{"fieldname": "expert", "label": _("专家账号"), "fieldtype": "Link", "options": "User", "width": 200},
		{"fieldname": "full_name", "label": _("姓名"), "fieldtype": "Data", "width": 90},
		{"fieldname": "n", "label": _("评分数"), "fieldtype": "Int", "width": 70},
		{"fieldname": "mean", "label": _("平均分"), "fieldtype": "Float", "precision": 2, "width": 80},
		{"fieldname": "sd", "label": _("标准差"), "fieldtype": "Float", "precision": 2, "width": 80},
		{"fieldname": "offset", "label": _("与同案专家差距"), "fieldtype": "Float", "precision": 2},
		{"fieldname": "label", "label": _("评分特征"), "fieldtype": "Data", "width": 110},
		{"fieldname": "method", "label": _("标准化方式"), "fieldtype": "Data", "width": 150},
		{"fieldname": "explanation", "label": _("说明"), "fieldtype": "Data", "width": 420},
	]


def rows(round_name: str) -> list[dict]:
	summary = service.round_summary(round_name)
	names = dict(
		frappe.get_all(
			"User",
			filters={"name": ("in", [e.expert for e in summary.experts] or [""])},
			fields=["name", "full_name"],
			as_list=True,
		)
	)
	return [
		{
			**row,
			"full_name": names.get(row["expert"]),
			"method": _(METHODS[row["method"]]),
			"explanation": expert.explanation(),
		}
		for row, expert in zip(summary.expert_rows(), summary.experts, strict=True)
	]


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	round_name = filters.round or current_round()
	frappe.has_permission(service.EXPERT, "read", throw=True)
	return columns(), rows(round_name)
