"""Sealed results and the 公示 period (issue 8), per role, over HTTP against the served test site.

Before the round is published, the applicant, the district's three departments and the expert see the
city's 拟入选 / 公示中 / 入选 / 未入选 as 市级评审中 through every door that shows a state — form, REST fields,
lists, filters, counts, group-by counts, history, print — because the case's row stores nothing else (the real
state and the city's entries are in the city-only Case Evaluation); the city sees the real state. Publishing
reveals the whole round at once and tells them.
"""

import io
import json

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.background_jobs import get_job
from pypdf import PdfReader

from case_selection.access.system_write import system_write
from case_selection.notifications import publication
from case_selection.tests import flow
from case_selection.tests.factories import clear_round, delete_application, make_round, make_user
from case_selection.tests.http import REFUSED, User, fresh, message

ROUND_YEAR = 2091
ROUND = str(ROUND_YEAR)
SEALED_WORDS = ("入选", "拟入选", "公示中", "Selected", "Shortlisted", "In Public Notice")


class TestSealing(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.clean()
		make_round(ROUND_YEAR, public_notice_days=0)
		cls.yz = flow.District("渝中区", "yz")
		cls.city = flow.City("seal")
		cls.reviewer = make_user("reviewer.seal@test.local", ["City Reviewer"])
		cls.owner = make_user("owner.seal@test.local", ["Case Applicant"])
		cls.expert = make_user("expert.seal@test.local", ["Case Expert"])
		names = [flow.submitted(cls.owner, 880 + i, round=ROUND, case_title=f"保密测试{i}") for i in range(4)]
		flow.to_city(cls.yz, cls.city, ROUND, names)
		for name in names:
			cls.city.to_review(name)
			flow.score(cls.city.assign(name, cls.expert), cls.expert)
		cls.selected, cls.rejected, cls.reviewing, cls.noticed = names
		for name in (cls.selected, cls.noticed):
			cls.city.act(name, "Shortlist")
			cls.city.act(name, "Start Public Notice")
		cls.city.act(cls.selected, "Select")
		cls.city.act(cls.rejected, "Reject")
		frappe.db.commit()
		cls.names = names
		cls.outsiders = [cls.owner, *cls.yz.users.values(), cls.expert]

	@classmethod
	def tearDownClass(cls):
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		fresh()
		clear_round(ROUND)
		with system_write():
			frappe.db.delete("Notification Log", {"document_name": ("like", f"%{ROUND}%")})
		make_round(ROUND_YEAR, public_notice_days=0)
		frappe.db.commit()

	def rest_list(self, u: User, filters=None, fields=("name", "workflow_state"), **params):
		r = u.get(
			"/api/resource/Case Application",
			fields=json.dumps(list(fields)),
			filters=json.dumps([["round", "=", ROUND], *(filters or [])]),
			limit_page_length=100,
			**params,
		)
		return r

	def states_seen(self, u: User) -> dict:
		r = self.rest_list(u)
		u.ok(r)
		return {row["name"]: row["workflow_state"] for row in r.json()["data"]}

	def test_1_sealed_for_applicant_districts_and_expert(self):
		for user in self.outsiders:
			u = User(user)
			seen = self.states_seen(u)
			self.assertEqual(
				seen,
				{n: "Under Review" for n in self.names},
				f"{user} sees {seen}",
			)
			doc = u.doc("Case Application", self.selected)
			self.assertEqual(doc["workflow_state"], "Under Review", user)
			self.assertFalse(doc.get("review_score"), user)  # the city's average of 80 is not shown
			self.assertFalse(doc.get("formal_check"), user)
			got = u.ok(u.call("frappe.client.get", "GET", doctype="Case Application", name=self.selected))
			self.assertEqual(got.json()["message"]["workflow_state"], "Under Review")
			form = u.ok(
				u.call("frappe.desk.form.load.getdoc", "GET", doctype="Case Application", name=self.selected)
			)
			body = form.json()
			self.assertEqual(body["docs"][0]["workflow_state"], "Under Review")
			versions = json.dumps(body.get("docinfo", {}).get("versions", []), ensure_ascii=False)
			for word in ("Selected", "Shortlisted", "In Public Notice", "review_score"):
				self.assertNotIn(word, versions, f"{user}: a version shows {word}")
			# lists with every field
			rows = u.ok(self.rest_list(u, fields=["*"])).json()["data"]
			self.assertTrue(rows and all(r["workflow_state"] == "Under Review" for r in rows))
			self.assertFalse(any("review_score" in r or "formal_check" in r for r in rows), user)
			# a filter on the real state finds nothing, on the neutral one everything
			self.assertEqual(
				u.ok(self.rest_list(u, [["workflow_state", "=", "Selected"]])).json()["data"], []
			)
			neutral = u.ok(self.rest_list(u, [["workflow_state", "=", "Under Review"]])).json()["data"]
			self.assertEqual(len(neutral), 4, user)
			for method in ("frappe.client.get_count", "frappe.desk.reportview.get_count"):
				r = u.call(
					method,
					"GET",
					doctype="Case Application",
					# this round's: a round another test published shows its results, as it should
					filters=[["round", "=", ROUND], ["workflow_state", "=", "Selected"]],
				)
				self.assertEqual(u.ok(r).json()["message"], 0, f"{user} {method}")
			report = u.ok(
				u.call(
					"frappe.desk.reportview.get",
					"GET",
					doctype="Case Application",
					fields=["`tabCase Application`.`name`", "`tabCase Application`.`workflow_state`"],
					filters=[["Case Application", "round", "=", ROUND]],
				)
			).json()["message"]
			self.assertNotIn("Selected", json.dumps(report), user)
			groups = u.ok(
				u.call(
					"frappe.desk.listview.get_group_by_count",
					"GET",
					doctype="Case Application",
					current_filters={"round": ROUND},
					field="workflow_state",
				)
			).json()["message"]
			self.assertEqual({g["name"]: g["count"] for g in groups}, {"Under Review": 4}, user)
			value = u.ok(
				u.call(
					"frappe.client.validate_link",
					"GET",
					doctype="Case Application",
					docname=self.selected,
					fields=["workflow_state"],
				)
			).json()["message"]
			self.assertEqual(value.get("workflow_state"), "Under Review", user)
			# the city's own fields: no filter, sort or group on them
			for params in (
				{"filters": [["review_score", ">", 0]]},
				{"order_by": "review_score desc"},
				{"filters": [["formal_check", "=", "通过"]]},
			):
				r = u.call("frappe.client.get_list", "GET", doctype="Case Application", **params)
				self.assertIn(r.status_code, REFUSED, f"{user} {params}: {r.status_code}")
			# history rows of the city's sealed steps are not there
			history = u.ok(
				u.call(
					"case_selection.api.cases.get_history",
					"GET",
					doctype="Case Application",
					name=self.selected,
				)
			).json()["message"]
			self.assertFalse(
				{"Shortlisted", "In Public Notice", "Selected"} & {h["to_state"] for h in history}
			)
			r = u.call(
				"frappe.desk.query_report.run",
				"GET",
				report_name="Case Action History",
				filters={"reference_name": self.selected},
			)
			if user == self.expert:
				self.assertIn(r.status_code, REFUSED)  # the history report is not the experts'
				continue
			rows = u.ok(r).json()["message"]["result"]
			self.assertFalse(
				{"拟入选", "公示中", "入选", "未入选"}
				& {row.get("to_state") for row in rows if isinstance(row, dict)}
			)

	def test_1_the_form_gets_what_the_methods_answer(self):
		"""getdoc sends the form's opinions, 签核历程 and actions with the document (api.cases.form_onload): for each
		user and case, exactly what get_cosign_opinions, get_history and form_actions answer that user, so nothing
		sealed reaches a form that those methods keep back; the city's record only to the city."""
		methods = {
			"opinions": "case_selection.api.cosigning.get_cosign_opinions",
			"history": "case_selection.api.cases.get_history",
			"actions": "case_selection.api.cases.form_actions",
		}
		for user in (*self.outsiders, self.city.manager, self.reviewer):
			u = User(user)
			for name in self.names:
				body = u.ok(
					u.call("frappe.desk.form.load.getdoc", "GET", doctype="Case Application", name=name)
				)
				sent = body.json()["docs"][0]["__onload"]["case_form"]
				for key, method in methods.items():
					answer = u.ok(u.call(method, "GET", doctype="Case Application", name=name)).json()[
						"message"
					]
					self.assertEqual(sent[key], answer, f"{user} {name} {key}")
				self.assertTrue(sent["history"], f"{user} {name}")
				if user in self.outsiders:
					self.assertNotIn("evaluation", sent["actions"], user)
					shown = {h["to_state"] for h in sent["history"]}
					self.assertFalse(
						{"Shortlisted", "In Public Notice", "Selected", "Rejected"} & shown, user
					)
				else:
					self.assertEqual(sent["actions"]["evaluation"]["name"], name, user)

	def test_1_sealed_in_the_printed_form(self):
		u = User(self.owner)
		r = u.get(
			"/api/method/frappe.utils.print_format.download_pdf",
			doctype="Case Application",
			name=self.selected,
			format="附件1 申报书",
		)
		u.ok(r)
		text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(r.content)).pages)
		for word in ("入选", "拟入选", "公示"):
			self.assertNotIn(word, text.replace("优秀案例", "").replace("遴选", ""), word)

	def test_1_state_of_a_case_cannot_be_reached_through_a_link(self):
		u = User(self.expert)
		r = u.call(
			"frappe.client.get_list",
			"GET",
			doctype="Case Review",
			fields=["name", "application.workflow_state"],
		)
		self.assertIn(r.status_code, REFUSED, message(r)[:200])

	def test_1_the_city_sees_the_real_state(self):
		real = ["Selected", "Not Selected", "Under Review", "In Public Notice"]
		for user in (self.city.manager, self.reviewer):
			u = User(user)
			rows = u.ok(
				u.get(
					"/api/resource/Case Evaluation",
					fields=json.dumps(["name", "workflow_state", "review_score"]),
					filters=json.dumps([["round", "=", ROUND]]),
				)
			).json()["data"]
			seen = {r["name"]: r["workflow_state"] for r in rows}
			self.assertEqual([seen.get(n) for n in self.names], real, user)
			# the case's form holds the real state for the city: its Workflow runs on it
			self.assertEqual(u.doc("Case Application", self.selected)["workflow_state"], "Selected", user)
		for user in self.outsiders:
			u = User(user)
			r = u.get("/api/resource/Case Evaluation", filters=json.dumps([["round", "=", ROUND]]))
			self.assertIn(r.status_code, REFUSED, f"{user}: {r.status_code}")
			r = u.get(f"/api/resource/Case Evaluation/{self.selected}")
			self.assertIn(r.status_code, REFUSED, f"{user}: {r.status_code}")

	def test_1_nothing_sealed_is_stored_with_the_case(self):
		"""Sealed by storage: the case's row, its versions, comments and 签核历程 rows hold no sealed value, so
		no door that reads them — today's or a future one — can show one."""
		sealed = ("Shortlisted", "In Public Notice", "Selected", "Not Selected")
		placeholders = ", ".join(["%s"] * len(self.names))
		rows = frappe.db.sql(
			f"select * from `tabCase Application` where name in ({placeholders})", self.names, as_dict=True
		)
		self.assertEqual(len(rows), 4)
		for row in rows:
			self.assertEqual(row["workflow_state"], "Under Review", row["name"])
			self.assertFalse({"review_score", "formal_check", "public_notice_end", "public_state"} & set(row))
		for table, ref, name_col in (
			("Version", "ref_doctype", "docname"),
			("Comment", "reference_doctype", "reference_name"),
			("Case Action Log", "reference_doctype", "reference_name"),
		):
			dump = json.dumps(
				frappe.db.sql(
					f"select * from `tab{table}` where `{ref}` = 'Case Application' and `{name_col}` in ({placeholders})",
					self.names,
					as_dict=True,
				),
				default=str,
				ensure_ascii=False,
			)
			for word in (*sealed, "review_score", "formal_check", "拟入选", "公示中"):
				self.assertNotIn(f'"{word}"', dump, f"{table} holds {word}")
		# the city's steps are kept, against the city-only evaluation
		self.assertTrue(
			frappe.db.exists(
				"Case Action Log",
				{
					"reference_doctype": "Case Evaluation",
					"reference_name": self.selected,
					"to_state": "Selected",
				},
			)
		)

	def test_2_publishing_reveals_the_round_at_once_and_tells_them(self):
		city = User(self.city.manager)
		r = city.call("case_selection.api.publication.publish_results", round_name=ROUND)
		self.assertIn(r.status_code, REFUSED)  # two cases are still undecided
		self.assertIn("未作出入选决定", message(r))
		flow.as_user(
			self.city.manager, flow.act, self.city.manager, "Case Application", self.noticed, "Select"
		)
		flow.as_user(
			self.city.manager, flow.act, self.city.manager, "Case Application", self.reviewing, "Reject"
		)
		frappe.db.commit()
		city.ok(city.call("case_selection.api.publication.publish_results", round_name=ROUND))
		for user in self.outsiders:
			seen = self.states_seen(User(user))
			self.assertEqual(
				[seen[n] for n in self.names], ["Selected", "Not Selected", "Not Selected", "Selected"], user
			)
		owner = User(self.owner)
		self.assertEqual(
			len(owner.ok(self.rest_list(owner, [["workflow_state", "=", "Selected"]])).json()["data"]), 2
		)
		history = owner.ok(
			owner.call(
				"case_selection.api.cases.get_history", "GET", doctype="Case Application", name=self.selected
			)
		).json()["message"]
		self.assertIn("入选", {h["to_state"] for h in history})
		fresh()
		# The request queued the messages (RQ, after its commit); no worker serves the test site, so the job is
		# taken off the queue and run here, as the worker would.
		job = get_job(publication.job_id(ROUND))
		self.assertIsNotNone(job, "publication queued no notification job")
		self.assertEqual(job.kwargs["method"], publication.JOB)
		self.assertEqual(job.kwargs["kwargs"], {"round_name": ROUND})
		job.delete()
		frappe.set_user(self.city.manager)
		publication.notify_round(ROUND)
		frappe.set_user("Administrator")
		for name in self.names:
			self.assertTrue(
				frappe.db.exists("Notification Log", {"for_user": self.owner, "document_name": name}), name
			)
		for user in (self.yz.lead, self.yz.users["kj"]):
			self.assertTrue(
				frappe.db.exists("Notification Log", {"for_user": user, "document_name": f"{ROUND}-渝中区"}),
				user,
			)
		self.assertFalse(
			frappe.db.exists(
				"Notification Log", {"for_user": self.expert, "subject": ("like", f"%{ROUND}%遴选结果%")}
			)
		)


