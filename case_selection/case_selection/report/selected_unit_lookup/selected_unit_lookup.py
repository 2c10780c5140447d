"""入选单位查询 (notice 四(二)): a unit's results in published rounds, by 统一社会信用代码 or unit name.

For city roles only (the report's roles follow Case Selection Settings through a Custom Role, and the query
itself refuses anyone else with 403). The rows come from case_selection.api.lookup, the same query the REST
endpoint for other departments' systems answers with; read-only, so a configured read replica serves it.
"""

import frappe
from frappe import _

from case_selection.api import lookup

RESULT_SELECTED = "入选"
RESULT_ALL = "全部"


@frappe.read_only()
def execute(filters: dict | None = None):
	lookup.require_city()
	filters = frappe._dict(filters or {})
	if not (filters.uscc or filters.unit_name or filters.round):
		return columns(), [], _("请输入统一社会信用代码或单位名称（也可只选遴选轮次）。")
	rows = lookup.published_results(
		uscc=filters.uscc,
		unit_name=filters.unit_name,
		round_name=filters.round,
		selected_only=(filters.result or RESULT_SELECTED) != RESULT_ALL,
	)
	return columns(), rows


def columns():
	return [
		{"fieldname": "unit_name", "label": _("单位名称"), "fieldtype": "Data", "width": 220},
		{"fieldname": "uscc", "label": _("统一社会信用代码"), "fieldtype": "Data", "width": 170},
		{"fieldname": "round_title", "label": _("遴选轮次"), "fieldtype": "Data", "width": 220},
		{
			"fieldname": "direction",
			"label": _("遴选方向"),
			"fieldtype": "Link",
			"options": "Selection Direction",
			"width": 200,
		},
		{
			"fieldname": "case",
			"label": _("申报书"),
			"fieldtype": "Link",
			"options": "Case Application",
			"width": 150,
		},
		{"fieldname": "case_title", "label": _("案例名称"), "fieldtype": "Data", "width": 240},
		{
			"fieldname": "district",
			"label": _("区县"),
			"fieldtype": "Link",
			"options": "Case District",
			"width": 100,
		},
		{"fieldname": "result", "label": _("结果"), "fieldtype": "Data", "width": 80},
		{"fieldname": "published_on", "label": _("结果发布日期"), "fieldtype": "Date", "width": 110},
	]
