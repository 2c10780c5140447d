"""The background (RQ) jobs an action queues, read from Redis (test and benchmark helper).

Every job Frappe queues for a site has the id "<site>::…" (frappe.utils.background_jobs.create_job_id) and its
hash stays in Redis for RQ's result TTL after a worker ran it: the site's jobs before and after an action
(committed, for the jobs queued after commit) tell what it queued, with workers running or not. Under the test
runner Frappe runs its jobs at once instead of queueing them (`now=frappe.flags.in_test`): `as_in_production`
switches that off for the action, with the app's request-time replacements installed as a web request has them.
"""

from contextlib import contextmanager

import frappe
from frappe.utils.background_jobs import get_queue, get_redis_conn
from rq.job import Job

from case_selection.overrides import notification_log

QUEUES = ("short", "default", "long")


def site_jobs() -> dict[str, tuple[str, str]]:
	"""The site's RQ jobs in Redis (queued, running, or kept after running): RQ id → (enqueued at, method)."""
	conn = get_redis_conn()
	ids = [
		k.decode()[len("rq:job:") :]
		for k in conn.scan_iter(match=f"rq:job:{frappe.local.site}::*", count=1000)
		if not k.endswith(b":dependents")
	]
	out = {}
	for job in Job.fetch_many(ids, connection=conn):
		if job is not None:
			kwargs = job.kwargs if isinstance(job.kwargs, dict) else {}
			out[job.id] = (str(job.enqueued_at), kwargs.get("job_name") or str(kwargs.get("method")))
	return out


def queue_lengths() -> dict[str, int]:
	return {q: get_queue(q).count for q in QUEUES}


def frappe_id(rq_id: str) -> str:
	"""Frappe's job id (tests/jobs.run_job) of an RQ id."""
	return rq_id.split("::", 1)[1]


@contextmanager
def as_in_production(coalesce: bool = True):
	"""Jobs queued as in a web request of the running site: Frappe's `now` under the test runner off, and Desk
	notifications gathered per transaction (coalesce) or queued one per call as Frappe does (not coalesce)."""
	in_test = frappe.flags.in_test
	frappe.flags.in_test = False
	(notification_log.install if coalesce else notification_log.uninstall)()
	try:
		yield
	finally:
		frappe.flags.in_test = in_test
		notification_log.uninstall()


class Counter:
	"""The jobs each action queues: `measure(label, action)` commits before and after it and keeps a row."""

	def __init__(self):
		self.rows: list[dict] = []
		self.made: list[str] = []

	def measure(self, label: str, action):
		frappe.db.commit()
		before, lengths = site_jobs(), queue_lengths()
		result = action()
		frappe.db.commit()  # the jobs queued after commit reach RQ now
		after, lengths_after = site_jobs(), queue_lengths()
		new = sorted(i for i, v in after.items() if before.get(i) != v)
		self.made += new
		self.rows.append(
			{
				"action": label,
				"jobs": len(new),
				"ids": new,
				"methods": [after[i][1] for i in new],
				"queued": {q: lengths_after[q] - lengths[q] for q in QUEUES},
			}
		)
		return result

	def last(self) -> dict:
		return self.rows[-1]

	def drop_queued(self) -> int:
		"""Removes the jobs it saw queued that are still queued (a site no worker reads); returns how many."""
		dropped = 0
		for job in Job.fetch_many(self.made, connection=get_redis_conn()):
			if job is not None and job.get_status() == "queued":
				job.cancel()
				job.delete()
				dropped += 1
		return dropped
