"""Background exports through the real RQ entry point (`service.run`, as a worker calls it), the real Redis
lock and real files: progress, the file and the notification, the reason of a failure, retry, and one job at
a time per export and round."""

import io
import time
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

import frappe
import requests
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date
from frappe.utils.background_jobs import get_job, get_queue
from frappe.utils.password import update_password
from openpyxl import load_workbook
from rq.job import JobStatus

from case_selection.jobs import service
from case_selection.tests import output_data as od
from case_selection.tests.factories import make_user
from case_selection.tests.http import URL

PASSWORD = "Job-Test@2025"


def file_bytes(file_url: str) -> bytes:
	return frappe.get_doc("File", {"file_url": file_url}).get_content()


class TestExportJobs(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.app = od.make_output_application("后台导出测试案例", district="万州区", code="1.2", seed=501)
		od.set_state(cls.app.name, "Submitted to City")
		cls.selected = od.make_output_application(
			"后台案例集测试案例", district="渝中区", code="1.1", seed=502
		)
		od.set_state(cls.selected.name, "Selected")
		cls.city = make_user("job-city@example.com", ["City Case Manager"])
		cls.district = make_user("job-district@example.com", ["District Economy Officer"], "万州区")
		cls.nobody = make_user("job-nobody@example.com", [])  # no role that may read applications
		for user in (cls.city, cls.district):
			update_password(user, PASSWORD)
		frappe.db.commit()  # jobs commit their steps; the HTTP test reads through the test server

	def setUp(self):
		# Jobs left active by an earlier run would be reused instead of new ones.
		frappe.db.set_value("Case Export Job", {"status": ("in", service.ACTIVE)}, "status", "Failed")
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")

	def queue_summary(self) -> "frappe.model.document.Document":
		frappe.set_user(self.city)
		result = service.enqueue_city_summary(od.ROUND)
		self.assertFalse(result["already_running"])
		frappe.db.commit()
		return frappe.get_doc("Case Export Job", result["job"])

	def test_city_summary_job_makes_the_file_and_notifies(self):
		job = self.queue_summary()
		self.assertEqual((job.status, job.owner, job.round), ("Queued", self.city, od.ROUND))
		service.run(job.name)
		job.reload()
		self.assertEqual((job.status, job.progress, job.attempts), ("Completed", 100, 1))
		self.assertTrue(job.started_at and job.finished_at)
		file = frappe.get_doc("File", {"file_url": job.file})
		self.assertEqual(
			(file.is_private, file.attached_to_doctype, file.attached_to_name), (1, job.doctype, job.name)
		)
		ws = load_workbook(io.BytesIO(file.get_content())).active
		self.assertIn(self.app.name, [c.value for c in ws["M"]])
		note = frappe.get_all(
			"Notification Log",
			filters={"document_type": job.doctype, "document_name": job.name, "for_user": self.city},
			fields=["subject", "email_content"],
		)
		self.assertEqual(len(note), 1)
		self.assertIn("已生成", note[0].subject)
		self.assertIn(job.file, note[0].email_content)

	def test_same_round_is_reused_while_active(self):
		job = self.queue_summary()
		again = service.enqueue_city_summary(od.ROUND)
		self.assertEqual((again["job"], again["already_running"]), (job.name, True))

	def test_failure_records_the_reason_and_retry_runs_again(self):
		job = self.queue_summary()
		# The requester lost the city role before a worker took the job: the read is refused.
		frappe.set_user(self.nobody)
		service.run(job.name)
		job.reload()
		self.assertEqual(job.status, "Failed")
		self.assertIn("PermissionError", job.error)
		self.assertFalse(job.file)
		self.assertTrue(
			frappe.db.exists("Error Log", {"reference_doctype": job.doctype, "reference_name": job.name})
		)
		self.assertTrue(
			frappe.db.exists(
				"Notification Log", {"document_name": job.name, "subject": ("like", "%生成失败%")}
			)
		)
		frappe.set_user(self.city)
		job.retry()
		job.reload()
		self.assertEqual((job.status, job.error), ("Queued", None))
		service.run(job.name)
		job.reload()
		self.assertEqual((job.status, job.attempts), ("Completed", 2))
		with self.assertRaises(service.ExportJobError):
			job.retry()

	def test_two_jobs_of_one_round_never_run_at_once(self):
		job = self.queue_summary()
		frappe.set_user("Administrator")
		other_round = service.new_job(service.CITY_SUMMARY, None)  # every round: another lock
		frappe.db.commit()
		frappe.set_user(self.city)
		holder = service.round_lock(job)  # as if another worker were running this round's summary
		self.assertTrue(holder.acquire())
		try:
			with patch.object(service, "LOCK_WAIT", 1):
				service.run(job.name)
				service.run(other_round.name)
		finally:
			holder.release()
		job.reload()
		self.assertEqual(job.status, "Failed")
		self.assertIn("同一轮次的另一项导出任务", job.error)
		self.assertFalse(job.file)
		self.assertEqual(frappe.db.get_value("Case Export Job", other_round.name, "status"), "Completed")
		job.retry()
		service.run(job.name)
		self.assertEqual(frappe.db.get_value("Case Export Job", job.name, "status"), "Completed")

	def test_a_job_whose_worker_died_no_longer_blocks_the_round(self):
		job = self.queue_summary()
		# Running in the table, but its worker was killed and RQ no longer has the job.
		get_job(service.rq_job_id(job.name)).delete()
		job.db_set("status", "Running")
		frappe.db.commit()
		result = service.enqueue_city_summary(od.ROUND)
		self.assertNotEqual(result["job"], job.name)
		job.reload()
		self.assertEqual(job.status, "Failed")
		self.assertIn("中断", job.error)

	def test_the_sweeper_queues_lost_exports_again_from_the_database(self):
		"""Redis flushed (the RQ job gone), a worker killed mid-job (its job "started" with no heartbeat since): the
		scheduler's sweep finds the export in the table and queues it again, until MAX_ATTEMPTS runs."""
		lost = self.queue_summary()
		get_job(service.rq_job_id(lost.name)).delete()
		lost.db_set("queued_at", add_to_date(None, minutes=-5))
		fresh_job = None
		try:
			# A job queued a moment ago and alive in RQ is left alone.
			frappe.db.set_value("Case Export Job", lost.name, "status", "Failed")
			fresh_job = self.queue_summary()
			frappe.db.set_value("Case Export Job", lost.name, "status", "Queued")
			frappe.db.commit()
			service.sweep()
			self.assertIsNotNone(get_job(service.rq_job_id(lost.name)))  # queued again
			self.assertNotIn(
				"重新排队", frappe.db.get_value("Case Export Job", fresh_job.name, "progress_note") or ""
			)

			# Started by a worker that died: RQ still says "started", but nothing has beaten for ten minutes.
			zombie = get_job(service.rq_job_id(lost.name))
			ten_minutes_ago = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=10)
			zombie.started_at = zombie.last_heartbeat = ten_minutes_ago
			zombie.set_status(JobStatus.STARTED)
			zombie.save()
			frappe.db.set_value("Case Export Job", lost.name, {"status": "Running", "attempts": 1})
			frappe.db.commit()
			self.assertFalse(service.rq_alive(service.rq_job_id(lost.name)))
			service.sweep()
			again = get_job(service.rq_job_id(lost.name))
			self.assertNotEqual(again.last_heartbeat, ten_minutes_ago)  # a new RQ job, not the zombie
			self.assertIn(
				frappe.db.get_value("Case Export Job", lost.name, "status"),
				("Queued", "Running", "Completed"),
			)

			# After MAX_ATTEMPTS runs cut off, the export is failed with the reason, and the user can retry it.
			again.delete()
			frappe.db.set_value(
				"Case Export Job", lost.name, {"status": "Running", "attempts": service.MAX_ATTEMPTS}
			)
			frappe.db.commit()
			service.sweep()
			lost.reload()
			self.assertEqual(lost.status, "Failed")
			self.assertIn(f"中断 {service.MAX_ATTEMPTS} 次", lost.error)
			frappe.db.set_value("Case Export Job", fresh_job.name, "status", "Failed")  # one job a round
			lost.retry()
			service.run(lost.name)
			self.assertEqual(frappe.db.get_value("Case Export Job", lost.name, "status"), "Completed")
		finally:
			names = [lost.name, *([fresh_job.name] if fresh_job else [])]
			frappe.db.set_value("Case Export Job", {"name": ("in", names)}, "status", "Failed")
			frappe.db.commit()

	def test_a_killed_holder_does_not_keep_its_round_locked(self):
		"""A worker killed mid-job renews nothing: its round's lock is gone LOCK_TTL seconds later (not after the
		job's 30-minute timeout); a live job renews it for as long as it runs."""
		job = self.queue_summary()
		with patch.object(service, "LOCK_TTL", 2):
			dead = service.round_lock(job)
			self.assertTrue(dead.acquire())
			time.sleep(3)  # the holder died without renewing
			alive = service.round_lock(job)
			self.assertTrue(alive.acquire(blocking=False))
			with service.kept_alive(alive):
				time.sleep(3)  # longer than LOCK_TTL: renewed meanwhile
				self.assertFalse(service.round_lock(job).acquire(blocking=False))
			alive.release()
		job.db_set("status", "Failed")
		frappe.db.commit()

	def test_an_export_is_queued_ahead_of_waiting_seals(self):
		"""Seals wait on the long queue too (signing.sealed_form): an export asked for later runs before them."""

		waiting = frappe.enqueue(
			"frappe.ping", queue="long", job_id=f"case_test_waiting::{frappe.generate_hash(length=8)}"
		)
		try:
			job = self.queue_summary()
			export = get_job(service.rq_job_id(job.name))
			ids = get_queue("long").job_ids
			if waiting.id in ids and export is not None and export.id in ids:  # no worker took them yet
				self.assertLess(ids.index(export.id), ids.index(waiting.id))
			else:
				self.assertIn(export.get_status() if export else None, ("started", "finished", None))
			job.db_set("status", "Failed")
			frappe.db.commit()
		finally:
			waiting.delete()

	def test_casebook_job_generates_the_collection(self):
		collection = frappe.get_doc(
			{"doctype": "Case Collection", "round": od.ROUND, "title": "后台任务案例集"}
		).insert()
		collection.append("cases", {"application": self.selected.name})
		collection.save()
		result = collection.generate()
		frappe.db.commit()
		with self.assertRaises(frappe.ValidationError):
			collection.reload()
			collection.generate()  # already queued
		service.run(result["job"])
		job = frappe.get_doc("Case Export Job", result["job"])
		collection.reload()
		self.assertEqual((job.status, collection.status), ("Completed", "Generated"))
		self.assertEqual(job.file, collection.generated_file)
		self.assertTrue(file_bytes(job.file).startswith(b"%PDF"))

	def test_enqueue_endpoint_over_http(self):
		url = URL
		endpoint = f"{url}/api/method/case_selection.api.exports.enqueue_city_summary"
		city, district = requests.Session(), requests.Session()
		for session, user in ((city, self.city), (district, self.district)):
			session.post(
				f"{url}/api/method/login", data={"usr": user, "pwd": PASSWORD}, timeout=30
			).raise_for_status()
		self.assertEqual(district.post(endpoint, data={"round": od.ROUND}, timeout=30).status_code, 403)
		r = city.post(endpoint, data={"round": od.ROUND}, timeout=30)
		self.assertEqual(r.status_code, 200, r.text[:300])
		name = r.json()["message"]["job"]
		self.assertEqual(
			frappe.db.get_value("Case Export Job", name, ["status", "owner"]), ("Queued", self.city)
		)
		# The district user cannot read the city's job either.
		self.assertEqual(
			district.get(f"{url}/api/resource/Case Export Job/{name}", timeout=30).status_code, 403
		)
