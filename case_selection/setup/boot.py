"""What the Desk scripts need to know about the user (hooks.boot_session), from the same data as the server."""

import frappe

from case_selection.access import sealing
from case_selection.access.actors import actor
from case_selection.access.write_policy import may_import
from case_selection.setup.grants import MODULE
from case_selection.workspaces import current_round


def boot_session(bootinfo):
	a = actor()
	bootinfo.case_selection = {
		"city": a.sees_city,
		"city_manager": a.manages_city,
		"district": bool(a.district_roles),
		"sees_city_stage": sealing.sees_city_stage(),
		"import_cases": may_import("Case Application"),
		"current_round": current_round(),  # the workspaces' and reports' default round
		# Lists of these DocTypes open on the current round (case_selection.js): their first page, count and
		# group-by counts then read one round's rows, not every year's.
		"round_doctypes": round_doctypes(),
	}


def round_doctypes() -> list[str]:
	"""The app's DocTypes (not child tables) with a `round` field linking to Selection Round."""
	parents = frappe.get_all(
		"DocField",
		filters={
			"fieldname": "round",
			"fieldtype": "Link",
			"options": "Selection Round",
			"parenttype": "DocType",
		},
		pluck="parent",
	)
	return frappe.get_all(
		"DocType", filters={"name": ("in", parents or [""]), "module": MODULE, "istable": 0}, pluck="name"
	)
