"""Frappe's Desk notifications (Notification Log) queued once per transaction, not once per call.

Frappe makes a Desk notification through `enqueue_create_notification(users, doc)`, which queues one RQ job
(`make_notification_logs`) per call and at once, before the request commits: one for each Notification sent
(a case handed in, a list at the city), one for every user of Desk's "Assign To" (two assignees, two jobs),
one for each case a round's publication tells (its job calls the Notification once per case). Every job costs
a worker a fork, a site init and a connection, for a few inserts nobody waits for.

Here, in a web request the calls of one transaction are gathered and queued as ONE job when it commits
(`make_logs`, the default queue as Frappe's); a transaction rolled back queues nothing (nothing it said
happened was saved). In a background job, or under the test runner (where Frappe makes them at once), the logs
are made at once, in the job's own transaction: a job does not queue another job for them (a publication's
messages and its count of messages sent commit together). Each call's users and document are passed to
Frappe's own `make_notification_logs`, unchanged: the same users get the same notification (subject, content,
sender, document, attachment) and, where their settings ask for it, the same email.

The app's own light work of the request rides in the same job (`defer`): a case handed in has its similarity
check (review/copies.py) run there, after the notifications are committed, so a submission queues one job, not
two; and the app's moments for Frappe's Notifications (notifications.fire: their emails composed, their Desk
notifications made) run there too, not while the user waits. A deferred call that fails is rolled back and logged (Error Log) without undoing the notifications.

`install()` (hooks.before_request and hooks.before_job) puts the function in place of Frappe's in every module
that imported it by name; console and `bench execute` keep Frappe's own. jobs/recovery.py runs the job again
after a database outage, as it does Frappe's: its logs are inserted in one transaction, rolled back whole (the
deferred calls run only after that transaction is committed).
"""

import frappe
from frappe import share
from frappe.core.doctype.submission_queue import submission_queue
from frappe.desk import notifications as desk_notifications
from frappe.desk.doctype.notification_log import notification_log as frappe_notification_log
from frappe.desk.form import assign_to
from frappe.email.doctype.notification import notification
from frappe.social.doctype.energy_point_log import energy_point_log

JOB = "case_selection.overrides.notification_log.make_logs"
NAME = "enqueue_create_notification"
# Every module of Frappe 15 that calls it, each holding its own reference (imported by name).
MODULES = (
	frappe_notification_log,
	assign_to,
	notification,
	share,
	desk_notifications,
	energy_point_log,
	submission_queue,
)
ORIGINAL = frappe_notification_log.enqueue_create_notification
PENDING = "case_pending_notifications"  # in frappe.flags: this transaction's (doc, users), not yet queued
DEFERRED = "case_deferred_calls"  # in frappe.flags: this transaction's (method, kwargs) for the same job


def job_id() -> str:
	return f"notification_logs::{frappe.generate_hash(length=16)}"


def enqueue_create_notification(users: list[str] | str, doc: dict):
	"""Frappe's signature and normalisation (users as a list or comma-separated text, each once)."""
	if frappe.flags.in_install:  # as Frappe's: a site being installed tells nobody (and may have no Redis)
		return
	doc = frappe._dict(doc)
	if isinstance(users, str):
		users = [user.strip() for user in users.split(",") if user.strip()]
	users = sorted(set(users))
	if frappe.flags.in_test or getattr(frappe.local, "job", None):
		frappe_notification_log.make_notification_logs(doc, users)
		return
	_gather(PENDING, (doc, users))


def installed() -> bool:
	return frappe_notification_log.enqueue_create_notification is enqueue_create_notification


def deferring() -> bool:
	"""Whether `defer` gathers work here: a web request with the replacement installed (not a job, not the test
	runner, which run their work at once or queue it themselves)."""
	return installed() and not frappe.flags.in_test and not getattr(frappe.local, "job", None)


def defer(method: str, **kwargs) -> None:
	"""`method(**kwargs)` in this transaction's one job, once however often asked (the caller checked
	`deferring()`)."""
	call = (method, kwargs)
	if call not in (frappe.flags.get(DEFERRED) or []):
		_gather(DEFERRED, call)


def _gather(key: str, item) -> None:
	if frappe.flags.get(PENDING) is None and frappe.flags.get(DEFERRED) is None:
		frappe.db.after_commit.add(flush)
		frappe.db.after_rollback.add(forget)
	frappe.flags.setdefault(key, []).append(item)


def flush():
	batches, calls = frappe.flags.pop(PENDING, None), frappe.flags.pop(DEFERRED, None)
	if batches or calls:
		frappe.enqueue(JOB, job_id=job_id(), batches=batches or [], calls=calls or [])


def forget():
	frappe.flags.pop(PENDING, None)
	frappe.flags.pop(DEFERRED, None)


def make_logs(batches: list, calls: list | None = None):
	"""The job: each call's notification, as Frappe's own job makes it; committed; then the deferred calls, each
	committed on its own, or rolled back and logged."""
	for doc, users in batches:
		frappe_notification_log.make_notification_logs(frappe._dict(doc), users)
	frappe.db.commit()
	user = frappe.session.user
	for method, kwargs in calls or []:
		try:
			frappe.get_attr(method)(**kwargs)
			frappe.db.commit()
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title=f"{method} ({kwargs})")
			frappe.db.commit()
		frappe.set_user(user)  # a call may act as another user (the similarity check runs as Administrator)


def install():
	"""Idempotent (hooks.before_request, hooks.before_job)."""
	for module in MODULES:
		setattr(module, NAME, enqueue_create_notification)


def uninstall():
	for module in MODULES:
		setattr(module, NAME, ORIGINAL)
