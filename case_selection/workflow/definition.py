"""The default Case Application workflow (case_application_workflow.json): installed once, then the admins'.

States, transitions, roles and conditions are edited in Desk. Only the co-signing rule, which Frappe's
Workflow cannot express (every department must agree), lives in code: case_selection/cosign/rules.py.

Transitions allowed to the role Administrator are the system's: the co-signing service and the district list
take them (advance()) when their condition holds — the first signature (Start Co-signing), the co-signing
outcome (Co-sign Agreed/Disagreed/Returned), and the list's submission, receipt and return (Submit to City,
Receive, Return to District from 已报送市级). No case role holds Administrator, so nobody takes them by hand,
and whichever department leads or signs, the Workflow needs no row per role.
Every state is shipped "optional" (Is Optional State), which is how Frappe turns its Workflow Actions off: who
must act next is told by the co-signing assignments and the Notifications (case_selection/notifications/), so
Frappe's Workflow Action rows, one per state for every role that could move the case on (every district's
officers for each recommended case), were a second, misleading to-do list, and their upkeep the largest part of
a co-signing move. An admin may turn them on for a state in Desk.

Upgrades (sync_workflow, on every migrate): a release's new or changed default transitions and states reach a
site that installed an older one, by a three-way merge against the defaults the site last received
(Case Selection Settings.shipped_defaults, or workflow/versions/ for sites older than that record): what the
release changed is applied where the site still has the old default; what an admin added, changed or deleted
stays as the admin left it.
"""

import json
import os

import frappe
from frappe.model.document import Document
from frappe.utils import cint

from case_selection.access.system_write import system_write
from case_selection.constants import STATE_FLAGS as FLAGS

WORKFLOW_NAME = "Case Application Workflow"
WORKFLOW_FILE = os.path.join(os.path.dirname(__file__), "case_application_workflow.json")

# The actions the app's own code takes (every other move is a user's, through the Workflow). States are not
# named in code: what a state means is data (workflow/states.py).
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


def transitions_with(action: str) -> list:
	"""The transitions of the live Workflow taking `action`, from whichever state."""
	workflow = frappe.get_cached_doc("Workflow", WORKFLOW_NAME)
	return [t for t in workflow.transitions if t.action == action]


def has_action(state: str | None, action: str) -> bool:
	return any(t.action == action for t in transitions_from(state))


def initial_state() -> str | None:
	rows = frappe.get_cached_doc("Workflow", WORKFLOW_NAME).states
	return rows[0].state if rows else None


VERSIONS_DIR = os.path.join(os.path.dirname(__file__), "versions")


def shipped_defaults(definition: dict | None = None) -> dict:
	"""The parts of a definition an upgrade merges: transitions, state rows and state classes."""
	definition = definition or load_definition()
	return {
		"transitions": [
			{k: t.get(k) for k in TRANSITION_VALUE + TRANSITION_KEY} for t in definition["transitions"]
		],
		"states": [{k: r.get(k) for k in STATE_VALUE + STATE_KEY} for r in definition["states"]],
		"state_classes": definition.get("_state_classes") or {},
	}


TRANSITION_KEY = ("state", "action", "allowed")
TRANSITION_VALUE = ("next_state", "condition", "allow_self_approval")
STATE_KEY = ("state", "allow_edit")
STATE_VALUE = ("doc_status", "update_field", "update_value", "is_optional_state")
CHECKS = ("is_optional_state",)  # a Check: unset (a release before it was shipped) is 0


def _norm(value, field: str | None = None):
	if field in CHECKS:
		return str(cint(value))
	return "" if value is None else str(value)


def _index(rows, key, value) -> dict:
	return {tuple(_norm(r.get(k), k) for k in key): tuple(_norm(r.get(v), v) for v in value) for r in rows}


def merge(old_rows, new_rows, live_rows, key, value) -> tuple[dict, list]:
	"""Three-way merge of rows (dicts) by key. Returns (rows to set by key, keys to remove)."""
	old, new, live = _index(old_rows, key, value), _index(new_rows, key, value), _index(live_rows, key, value)
	upsert, remove = {}, []
	for k, v in new.items():
		if k not in old:
			if k not in live:
				upsert[k] = v  # added by the release
		elif v != old[k] and live.get(k) == old[k]:
			upsert[k] = v  # changed by the release, untouched on the site
	for k, v in old.items():
		if k not in new and live.get(k) == v:
			remove.append(k)  # dropped by the release, untouched on the site
	return upsert, remove


def previous_defaults() -> dict | None:
	"""What a site received last: the record in the settings, else the newest release in history/."""
	recorded = frappe.db.get_single_value("Case Selection Settings", "shipped_defaults")
	if recorded:
		return json.loads(recorded)
	files = sorted(f for f in os.listdir(VERSIONS_DIR) if f.endswith(".json"))
	if not files:
		return None
	with open(os.path.join(VERSIONS_DIR, files[-1]), encoding="utf-8") as f:
		return shipped_defaults({"_state_classes": {}, **json.load(f)})


def record_defaults(defaults: dict):
	frappe.db.set_single_value(
		"Case Selection Settings", "shipped_defaults", json.dumps(defaults, ensure_ascii=False)
	)


def sync_workflow(old: dict | None = None) -> dict:
	"""Bring this release's default transitions, states and state classes to an installed Workflow."""
	new = shipped_defaults()
	if not frappe.db.exists("Workflow", WORKFLOW_NAME):
		return {}
	old = old if old is not None else previous_defaults()
	if old is None:
		record_defaults(new)
		return {}
	workflow = frappe.get_doc("Workflow", WORKFLOW_NAME)
	changes = {}
	for table, key, value in (
		("transitions", TRANSITION_KEY, TRANSITION_VALUE),
		("states", STATE_KEY, STATE_VALUE),
	):
		upsert, remove = merge(old[table], new[table], workflow.get(table), key, value)
		rows = [r for r in workflow.get(table) if tuple(_norm(r.get(k), k) for k in key) not in set(remove)]
		by_key = {tuple(_norm(r.get(k), k) for k in key): r for r in rows}
		for k, v in upsert.items():
			values = dict(zip(key + value, k + v, strict=True))
			values = {
				f: (v or None) if f in ("condition", "update_field", "update_value") else v
				for f, v in values.items()
			}
			if k in by_key:
				by_key[k].update(values)
			else:
				rows.append(frappe._dict(values))
		workflow.set(table, [r.as_dict() if isinstance(r, Document) else dict(r) for r in rows])
		changes[table] = {"added_or_changed": len(upsert), "removed": len(remove)}
	if any(c["added_or_changed"] or c["removed"] for c in changes.values()):
		workflow.save(ignore_permissions=True)
	changes["state_classes"] = sync_state_classes(old.get("state_classes") or {}, new["state_classes"])
	record_defaults(new)
	return changes


def sync_state_classes(old: dict, new: dict) -> int:
	"""A state whose classification the release changed gets the new one, unless an admin changed it."""

	settings = frappe.get_single("Case Selection Settings")
	fields = (*FLAGS, "final_result")
	changed = 0
	for row in settings.states:
		before, after = old.get(row.state), new.get(row.state)
		if before is None or after is None or before == after:
			continue
		live = {f: row.get(f) or 0 for f in fields}
		if live == {f: before.get(f) or 0 for f in fields}:
			row.update({f: after.get(f) or (None if f == "final_result" else 0) for f in fields})
			changed += 1
	if changed:
		with system_write():
			settings.save(ignore_permissions=True)
	return changed


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
	return True


def remove_workflow():
	frappe.delete_doc_if_exists("Workflow", WORKFLOW_NAME, force=True)
