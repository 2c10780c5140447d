"""Row-level read access of SPEC §1, one definition for every door.

Frappe asks two hooks: `permission_query_conditions` (list views, reports, REST lists, counts, link search,
group-by counts, exports: every query through frappe.get_list) and `has_permission` (form load, REST get,
print/PDF, private files of a document, workflow actions). Both are defined here for every DocType of the app,
child tables included, and for the platform's side tables that point at our documents (Workflow Action, File).

- district roles: their own district(s), by User Permission on Case District (none set: nothing);
- applicants: the applications they created;
- city roles: what has reached the city (states marked 市级可见; lists sent up);
- experts: the cases assigned to them, read-only, and their own reviews.

`has_permission` judges a document by what is stored, never by the values in the request: Frappe calls it with
the caller's edited copy (a PUT that moves a case into one's own district) or with a made-up document
(print preview of a dict), and only the stored owner, district and state count. Roles are data
(case_selection/access/actors.py) and states are classified by data (case_selection/workflow/states.py).
"""

import frappe

from case_selection.access.actors import actor
from case_selection.constants import APPLICATION, DEADLINE, LIST, REVIEW, ROW_RULE_DOCTYPES
from case_selection.workflow import list_moves, states


def esc(value) -> str:
	return frappe.db.escape(value, percent=False)


def _in(column: str, values) -> str:
	if not values:
		return "1=0"
	return f"{column} in ({', '.join(esc(v) for v in values)})"


def _any_of(conds: list[str]) -> str:
	return "(" + " or ".join(conds) + ")" if conds else "1=0"


def stored(doc, fields: tuple[str, ...]) -> frappe._dict:
	"""The stored values of `fields` for the record `doc` names; a document being created has only its own."""
	name = doc.get("name")
	if doc.flags.get("case_stored_current"):
		return frappe._dict({f: doc.get(f) for f in fields})  # loaded from the database by the app itself
	if name and not doc.get("__islocal"):
		row = frappe.db.get_value(doc.doctype, name, fields, as_dict=True)
		if row:
			return row
	return frappe._dict({f: doc.get(f) for f in fields})


# Case Application ------------------------------------------------------------------------------------


def application_condition(user: str | None = None) -> str:
	a = actor(user)
	if a.admin:
		return ""
	t = f"`tab{APPLICATION}`"
	conds = []
	if a.districts:
		conds.append(_in(f"{t}.`district`", a.districts))
	if a.is_city:
		# at_city: the case's state is one the city sees (kept by sealing.project and refresh_at_city), so
		# the city's list is read in order from one index, however many rounds are stored.
		conds.append(f"{t}.`at_city` = 1")
	if a.is_expert:
		conds.append(
			# Through a review of a round that is not blind only (review/blind.py: a blind expert reads the case
			# from the review's own copy, which names nobody).
			f"{t}.`name` in (select `application` from `tabCase Review` where `expert` = {esc(a.user)}"
			" and `blind` = 0)"
		)
	if a.is_applicant:
		conds.append(f"{t}.`owner` = {esc(a.user)}")
	return _any_of(conds)


def application_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	a = actor(user)
	if a.admin:
		return True
	f = stored(doc, ("owner", "district", "workflow_state"))
	if a.is_officer(f.district):
		return True
	if a.is_city and states.has(f.workflow_state, "city_visible"):
		return True
	if a.is_applicant and f.owner == a.user:
		return True
	if (
		a.is_expert
		and ptype in ("read", "print", "select")
		and doc.get("name")
		and frappe.db.exists(REVIEW, {"application": doc.name, "expert": a.user, "blind": 0})
	):
		return True
	return False


# District Recommendation List ---------------------------------------------------------------------------


def list_condition(user: str | None = None) -> str:
	a = actor(user)
	if a.admin:
		return ""
	t = f"`tab{LIST}`"
	conds = []
	if a.districts:
		conds.append(_in(f"{t}.`district`", a.districts))
	if a.is_city:
		conds.append(_in(f"{t}.`status`", list_moves.where("city_visible")))
	return _any_of(conds)


