"""Background jobs a request does not need at once (issue 20, item 5): Desk notifications are queued once per
transaction, not once per recipient or Notification, and made at once inside a job; the same users get the same
notifications. Counts are read from the site's queues in Redis (tests/job_counts.py), the queued jobs run as a
worker runs them (tests/jobs.run_job) and what they made read back."""

import frappe
from frappe.desk.form.assign_to import add
from frappe.tests.utils import FrappeTestCase

from case_selection.overrides import notification_log
from case_selection.tests import flow
from case_selection.tests.factories import clear_round, make_application, make_round, make_user
from case_selection.tests.http import User, fresh
from case_selection.tests.job_counts import Counter, as_in_production, frappe_id, site_jobs
from case_selection.tests.jobs import run_job

ROUND_YEAR = 2072
ROUND = str(ROUND_YEAR)
CASE = "Case Application"
FRAPPE_JOB = "frappe.desk.doctype.notification_log.notification_log.make_notification_logs"
FIELDS = ("for_user", "type", "subject", "email_content", "from_user", "document_type", "attached_file")


def logs(name: str) -> set[tuple]:
	"""The Desk notifications about a case, without its name (two cases of the same title compare equal)."""
	return {
		tuple(r[f] for f in FIELDS)
		for r in frappe.get_all("Notification Log", filters={"document_name": name}, fields=list(FIELDS))
	}


def emailed(name: str) -> set[str]:
	queues = frappe.get_all("Email Queue", filters={"reference_name": name}, pluck="name")
	return set(
		frappe.get_all("Email Queue Recipient", filters={"parent": ("in", queues or [""])}, pluck="recipient")
	)


def run_all(row: dict, methods=(FRAPPE_JOB, notification_log.JOB)):
	"""The row's notification jobs, as a worker runs them."""
	for rq_id, method in zip(row["ids"], row["methods"], strict=True):
		if method in methods:
			run_job(frappe_id(rq_id))
	frappe.db.rollback()  # read what the jobs committed


