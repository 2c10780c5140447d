"""The system's own writes: what the app's code writes on a user's behalf (co-signing, submission, totals,
history) is marked for the duration of the write, so the write policy and the guards let it through. The lowest
module of the access rules: it imports nothing of the app."""

from contextlib import contextmanager

import frappe


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
