"""What the role workspaces count and chart (Desk → 申报单位工作台, 区县工作台, 市级工作台, 专家工作台).

The workspaces, their Number Cards, Dashboard Charts and chart sources are standard records of the module
(case_selection/case_selection/workspace, number_card, dashboard_chart, dashboard_chart_source): a migrate
installs them. The numbers behind them are computed here, for the user who asks, through frappe.get_list, so
every count is what that user may read. A case's row holds the state its readers may know (access/sealing.py); the city
counts the cases at the city by their real state, from the city-only Case Evaluation. Which states a count
covers is read from the state classes and the Workflow (workflow/states.py), never from state names.
"""

import frappe

from case_selection.access import sealing
from case_selection.constants import EVALUATION
from case_selection.workflow import states as state_classes


def state_doctype(state_list) -> str:
	"""Where the current user counts cases in these states: the city (and administrators) count the cases at
	the city by their real state, in Case Evaluation; everyone else, and every other state, in Case Application."""
	if (
		sealing.sees_city_stage()
		and state_list
		and all(state_classes.has(s, "city_visible") for s in state_list)
	):
		return EVALUATION
	return "Case Application"


def state_field() -> str:
	return sealing.STATE


def current_round() -> str | None:
	"""The round the workspaces show by default: the open round opened last, else the newest round."""
	for filters in ({"status": "Open"}, {}):
		rows = frappe.get_all(
			"Selection Round", filters=filters, pluck="name", order_by="open_date desc, year desc", limit=1
		)
		if rows:
			return rows[0]
	return None
