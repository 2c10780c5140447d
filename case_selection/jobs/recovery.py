"""Frappe's own background jobs that died because the database was away are run again.

The app's jobs (exports, seals, publication notices) are recovered from the rows that describe them
(service.sweep). Frappe's jobs have no such row: a Desk notification (`make_notification_logs`, queued for each
assignment and Notification of a signature or a list) or a Data Import that was running, or about to start,
when MariaDB restarted fails in the worker and stays in RQ's failed-job registry; Frappe never runs it again,
so the notification is lost and the import stops half-way (make chaos saw both).

`requeue_outage_failures` (scheduler, every minute, from service.sweep) puts such a job back on its queue when
- it belongs to this site,
- its method is in RECOVERABLE: jobs whose failed run left nothing behind (the notification job inserts its
  logs in one transaction, rolled back whole) or that resume by themselves (Frappe's importer skips the rows its
  log records as imported, each row and its log committed together),
- and its failure is the database being unreachable (OUTAGE: the connection refused, lost or gone), not a bug
  or bad data, which would fail the same way again;
at most MAX_REQUEUES times a job (a database that stays down does not keep a job cycling).
"""

import re

import frappe
from frappe.utils.background_jobs import get_queue, get_queues_timeout
from rq.job import Job
from rq.registry import FailedJobRegistry

RECOVERABLE = {
	"frappe.desk.doctype.notification_log.notification_log.make_notification_logs",
	"case_selection.overrides.notification_log.make_logs",  # the same logs, one job per transaction
	"frappe.core.doctype.data_import.data_import.start_import",
}
# A server that is not there or is going away: pymysql's 2002/2003 can't connect, 2006 gone away, 2013 lost
# during a query; the server's own 1053 shutdown in progress and 1927 connection killed (a restart ends the
# connections it has); InterfaceError (0, '') is a query on a connection the server closed.
OUTAGE = re.compile(
	r"OperationalError: \((?:1053|1927|2002|2003|2006|2013),|InterfaceError: \(0, ''\)"
	r"|Can't connect to (?:local )?MySQL server|MySQL server has gone away|Lost connection to MySQL server"
)
MAX_REQUEUES = 3
SCAN = 200  # newest failures looked at per queue and sweep: the registry keeps up to Frappe's 1,000
REQUEUES_KEY = "case_selection_requeues"  # in the RQ job's meta


def method_of(job: Job) -> str | None:
	"""Frappe's method name of an RQ job queued by frappe.enqueue (execute_job's `method` argument)."""
	try:
		kwargs = job.kwargs
	except Exception:  # a job whose arguments no longer unpickle (an app removed): not ours to judge
		return None
	method = kwargs.get("method") if isinstance(kwargs, dict) else None
	if isinstance(method, str):
		return method
	if callable(method):
		return f"{method.__module__}.{method.__qualname__}"
	return None


def recoverable(job: Job, site: str) -> bool:
	kwargs = job.kwargs if isinstance(job.kwargs, dict) else {}
	return (
		kwargs.get("site") == site
		and method_of(job) in RECOVERABLE
		and bool(OUTAGE.search(job.exc_info or ""))
		and (job.meta or {}).get(REQUEUES_KEY, 0) < MAX_REQUEUES
	)


def requeue_outage_failures() -> list[str]:
	"""The ids (RQ's) of the jobs put back on their queues."""
	site = frappe.local.site
	requeued = []
	for qtype in get_queues_timeout():  # this bench's queues (its bench_id), the app's own import queue too
		queue = get_queue(qtype)
		registry = FailedJobRegistry(queue=queue)
		ids = registry.get_job_ids(-SCAN, -1)
		for job in Job.fetch_many(ids, connection=queue.connection):
			if job is None:
				continue
			try:
				if not recoverable(job, site):
					continue
			except Exception:  # a job that cannot be read is left as Frappe left it
				continue
			job.meta[REQUEUES_KEY] = job.meta.get(REQUEUES_KEY, 0) + 1
			job.save_meta()
			registry.requeue(job)
			requeued.append(job.id)
	return requeued
