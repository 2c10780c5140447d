"""入选单位查询 (notice 四(二)) over HTTP against the served test site: the report for city roles and the REST
endpoint for other departments' systems (API key of an integration user).

Round 2093 is published: unit X selected, unit Y not. Round 2094 is not: unit X selected again, still sealed.
Only published results come back; everyone but city roles is refused the report (403); the endpoint answers
401 without credentials or with wrong ones, 403 to a valid key of a user neither city nor integration.
"""

import json

import frappe
import requests
from frappe.tests.utils import FrappeTestCase
from frappe.utils import today

from case_selection.access.system_write import system_write
from case_selection.api import lookup
from case_selection.tests import flow
from case_selection.tests.factories import delete_application, make_round, make_user, valid_uscc
from case_selection.tests.http import URL, User, fresh, message

PUBLISHED, SEALED = "2093", "2094"
X_SEED, Y_SEED = 9301, 9302
X_USCC, Y_USCC = valid_uscc(X_SEED), valid_uscc(Y_SEED)
X_UNIT = f"重庆测试科技有限公司{X_SEED}"
ENDPOINT = f"{URL}/api/method/case_selection.api.lookup.selected_units"
REPORT = "Selected Unit Lookup"


def api_keys(user: str) -> tuple[str, str]:
	"""A fresh API key and secret for `user` (what Desk's Generate Keys does)."""
	doc = frappe.get_doc("User", user)
	doc.api_key = doc.api_key or frappe.generate_hash(length=15)
	secret = frappe.generate_hash(length=15)
	doc.api_secret = secret
	doc.save(ignore_permissions=True)
	return doc.api_key, secret


def call(keys: tuple[str, str] | None, header: str | None = None, **params) -> requests.Response:
	headers = {"Authorization": header or f"token {keys[0]}:{keys[1]}"} if (keys or header) else {}
	return requests.get(ENDPOINT, params=params, headers=headers, timeout=60)


