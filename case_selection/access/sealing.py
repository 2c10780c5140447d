"""Sealed results (SPEC §4), sealed by where they are stored.

What the city decides before it publishes a round is kept in a city-only record, the **Case Evaluation** of
the case (same name as the case), which only city roles and administrators may read through Frappe's ordinary
role permissions:

- the case's real state (`workflow_state`): 拟入选, 公示中, 入选, 未入选 — every state marked 发布前保密 in the
  settings — and every other state once the case has reached the city;
- the formal check and its remark, the experts' average score and count, the 公示 dates.

The Case Application row itself holds only what its readers may know: in `workflow_state` a sealed state is
stored as the neutral state (市级评审中 by default, the settings' 保密期间显示为), and it has no city field at
all. Every generic door (print formats, get_value, list statistics, templates, versions, digests, exports, and
the doors Frappe adds next year) reads that row, which contains no sealed value. The city's steps in the
签核历程 (Case Action Log) are logged against the Case Evaluation until publication, for the same reason.

How the one Workflow still runs on the case: a city user or an administrator (or the system, in a job) who
loads a case gets the real state from its evaluation (CaseApplication.load_from_db → overlay); whoever saves a
case, its row is written with the public state and its evaluation with the real one (CaseApplication.db_update
→ store). Someone who does not see the city stage never holds the real state in memory, so their save keeps the
stored real state unless they moved the case themselves (which they can only do from a state that is not
sealed).

Publishing a round (api.publish_results → publish) copies the real states into the cases and moves the city's
history rows across, at once.
"""

import frappe
from frappe.utils import now

from case_selection.access.actors import actor, clear_cache, settings
from case_selection.access.system_write import system_write
from case_selection.constants import APPLICATION, EVALUATION, PUBLISHED
from case_selection.workflow import states

STATE = "workflow_state"
# The city's entries, stored on the evaluation only.
CITY_FIELDS = (
	"formal_check",
	"formal_check_remark",
	"review_score",
	"review_count",
	"public_notice_start",
	"public_notice_end",
)


def sees_city_stage(user: str | None = None) -> bool:
	a = actor(user)
	return a.sees_city


def published_rounds() -> tuple[str, ...]:
	key = ("case_selection", "published_rounds")
	if key not in frappe.local.cache:
		frappe.local.cache[key] = tuple(
			frappe.get_all("Selection Round", filters={"status": PUBLISHED}, pluck="name")
		)
	return frappe.local.cache[key]


def clear_published_cache():
	frappe.local.cache.pop(("case_selection", "published_rounds"), None)


def sealed_state() -> str:
	return settings().sealed_state


def public_state_of(state: str | None, round_name: str | None) -> str | None:
	"""What the Case Application row stores for a case whose real state is `state`."""
	if not state or not states.has(state, "sealed") or round_name in published_rounds():
		return state
	return sealed_state()


def is_sealed_step(from_state: str | None, to_state: str | None, round_name: str | None) -> bool:
	"""A step of the history that names a sealed state of a round not yet published (the states first: they
	are cached, and a co-signing step names none, so it asks nothing of the database)."""
	return (states.has(to_state, "sealed") or states.has(from_state, "sealed")) and (
		round_name not in published_rounds()
	)


# The evaluation ----------------------------------------------------------------------------------------------


def evaluation(name: str | None, for_update: bool = False) -> frappe._dict | None:
	"""The stored evaluation of a case (real state and city fields), or None before the case reached the city."""
	if not name:
		return None
	return frappe.db.get_value(
		EVALUATION, name, [STATE, *CITY_FIELDS], as_dict=True, for_update=for_update, order_by=None
	)


def real_state(name: str | None) -> str | None:
	"""The real state of a case, whoever asks: for the app's own decisions (write rules, reviews)."""
	if not name:
		return None
	return frappe.db.get_value(EVALUATION, name, STATE, order_by=None) or frappe.db.get_value(
		APPLICATION, name, STATE, order_by=None
	)


def overlay(doc):
	"""A case loaded by someone who sees the city stage holds its real state and the city's entries."""
	doc.flags.case_city_view = True
	ev = evaluation(doc.name) if doc.name else None
	doc.flags.case_evaluation = ev
	if ev:
		doc.set(STATE, ev.get(STATE) or doc.get(STATE))


def city_value(doc, field: str):
	"""A city field of a case, for code that has the case: from its evaluation (None for those who may not
	see it)."""
	if not sees_city_stage():
		return None
	ev = doc.flags.get("case_evaluation")
	if ev is None and doc.get("name") and not doc.get("__islocal"):
		ev = evaluation(doc.name) or frappe._dict()
		doc.flags.case_evaluation = ev
	return (ev or {}).get(field)