def list_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	a = actor(user)
	if a.admin:
		return True
	f = stored(doc, ("district", "status"))
	return a.is_officer(f.district) or (a.is_city and list_moves.means(f.status, "city_visible"))


# Opinions and history: follow the document they belong to ----------------------------------------------

REFERENCE_CONDITIONS = {
	APPLICATION: application_condition,
	LIST: list_condition,
	"Case Evaluation": lambda user=None: city_only_condition(user),
}


def reference_condition(
	table: str, user: str | None, doctype_column: str, name_column: str, district_column: bool = False
) -> str:
	"""Rows of `table` that point at a case or a list the user may read."""
	if actor(user).admin:
		return ""
	t = f"`tab{table}`"
	parts = []
	for doctype, condition in REFERENCE_CONDITIONS.items():
		cond = condition(user) or "1=1"
		# Correlated on the document's primary key: MariaDB looks each row's document up (one index read)
		# instead of materialising every readable document of every year into a temporary table (the city's
		# 73,000 cases at 100,000 spilled to disk: 7 s for one page of opinions).
		parts.append(
			f"({t}.`{doctype_column}` = {esc(doctype)} and {t}.`{name_column}` in "
			f"(select `name` from `tab{doctype}` where `tab{doctype}`.`name` = {t}.`{name_column}` and {cond}))"
		)
	a = actor(user)
	if district_column and a.districts and not (a.is_city or a.is_expert or a.is_applicant):
		# A district officer reads rows of their own district's documents only, and the app's rows carry the
		# district of their document (written with it): the column, indexed with the round, narrows the rows the
		# subqueries then check. It can only narrow: the subqueries still decide.
		return f"({_in(f'{t}.`district`', a.districts)} and {_any_of(parts)})"
	return _any_of(parts)


def may_read(doctype: str, name: str | None, user: str | None = None) -> bool:
	if not name or not frappe.db.exists(doctype, name):
		return False
	return frappe.has_permission(doctype, "read", doc=name, user=user or frappe.session.user)


def cosign_opinion_condition(user: str | None = None) -> str:
	return reference_condition("Case Cosign Opinion", user, "reference_doctype", "reference_name", True)


def action_log_condition(user: str | None = None) -> str:
	"""History rows of what the user may read (the city's sealed steps point at the city-only Case Evaluation)."""
	return reference_condition("Case Action Log", user, "reference_doctype", "reference_name", True)


def reference_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	a = actor(user)
	if a.admin:
		return True
	f = stored(doc, ("reference_doctype", "reference_name"))
	if f.reference_doctype not in REFERENCE_CONDITIONS:
		return False
	# Opinions and history are written by the system only; reading them follows the document.
	return ptype in ("read", "print", "select", "report") and may_read(
		f.reference_doctype, f.reference_name, a.user
	)


# Reviews, objections, casebooks ------------------------------------------------------------------------


def review_condition(user: str | None = None) -> str:
	a = actor(user)
	if a.sees_city:
		return ""
	if a.is_expert:
		return f"`tab{REVIEW}`.`expert` = {esc(a.user)}"
	return "1=0"


def review_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	a = actor(user)
	if a.sees_city:
		return True
	return a.is_expert and stored(doc, ("expert",)).expert == a.user


def city_only_condition(user: str | None = None) -> str:
	a = actor(user)
	return "" if a.sees_city else "1=0"


def city_only_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	a = actor(user)
	return a.sees_city


# District deadlines: the district's own record; the city sees every district's -----------------------------


def deadline_condition(user: str | None = None) -> str:
	a = actor(user)
	if a.sees_city:
		return ""
	return _in(f"`tab{DEADLINE}`.`district`", a.districts)


def deadline_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	a = actor(user)
	if a.sees_city:
		return True
	return a.is_officer(stored(doc, ("district",)).district)


# Child tables: the parent's rule, whichever door reads them -----------------------------------------------

