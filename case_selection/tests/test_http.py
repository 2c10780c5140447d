"""Own scope, private files and concurrent co-signing through a real HTTP server (the served test site).

Every door refused to outsiders is the door matrix's job (test_doors.py).

scripts/test.sh serves the site and passes its URL as CASE_TEST_URL. Data is committed so that the server's
workers see it, and removed afterwards.
"""

import inspect
import json
import threading

import frappe
import requests
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase

from case_selection import constants
from case_selection.access import allowlist
from case_selection.access.system_write import system_write
from case_selection.tests.factories import (
	delete_application,
	district_users,
	make_application,
	make_round,
	make_user,
)
from case_selection.tests.http import URL, login, message


class TestHTTP(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_round()
		cls.yz = district_users("渝中区", "yz")
		cls.wz = district_users("万州区", "wz")
		cls.owner = make_user("owner.http@test.local", ["Case Applicant"])
		cls.other_applicant = make_user("other.http@test.local", ["Case Applicant"])
		cls.city = make_user("city.http@test.local", ["City Case Manager"])
		cls.reviewer = make_user("reviewer.http@test.local", ["City Reviewer"])
		cls.expert = make_user("expert.http@test.local", ["Case Expert"])
		cls.apps = []
		for seed in (50, 51):
			app = make_application(as_user=cls.owner, seed=seed)
			frappe.set_user(cls.owner)
			cls.apps.append(apply_workflow(app, "Submit to District").name)
		frappe.set_user("Administrator")
		cls.private_file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "盖章申报书.txt",
				"content": "盖章扫描件（测试）",
				"is_private": 1,
				"attached_to_doctype": "Case Application",
				"attached_to_name": cls.apps[0],
			}
		).insert()
		frappe.db.commit()  # the server's workers read committed data only

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.delete_doc("File", cls.private_file.name, force=True)
		for name in cls.apps:
			delete_application(name)
		frappe.db.commit()
		super().tearDownClass()

	def test_private_attachment_follows_the_case(self):
		url = f"{URL}{self.private_file.file_url}"
		for user in (self.wz["jx"], self.other_applicant, self.city, self.expert):
			self.assertEqual(login(user).get(url, timeout=30).status_code, 403, user)
		for user in (self.owner, self.yz["jy"]):
			r = login(user).get(url, timeout=30)
			self.assertEqual(r.status_code, 200, user)
			self.assertEqual(r.content.decode(), "盖章扫描件（测试）")

	def test_expert_reads_only_assigned_cases(self):
		review = frappe.get_doc(
			{"doctype": "Case Review", "application": self.apps[0], "expert": self.expert}
		)
		with (
			system_write()
		):  # an assignment as the city makes it at the review stage (test_doors drives that)
			review.insert()
		frappe.db.commit()
		try:
			s = login(self.expert)
			ok = s.get(f"{URL}/api/resource/Case Application/{self.apps[0]}", timeout=30)
			self.assertEqual(ok.status_code, 200)
			other = s.get(f"{URL}/api/resource/Case Application/{self.apps[1]}", timeout=30)
			self.assertEqual(other.status_code, 403)
			edit = s.put(
				f"{URL}/api/resource/Case Application/{self.apps[0]}", json={"case_title": "x"}, timeout=30
			)
			self.assertEqual(edit.status_code, 403)
		finally:
			with system_write():
				frappe.delete_doc("Case Review", review.name, force=True)
			frappe.db.commit()

	def test_own_scope_is_allowed(self):
		name = self.apps[0]
		for user in (self.owner, self.yz["jx"], self.yz["kj"]):
			s = login(user)
			self.assertEqual(
				s.get(f"{URL}/api/resource/Case Application/{name}", timeout=30).status_code, 200, user
			)
			r = s.get(
				f"{URL}/api/method/frappe.utils.print_format.download_pdf",
				params={"doctype": "Case Application", "name": name, "format": "附件1 申报书"},
				timeout=120,
			)
			self.assertEqual(r.status_code, 200, user)
			self.assertTrue(r.content.startswith(b"%PDF"))
		# the owner may not push the state by hand; the district's 经信 may return it
		owner = login(self.owner)
		r = owner.post(
			f"{URL}/api/method/frappe.client.set_value",
			data={
				"doctype": "Case Application",
				"name": name,
				"fieldname": "workflow_state",
				"value": "Recommended",
			},
			timeout=30,
		)
		self.assertIn(r.status_code, (403, 417))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Case Application", name, "workflow_state"), "Submitted")

	def test_many_districts_sign_at_the_same_moment(self):
		"""Deadline day: the departments of several districts sign their cases in the same second; every
		opinion is kept, every case ends Recommended, and nobody sees an error (deadlocks between signers of
		different cases are prevented, or retried)."""
		districts = {"渝中区": self.yz, "万州区": self.wz}
		for district, tag in (("江北区", "jb"), ("沙坪坝区", "spb"), ("九龙坡区", "jlp")):
			districts[district] = district_users(district, tag)
		cases = {}
		for i, district in enumerate(districts):
			app = make_application(as_user=self.owner, seed=60 + i, district=district)
			frappe.set_user(self.owner)
			cases[district] = apply_workflow(app, "Submit to District").name
			frappe.set_user("Administrator")
		frappe.db.commit()
		signers = [(districts[d][k], cases[d]) for d in districts for k in ("jx", "kj", "jy")]
		sessions = {user: login(user) for user, _case in signers}
		barrier = threading.Barrier(len(signers))
		results = []

		def sign(user, case):
			barrier.wait()
			r = sessions[user].post(
				f"{URL}/api/method/case_selection.api.cosigning.cosign",
				data={"doctype": "Case Application", "name": case, "opinion": "同意推荐"},
				timeout=120,
			)
			results.append((user, r.status_code, r.text[:200]))

		threads = [threading.Thread(target=sign, args=job) for job in signers]
		for t in threads:
			t.start()
		for t in threads:
			t.join()
		try:
			self.assertEqual([r for r in results if r[1] != 200], [])
			frappe.db.rollback()
			for district, case in cases.items():
				self.assertEqual(
					frappe.db.count("Case Cosign Opinion", {"reference_name": case}), 3, district
				)
				self.assertEqual(
					frappe.db.get_value("Case Application", case, "workflow_state"), "Recommended"
				)
		finally:
			for case in cases.values():
				delete_application(case)
			frappe.db.commit()

	def test_three_cosignatures_at_the_same_moment_are_all_kept(self):
		name = self.apps[1]
		sessions = {k: login(u) for k, u in self.yz.items()}
		barrier = threading.Barrier(3)
		results = {}

		def sign(key):
			barrier.wait()
			r = sessions[key].post(
				f"{URL}/api/method/case_selection.api.cosigning.cosign",
				data={"doctype": "Case Application", "name": name, "opinion": "同意推荐", "remarks": key},
				timeout=60,
			)
			results[key] = (r.status_code, r.text)

		threads = [threading.Thread(target=sign, args=(k,)) for k in sessions]
		for t in threads:
			t.start()
		for t in threads:
			t.join()
		for key, (code, text) in results.items():
			self.assertEqual(code, 200, f"{key}: {text[:300]}")
		frappe.db.rollback()  # see what the server committed
		opinions = frappe.get_all(
			"Case Cosign Opinion",
			filters={"reference_name": name},
			fields=["department", "opinion", "remarks"],
		)
		self.assertEqual(sorted(o.department for o in opinions), ["教育", "科技", "经信"])
		self.assertEqual(frappe.db.get_value("Case Application", name, "workflow_state"), "Recommended")
		self.assertEqual(frappe.db.get_value("Case Application", name, "cosign_status"), "Agreed")
		# each move was made from the state the previous signer left, not from a stale snapshot
		moves = [
			(h.from_state, h.to_state)
			for h in frappe.get_all(
				"Case Action Log",
				filters={"reference_name": name, "to_state": ("is", "set")},
				fields=["from_state", "to_state"],
				order_by="action_time asc, creation asc",
			)
		]
		self.assertEqual(
			moves[-2:], [("Submitted", "District Co-signing"), ("District Co-signing", "Recommended")]
		)


