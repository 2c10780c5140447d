"""What the role workspaces count and chart (Desk → 申报单位工作台, 区县工作台, 市级工作台, 专家工作台).

The workspaces, their Number Cards, Dashboard Charts and chart sources are standard records of the module
(case_selection/case_selection/workspace, number_card, dashboard_chart, dashboard_chart_source): a migrate
installs them. The numbers behind them are computed here, for the user who asks, through frappe.get_list, so
every count is what that user may read; applicants, district roles and experts count by `public_state` (the
state as they may know it before publication, sealing.py), the city by the real state. Which states a count
covers is read from the state classes and the Workflow (workflows/states.py), never from state names.
"""

import frappe

from case_selection import sealing


def state_field() -> str:
	"""The state column the current user counts by."""
	return "workflow_state" if sealing.sees_city_stage() else "public_state"


def current_round() -> str | None:
	"""The round the workspaces show by default: the open round opened last, else the newest round."""
	for filters in ({"status": "Open"}, {}):
		rows = frappe.get_all(
			"Selection Round", filters=filters, pluck="name", order_by="open_date desc, year desc", limit=1
		)
		if rows:
			return rows[0]
	return None
