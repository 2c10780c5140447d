"""签核历程 report: every action on cases and district lists, with actor, time, state and remark.

Rows come through frappe.get_list, so each user sees the history of what they may read and nothing else. It
shows one round (the current one unless another is chosen; a document's own history whatever its round): the
newest 5,000 actions of that round, read in order from the (round, action_time) index, so the report costs the
same however many past rounds are stored.
What was logged is kept as it was (Workflow action and state names); it is put into words when shown.
"""

import frappe
from frappe import _

from case_selection.workflow.action_log import display_row
from case_selection.workspaces import current_round


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	conditions = {}
	round_name = filters.round or (None if filters.reference_name else current_round())
	if round_name:
		conditions["round"] = round_name
	if filters.reference_doctype:
		conditions["reference_doctype"] = filters.reference_doctype
	if filters.reference_name:
		conditions["reference_name"] = filters.reference_name
	if filters.district:
		conditions["district"] = filters.district
	if filters.from_date and filters.to_date:
		conditions["action_time"] = ("between", [filters.from_date, filters.to_date + " 23:59:59"])
	rows = frappe.get_list(
		"Case Action Log",
		filters=conditions,
		fields=[
			"action_time",
			"reference_doctype",
			"reference_name",
			"district",
			"action",
			"from_state",
			"to_state",
			"actor_name",
			"actor_role",
			"remark",
		],
		order_by="action_time desc",
		limit_page_length=5000,
	)
	# Actions, states and roles in words (Chinese, from the Workflow's names and the translations).
	return columns(), [frappe._dict(display_row(r), document_type=_(r.reference_doctype)) for r in rows]


def columns():
	return [
		{"fieldname": "action_time", "label": _("时间"), "fieldtype": "Datetime", "width": 160},
		# The DocType itself is kept for the document link but not shown as a Link: Frappe would then check
		# each reader's right to read DocType records, which case users do not have.
		{"fieldname": "document_type", "label": _("单据类型"), "fieldtype": "Data", "width": 130},
		{"fieldname": "reference_doctype", "label": _("单据类型"), "fieldtype": "Data", "hidden": 1},
		{
			"fieldname": "reference_name",
			"label": _("单据"),
			"fieldtype": "Dynamic Link",
			"options": "reference_doctype",
			"width": 150,
		},
		{
			"fieldname": "district",
			"label": _("区县"),
			"fieldtype": "Link",
			"options": "Case District",
			"width": 100,
		},
		{"fieldname": "action", "label": _("操作"), "fieldtype": "Data", "width": 140},
		{"fieldname": "from_state", "label": _("原状态"), "fieldtype": "Data", "width": 100},
		{"fieldname": "to_state", "label": _("新状态"), "fieldtype": "Data", "width": 100},
		{"fieldname": "actor_name", "label": _("操作人"), "fieldtype": "Data", "width": 120},
		{"fieldname": "actor_role", "label": _("身份"), "fieldtype": "Data", "width": 140},
		{"fieldname": "remark", "label": _("意见/备注"), "fieldtype": "Data", "width": 200},
	]
