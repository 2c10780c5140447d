"""A request MariaDB chose as a deadlock victim runs again, as if it had come a moment later.

Two users writing at the same second can deadlock (InnoDB's row and gap locks: two new tags of the same name on
two records, two saves touching the same rows in a different order). MariaDB then rolls the victim's whole
transaction back, and Frappe answered that request with a 500 although nothing of it was kept. Here
`frappe.api.handle` (every /api/ request: methods of both versions and the REST document routes) is wrapped: on
a deadlock the transaction is rolled back, what the attempt put in the response and the request's local caches
is dropped, and the request runs again, up to RETRIES times, a little later each time. Frappe retries its
background jobs on a deadlock the same way (frappe.utils.background_jobs.execute_job). Jobs queued after commit
(frappe.db.after_commit) are dropped with the rollback, so a request that ran twice queues its jobs once.

`install()` (hooks.before_request) puts the wrapper in place once per process; co-signing keeps its own retry
inside the method (api/cosigning.py), which also serves callers outside a request.
"""

import functools
import time

import frappe
import frappe.api

RETRIES = 3
PAUSE = 0.05  # seconds, times the attempt


def _fresh_attempt():
	frappe.db.rollback()
	frappe.local.response = frappe._dict({"docs": []})
	frappe.local.message_log = []
	frappe.local.cache = {}  # values (documents too) read inside the rolled-back transaction


def wrap(handle):
	@functools.wraps(handle)
	def handle_with_retry(request):
		for attempt in range(1, RETRIES + 1):
			try:
				return handle(request)
			except frappe.QueryDeadlockError:
				if attempt == RETRIES or not getattr(frappe.local, "db", None):
					raise
				_fresh_attempt()
				time.sleep(PAUSE * attempt)

	handle_with_retry.case_selection_retry = True
	return handle_with_retry


def install():
	"""Idempotent."""
	if not getattr(frappe.api.handle, "case_selection_retry", False):
		frappe.api.handle = wrap(frappe.api.handle)
