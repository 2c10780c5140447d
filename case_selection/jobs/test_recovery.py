"""Frappe's notification job, failed in a real RQ worker because the database refused its connection, is run
again by the sweeper and delivers its notification once; a job failed for another reason, another site's job
and a job that keeps failing are left in the failed registry."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import random_string
from frappe.utils.background_jobs import create_job_id, execute_job, get_job, get_queue, get_redis_conn
from rq.job import Job, JobStatus

from case_selection.jobs import recovery, service
from case_selection.tests.factories import make_user
from case_selection.tests.jobs import run_as_worker

NOTIFY = "frappe.desk.doctype.notification_log.notification_log.make_notification_logs"
OTHER_SITE = "another-site.localhost"


def status(rq_id: str) -> str:
	return Job.fetch(rq_id, connection=get_redis_conn()).get_status()


class TestOutageRecovery(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.user = make_user("outage-recovery@example.com", ["Case Applicant"])
		frappe.db.commit()

	def queue_notification(self, subject: str, **doc) -> str:
		"""make_notification_logs queued as Frappe queues it for an assignment; returns RQ's job id."""
		job_id = f"outage-{random_string(8)}"
		frappe.enqueue(
			NOTIFY,
			job_id=job_id,
			doc={"subject": subject, "type": "Alert", "from_user": "Administrator", **doc},
			users=[self.user],
		)
		return create_job_id(job_id)

	def delivered(self, subject: str) -> int:
		frappe.db.rollback()  # read what the workers committed
		return frappe.db.count("Notification Log", {"subject": subject, "for_user": self.user})

	def test_a_notification_lost_to_a_database_outage_is_delivered_once(self):
		subject = f"停机期间的通知 {random_string(6)}"
		rq_id = self.queue_notification(subject)
		self.assertEqual(run_as_worker(rq_id, database_down=True), "failed")
		job = Job.fetch(rq_id, connection=get_redis_conn())
		self.assertEqual(job.get_status(), JobStatus.FAILED)
		self.assertRegex(job.exc_info, recovery.OUTAGE)  # the real refusal, as RQ recorded it
		self.assertEqual(self.delivered(subject), 0)

		service.sweep()  # the scheduler's sweep, as it runs every minute
		self.assertEqual(status(rq_id), JobStatus.QUEUED)
		self.assertEqual(run_as_worker(rq_id), "finished")
		self.assertEqual(self.delivered(subject), 1)
		self.assertNotIn(rq_id, recovery.requeue_outage_failures())  # done: nothing left to run again
		self.assertEqual(self.delivered(subject), 1)

	def test_a_job_failing_on_its_own_is_not_run_again(self):
		# The log's reference names no DocType: Frappe refuses the row with the database up — a bug or bad
		# data, which would fail the same way in every run.
		subject = f"坏通知 {random_string(6)}"
		broken = self.queue_notification(
			subject, document_type=f"没有这个类型 {random_string(4)}", document_name="x"
		)
		self.assertEqual(run_as_worker(broken), "failed")
		self.assertNotRegex(Job.fetch(broken, connection=get_redis_conn()).exc_info, recovery.OUTAGE)
		self.assertNotIn(broken, recovery.requeue_outage_failures())
		self.assertEqual(status(broken), JobStatus.FAILED)
		self.assertEqual(self.delivered(subject), 0)

	def test_another_sites_job_is_left_to_that_site(self):
		# Failed in the same outage, on the same queues (one bench): that site's sweeper runs it, not ours.
		other_id = f"{OTHER_SITE}::outage-{random_string(8)}"
		get_queue("default").enqueue_call(
			execute_job,
			timeout=300,
			kwargs={
				"site": OTHER_SITE,
				"user": "Administrator",
				"method": NOTIFY,
				"event": None,
				"job_name": NOTIFY,
				"is_async": True,
				"kwargs": {"doc": {"subject": "别的站点", "type": "Alert"}, "users": [self.user]},
			},
			job_id=other_id,
		)
		self.assertEqual(run_as_worker(other_id, database_down=True, sites=(OTHER_SITE,)), "failed")
		self.assertRegex(Job.fetch(other_id, connection=get_redis_conn()).exc_info, recovery.OUTAGE)
		self.assertNotIn(other_id, recovery.requeue_outage_failures())
		self.assertEqual(status(other_id), JobStatus.FAILED)

	def test_a_database_that_stays_away_does_not_keep_a_job_cycling(self):
		subject = f"一直停机 {random_string(6)}"
		rq_id = self.queue_notification(subject)
		runs = 0
		for _ in range(recovery.MAX_REQUEUES + 2):
			self.assertEqual(run_as_worker(rq_id, database_down=True), "failed")
			runs += 1
			if rq_id not in recovery.requeue_outage_failures():
				break
		self.assertEqual(runs, recovery.MAX_REQUEUES + 1)  # the first run and MAX_REQUEUES more
		self.assertEqual(status(rq_id), JobStatus.FAILED)
		self.assertEqual(self.delivered(subject), 0)


class TestSweeperQueue(FrappeTestCase):
	def test_the_sweeper_is_queued_on_the_short_queue(self):
		"""Not behind the default queue's backlog (notification jobs of a burst, link clean-ups): queued the way
		Frappe's scheduler queues it, it lands on the short queue."""
		job_type = frappe.get_doc("Scheduled Job Type", {"method": "case_selection.jobs.service.sweep"})
		stale = get_job(job_type.rq_job_id)
		if stale is not None:
			stale.delete()  # a sweep queued by an earlier run: the scheduler would queue nothing new
		self.assertTrue(job_type.enqueue(force=True))
		job = get_job(job_type.rq_job_id)
		try:
			self.assertEqual(job.origin.rsplit(":", 1)[1], "short")
		finally:
			job.delete()
