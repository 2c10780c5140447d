"""专家评审负荷: for a round, each expert of the library (and any other expert holding reviews of the round) with
the cases assigned, scored and still to score. City roles only (the report's roles; Review Expert is city-only).
"""

import frappe
from frappe import _

from case_selection.review import service
from case_selection.workspaces import current_round


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	round_name = filters.round or current_round()
	frappe.has_permission(service.EXPERT, "read", throw=True)
	columns = [
		{"fieldname": "expert", "label": _("专家账号"), "fieldtype": "Link", "options": "User", "width": 200},
		{"fieldname": "full_name", "label": _("姓名"), "fieldtype": "Data", "width": 100},
		{"fieldname": "unit_name", "label": _("工作单位"), "fieldtype": "Data", "width": 220},
		{"fieldname": "library", "label": _("专家库"), "fieldtype": "Data", "width": 90},
		{"fieldname": "assigned", "label": _("已分配"), "fieldtype": "Int", "width": 80},
		{"fieldname": "scored", "label": _("已评分"), "fieldtype": "Int", "width": 80},
		{"fieldname": "recused", "label": _("已回避"), "fieldtype": "Int", "width": 80},
		{"fieldname": "pending", "label": _("待评分"), "fieldtype": "Int", "width": 80},
	]
	rows = []
	for r in service.expert_load(round_name):
		if not r["in_library"]:
			library = _("未登记")
		else:
			library = _("在库") if r["enabled"] else _("停用")
		rows.append({**r, "library": library})
	return columns, rows