class TestLookup(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.clean()
		cls.yz = flow.District("渝中区", "yz")
		cls.city = flow.City("lookup")
		cls.reviewer = make_user("reviewer.lookup@test.local", ["City Reviewer"])
		cls.owner = make_user("owner.lookup@test.local", ["Case Applicant"])
		cls.expert = make_user("expert.lookup@test.local", ["Case Expert"])
		x, y = (
			flow.submitted(cls.owner, seed, round=PUBLISHED, case_title=f"加分查询案例{seed}")
			for seed in (X_SEED, Y_SEED)
		)
		x2 = flow.submitted(cls.owner, X_SEED, round=SEALED, case_title="加分查询第二轮案例")
		flow.to_city(cls.yz, cls.city, PUBLISHED, [x, y])
		flow.to_city(cls.yz, cls.city, SEALED, [x2])
		for name in (x, y, x2):
			cls.city.to_review(name)
			flow.score(cls.city.assign(name, cls.expert), cls.expert)
		for name in (x, x2):
			cls.city.act(name, "Shortlist")
			cls.city.act(name, "Start Public Notice")
			cls.city.act(name, "Select")
		cls.city.act(y, "Reject")
		cls.x, cls.y, cls.x2 = x, y, x2
		frappe.db.commit()
		User(cls.city.manager).ok(
			User(cls.city.manager).call(
				"case_selection.api.publication.publish_results", round_name=PUBLISHED
			)
		)
		fresh()
		cls.integration = lookup.make_integration_user("bonus.lookup@test.local", "科技局加分系统")
		cls.integration_keys = (cls.integration["api_key"], cls.integration["api_secret"])
		cls.applicant_keys = api_keys(cls.owner)
		cls.officer_keys = api_keys(cls.yz.lead)
		cls.city_keys = api_keys(cls.reviewer)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		fresh()
		for round_name in (PUBLISHED, SEALED):
			for name in frappe.get_all("Case Application", {"round": round_name}, pluck="name"):
				delete_application(name)
			with system_write():
				for name in frappe.get_all(
					"District Recommendation List", {"round": round_name}, pluck="name"
				):
					frappe.delete_doc(
						"District Recommendation List", name, force=True, ignore_permissions=True
					)
			make_round(int(round_name), public_notice_days=0, published_on=None)
		frappe.db.commit()

	def report(self, user: str, **filters) -> requests.Response:
		u = User(user)
		return u.call("frappe.desk.query_report.run", report_name=REPORT, filters=filters)

	def rows(self, r: requests.Response) -> list[dict]:
		self.assertEqual(r.status_code, 200, message(r)[:500])
		return [row for row in r.json()["message"]["result"] if isinstance(row, dict)]

	# The report ------------------------------------------------------------------------------------------

	def test_report_by_uscc_for_city_roles(self):
		for user in (self.city.manager, self.reviewer):
			rows = self.rows(self.report(user, uscc=X_USCC))
			self.assertEqual([r["case"] for r in rows], [self.x], user)  # 2094 is not published
			row = rows[0]
			self.assertEqual(row["round"], PUBLISHED)
			self.assertEqual(row["result"], "入选")
			self.assertEqual(row["published_on"], today())
			self.assertEqual(row["unit_name"], X_UNIT)
			self.assertEqual(row["direction"], frappe.db.get_value("Case Application", self.x, "direction"))

	def test_report_by_name_and_all_results(self):
		part = "测试科技有限公司930"  # both units
		selected = self.rows(self.report(self.city.manager, unit_name=part))
		self.assertEqual([r["case"] for r in selected], [self.x])
		every = self.rows(self.report(self.city.manager, unit_name=part, result="全部"))
		self.assertEqual({r["case"]: r["result"] for r in every}, {self.x: "入选", self.y: "未入选"})
		lowercase = self.rows(self.report(self.city.manager, uscc=X_USCC.lower()))
		self.assertEqual([r["case"] for r in lowercase], [self.x])

	def test_report_refused_to_everyone_else(self):
		for user in (self.owner, *self.yz.users.values(), self.expert):
			r = self.report(user, uscc=X_USCC)
			self.assertEqual(r.status_code, 403, f"{user}: {r.status_code} {message(r)[:200]}")
			self.assertNotIn(X_UNIT, r.text)

	def test_report_names_the_field_of_a_bad_query(self):
		r = self.report(self.city.manager, uscc=X_USCC[:17] + ("0" if X_USCC[17] != "0" else "1"))
		self.assertEqual(r.status_code, 417)
		self.assertIn("统一社会信用代码", message(r))
		self.assertIn("校验位", message(r))
		r = self.report(self.city.manager, unit_name="公司")
		self.assertEqual(r.status_code, 417)
		self.assertIn("单位名称", message(r))

	# The REST endpoint ---------------------------------------------------------------------------------

	def test_endpoint_answers_the_integration_user(self):
		r = call(self.integration_keys, uscc=X_USCC)
		self.assertEqual(r.status_code, 200, r.text[:300])
		body = r.json()["message"]
		self.assertEqual(body["count"], 1)
		[row] = body["results"]
		self.assertEqual((row["case"], row["round"], row["selected"]), (self.x, PUBLISHED, True))
		self.assertEqual(row["published_on"], today())
		# a unit whose case was not selected has no bonus to claim: nothing comes back
		r = call(self.integration_keys, uscc=Y_USCC)
		self.assertEqual(r.json()["message"], {"count": 0, "results": []})
		r = call(self.integration_keys, unit_name=X_UNIT)
		self.assertEqual([row["case"] for row in r.json()["message"]["results"]], [self.x])
		self.assertNotIn(self.x2, r.text)
		# a city user's key works too
		self.assertEqual(call(self.city_keys, uscc=X_USCC).status_code, 200)

	def test_endpoint_refuses_missing_and_wrong_keys_and_other_users(self):
		key, secret = self.integration_keys
		self.assertEqual(call(None, uscc=X_USCC).status_code, 401)
		self.assertEqual(call(None, header=f"token {key}:wrong-secret", uscc=X_USCC).status_code, 401)
		self.assertEqual(call(None, header=f"token no-such-key:{secret}", uscc=X_USCC).status_code, 401)
		for keys in (self.applicant_keys, self.officer_keys):
			r = call(keys, uscc=X_USCC)
			self.assertEqual(r.status_code, 403, r.text[:300])
			self.assertNotIn(X_UNIT, r.text)
		r = call(self.integration_keys, uscc="91500000ABC")
		self.assertEqual(r.status_code, 417)
		self.assertIn("统一社会信用代码", message(r))
		self.assertEqual(call(self.integration_keys).status_code, 417)  # no query: no list of everything

	def test_integration_user_reads_nothing_else(self):
		headers = {"Authorization": "token {}:{}".format(*self.integration_keys)}
		for path in (f"/api/resource/Case Application/{self.x}", "/api/resource/Case Application"):
			r = requests.get(f"{URL}{path}", headers=headers, timeout=60)
			self.assertEqual(r.status_code, 403, f"{path}: {r.text[:200]}")
		r = requests.post(
			f"{URL}/api/method/frappe.desk.query_report.run",
			data={"report_name": REPORT, "filters": json.dumps({"uscc": X_USCC})},
			headers=headers,
			timeout=60,
		)
		self.assertEqual(r.status_code, 403)

	def test_z_publishing_the_second_round_reveals_it(self):
		"""Sealed until published, whoever asks; the same query then finds both rounds."""
		self.assertEqual(call(self.integration_keys, uscc=X_USCC).json()["message"]["count"], 1)
		city = User(self.city.manager)
		city.ok(city.call("case_selection.api.publication.publish_results", round_name=SEALED))
		rows = call(self.integration_keys, uscc=X_USCC).json()["message"]["results"]
		self.assertEqual([(r["round"], r["case"]) for r in rows], [(SEALED, self.x2), (PUBLISHED, self.x)])