class TestPublicNotice(FrappeTestCase):
	"""入选 waits for the round's 公示 days; an open objection blocks it as before."""

	def test_select_waits_for_the_public_notice_period(self):
		frappe.set_user("Administrator")
		year = 2089
		make_round(year, public_notice_days=5)
		yz, city = flow.District("渝中区", "yz"), flow.City("notice")
		owner = make_user("owner.notice@test.local", ["Case Applicant"])
		name = flow.submitted(owner, 870, round=str(year))
		flow.to_city(yz, city, str(year), [name])
		city.to_review(name)
		city.act(name, "Shortlist")
		city.act(name, "Start Public Notice")
		self.assertEqual(
			str(frappe.db.get_value("Case Evaluation", name, "public_notice_end")),
			str(frappe.utils.add_days(frappe.utils.nowdate(), 5)),
		)
		frappe.db.commit()
		try:
			u = User(city.manager)
			r = u.act("Case Application", name, "Select")
			self.assertIn(r.status_code, REFUSED)
			# the objection during 公示 blocks too, once the period is over
			frappe.db.set_value(
				"Case Evaluation",
				name,
				"public_notice_end",
				frappe.utils.add_days(frappe.utils.nowdate(), -1),
			)
			objection = flow.as_user(
				city.manager,
				lambda: frappe.get_doc(
					{"doctype": "Case Objection", "application": name, "content": "数据存疑"}
				).insert(),
			)
			frappe.db.commit()
			self.assertIn(u.act("Case Application", name, "Select").status_code, REFUSED)
			u.ok(u.put("Case Objection", objection.name, {"status": "Dismissed", "resolution": "经核实无误"}))
			u.ok(u.act("Case Application", name, "Select"))
			fresh()
			self.assertEqual(frappe.db.get_value("Case Evaluation", name, "workflow_state"), "Selected")
			self.assertEqual(frappe.db.get_value("Case Application", name, "workflow_state"), "Under Review")
		finally:
			fresh()
			with system_write():
				delete_application(name)
				for lst in frappe.get_all("District Recommendation List", {"round": str(year)}, pluck="name"):
					frappe.delete_doc(
						"District Recommendation List", lst, force=True, ignore_permissions=True
					)
			frappe.db.commit()
