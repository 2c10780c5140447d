"""Whether a job the database says is queued is still alive in RQ: the sweeper (jobs.service.sweep) queues
again what Redis or a killed worker lost. Shared by the exports, the sealing jobs and the publication messages."""

from datetime import datetime, timezone

from frappe.utils.background_jobs import get_job, is_job_enqueued
from rq.job import JobStatus

STALE_AFTER = 120  # seconds after which a Queued job with no RQ job behind it counts as lost
HEARTBEAT_LOST = 150  # seconds without a heartbeat after which a started RQ job's worker counts as dead


def rq_alive(job_id: str) -> bool:
	"""Queued in RQ, or started by a worker whose heartbeat is recent (RQ's worker beats every
	`job_monitoring_interval`, 30 s, while its job runs; a worker killed with SIGKILL leaves its job "started"
	until the job's timeout)."""
	if not is_job_enqueued(job_id):
		return False
	job = get_job(job_id)
	if job is None or job.get_status() != JobStatus.STARTED:
		return job is not None
	beat = job.last_heartbeat or job.started_at
	return (
		beat is None
		or (datetime.now(timezone.utc).replace(tzinfo=None) - beat).total_seconds() < HEARTBEAT_LOST
	)
