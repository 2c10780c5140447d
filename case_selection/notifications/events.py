"""Document events (hooks.doc_events) that keep the co-signing assignments and the districts' deadline records
current and tell Frappe's Notifications what happened (see the package docstring)."""

import frappe

from case_selection import deadlines
from case_selection.notifications import (
	COSIGN_REQUESTED,
	RETURNED_FOR_REVISION,
	SUBMITTED_TO_CITY,
	assignments,
	fire,
)
from case_selection.workflows import LIST_SUBMITTED, states

LIST = "District Recommendation List"


def sync_assignments(doc):
	if assignments.sync(doc):
		fire(doc.doctype, doc.name, COSIGN_REQUESTED)


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
	if doc.status == LIST_SUBMITTED and (not before or before.status != LIST_SUBMITTED):
		fire(doc.doctype, doc.name, SUBMITTED_TO_CITY)
	deadlines.sync_list(doc.round, doc.district)


def list_deleted(doc, method=None):
	deadlines.sync_list(doc.round, doc.district)


def opinion_saved(doc, method=None):
	"""Case Cosign Opinion after_insert / on_update: the signer's department no longer awaits its turn."""
	if doc.reference_doctype in assignments.DOCTYPES:
		facts = assignments.facts_of(doc.reference_doctype, doc.reference_name)
		if facts:
			sync_assignments(facts)
