"""Notifications as data (issue 11): the right users get the right notification (Desk and Email Queue), and
nobody else — not another district's officers, and nothing that tells a sealed result before publication.

The flow is driven as its users through tests/flow.py. Frappe creates the Desk notifications of a request on
the RQ queue; under the test runner it makes them at once, so they are read back here directly.
"""

import frappe
from frappe.email.doctype.notification.notification import trigger_daily_alerts
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, nowdate

from case_selection.access.system_write import system_write
from case_selection.api.publication import publish_results
from case_selection.jobs import service
from case_selection.tests import flow
from case_selection.tests.factories import delete_application, make_round, make_user
from case_selection.workflow import states

ROUND_YEAR = 2086
ROUND = str(ROUND_YEAR)
RESULTS = "2083"
CASE, LIST = "Case Application", "District Recommendation List"


def notified(doctype: str, name: str, subject: str | None = None) -> set[str]:
	"""Users with a Desk notification about this document (optionally: whose subject contains `subject`)."""
	filters = {"document_type": doctype, "document_name": name}
	if subject:
		filters["subject"] = ("like", f"%{subject}%")
	return set(frappe.get_all("Notification Log", filters=filters, pluck="for_user"))


def emailed(doctype: str, name: str, subject: str | None = None) -> set[str]:
	"""Recipients of the queued emails about this document (the subject is read from the email's
	Communication: the queued message itself is MIME-encoded)."""
	filters = {
		"reference_doctype": doctype,
		"reference_name": name,
		"communication_type": "Automated Message",
	}
	if subject:
		filters["subject"] = ("like", f"%{subject}%")
	communications = frappe.get_all("Communication", filters=filters, pluck="name")
	queues = frappe.get_all(
		"Email Queue", filters={"communication": ("in", communications or [""])}, pluck="name"
	)
	return set(
		frappe.get_all("Email Queue Recipient", filters={"parent": ("in", queues or [""])}, pluck="recipient")
	)


def officers_of(district: str, roles=None) -> set[str]:
	"""Every enabled user with a co-signing role and the district: read here the long way round, user by user."""
	roles = set(roles or [d.role for d in frappe.get_doc("Selection Round", ROUND).cosign_departments])
	users = frappe.get_all(
		"User Permission", filters={"allow": "Case District", "for_value": district}, pluck="user"
	)
	return {
		u for u in users if frappe.db.get_value("User", u, "enabled") and roles & set(frappe.get_roles(u))
	}


def forget(names: list[str]):
	"""Earlier runs' messages about records whose names come back (a round's District Deadline records)."""
	frappe.db.delete("Notification Log", {"document_name": ("in", names)})
	frappe.db.delete("Communication", {"reference_name": ("in", names)})
	for queue in frappe.get_all("Email Queue", {"reference_name": ("in", names)}, pluck="name"):
		frappe.db.delete("Email Queue Recipient", {"parent": queue})
		frappe.db.delete("Email Queue", {"name": queue})


def clean_round(round_name: str):
	frappe.set_user("Administrator")
	with system_write():
		for name in frappe.get_all(CASE, {"round": round_name}, pluck="name"):
			delete_application(name)
		for name in frappe.get_all(LIST, {"round": round_name}, pluck="name"):
			frappe.delete_doc(LIST, name, force=True, ignore_permissions=True)
	frappe.db.commit()


