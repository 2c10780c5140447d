"""Document events (hooks.doc_events) that keep the co-signing assignments and the districts' deadline records
current and tell Frappe's Notifications what happened (see the package docstring)."""

from contextlib import contextmanager

import frappe

from case_selection.constants import LIST
from case_selection.notifications import (
	COSIGN_REQUESTED,
	RETURNED_FOR_REVISION,
	SUBMITTED_TO_CITY,
	assignments,
	fire,
)
from case_selection.workflow import deadlines, list_moves, states


def sync_assignments(doc, signed: dict[str, str] | None = None):
	if signing(doc.doctype, doc.name):
		return  # a signature in progress syncs once, when it is recorded (signed() below)
	if assignments.sync(doc, signed):
		fire(doc.doctype, doc.name, COSIGN_REQUESTED)


@contextmanager
def signature(doc):
	"""While a department's signature on `doc` is being recorded (cosign/service.py): the saves it makes (the
	opinion, the document's move of state) leave the assignments alone, and signed() brings them in line once,
	from the signatures read under the document's lock, rather than once per save."""
	previous = frappe.flags.case_signing
	frappe.flags.case_signing = (doc.doctype, doc.name)
	try:
		yield
	finally:
		frappe.flags.case_signing = previous


def signing(doctype: str, name: str) -> bool:
	return frappe.flags.case_signing == (doctype, name)


def signed(doc, opinions: dict[str, str] | None):
	"""A signature has been recorded: `opinions` (department → opinion) are the document's signatures now (None:
	read them from the database)."""
	sync_assignments(doc, opinions)


def case_updated(doc, method=None):
	"""Case Application on_update (after the controller's, which clears the signatures when co-signing opens)."""
	sync_assignments(doc)
	before = doc.get_doc_before_save()
	old, new = (before.workflow_state if before else None), doc.workflow_state
	if not old or old == new:
		return
	if states.has(new, "applicant_editable") and not states.has(old, "applicant_editable"):
		fire(doc.doctype, doc.name, RETURNED_FOR_REVISION)
	if states.has(old, "city_visible") and states.has(new, "cosign_open"):
		# Returned by the city: the district's list is the district's again, to be signed and sent anew.
		name = frappe.db.get_value(LIST, {"round": doc.round, "district": doc.district})
		if name:
			lst = frappe.get_doc(LIST, name)
			sync_assignments(lst)
			deadlines.sync_list(lst.round, lst.district)


def list_updated(doc, method=None):
	"""District Recommendation List on_update."""
	sync_assignments(doc)
	before = doc.get_doc_before_save()
	waiting = list_moves.means(doc.status, "awaiting_city")
	if waiting and (not before or not list_moves.means(before.status, "awaiting_city")):
		fire(doc.doctype, doc.name, SUBMITTED_TO_CITY)
	deadlines.sync_list(doc.round, doc.district)


def list_deleted(doc, method=None):
	deadlines.sync_list(doc.round, doc.district)


def opinion_saved(doc, method=None):
	"""Case Cosign Opinion after_insert / on_update: the signer's department no longer awaits its turn."""
	if doc.reference_doctype in assignments.DOCTYPES and not signing(
		doc.reference_doctype, doc.reference_name
	):
		facts = assignments.facts_of(doc.reference_doctype, doc.reference_name)
		if facts:
			sync_assignments(facts)