class TestJobCounts(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		clear_round(ROUND)
		make_round(ROUND_YEAR, public_notice_days=0)
		cls.district = flow.District("渝中区", "jobcount")
		cls.owner = make_user("owner.jobcount@test.local", ["Case Applicant"])
		cls.helpers = [make_user(f"helper{i}.jobcount@test.local", ["City Case Manager"]) for i in (1, 2)]
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		clear_round(ROUND)
		super().tearDownClass()

	def twins(self, seed: int, **kw) -> list[str]:
		"""Two draft cases of the same title (Desk's notifications name a case by its title)."""
		names = [
			make_application(
				as_user=self.owner, seed=seed + i, round=ROUND, case_title=f"作业合并{seed}", **kw
			).name
			for i in range(2)
		]
		frappe.db.commit()
		return names

	def notes(self, title: str) -> list[str]:
		"""Two Notes of the same title: Desk's Assign To on a stock DocType (an assignee who may not read a case
		would be refused: the app never shares a case)."""
		for name in frappe.get_all("Note", {"title": ("like", f"{title}%")}, pluck="name"):
			frappe.delete_doc("Note", name, force=True)
		names = [
			frappe.get_doc({"doctype": "Note", "title": f"{title} {i}", "content": "作业合并"}).insert().name
			for i in range(2)
		]
		frappe.db.commit()
		return names

	def test_assign_to_two_users_is_one_job_and_the_same_notifications(self):
		frappe_way, coalesced = self.notes("作业合并：分配")
		c = Counter()
		assign = {"doctype": "Note", "assign_to": self.helpers, "description": "请复核材料"}
		with as_in_production(coalesce=False):
			c.measure("Frappe's", lambda: add({**assign, "name": frappe_way}))
		before = c.last()
		self.assertEqual(before["methods"], [FRAPPE_JOB, FRAPPE_JOB])  # one per assignee
		with as_in_production():
			c.measure("coalesced", lambda: add({**assign, "name": coalesced}))
		after = c.last()
		self.assertEqual(after["methods"], [notification_log.JOB])
		self.assertEqual(after["queued"]["default"], 1)
		self.assertLess(after["jobs"], before["jobs"])
		self.assertFalse(logs(coalesced))  # nothing made in the request: it is the job's
		run_all(before)
		run_all(after)
		self.assertEqual({r[0] for r in logs(coalesced)}, set(self.helpers))
		# the same notification, each naming its own Note
		self.assertEqual(
			logs(coalesced),
			{tuple(v.replace(" 0", " 1") if isinstance(v, str) else v for v in r) for r in logs(frappe_way)},
		)
		self.assertEqual(emailed(coalesced), emailed(frappe_way))

	def test_a_submission_queues_its_notification_once_with_the_same_recipients_and_content(self):
		frappe_way, coalesced = self.twins(7211)
		c = Counter()
		with as_in_production(coalesce=False):
			c.measure("Frappe's", lambda: flow.act(self.owner, CASE, frappe_way, "Submit to District"))
		before = c.last()
		with as_in_production():
			c.measure("coalesced", lambda: flow.act(self.owner, CASE, coalesced, "Submit to District"))
		after = c.last()
		self.assertEqual(sorted(before["methods"]), sorted([FRAPPE_JOB, "case_selection.review.copies.run"]))
		self.assertEqual(after["methods"], [notification_log.JOB])  # the similarity check rides in it
		self.assertLess(after["jobs"], before["jobs"])
		# The email of the Notification: composed in the request Frappe's way, in the job the app's way.
		self.assertTrue(emailed(frappe_way))
		self.assertEqual(emailed(coalesced), set())
		run_all(before)
		run_all(after)
		officers = set(self.district.users.values())
		asked = {r[0] for r in logs(coalesced)}
		self.assertTrue(officers <= asked)
		# the same text, each naming (and linking to) its own case and unit
		unit = {n: frappe.db.get_value(CASE, n, "unit_name") for n in (frappe_way, coalesced)}

		def own(v):
			if not isinstance(v, str):
				return v
			return v.replace(unit[frappe_way], unit[coalesced]).replace(frappe_way, coalesced)

		expected = {tuple(own(v) for v in row) for row in logs(frappe_way)}
		self.assertEqual(logs(coalesced), expected)
		self.assertEqual(emailed(coalesced), emailed(frappe_way))
		self.assertTrue(
			frappe.db.exists("Case Fingerprint", coalesced)
		)  # the similarity check ran in the job

	def test_inside_a_job_the_notifications_are_made_at_once_and_queue_nothing(self):
		name = self.notes("作业合并：作业中")[0]
		c = Counter()
		with as_in_production():
			c.measure(
				"a job assigning",
				lambda: frappe.enqueue(
					"frappe.desk.form.assign_to.add",
					job_id=f"assign_in_job::{name}",
					args={
						"doctype": "Note",
						"name": name,
						"assign_to": self.helpers,
						"description": "请复核材料",
					},
				),
			)
		self.assertEqual(c.last()["jobs"], 1)
		jobs = set(site_jobs())
		# the job, as a worker runs it (hooks.before_job installs the replacement)
		run_job(f"assign_in_job::{name}")
		frappe.db.rollback()
		self.assertEqual({r[0] for r in logs(name)}, set(self.helpers))
		new = {i: m for i, (_, m) in site_jobs().items() if i not in jobs}
		self.assertFalse(new, f"the job queued more jobs: {new}")

	def test_a_rolled_back_transaction_queues_nothing(self):
		name = self.notes("作业合并：回滚")[0]
		c = Counter()
		with as_in_production():

			def assign_and_fail():
				add({"doctype": "Note", "name": name, "assign_to": self.helpers[:1], "description": "x"})
				frappe.db.rollback()

			c.measure("rolled back", assign_and_fail)
		self.assertEqual(c.last()["jobs"], 0)
		self.assertFalse(frappe.flags.get(notification_log.PENDING))

	def test_a_deferred_call_that_fails_keeps_the_notifications_and_is_logged(self):
		name = self.notes("作业合并：失败")[0]
		c = Counter()
		with as_in_production():

			def assign_and_defer():
				add({"doctype": "Note", "name": name, "assign_to": self.helpers[:1], "description": "x"})
				self.assertTrue(notification_log.deferring())
				notification_log.defer("frappe.throw", msg=f"作业合并测试失败 {name}")

			c.measure("assign and a failing call", assign_and_defer)
		self.assertEqual(c.last()["methods"], [notification_log.JOB])
		run_all(c.last())
		self.assertEqual({r[0] for r in logs(name)}, set(self.helpers[:1]))
		self.assertTrue(frappe.db.exists("Error Log", {"method": ("like", "frappe.throw%")}))

	def test_a_submission_over_http_queues_one_job(self):
		"""Through the served site (hooks.before_request installs the replacement): the applicant's Submit to
		District queues one job, which makes the officers' notifications and runs the similarity check."""
		name = self.twins(7241)[0]
		c = Counter()
		applicant = User(self.owner)
		c.measure("over HTTP", lambda: applicant.ok(applicant.act(CASE, name, "Submit to District")))
		self.assertEqual(c.last()["methods"], [notification_log.JOB])
		run_all(c.last())
		fresh()
		self.assertTrue(set(self.district.users.values()) <= {r[0] for r in logs(name)})
		self.assertTrue(frappe.db.exists("Case Fingerprint", name))
