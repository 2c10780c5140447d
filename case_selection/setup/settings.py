"""Case Selection Settings on install: the default roles and the classification of the shipped states.

Only what is missing is filled in (a state without a row, an empty role), so an admin's edits survive every
migrate.
"""

import frappe

from case_selection.access.system_write import system_write
from case_selection.setup.roles import (
	DEFAULT_APPLICANT_ROLE,
	DEFAULT_CITY_ROLES,
	DEFAULT_EXPERT_ROLE,
	DEFAULT_INTEGRATION_ROLE,
)
from case_selection.workflow.definition import FLOWS, load_definition


def ensure_settings():
	settings = frappe.get_single("Case Selection Settings")
	definition = load_definition()
	changed = False
	if not settings.applicant_role:
		settings.applicant_role, changed = DEFAULT_APPLICANT_ROLE, True
	if not settings.expert_role:
		settings.expert_role, changed = DEFAULT_EXPERT_ROLE, True
	if not settings.integration_role:
		settings.integration_role, changed = DEFAULT_INTEGRATION_ROLE, True
	if not settings.sealed_state:
		settings.sealed_state, changed = definition["_sealed_as"], True
	if not settings.city_roles:
		for row in DEFAULT_CITY_ROLES:
			settings.append("city_roles", dict(row))
		changed = True
	for flow in FLOWS:
		definition = load_definition(flow)
		have = {r.state for r in settings.get(flow.table)}
		for state, flags in definition["_state_classes"].items():
			if state not in have:
				settings.append(
					flow.table, {"state": state, "label": definition["_labels"].get(state), **flags}
				)
				changed = True
	if changed:
		with system_write():
			settings.save(ignore_permissions=True)
