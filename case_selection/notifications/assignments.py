"""Co-signing requests as Frappe assignments (ToDo).

A case or a district list awaiting signatures is assigned to the officers of the departments that have not
signed yet: exactly the people who must act, and who may read it (their district, their department's role).
Frappe then shows the request wherever users look for work — their ToDo list (with the district's deadline as
the due date), the "Assigned To" avatars and filter of the list view, the form's sidebar — and the Notification
"申报书待会签" / "推荐名单待会签" is addressed to the document's assignees ("Send To All Assignees"), never to a
role, which would reach every district.

The system opens an assignment when co-signing opens (or opens again: resubmitted, returned by the city, a list
assembled or changed), closes it when the officer's department has signed, and cancels what is left when
co-signing ends (agreed, not agreed, returned, sent on). Its rows are written directly rather than through the
ToDo controller, which would load the case and add a timeline comment once per officer: a signature stays a few
queries, and the 签核历程 remains the record of who signed.
"""

import json

import frappe
from frappe.query_builder import DocType

from case_selection.access import actors
from case_selection.cosign import rules
from case_selection.notifications.officers import officers
from case_selection.workflow import list_moves, states

DOCTYPES = ("Case Application", "District Recommendation List")
OPEN, CLOSED, CANCELLED = "Open", "Closed", "Cancelled"


def cosign_open(doc) -> bool:
	if doc.doctype == "Case Application":
		return states.has(doc.workflow_state, "cosign_open")
	return list_moves.means(doc.status, "cosign_open") and bool(doc.get("items"))


FACTS = {
	"Case Application": ("name", "workflow_state", "round", "district", "_assign", "case_title", "unit_name"),
	"District Recommendation List": ("name", "status", "round", "district", "_assign"),
}


def facts_of(doctype: str, name: str) -> frappe._dict | None:
	"""What sync() reads of a document, without loading it whole (a signature stays a few queries)."""
	row = frappe.db.get_value(doctype, name, FACTS[doctype], as_dict=True)
	if not row:
		return None
	row.doctype = doctype
	if doctype == "District Recommendation List":
		row["items"] = frappe.get_all(
			"Recommendation List Item", filters={"parent": name, "parenttype": doctype}, pluck="name"
		)
	return row


def signed_departments(doc) -> dict[str, str]:
	"""Department → opinion of the document's signatures."""
	t = DocType("Case Cosign Opinion")
	return dict(
		frappe.qb.from_(t)
		.select(t.department, t.opinion)
		.where((t.reference_doctype == doc.doctype) & (t.reference_name == doc.name))
		.run()
	)


def awaited(doc, signed: dict[str, str]) -> dict[str, str]:
	"""Officer → the role they sign for, for the departments whose signature the document still awaits."""
	if not cosign_open(doc):
		return {}
	departments = actors.round_departments(doc.round)
	if rules.outcome([d.department for d in departments], signed) != rules.PENDING:
		return {}
	roles = [d.role for d in departments if d.department not in signed]
	out: dict[str, str] = {}
	for row in officers([doc.district], roles):
		out.setdefault(row.user, row.role)
	return out


def assigned(doc) -> list[frappe._dict]:
	"""The document's assignments that are neither closed nor cancelled, oldest first (what `_assign` lists):
	the system's co-signing requests among them, and any a colleague made with "Assign To"."""
	return frappe.db.sql(
		"""select name, allocated_to, role, status from `tabToDo`
		where reference_type = %s and reference_name = %s and status not in %s order by creation""",
		(doc.doctype, doc.name, (CANCELLED, CLOSED)),
		as_dict=True,
	)


def is_request(todo, roles: set[str]) -> bool:
	"""A co-signing request the system opened (a colleague's own "Assign To" has no department role on it and
	is left alone)."""
	return todo.status == OPEN and todo.role in roles


def sync(doc, signed: dict[str, str] | None = None) -> bool:
	"""Brings the document's co-signing assignments in line with the signatures it awaits (`signed`: department
	→ opinion, read from the database unless the caller has just read it under the document's lock). Returns
	whether an officer was newly asked to sign. A few plain queries: it runs with every signature."""
	if doc.doctype not in DOCTYPES:
		return False
	if not cosign_open(doc) and not doc.get("_assign"):
		return False  # nothing asked, nothing to withdraw: most saves of a case stop here
	if signed is None:
		signed = signed_departments(doc)
	want = awaited(doc, signed)
	rows = assigned(doc)
	roles = set(actors.district_roles()) | {d.role for d in actors.round_departments(doc.round)}
	have = {t.allocated_to: t for t in rows if is_request(t, roles)}
	new = [user for user in want if user not in have]
	gone = [t for user, t in have.items() if user not in want]
	if new:
		due = deadline_of(doc)
		text = description(doc)
		for user in new:
			todo = frappe.get_doc(
				{
					"doctype": "ToDo",
					"status": OPEN,
					"priority": "Medium",
					"allocated_to": user,
					"role": want[user],
					"reference_type": doc.doctype,
					"reference_name": doc.name,
					"description": text,
					"date": due,
				}
			)
			todo.set_new_name()
			todo.db_insert()
	if gone:
		signed_roles = {d.role for d in actors.round_departments(doc.round) if d.department in signed}
		for status in (CLOSED, CANCELLED):
			names = [t.name for t in gone if (t.role in signed_roles) == (status == CLOSED)]
			if names:
				frappe.db.sql("update `tabToDo` set status = %s where name in %s", (status, tuple(names)))
	ended = {t.name for t in gone}
	set_assigned(doc, [t.allocated_to for t in rows if t.allocated_to and t.name not in ended] + new)
	return bool(new)


def set_assigned(doc, users: list[str]):
	"""The document's `_assign` (what Frappe's list and form show), in the database and on the object (a later
	save of the same object would otherwise write back what it loaded). The object holds what is stored: it
	was read from the database, or has just been saved."""
	value = json.dumps(users) if users else ""
	if (doc.get("_assign") or "") != value:
		# what frappe.db.set_value(..., update_modified=False) does, without building the query each time
		frappe.db.sql(f"update `tab{doc.doctype}` set `_assign` = %s where name = %s", (value, doc.name))
		frappe.clear_document_cache(doc.doctype, doc.name)
	if isinstance(doc, dict):
		doc["_assign"] = value
	else:
		doc.set("_assign", value)


def deadline_of(doc):
	round_doc = frappe.get_cached_doc("Selection Round", doc.round)
	return round_doc.deadline_for(doc.district)


def description(doc) -> str:
	esc = frappe.utils.escape_html
	if doc.doctype == "Case Application":
		return frappe._("请会签申报书：{0}（{1}，{2}）").format(
			esc(doc.case_title or ""), esc(doc.unit_name or ""), doc.district
		)
	return frappe._("请会签推荐名单：{0} {1}（{2} 个案例）").format(doc.round, doc.district, len(doc.items))
