"""Case Selection Settings on install: the default roles and the classification of the shipped states.

Only what is missing is filled in (a state without a row, an empty role), so an admin's edits survive every
migrate.
"""

import frappe

from case_selection.setup.roles import DEFAULT_APPLICANT_ROLE, DEFAULT_CITY_ROLES, DEFAULT_EXPERT_ROLE
from case_selection.workflows import load_definition
from case_selection.write_policy import system_write


def ensure_settings():
	settings = frappe.get_single("Case Selection Settings")
	changed = False
	if not settings.applicant_role:
		settings.applicant_role, changed = DEFAULT_APPLICANT_ROLE, True
	if not settings.expert_role:
		settings.expert_role, changed = DEFAULT_EXPERT_ROLE, True
	if not settings.sealed_label:
		settings.sealed_label, changed = "市级评审中", True
	if not settings.city_roles:
		for row in DEFAULT_CITY_ROLES:
			settings.append("city_roles", dict(row))
		changed = True
	definition = load_definition()
	have = {r.state for r in settings.states}
	for state, flags in definition["_state_classes"].items():
		if state not in have:
			settings.append("states", {"state": state, "label": definition["_labels"].get(state), **flags})
			changed = True
	if changed:
		with system_write():
			settings.save(ignore_permissions=True)
