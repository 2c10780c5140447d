"""The default Case Application workflow (case_application_workflow.json), loaded once on install.

After that the Workflow record belongs to the admins: states, transitions, roles and conditions are edited in
Desk and a migrate never overwrites them. Only the co-signing rule, which Frappe's Workflow cannot express
(every department must agree), lives in code: case_selection/cosign/rules.py.

The three co-signing outcomes ("Co-sign Agreed/Disagreed/Returned") are allowed to the role All: their
condition (`doc.cosign_status == …`) is true only inside the co-signing transaction that sets it and moves
the case at once, so no user can take them by hand, and one row per outcome instead of one per department
keeps the save that follows each signature short (Frappe examines every possible next transition).
"""

import json
import os

import frappe

WORKFLOW_NAME = "Case Application Workflow"
WORKFLOW_FILE = os.path.join(os.path.dirname(__file__), "case_application_workflow.json")

# The actions the app's own code takes (every other move is a user's, through the Workflow). States are not
# named in code: what a state means is data (workflows/states.py).
START_COSIGNING = "Start Co-signing"
COSIGN_AGREED = "Co-sign Agreed"
COSIGN_DISAGREED = "Co-sign Disagreed"
COSIGN_RETURNED = "Co-sign Returned"
SUBMIT_TO_CITY = "Submit to City"
RECEIVE = "Receive"
RETURN_TO_DISTRICT = "Return to District"

# A district list has a status of its own (the options of its status field), not a Frappe Workflow.
LIST_DRAFT = "Draft"
LIST_COSIGNING = "Co-signing"
LIST_SUBMITTED = "Submitted to City"
LIST_RECEIVED = "Received"
LIST_RETURNED = "City Returned"
# Lists the district may still change, and lists the city sees.
LIST_EDITABLE = (LIST_DRAFT, LIST_COSIGNING, LIST_RETURNED)
LIST_AT_CITY = (LIST_SUBMITTED, LIST_RECEIVED, LIST_RETURNED)


def load_definition() -> dict:
	with open(WORKFLOW_FILE, encoding="utf-8") as f:
		return json.load(f)


def transitions_from(state: str | None) -> list:
	"""The transitions of the live Workflow leaving `state`, whoever may take them."""
	workflow = frappe.get_cached_doc("Workflow", WORKFLOW_NAME)
	return [t for t in workflow.transitions if t.state == state]


def has_action(state: str | None, action: str) -> bool:
	return any(t.action == action for t in transitions_from(state))


def initial_state() -> str | None:
	rows = frappe.get_cached_doc("Workflow", WORKFLOW_NAME).states
	return rows[0].state if rows else None


def ensure_workflow():
	definition = load_definition()
	for state, style in definition["_state_styles"].items():
		if not frappe.db.exists("Workflow State", state):
			frappe.get_doc(
				{"doctype": "Workflow State", "workflow_state_name": state, "style": style}
			).insert(ignore_permissions=True)
	for action in definition["_action_labels"]:
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert(
				ignore_permissions=True
			)
	if frappe.db.exists("Workflow", WORKFLOW_NAME):
		return
	doc = {k: v for k, v in definition.items() if not k.startswith("_")}
	frappe.get_doc(doc).insert(ignore_permissions=True)


def remove_workflow():
	frappe.delete_doc_if_exists("Workflow", WORKFLOW_NAME, force=True)
