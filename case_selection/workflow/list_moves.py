"""The district list's system moves, found in its Workflow by what they do, never by their names.

The District Recommendation List Workflow (district_list_workflow.json, then the admin's in Desk) has a few
transitions allowed to the role Administrator: the system takes them, each when the app's code has checked who
causes it (a department's signature, the lead's submission, the city's decision) and the transition's condition
holds on the list as it now stands. Which one is meant follows from the meanings of its two states (Case
Selection Settings → 推荐名单状态分类, workflow/states.py):

- the co-signing outcome (COSIGN_OUTCOME): from a state where co-signing is open to one that is not waiting for
  the city (by default 草稿 ⇄ 会签中, 市级退回 → 会签中/草稿); its condition reads doc.cosign_status and
  doc.signed_departments;
- the submission (SUBMISSION): from a state where co-signing is open to one waiting for the city; its condition
  reads doc.cosign_status, doc.within_deadline and doc.within_quota;
- the receipt (RECEIPT): from a state waiting for the city to one neither waiting nor the district's again;
- the return (RETURN): from a state waiting for the city to one the district may change again.

So an admin may rename an action, change a condition or add a step (e.g. 区县审核 before 会签中) in Desk, and
the app's calls follow.
"""

import frappe
from frappe import _
from frappe.model.workflow import is_transition_condition_satisfied

from case_selection.cosign import rules
from case_selection.exceptions import CosignError, DeadlinePassedError, QuotaExceededError
from case_selection.workflow import definition as wf
from case_selection.workflow import states

COSIGN_OUTCOME = "cosign_outcome"
SUBMISSION = "submission"
RECEIPT = "receipt"
RETURN = "return"


def means(state: str | None, flag: str) -> bool:
	"""What a state of the list's Workflow means (Case Selection Settings → 推荐名单状态分类)."""
	return states.has(state, flag, wf.LIST)


def where(flag: str) -> tuple[str, ...]:
	return states.where(flag, wf.LIST)


def at_city() -> tuple[str, ...]:
	"""States of a list the district sent and the city holds (waiting or received, not returned)."""
	return tuple(s for s in where("city_visible") if not means(s, "district_editable"))


def kind_of(transition) -> str | None:
	old, new = transition.state, transition.next_state
	if means(old, "cosign_open"):
		return SUBMISSION if means(new, "awaiting_city") else COSIGN_OUTCOME
	if means(old, "awaiting_city"):
		return RETURN if means(new, "district_editable") else RECEIPT
	return None


def candidates(state: str | None, kind: str) -> list:
	return [t for t in wf.system_transitions(state, wf.LIST) if kind_of(t) == kind]


def candidate(doc, kind: str):
	"""The first system transition of `kind` out of the list's state, whether its condition holds or not."""
	return next(iter(candidates(doc.status, kind)), None)


def find(doc, kind: str):
	"""The system transition of `kind` out of the list's state whose condition holds on `doc`, if any."""
	return next((t for t in candidates(doc.status, kind) if is_transition_condition_satisfied(t, doc)), None)


def return_state(state: str | None) -> str | None:
	"""Where a list at the city goes when the city sends one of its cases back: where the city's return of the
	list leads (by default 市级退回); None for a list the district holds."""
	if state not in at_city():
		return None
	ways = [t.next_state for s in (state, *where("awaiting_city")) for t in candidates(s, RETURN)]
	return ways[0] if ways else None


def refuse(doc, transition):
	"""A 417 saying why the list may not take `transition` (None: its state has no such step)."""
	if doc.cosign_status != rules.AGREED and (transition is None or kind_of(transition) == SUBMISSION):
		frappe.throw(
			_("名单须经全部会签部门同意后才能报送（当前会签结果：{0}）。").format(
				_(doc.cosign_status or "Pending")
			),
			CosignError,
		)
	if transition is None:
		frappe.throw(_("名单当前状态为「{0}」，不能报送。").format(_(doc.status)), CosignError)
	condition = transition.condition or ""
	if "within_deadline" in condition and not doc.within_deadline:
		deadline = doc.round_doc.deadline_for(doc.district)
		frappe.throw(
			_("已超过「{0}」的报送截止日期 {1}，不能报送。").format(doc.district, deadline),
			DeadlinePassedError,
		)
	if "within_quota" in condition and not doc.within_quota:
		frappe.throw(
			_("「推荐案例名单」共 {0} 个案例，超过{1}的推荐名额 {2} 个。").format(
				len(doc.items), doc.district, doc.round_doc.quota_for(doc.district)
			),
			QuotaExceededError,
		)
	frappe.throw(
		_("名单不能从「{0}」转到「{1}」：工作流条件「{2}」不成立。").format(
			_(transition.state), _(transition.next_state), condition
		),
		frappe.model.workflow.WorkflowTransitionError,
	)