def project(doc, before_public: str | None) -> str | None:
	"""Before the case's row is written (CaseApplication.db_insert/db_update): puts the public state into the
	document and returns the real one, which the caller puts back once the row is written."""
	written = doc.get(STATE)
	if doc.flags.get("case_city_view") or doc.get("__islocal") or sees_city_stage():
		real = written
	elif written != before_public or written != sealed_state():
		# A move by someone who sees only public states (never from a sealed state), or a state that is not
		# the one sealed states show as: the real state is what they hold.
		real = written
	else:
		real = real_state(doc.name) or written  # nothing moved: the stored real state stays
	doc.set(STATE, public_state_of(real, doc.get("round")))
	doc.set("at_city", int(states.has(doc.get(STATE), "city_visible")))
	doc.flags.case_public_state = doc.get(STATE)
	return real


def keep_real(doc, real: str | None):
	"""After the row is written: the real state goes to the evaluation, which a case gets when it first
	needs one (its real state differs from the public one, or it has reached the city)."""
	public = doc.flags.pop("case_public_state", None)
	# whether the evaluation exists, when the caller read it with the case under its row lock (cosign/service.py)
	stored = doc.flags.pop("case_evaluation_stored", None)
	ev = doc.flags.get("case_evaluation")
	if ev is not None and ev.get(STATE) == real:
		return
	if ev is None and real == public and not states.has(real, "city_visible"):
		if stored is None:
			stored = frappe.db.exists(EVALUATION, doc.name)
		if not stored:
			doc.flags.case_evaluation = None
			return
	set_values(doc, {STATE: real})
	if ev is not None:
		ev[STATE] = real


def set_values(doc_or_name, values: dict):
	"""Writes the evaluation of a case (created when the case first needs one)."""

	if isinstance(doc_or_name, str):
		case = frappe.db.get_value(
			APPLICATION, doc_or_name, ["name", "round", "district", "case_title"], as_dict=True
		)
	else:
		case = doc_or_name
	name = case.get("name")
	existing = frappe.db.get_value(
		EVALUATION, name, [STATE, "case_title", *CITY_FIELDS], as_dict=True, order_by=None
	)
	if existing is None:
		ev = frappe.get_doc(
			{
				"doctype": EVALUATION,
				"application": name,
				"round": case.get("round"),
				"district": case.get("district"),
				"case_title": case.get("case_title"),
				**values,
			}
		)
		ev.flags.update(ignore_permissions=True, ignore_links=True)
		with system_write():
			ev.insert()
		return
	if case.get("case_title"):
		# a case sent back to its applicant may come again under another title
		values = {"case_title": case.get("case_title"), **values}
	changed = {k: v for k, v in values.items() if existing.get(k) != v}
	if changed:
		changed.update(modified=now(), modified_by=frappe.session.user)
		frappe.db.set_value(EVALUATION, name, changed, update_modified=False)


def refresh(names: list[str] | None = None, round_name: str | None = None):
	"""Recompute the public state of cases from their evaluations (after the sealed states changed in the
	settings, or at publication)."""
	clear_published_cache()
	filters = {}
	if names is not None:
		filters["name"] = ("in", names or [""])
	if round_name:
		filters["round"] = round_name
	for row in frappe.get_all(EVALUATION, filters=filters, fields=["name", STATE, "round"]):
		public = public_state_of(row.get(STATE), row.round)
		if public and frappe.db.get_value(APPLICATION, row.name, STATE) != public:
			values = {STATE: public, "at_city": int(states.has(public, "city_visible"))}
			frappe.db.set_value(APPLICATION, row.name, values, update_modified=False)


def refresh_at_city():
	"""Case Application.at_city (the city's row rule) from the states marked 市级可见, for every case."""
	visible = list(states.where("city_visible")) or [""]
	frappe.db.sql(
		f"""update `tab{APPLICATION}` set at_city = if(`{STATE}` in %(visible)s, 1, 0)
		where at_city != if(`{STATE}` in %(visible)s, 1, 0)""",
		{"visible": visible},
	)


def refresh_all(*_args, **_kwargs):
	"""After the settings change (which states are sealed, what they show as, which the city sees)."""

	clear_cache()
	states.clear_cache()
	refresh()
	refresh_at_city()


def publish(round_name: str):
	"""Publication: the round's real states go into its cases, and the city's history rows of the round are
	moved to the cases, at once (the caller has marked the round Published, in the same transaction)."""
	clear_published_cache()
	refresh(round_name=round_name)
	frappe.db.sql(
		"""update `tabCase Action Log` set reference_doctype = %s
		where reference_doctype = %s and `round` = %s""",
		(APPLICATION, EVALUATION, round_name),
	)


def history_doctype(doc, from_state: str | None, to_state: str | None) -> str:
	"""Where a step of a case's history is logged: the evaluation while it names a sealed state."""
	if doc.doctype == APPLICATION and is_sealed_step(from_state, to_state, doc.get("round")):
		return EVALUATION
	return doc.doctype