class TestServedSite(FrappeTestCase):
	def test_the_server_names_the_site_it_serves(self):
		"""scripts/lib.sh assert_serves asks the server which site answered: the test site here, for a caller
		not signed in, and nothing more than its name."""
		r = requests.get(f"{URL}/api/method/case_selection.api.site.served_site", timeout=30)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertEqual(r.json(), {"message": frappe.local.site})


class TestCallsFrappeWouldAnswer500(FrappeTestCase):
	"""Calls Frappe answers with a 500: a form key named `fn` (it collides with frappe.call's own parameter) and a
	dotted name that is a module's value, not a function, whatever the method; frappe.client.set_value on a child
	row that does not exist. All are refused first (access/guards.refuse_broken_calls), for a guest, a user and a
	System Manager alike."""

	def test_refused_with_a_typed_answer_for_every_caller(self):
		make_user("owner.http@test.local", ["Case Applicant"])
		frappe.db.commit()
		admin = requests.Session()
		admin.post(f"{URL}/api/method/login", data={"usr": "Administrator", "pwd": "admin"}, timeout=30)
		for who, session in (
			("guest", requests.Session()),
			("user", login("owner.http@test.local")),
			("admin", admin),
		):
			for verb in ("GET", "POST"):
				r = session.request(verb, f"{URL}/api/method/frappe.ping", data={"fn": "x"}, timeout=30)
				self.assertEqual(r.status_code, 417, (who, verb, r.text[:200]))
				self.assertIn("参数「fn」", message(r))
				for value in ("case_selection.constants.PUBLISHED", "case_selection.hooks.app_name"):
					r = session.request(verb, f"{URL}/api/method/{value}", timeout=30)
					self.assertEqual(r.status_code, 404, (who, verb, value, r.text[:200]))
			# frappe.client.set_value on a child row that does not exist (Frappe reads its parent from None)
			for values in ({"fieldname": "idx", "value": 2}, {"fieldname": json.dumps({"idx": 2})}):
				r = session.post(
					f"{URL}/api/method/frappe.client.set_value",
					data={"doctype": "Has Role", "name": f"no-such-row-{who}", **values},
					timeout=30,
				)
				self.assertEqual(r.status_code, 403 if who == "guest" else 404, (who, values, r.text[:200]))
			# a method called as it should be still answers
			r = session.get(f"{URL}/api/method/case_selection.api.site.served_site", timeout=30)
			self.assertEqual(r.json()["message"], frappe.local.site, who)

	def test_every_allowed_method_on_a_child_row_that_does_not_exist(self):
		"""Hunts the class of the set_value 500: every allowed method that takes a DocType and a document name
		(and every frappe.client method, for a System Manager), called with each child table of the app and
		with one of Frappe's, for a row that does not exist — in every way a name is sent. A refusal or an answer
		without data; never a 5xx."""
		make_user("city.http@test.local", ["City Case Manager"])
		make_user("owner.http@test.local", ["Case Applicant"])
		frappe.db.commit()
		admin = requests.Session()
		admin.post(f"{URL}/api/method/login", data={"usr": "Administrator", "pwd": "admin"}, timeout=30)
		methods = [
			m
			for m in sorted(
				set(allowlist.ALLOWED) | {"frappe.client.rename_doc", "frappe.client.get_doc_permissions"}
			)
			if {"doctype", "name"} <= set(inspect_params(m))
		]
		self.assertIn("frappe.client.set_value", methods)
		self.assertIn("frappe.desk.form.load.getdoc", methods)
		children = [*constants.CHILD_TABLES, *constants.SETTING_TABLES, "Has Role", "DocField"]
		failures = []
		for who, session in (
			("owner", login("owner.http@test.local")),
			("city", login("city.http@test.local")),
			("admin", admin),
		):
			for method in methods:
				for doctype in children:
					extra = {
						"fieldname": json.dumps({"idx": 3}),
						"value": "",
						"new_name": "x",
						"parent": "Selection Round",
					}
					r = session.post(
						f"{URL}/api/method/{method}",
						data={"doctype": doctype, "name": "no-such-row-7f3a", **extra},
						timeout=60,
					)
					if r.status_code >= 500:
						failures.append((who, method, doctype, r.status_code, r.text[:160]))
		self.assertEqual(failures, [])