CONDITIONS = {
	APPLICATION: application_condition,
	LIST: list_condition,
	"Case Cosign Opinion": cosign_opinion_condition,
	"Case Action Log": action_log_condition,
	REVIEW: review_condition,
	"Case Objection": city_only_condition,
	"Case Collection": city_only_condition,
	DEADLINE: deadline_condition,
	"Case Evaluation": city_only_condition,
	"Seal Certificate": city_only_condition,
	"Review Expert": city_only_condition,
	"Case Fingerprint": city_only_condition,
	"Case Similarity": city_only_condition,
	"Paper Copy": city_only_condition,
}
PARENT_CONDITIONS = {
	d: CONDITIONS[d]
	for d in (APPLICATION, LIST, REVIEW, "Case Collection", "Review Expert", "Case Fingerprint")
}


def child_parents() -> dict[str, str]:
	"""Child DocType → its protected parent DocType (from the DocTypes' own table fields)."""
	key = ("case_selection", "child_parents")
	if key not in frappe.local.cache:
		frappe.local.cache[key] = {
			df.options: parent
			for parent in PARENT_CONDITIONS
			for df in frappe.get_meta(parent).get_table_fields()
		}
	return frappe.local.cache[key]


def child_condition(user: str | None = None, doctype: str | None = None) -> str:
	"""Rows of a child table whose parent the user may read: frappe.client.get_list(parent=…) and
	get_count apply the child DocType's own conditions, not the parent's."""
	parent = child_parents().get(doctype)
	if not parent:
		return "1=0"
	cond = PARENT_CONDITIONS[parent](user)
	if cond == "":
		return ""
	t = f"`tab{doctype}`"
	return f"({t}.`parenttype` = {esc(parent)} and {t}.`parent` in (select `name` from `tab{parent}` where {cond}))"


# Platform tables that point at our documents ------------------------------------------------------------


def workflow_action_condition(user: str | None = None) -> str:
	"""Workflow Action rows name a document and its state; only for documents the user may read (ANDed
	with Frappe's own condition on the user's roles)."""
	if actor(user).admin:
		return ""
	t = "`tabWorkflow Action`"
	own = ", ".join(esc(d) for d in REFERENCE_CONDITIONS)
	readable = reference_condition("Workflow Action", user, "reference_doctype", "reference_name")
	return f"(ifnull({t}.`reference_doctype`, '') not in ({own}) or {readable})"


def workflow_action_has_permission(doc, ptype: str | None = None, user: str | None = None):
	"""None defers to Frappe's own rule; False when the action points at a document the user may not read."""
	f = stored(doc, ("reference_doctype", "reference_name"))
	if f.reference_doctype in ROW_RULE_DOCTYPES and not may_read(f.reference_doctype, f.reference_name, user):
		return False
	return None


def file_condition(user: str | None = None) -> str:
	"""Files attached to our documents: listed only with a document the user may read (their own
	uploads always). ANDed with Frappe's File condition."""
	a = actor(user)
	if a.admin:
		return ""
	t = "`tabFile`"
	parts = [f"ifnull({t}.`attached_to_doctype`, '') not in ({', '.join(esc(d) for d in ROW_RULE_DOCTYPES)})"]
	parts.append(f"{t}.`owner` = {esc(a.user)}")
	for doctype, condition in CONDITIONS.items():
		cond = condition(user) or "1=1"
		parts.append(
			f"({t}.`attached_to_doctype` = {esc(doctype)} and {t}.`attached_to_name` in "
			f"(select `name` from `tab{doctype}` where {cond}))"
		)
	return _any_of(parts)


def file_has_permission(doc, ptype: str | None = None, user: str | None = None):
	"""Frappe lets a file's owner do anything with it, and anyone read a file attached to a document they
	may read. For our documents we add: no file is readable through a document the user may not read."""
	a = actor(user)
	if a.admin or ptype == "create":
		return None
	f = stored(doc, ("owner", "attached_to_doctype", "attached_to_name", "is_private"))
	if f.attached_to_doctype not in ROW_RULE_DOCTYPES or f.owner == a.user:
		return None
	if not frappe.utils.cint(f.is_private) and ptype in ("read", "select"):
		return None
	if not may_read(f.attached_to_doctype, f.attached_to_name, a.user):
		return False
	return None
