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

# State names are the interface (SPEC §4): reports, tests and the co-signing code use them.
DRAFT = "Draft"
SUBMITTED = "Submitted"
COSIGNING = "District Co-signing"
RECOMMENDED = "Recommended"
NOT_RECOMMENDED = "Not Recommended"
RETURNED = "Returned"
SUBMITTED_TO_CITY = "Submitted to City"
RECEIVED = "Received"
CITY_RETURNED = "City Returned"
UNDER_REVIEW = "Under Review"
SHORTLISTED = "Shortlisted"
IN_PUBLIC_NOTICE = "In Public Notice"
SELECTED = "Selected"
NOT_SELECTED = "Not Selected"

EDITABLE_STATES = (DRAFT, RETURNED)
COSIGN_OPEN_STATES = (SUBMITTED, COSIGNING)
# What the city sees: everything a district list has sent up, and what became of it.
CITY_STATES = (
	SUBMITTED_TO_CITY,
	RECEIVED,
	CITY_RETURNED,
	UNDER_REVIEW,
	SHORTLISTED,
	IN_PUBLIC_NOTICE,
	SELECTED,
	NOT_SELECTED,
)


def load_definition() -> dict:
	with open(WORKFLOW_FILE, encoding="utf-8") as f:
		return json.load(f)


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
