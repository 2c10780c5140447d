"""What each state of the Case Application workflow means, read from data (Case Selection Settings → 状态分类).

Code never asks "is the case in 'Received'?"; it asks "is its state visible to the city?", "may the applicant
edit it?" and so on. An admin who adds a state to the Workflow in Desk gives it a row here, and every door
(permissions, write policy, exports) follows. The shipped defaults are `_state_classes` in
case_application_workflow.json, copied into the settings on install when a state has no row yet.
"""

import frappe
from frappe import _

from case_selection.constants import STATE_FLAGS
from case_selection.workflow.definition import load_definition

FLAGS = STATE_FLAGS
SELECTED = "Selected"
NOT_SELECTED = "Not Selected"


def _rows() -> dict:
	key = "case_selection_state_rows"
	cache = frappe.local.cache
	if key not in cache:
		settings = frappe.get_cached_doc("Case Selection Settings")
		cache[key] = {r.state: r for r in settings.states}
	return cache[key]


def clear_cache():
	frappe.local.cache.pop("case_selection_state_rows", None)


def has(state: str | None, flag: str) -> bool:
	row = _rows().get(state)
	return bool(row and row.get(flag))


def where(flag: str) -> tuple[str, ...]:
	"""The states carrying `flag` (e.g. where("city_visible"))."""
	return tuple(s for s, r in _rows().items() if r.get(flag))


def final_result(state: str | None) -> str | None:
	row = _rows().get(state)
	return (row.final_result or None) if row else None


def final_states(result: str | None = None) -> tuple[str, ...]:
	return tuple(
		s for s, r in _rows().items() if r.final_result and (result is None or r.final_result == result)
	)


def renamed_label(state: str | None) -> str | None:
	"""The name an admin gave the state in the settings, when it is not the one the app shipped."""

	row = _rows().get(state)
	if not row or not row.label:
		return None
	key = "case_selection_shipped_labels"
	if key not in frappe.local.cache:
		frappe.local.cache[key] = load_definition()["_labels"]
	return row.label if row.label != frappe.local.cache[key].get(state) else None


def label(state: str | None) -> str:
	"""The Chinese name of a state: a name the admin gave it in the settings, else its translation (zh.csv
	or a Translation record)."""
	if not state:
		return ""
	return renamed_label(state) or _(state)
