"""The app's Frappe Workflows, each shipped as a default (a JSON file here), installed once, then the admins'.

Two documents run on a Workflow: the Case Application (case_application_workflow.json) and the district's
recommendation list, 附件2 (district_list_workflow.json, whose state field is the list's `status`). Both are
handled by the same code, each described by a `Flow`: its states, transitions, roles and conditions are edited
in Desk; what each state means is data (workflow/states.py, one table of Case Selection Settings per flow).
Only the co-signing rule, which Frappe's Workflow cannot express (every department must agree), lives in code:
case_selection/cosign/rules.py; its outcome is a field of the document the transitions' conditions read.

Transitions allowed to the role Administrator are the system's: the code takes them when their condition holds.
For a case, the first signature (Start Co-signing), the co-signing outcome (Co-sign Agreed/Disagreed/Returned),
and the list's submission, receipt and return (Submit to City, Receive, Return to District from 已报送市级).
For a list, they are found by what they do, not by their names (case_selection/workflow/list_moves.py): the
co-signing outcome, the submission, the receipt and the return. No role of the app holds Administrator, so
nobody takes them by hand, and whichever department leads or signs, the Workflow needs no row per role.
Every state is shipped "optional" (Is Optional State), which is how Frappe turns its Workflow Actions off: who
must act next is told by the co-signing assignments and the Notifications (case_selection/notifications/), so
Frappe's Workflow Action rows, one per state for every role that could move the document on, were a second,
misleading to-do list, and their upkeep the largest part of a co-signing move. An admin may turn them on for a
state in Desk.

Upgrades (sync_workflow, on every migrate): a release's new or changed default transitions and states reach a
site that installed an older one, by a three-way merge against the defaults the site last received
(Case Selection Settings.shipped_defaults / list_shipped_defaults, or workflow/versions/ for case workflows
older than that record): what the release changed is applied where the site still has the old default; what an
admin added, changed or deleted stays as the admin left it.
"""

import json
import os
from dataclasses import dataclass

import frappe
from frappe.model.document import Document
from frappe.utils import cint

from case_selection.access.system_write import system_write
from case_selection.constants import LIST_STATE_FLAGS
from case_selection.constants import STATE_FLAGS as FLAGS

HERE = os.path.dirname(__file__)
VERSIONS_DIR = os.path.join(HERE, "versions")


@dataclass(frozen=True)
class Flow:
	"""One of the app's Workflows: its shipped file, its document and state field, the settings table that says
	what its states mean (with those meanings' fields) and the settings field recording the defaults a site
	received last."""

	name: str
	file: str
	doctype: str
	state_field: str
	table: str
	fields: tuple
	record_field: str
	versions_dir: str | None = None


CASE = Flow(
	"Case Application Workflow",
	os.path.join(HERE, "case_application_workflow.json"),
	"Case Application",
	"workflow_state",
	"states",
	(*FLAGS, "final_result"),
	"shipped_defaults",
	VERSIONS_DIR,
)
LIST = Flow(
	"District Recommendation List Workflow",
	os.path.join(HERE, "district_list_workflow.json"),
	"District Recommendation List",
	"status",
	"list_states",
	LIST_STATE_FLAGS,
	"list_shipped_defaults",
)
FLOWS = (CASE, LIST)

WORKFLOW_NAME = CASE.name
WORKFLOW_FILE = CASE.file
LIST_WORKFLOW_NAME = LIST.name

# The actions the app's own code takes on a case (every other move is a user's, through the Workflow). States
# are not named in code: what a state means is data (workflow/states.py).
START_COSIGNING = "Start Co-signing"
COSIGN_AGREED = "Co-sign Agreed"
COSIGN_DISAGREED = "Co-sign Disagreed"
COSIGN_RETURNED = "Co-sign Returned"
SUBMIT_TO_CITY = "Submit to City"
RECEIVE = "Receive"
RETURN_TO_DISTRICT = "Return to District"
SYSTEM_ROLE = "Administrator"  # the role of the transitions the system takes


