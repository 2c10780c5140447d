"""Groups of Case Application states the workspaces count, from the state classes and the Workflow."""

import frappe

from case_selection.access.actors import city_roles
from case_selection.workflow import definition, states
from case_selection.workflow.definition import RECEIVE, SUBMIT_TO_CITY, initial_state


def workflow_states() -> list[str]:
	"""Every state of the live Workflow, in its order."""
	rows = frappe.get_cached_doc("Workflow", definition.WORKFLOW_NAME).states
	return list(dict.fromkeys(r.state for r in rows))  # a state has a row per role that may edit in it


def drafts() -> list[str]:
	return [initial_state()] if initial_state() else []


def returned() -> list[str]:
	"""Back with the applicant to revise: editable by the applicant, and not the first draft."""
	return [s for s in states.where("applicant_editable") if s != initial_state()]


def finals() -> list[str]:
	return list(states.final_states())


def with_action(action: str) -> list[str]:
	return [s for s in workflow_states() if definition.has_action(s, action)]


def recommended() -> list[str]:
	"""Recommended by the district and not yet sent: the states a list's submission moves on."""
	return with_action(SUBMIT_TO_CITY)


def awaiting_receipt() -> list[str]:
	return with_action(RECEIVE)


def received() -> list[str]:
	"""At the city, received, before expert review: the city's own step (formal check) leads to review."""
	manage = _city_manage_roles()
	out = []
	for s in states.where("city_visible"):
		if states.has(s, "cosign_open") or states.has(s, "review_open") or states.has(s, "sealed"):
			continue
		if any(
			t.allowed in manage and states.has(t.next_state, "review_open")
			for t in definition.transitions_from(s)
		):
			out.append(s)
	return out


def _city_manage_roles():

	return city_roles().manage


def in_review() -> list[str]:
	return list(states.where("review_open"))


def public_notice() -> list[str]:
	return list(states.where("public_notice"))


def not_yet(*groups) -> list[str]:
	"""Every state outside the given groups."""
	skip = {s for g in groups for s in g}
	return [s for s in workflow_states() if s not in skip]
