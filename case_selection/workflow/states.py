"""What each state of the app's workflows means, read from data (Case Selection Settings → 状态分类 for the
Case Application, → 推荐名单状态分类 for the district list).

Code never asks "is the case in 'Received'?"; it asks "is its state visible to the city?", "may the applicant
edit it?", "may the district still change its list?" and so on. An admin who adds a state to a Workflow in Desk
gives it a row here, and every door (permissions, write policy, cards, charts, reports, exports) follows. The
shipped defaults are `_state_classes` in each workflow's JSON, copied into the settings on install when a state
has no row yet. Every function takes the flow (workflow/definition.py); without one, the case's.
"""

import frappe
from frappe import _

from case_selection.constants import STATE_FLAGS
from case_selection.workflow.definition import CASE, Flow, load_definition

FLAGS = STATE_FLAGS
SELECTED = "Selected"
NOT_SELECTED = "Not Selected"


def _rows(flow: Flow = CASE) -> dict:
	key = f"case_selection_state_rows:{flow.table}"
	cache = frappe.local.cache
	if key not in cache:
		settings = frappe.get_cached_doc("Case Selection Settings")
		cache[key] = {r.state: r for r in settings.get(flow.table) or []}
	return cache[key]


def clear_cache():
	for key in [k for k in frappe.local.cache if str(k).startswith("case_selection_state_rows")]:
		frappe.local.cache.pop(key, None)


def has(state: str | None, flag: str, flow: Flow = CASE) -> bool:
	row = _rows(flow).get(state)
	return bool(row and row.get(flag))


def where(flag: str, flow: Flow = CASE) -> tuple[str, ...]:
	"""The states carrying `flag` (e.g. where("city_visible"))."""
	return tuple(s for s, r in _rows(flow).items() if r.get(flag))


def all_states(flow: Flow = CASE) -> tuple[str, ...]:
	"""Every classified state, in the order of the settings' table."""
	return tuple(_rows(flow))


def final_result(state: str | None) -> str | None:
	row = _rows().get(state)
	return (row.final_result or None) if row else None


def final_states(result: str | None = None) -> tuple[str, ...]:
	return tuple(
		s for s, r in _rows().items() if r.final_result and (result is None or r.final_result == result)
	)


def renamed_label(state: str | None, flow: Flow = CASE) -> str | None:
	"""The name an admin gave the state in the settings, when it is not the one the app shipped."""

	row = _rows(flow).get(state)
	if not row or not row.label:
		return None
	key = f"case_selection_shipped_labels:{flow.table}"
	if key not in frappe.local.cache:
		frappe.local.cache[key] = load_definition(flow)["_labels"]
	return row.label if row.label != frappe.local.cache[key].get(state) else None


def label(state: str | None, flow: Flow = CASE) -> str:
	"""The Chinese name of a state: a name the admin gave it in the settings, else its translation (zh.csv
	or a Translation record)."""
	if not state:
		return ""
	return renamed_label(state, flow) or _(state)


def stage_label(state: str | None, flow: Flow = CASE) -> str:
	"""The name the settings give the state (the shipped one included), else its translation: the district
	list's stages read 名单草稿, 名单会签中… where a case's state reads 草稿."""
	row = _rows(flow).get(state)
	return (row.label if row and row.label else None) or _(state or "")