def flow_of(doctype: str) -> Flow | None:
	return next((f for f in FLOWS if f.doctype == doctype), None)


def load_definition(flow: Flow = CASE) -> dict:
	with open(flow.file, encoding="utf-8") as f:
		return json.load(f)


def transitions_from(state: str | None, flow: Flow = CASE) -> list:
	"""The transitions of the live Workflow leaving `state`, whoever may take them."""
	workflow = frappe.get_cached_doc("Workflow", flow.name)
	return [t for t in workflow.transitions if t.state == state]


def transitions_with(action: str, flow: Flow = CASE) -> list:
	"""The transitions of the live Workflow taking `action`, from whichever state."""
	workflow = frappe.get_cached_doc("Workflow", flow.name)
	return [t for t in workflow.transitions if t.action == action]


def system_transitions(state: str | None, flow: Flow = CASE) -> list:
	"""The transitions leaving `state` that only the system takes (allowed to Administrator)."""
	return [t for t in transitions_from(state, flow) if t.allowed == SYSTEM_ROLE]


def has_action(state: str | None, action: str, flow: Flow = CASE) -> bool:
	return any(t.action == action for t in transitions_from(state, flow))


def initial_state(flow: Flow = CASE) -> str | None:
	rows = frappe.get_cached_doc("Workflow", flow.name).states
	return rows[0].state if rows else None


def shipped_defaults(definition: dict | None = None, flow: Flow = CASE) -> dict:
	"""The parts of a definition an upgrade merges: transitions, state rows and state classes."""
	definition = definition or load_definition(flow)
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


def previous_defaults(flow: Flow = CASE) -> dict | None:
	"""What a site received last: the record in the settings, else the newest release in history/."""
	recorded = frappe.db.get_single_value("Case Selection Settings", flow.record_field)
	if recorded:
		return json.loads(recorded)
	if not flow.versions_dir:
		return None
	files = sorted(f for f in os.listdir(flow.versions_dir) if f.endswith(".json"))
	if not files:
		return None
	with open(os.path.join(flow.versions_dir, files[-1]), encoding="utf-8") as f:
		return shipped_defaults({"_state_classes": {}, **json.load(f)}, flow)


def record_defaults(defaults: dict, flow: Flow = CASE):
	frappe.db.set_single_value(
		"Case Selection Settings", flow.record_field, json.dumps(defaults, ensure_ascii=False)
	)


def sync_workflow(old: dict | None = None, flow: Flow = CASE) -> dict:
	"""Bring this release's default transitions, states and state classes to an installed Workflow."""
	new = shipped_defaults(flow=flow)
	if not frappe.db.exists("Workflow", flow.name):
		return {}
	old = old if old is not None else previous_defaults(flow)
	if old is None:
		record_defaults(new, flow)
		return {}
	workflow = frappe.get_doc("Workflow", flow.name)
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
	changes["state_classes"] = sync_state_classes(old.get("state_classes") or {}, new["state_classes"], flow)
	record_defaults(new, flow)
	return changes


def sync_state_classes(old: dict, new: dict, flow: Flow = CASE) -> int:
	"""A state whose classification the release changed gets the new one, unless an admin changed it."""

	settings = frappe.get_single("Case Selection Settings")
	fields = flow.fields
	changed = 0
	for row in settings.get(flow.table):
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


def ensure_workflow(flow: Flow = CASE):
	definition = load_definition(flow)
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
	if frappe.db.exists("Workflow", flow.name):
		return
	doc = {k: v for k, v in definition.items() if not k.startswith("_")}
	frappe.get_doc(doc).insert(ignore_permissions=True)
	return True


def remove_workflow(flow: Flow = CASE):
	frappe.delete_doc_if_exists("Workflow", flow.name, force=True)