class TestNotifications(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.clean()
		make_round(ROUND_YEAR, public_notice_days=0)
		cls.yz = flow.District("渝中区", "yz")
		cls.wz = flow.District("万州区", "wz")
		cls.city = flow.City("notify")
		cls.reviewer = make_user("reviewer.notify@test.local", ["City Reviewer"])
		cls.owner = make_user("owner.notify@test.local", ["Case Applicant"])
		cls.other = make_user("other.notify@test.local", ["Case Applicant"])
		cls.expert = make_user("expert.notify@test.local", ["Case Expert"])
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		clean_round(ROUND)

	def setUp(self):
		frappe.set_user("Administrator")
		self.yz_officers = officers_of("渝中区")
		self.wz_officers = officers_of("万州区")
		# Other tests give 渝中区 more officers; ours must be among them, and the two districts apart.
		self.assertTrue(set(self.yz.users.values()) <= self.yz_officers)
		self.assertFalse(self.yz_officers & self.wz_officers)

	def test_cosign_request_reaches_the_districts_departments_and_nobody_else(self):
		name = flow.submitted(self.owner, 8601, round=ROUND, case_title="通知：会签请求")
		subject = "请会签申报书"
		self.assertEqual(notified(CASE, name, subject), self.yz_officers)
		self.assertEqual(emailed(CASE, name, subject), self.yz_officers)
		# They are the case's assignees, each with the department role they sign for, due on the deadline.
		todos = frappe.get_all(
			"ToDo",
			filters={"reference_type": CASE, "reference_name": name, "status": "Open"},
			fields=["allocated_to", "role", "date"],
		)
		self.assertEqual({t.allocated_to for t in todos}, self.yz_officers)
		self.assertEqual({str(t.date) for t in todos}, {str(add_days(nowdate(), 30))})
		self.assertTrue(all(t.role in frappe.get_roles(t.allocated_to) for t in todos))

		# 科技 signs: its officers' requests close, the others' stay; nobody is asked again.
		before = frappe.db.count("Notification Log", {"document_name": name})
		self.yz.sign(CASE, name, keys=("kj",))
		science = officers_of("渝中区", ["District Science Officer"])
		open_now = set(
			frappe.get_all(
				"ToDo",
				filters={"reference_type": CASE, "reference_name": name, "status": "Open"},
				pluck="allocated_to",
			)
		)
		self.assertEqual(open_now, self.yz_officers - science)
		self.assertEqual(frappe.db.count("Notification Log", {"document_name": name}), before)
		self.assertEqual(
			set(frappe.parse_json(frappe.db.get_value(CASE, name, "_assign"))), self.yz_officers - science
		)

		# Once all have agreed, nothing is left open on the case.
		self.yz.sign(CASE, name, keys=("jx", "jy"))
		self.assertEqual(frappe.db.get_value(CASE, name, "workflow_state"), "Recommended")
		self.assertFalse(
			frappe.get_all("ToDo", filters={"reference_type": CASE, "reference_name": name, "status": "Open"})
		)
		self.assertFalse(frappe.db.get_value(CASE, name, "_assign"))
		for user in self.wz_officers | {self.other, self.city.manager, self.expert}:
			self.assertFalse(frappe.db.exists("Notification Log", {"for_user": user, "document_name": name}))

	def test_a_return_tells_the_applicant_and_a_resubmission_asks_again(self):
		name = flow.submitted(self.owner, 8602, round=ROUND, case_title="通知：退回修改")
		self.yz.sign(CASE, name, keys=("jy",), opinion="退回", remark="请补充研发投入数据")
		self.assertEqual(frappe.db.get_value(CASE, name, "workflow_state"), "Returned")
		self.assertEqual(notified(CASE, name, "已退回修改"), {self.owner})
		self.assertEqual(emailed(CASE, name, "已退回修改"), {self.owner})
		log = frappe.get_all(
			"Notification Log",
			filters={"document_name": name, "for_user": self.owner},
			fields=["email_content"],
		)[0]
		self.assertIn("请补充研发投入数据", log.email_content)
		self.assertFalse(
			frappe.get_all("ToDo", filters={"reference_type": CASE, "reference_name": name, "status": "Open"})
		)
		# Revised and handed in again: every department is asked again.
		flow.act(self.owner, CASE, name, "Resubmit")
		self.assertEqual(
			frappe.db.count("Notification Log", {"document_name": name, "subject": ("like", "%请会签%")}),
			2 * len(self.yz_officers),
		)

	def test_list_requests_signatures_and_tells_the_city_when_it_arrives(self):
		names = [
			flow.submitted(self.owner, 8603 + i, round=ROUND, case_title=f"通知：名单{i}") for i in range(2)
		]
		for name in names:
			self.yz.sign(CASE, name)
		lst = self.yz.make_list(ROUND, names)
		self.assertEqual(notified(LIST, lst, "请会签推荐名单"), self.yz_officers)
		self.yz.sign(LIST, lst)
		self.yz.submit_list(lst)
		managers = {
			u
			for u in frappe.get_all("Has Role", filters={"role": "City Case Manager"}, pluck="parent")
			if frappe.db.get_value("User", u, "enabled")
		}
		self.assertIn(self.city.manager, managers)
		self.assertEqual(notified(LIST, lst, "报送了推荐名单"), managers)
		self.assertEqual(emailed(LIST, lst, "报送了推荐名单"), managers)
		self.assertNotIn(self.reviewer, notified(LIST, lst))  # the reviewers read; the managers receive
		self.assertFalse(notified(LIST, lst) & self.wz_officers)
		self.assertEqual(
			frappe.db.get_value("District Deadline", f"{ROUND}-渝中区", "list_status"), "Submitted to City"
		)

	def test_results_are_told_at_publication_and_not_before(self):
		# A round of its own: publication needs every case at the city decided.
		make_round(int(RESULTS), public_notice_days=0)
		forget([f"{RESULTS}-{d}" for d in ("渝中区", "万州区")])
		self.addCleanup(clean_round, RESULTS)
		names = [
			flow.submitted(
				self.owner, 8610 + i, round=RESULTS, district="万州区", case_title=f"通知：结果{i}"
			)
			for i in range(2)
		]
		flow.to_city(self.wz, self.city, RESULTS, names)
		for name in names:
			self.city.to_review(name)
		review = self.city.assign(names[0], self.expert)
		self.assertEqual(notified("Case Review", review), {self.expert})
		self.assertEqual(emailed("Case Review", review), {self.expert})
		flow.score(review, self.expert)
		self.city.act(names[0], "Shortlist")
		self.city.act(names[0], "Start Public Notice")
		self.city.act(names[0], "Select")
		self.city.act(names[1], "Reject")

		# Before publication: nothing the applicant, the districts or the expert received names a sealed state.
		sealed = {states.label(s) for s in states.where("sealed")} - {states.label(states.SELECTED)}
		words = sealed | {"入选", "Selected", "Shortlisted", "In Public Notice"}
		outsiders = {self.owner, self.expert, *self.wz_officers}
		seen = frappe.get_all(
			"Notification Log",
			filters={"for_user": ("in", list(outsiders)), "document_name": ("in", [*names, review])},
			pluck="name",
		)
		self.assertTrue(seen)  # requests to sign, the review: something was said, and none of it sealed
		for log in frappe.get_all(
			"Notification Log",
			filters={"name": ("in", seen)},
			fields=["subject", "email_content"],
		):
			text = f"{log.subject} {log.email_content}"
			self.assertFalse([w for w in words if w in text], text)

		# Publication queues the messages; the job tells each applicant their result and the district it is out.
		# (under the test runner the job runs at once, as Frappe's own notification jobs do)
		flow.as_user(self.city.manager, publish_results, RESULTS)
		self.assertEqual(notified(CASE, names[0], "遴选结果已发布"), {self.owner})
		self.assertEqual(notified(CASE, names[1], "遴选结果已发布"), {self.owner})
		selected = frappe.get_all(
			"Notification Log",
			filters={"document_name": names[0], "subject": ("like", "%遴选结果%")},
			pluck="subject",
		)
		self.assertIn("入选", selected[0])
		self.assertEqual(notified("District Deadline", f"{RESULTS}-万州区"), self.wz_officers)
		self.assertFalse(frappe.db.exists("Notification Log", {"document_name": f"{RESULTS}-渝中区"}))
		self.assertFalse(
			frappe.db.exists(
				"Notification Log",
				{"for_user": ("in", [self.expert, *self.yz_officers]), "subject": ("like", f"%{RESULTS}%")},
			)
		)

		# The job counted what it told and recorded when all was told.
		self.assertEqual(frappe.db.get_value("Selection Round", RESULTS, "results_notified"), 3)
		self.assertTrue(frappe.db.get_value("Selection Round", RESULTS, "results_notified_on"))

		# A job cut off after its first message (Redis flushed, the worker killed): the sweeper queues it again a
		# while after publication, and it tells the rest, nobody twice.
		district = f"{RESULTS}-万州区"
		forget([names[1], district])
		frappe.db.set_value(
			"Selection Round",
			RESULTS,
			{"results_notified": 1, "results_notified_on": None, "modified": add_to_date(None, minutes=-1)},
			update_modified=False,
		)
		service.sweep()
		self.assertFalse(frappe.db.get_value("Selection Round", RESULTS, "results_notified_on"))  # too soon
		frappe.db.set_value(
			"Selection Round", RESULTS, "modified", add_to_date(None, minutes=-5), update_modified=False
		)
		service.sweep()
		self.assertTrue(frappe.db.get_value("Selection Round", RESULTS, "results_notified_on"))
		told = frappe.get_all(
			"Notification Log",
			filters={"document_name": ("in", names), "subject": ("like", "%遴选结果已发布%")},
			pluck="document_name",
		)
		self.assertEqual(sorted(told), sorted(names))  # the first once, the second again after forget()
		self.assertEqual(notified("District Deadline", district), self.wz_officers)

	def test_deadline_reminder_on_each_districts_own_day(self):
		"""N days before the district's deadline (its extension counts), its officers — unless its list is at the
		city already."""
		year = 2084
		today = nowdate()
		make_round(
			year,
			district_deadline=add_days(today, 3),
			reminder_days=3,
			district_settings=[{"district": "江北区", "extended_deadline": add_days(today, 10)}],
		)
		round_name = str(year)
		yz, wz, jb = (f"{round_name}-{d}" for d in ("渝中区", "万州区", "江北区"))
		try:
			# 万州区 sent its list already; 渝中区 has not; 江北区 has a week more.
			name = flow.submitted(
				self.owner, 8620, round=round_name, district="万州区", case_title="通知：截止"
			)
			self.wz.sign(CASE, name)
			lst = self.wz.make_list(round_name, [name])
			self.wz.sign(LIST, lst)
			self.wz.submit_list(lst)
			self.assertEqual(str(frappe.db.get_value("District Deadline", yz, "remind_on")), today)
			self.assertEqual(
				str(frappe.db.get_value("District Deadline", jb, "remind_on")), str(add_days(today, 7))
			)
			self.assertEqual(frappe.db.get_value("District Deadline", jb, "extended"), 1)
			forget([yz, wz, jb])
			trigger_daily_alerts()
			self.assertEqual(notified("District Deadline", yz, "截止报送"), self.yz_officers)
			self.assertEqual(emailed("District Deadline", yz), self.yz_officers)
			self.assertFalse(notified("District Deadline", wz))
			self.assertFalse(notified("District Deadline", jb))
		finally:
			with system_write():
				for n in frappe.get_all(CASE, {"round": round_name}, pluck="name"):
					delete_application(n)
				for n in frappe.get_all(LIST, {"round": round_name}, pluck="name"):
					frappe.delete_doc(LIST, n, force=True, ignore_permissions=True)
			make_round(year, district_deadline=add_days(today, 30))  # no more reminders from this round
			frappe.db.commit()

	def test_officers_follow_roles_and_districts(self):
		"""An officer who leaves the district (User Permission removed) is no longer on its record; one who
		joins is."""
		record = f"{ROUND}-渝中区"
		user = make_user("jx.notify-moved@test.local", ["District Economy Officer"], "渝中区")
		self.assertIn(user, frappe.db.get_value("District Deadline", record, "officers").split(","))
		perm = frappe.db.get_value("User Permission", {"user": user, "allow": "Case District"})
		frappe.delete_doc("User Permission", perm, ignore_permissions=True)
		self.assertNotIn(user, frappe.db.get_value("District Deadline", record, "officers").split(","))
		self.assertEqual(
			set(frappe.db.get_value("District Deadline", record, "officers").split(",")),
			officers_of("渝中区"),
		)
		frappe.db.commit()