def inspect_params(method: str) -> list[str]:
	target = frappe.get_hooks("override_whitelisted_methods", {}).get(method, [method])[-1]
	try:
		return list(inspect.signature(frappe.get_attr(target)).parameters)
	except Exception:
		return []


class TestValuesThatAreNotValues(FrappeTestCase):
	"""A list or an object sent where a field takes text or a number (Frappe's link check, which runs before any
	hook of the document, answers 500): every field of every parent DocType of the app, through REST and the
	client methods, as Administrator and as the owner of a draft case — a 417 naming the field, nothing
	written, never a 5xx."""

	def test_every_field_of_every_doctype(self):
		make_round()
		owner = make_user("owner.http@test.local", ["Case Applicant"])
		case = make_application(as_user=owner, seed=9731)
		frappe.db.commit()
		admin = requests.Session()
		admin.post(f"{URL}/api/method/login", data={"usr": "Administrator", "pwd": "admin"}, timeout=30)
		sessions = {"admin": admin, "owner": login(owner)}
		failures, refused = [], 0
		for doctype in constants.POLICY_DOCTYPES:
			meta = frappe.get_meta(doctype)
			name = case.name if doctype == "Case Application" else frappe.db.get_value(doctype, {}, "name")
			if not name:
				continue
			fields = [df for df in meta.fields if df.fieldtype not in frappe.model.no_value_fields]
			for who, session in sessions.items():
				if who == "owner" and doctype != "Case Application":
					continue
				for df in fields:
					value = (
						[{"x": 1}] if df.fieldtype in frappe.model.table_fields else {"name": ["like", "%"]}
					)
					if df.fieldtype in frappe.model.table_fields:
						value = ["not a row"]
					r = session.put(
						f"{URL}/api/resource/{doctype}/{name}", json={df.fieldname: value}, timeout=60
					)
					if r.status_code >= 500 or r.status_code == 200:
						failures.append((who, doctype, df.fieldname, r.status_code, r.text[:160]))
					refused += r.status_code == 417
		# the client methods and a child row's value
		doc = frappe.get_doc("Case Application", case.name).as_dict()
		doc["partners"] = [{"partner_name": {"a": 1}, "partner_type": "企业"}]
		for who, session in sessions.items():
			for method, data in (
				("frappe.client.save", {"doc": json.dumps(doc, default=str)}),
				(
					"frappe.client.set_value",
					{
						"doctype": "Case Application",
						"name": case.name,
						"fieldname": json.dumps({"direction": ["x"]}),
					},
				),
				(
					"frappe.client.insert",
					{
						"doc": json.dumps(
							{"doctype": "Case Application", "round": {"a": 1}, "case_title": "x"}
						)
					},
				),
			):
				r = session.post(f"{URL}/api/method/{method}", data=data, timeout=60)
				if r.status_code != 417:
					failures.append((who, method, r.status_code, r.text[:160]))
				elif method == "frappe.client.save":
					self.assertIn("合作单位", message(r))
		self.assertEqual(failures, [])
		self.assertGreater(refused, 100)
		frappe.db.rollback()
		self.assertEqual(
			str(frappe.db.get_value("Case Application", case.name, "modified")), str(case.modified)
		)
