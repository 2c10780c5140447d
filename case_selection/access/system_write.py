"""The system's own writes: what the app's code writes on a user's behalf (co-signing, submission, totals,
history) is marked for the duration of the write, so the write policy and the guards let it through. The lowest
module of the access rules: it imports nothing of the app."""

from contextlib import contextmanager

import frappe
from frappe.model.naming import make_autoname


@contextmanager
def system_write():
	"""Writes made by the app's own code on a user's behalf (co-signing, submission, totals, history)."""
	frappe.local.case_system_write = getattr(frappe.local, "case_system_write", 0) + 1
	try:
		yield
	finally:
		frappe.local.case_system_write -= 1


def in_system_write() -> bool:
	return getattr(frappe.local, "case_system_write", 0) > 0


def insert_row(doc):
	"""A row the system writes whole (a co-signing opinion, a 签核历程 entry), inserted as it is, named as Frappe
	names a DocType whose naming is "hash" (make_autoname), which these are. Frappe's naming would first ask
	Redis for the DocType's Document Naming Rules and run the before_naming and autoname hooks (neither DocType
	has any), about half a millisecond for each DocType in every request; every signature writes two."""
	doc.name = make_autoname("hash", doc.doctype)
	doc.db_insert()
	return doc
