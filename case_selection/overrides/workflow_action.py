"""Frappe's Workflow Action hook, reading the workflow from Frappe's cached Workflow document.

Frappe runs `process_workflow_actions` after every save of a document whose DocType has an active workflow, so
on every move of a case. In Frappe 15.44 that hook reads the workflow from the database each time: the
transitions out of the new state and the roles that lead into it (two `get_all`s through the query sanitiser),
and, for each transition, whether its next state is optional (`get_cached_value` with a dict of filters, which
Frappe never caches: it loads a Workflow Document State row and writes it to Redis each time). That was about
10 ms of each move's save in the co-signing benchmark (two of the three signatures move the case).

Frappe's own workflow code already reads transitions from the cached Workflow document (`get_workflow`,
frappe/frappe#21300), which Frappe clears whenever the Workflow is saved. The three lookups below read the same
document and return what Frappe's do: the optional flag of the state, the transitions out of a state whose
next state is not optional and whose condition holds, the user's roles among those allowed into a state. A fourth
asks what Frappe's first question after every save of such a document asks, whether a Workflow Action of its
state exists, as one plain query on Frappe's (reference_name, reference_doctype) index instead of
frappe.db.exists with a dict (built through the query builder, about a millisecond of each move).
`install()` puts them in place of Frappe's in its Workflow Action module; tests/test_workflow_actions.py
compares them with Frappe's own on every state of the shipped workflow and checks a Workflow edit is seen.
"""

import frappe
from frappe.workflow.doctype.workflow_action import workflow_action as frappe_workflow_action

TRANSITION_FIELDS = ("allowed", "action", "state", "allow_self_approval", "next_state", "condition")
# Frappe's own functions, as they were before install() (for the tests, and for uninstall()).
ORIGINAL = {
	name: getattr(frappe_workflow_action, name)
	for name in (
		"get_state_optional_field_value",
		"get_next_possible_transitions",
		"get_allowed_roles",
		"is_workflow_action_already_created",
	)
}


def _workflow(workflow_name: str):
	return frappe.get_cached_doc("Workflow", workflow_name)


def get_state_optional_field_value(workflow_name: str, state: str):
	for row in _workflow(workflow_name).states:
		if row.state == state:
			return row.is_optional_state
	return None


def get_next_possible_transitions(workflow_name: str, state: str, doc=None) -> list:
	out = []
	for row in _workflow(workflow_name).transitions:
		if row.state != state or get_state_optional_field_value(workflow_name, row.next_state):
			continue
		transition = frappe._dict({f: row.get(f) for f in TRANSITION_FIELDS})
		if frappe_workflow_action.is_transition_condition_satisfied(transition, doc):
			out.append(transition)
	return out


def get_allowed_roles(user: str | None, workflow: str, workflow_state: str) -> set:
	allowed = {row.allowed for row in _workflow(workflow).transitions if row.next_state == workflow_state}
	return allowed.intersection(frappe.get_roles(user or frappe.session.user))


def is_workflow_action_already_created(doc) -> bool:
	return bool(
		frappe.db.sql(
			"""select 1 from `tabWorkflow Action`
			where reference_name = %s and reference_doctype = %s and workflow_state = %s limit 1""",
			(doc.get("name"), doc.get("doctype"), frappe_workflow_action.get_doc_workflow_state(doc)),
		)
	)


REPLACEMENTS = {
	"get_state_optional_field_value": get_state_optional_field_value,
	"get_next_possible_transitions": get_next_possible_transitions,
	"get_allowed_roles": get_allowed_roles,
	"is_workflow_action_already_created": is_workflow_action_already_created,
}


def install():
	"""Idempotent. hooks.before_request and hooks.before_job: installed in every web worker and RQ job before
	anything is saved (and so before Frappe's hook runs after a save)."""
	for name, fn in REPLACEMENTS.items():
		setattr(frappe_workflow_action, name, fn)


def uninstall():
	for name, fn in ORIGINAL.items():
		setattr(frappe_workflow_action, name, fn)
