"""Expert review a city can defend (issue 22), on the site: experts as data (Review Expert), a conflicted or
unregistered expert refused on every door that creates a review, the balanced assignment of a round over HTTP
(two city staff at the same second assign once), and the experts' load report.

Cases of a round of their own are brought to review through the real flow (co-signed, listed, received, formal
check, Start Review); the city acts over HTTP on the served site.
"""

import json
import threading

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.access.system_write import system_write
from case_selection.review import conflicts, service
from case_selection.tests import flow
from case_selection.tests.factories import clear_round, make_round, make_user
from case_selection.tests.http import URL, User, fresh, message

ROUND = "2087"
SEEDS = range(8700, 8708)  # eight cases of 渝中区
PARTNER = "重庆星火伙伴科技有限公司"


def set_profile(user: str, **values):
	with system_write():
		doc = frappe.get_doc("Review Expert", user)
		doc.update(values)
		doc.save(ignore_permissions=True)


class TestReviewWiring(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_round(int(ROUND), experts_per_case=3, same_district_conflict=1)
		cls.clean()
		cls.yz = flow.District("渝中区", "yz")
		cls.city = flow.City("review")
		owner = make_user("owner.review@test.local", ["Case Applicant"])
		cls.cases = []
		for seed in SEEDS:
			cls.cases.append(
				flow.submitted(
					owner,
					seed,
					round=ROUND,
					district="渝中区",
					partners=[{"partner_name": PARTNER, "partner_type": "企业", "partner_role": "联合攻关"}]
					if seed == SEEDS[1]
					else [],
				)
			)
		flow.to_city(cls.yz, cls.city, ROUND, cls.cases)
		for name in cls.cases:
			cls.city.to_review(name)
		first = frappe.db.get_value("Case Application", cls.cases[0], ["unit_name", "uscc"], as_dict=True)
		cls.first = first
		# The pool: five experts with nothing in common with the cases, and four conflicted ones.
		cls.clean_experts = [make_user(f"pool{i}.review@test.local", ["Case Expert"]) for i in range(5)]
		cls.by_uscc = make_user("uscc.review@test.local", ["Case Expert"])
		set_profile(cls.by_uscc, unit_name="另一家单位", uscc=first.uscc)
		cls.by_name = make_user("name.review@test.local", ["Case Expert"])
		# The applicant's name written another way: 重庆市 for 重庆, full-width brackets, spaces
		set_profile(cls.by_name, unit_name=" 重庆市" + first.unit_name.removeprefix("重庆") + " ")
		cls.by_partner = make_user("partner.review@test.local", ["Case Expert"])
		set_profile(
			cls.by_partner,
			unit_name="重庆另一研究院",
			past_units=[{"unit_name": PARTNER.replace("有限公司", "（重庆）有限公司")}],
		)
		cls.by_district = make_user("district.review@test.local", ["Case Expert"])
		set_profile(cls.by_district, unit_name="渝中区某研究所", district="渝中区")
		cls.unregistered = make_user("unregistered.review@test.local", ["Case Applicant"])
		with system_write():
			frappe.get_doc("User", cls.unregistered).add_roles("Case Expert")  # the role, not the library
		cls.pool = [*cls.clean_experts, cls.by_uscc, cls.by_name, cls.by_partner, cls.by_district]
		# Only this test's experts are in the library while it runs: the others are set aside, then put back.
		cls.set_aside = frappe.get_all(
			"Review Expert", filters={"enabled": 1, "name": ("not in", cls.pool)}, pluck="name"
		)
		frappe.db.set_value("Review Expert", {"name": ("in", cls.set_aside or [""])}, "enabled", 0)
		frappe.db.commit()
		cls.manager = User(cls.city.manager)

	@classmethod
	def tearDownClass(cls):
		fresh()
		frappe.db.set_value("Review Expert", {"name": ("in", cls.set_aside or [""])}, "enabled", 1)
		cls.clean()
		frappe.db.commit()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		clear_round(ROUND)

	def reviews(self, name: str) -> set[str]:
		fresh()
		return set(frappe.get_all("Case Review", filters={"application": name}, pluck="expert"))

	def assign(self, name: str, expert: str):
		return self.manager.call(
			"case_selection.api.review.assign_experts", application=name, experts=[expert]
		)

	# Conflicts found, not declared ---------------------------------------------------------------------

	def test_a_conflicted_expert_is_refused_with_the_reason(self):
		first, second = self.cases[0], self.cases[1]
		for expert, case, reason in (
			(self.by_uscc, first, "统一社会信用代码"),
			(self.by_name, first, "单位名称规范化后"),
			(self.by_partner, second, "合作单位"),
			(self.by_district, first, "同区县专家回避"),
		):
			r = self.assign(case, expert)
			self.assertEqual(r.status_code, 417, (expert, message(r)[:300]))
			self.assertIn("利益冲突", message(r))
			self.assertIn(reason, message(r))
			self.assertNotIn(expert, self.reviews(case))
		# The same experts on a case they have nothing to do with: the USCC and name experts are fine on the
		# second case, the partner expert on the first
		for expert, case in ((self.by_uscc, second), (self.by_name, second), (self.by_partner, first)):
			self.manager.ok(self.assign(case, expert))
			self.assertIn(expert, self.reviews(case))
			frappe.db.delete("Case Review", {"application": case, "expert": expert})
			frappe.db.commit()

	def test_every_door_that_creates_a_review_checks(self):
		"""REST insert of a Case Review, not only the app's method."""
		r = self.manager.s.post(
			f"{URL}/api/resource/Case Review",
			json={"application": self.cases[0], "expert": self.by_uscc},
			timeout=60,
		)
		self.assertEqual(r.status_code, 417, message(r)[:300])
		self.assertIn("利益冲突", message(r))

	def test_an_expert_not_in_the_library_is_refused(self):
		r = self.assign(self.cases[2], self.unregistered)
		self.assertEqual(r.status_code, 417, message(r)[:300])
		self.assertIn("评审专家库", message(r))
		self.assertNotIn(self.unregistered, self.reviews(self.cases[2]))
		# one set aside (停用) likewise
		expert = self.clean_experts[0]
		frappe.db.set_value("Review Expert", expert, "enabled", 0)
		frappe.db.commit()
		try:
			r = self.assign(self.cases[2], expert)
			self.assertEqual(r.status_code, 417, message(r)[:300])
			self.assertIn("已停用", message(r))
		finally:
			frappe.db.set_value("Review Expert", expert, "enabled", 1)
			frappe.db.commit()

	def test_the_round_setting_turns_the_district_rule_off(self):
		make_round(int(ROUND), same_district_conflict=0)
		frappe.db.commit()
		try:
			self.manager.ok(self.assign(self.cases[3], self.by_district))
			self.assertIn(self.by_district, self.reviews(self.cases[3]))
		finally:
			frappe.db.delete("Case Review", {"application": self.cases[3], "expert": self.by_district})
			make_round(int(ROUND), same_district_conflict=1)
			frappe.db.commit()

	# Balanced assignment -------------------------------------------------------------------------------

	def clear_reviews(self):
		frappe.db.delete("Case Review", {"application": ("in", self.cases)})
		frappe.db.commit()

	def test_balanced_assignment_of_the_round_at_the_same_second(self):
		"""Two city staff press 均衡分配评审专家 at the same second: the round's cases get three experts each,
		once; no conflicted expert; the load of the experts free of conflicts differs by at most one. (Starts
		and ends with no review of the round's cases, whichever test ran before.)"""
		self.clear_reviews()
		self.addCleanup(self.clear_reviews)
		make_user("city2.review@test.local", ["City Case Manager"])
		frappe.db.commit()  # the server signs in what is committed
		second_manager = User("city2.review@test.local")
		answers = [None, None]
		start = threading.Barrier(2)

		def press(i, user):
			start.wait()
			answers[i] = user.call("case_selection.api.review.assign_round_experts", round_name=ROUND)

		threads = [
			threading.Thread(target=press, args=(i, u)) for i, u in enumerate((self.manager, second_manager))
		]
		for t in threads:
			t.start()
		for t in threads:
			t.join()
		for r in answers:
			self.assertEqual(r.status_code, 200, message(r)[:300])
		added = sorted(r.json()["message"]["added"] for r in answers)
		self.assertEqual(added, [0, 3 * len(self.cases)], "the second press found the first one's reviews")

		facts = service.case_facts(self.cases)
		experts = service.expert_facts(self.pool)
		load = dict.fromkeys(self.pool, 0)
		for name in self.cases:
			assigned = self.reviews(name)
			self.assertEqual(len(assigned), 3, name)
			for expert in assigned:
				self.assertIn(expert, self.pool)
				self.assertEqual(
					conflicts.find_conflicts(experts[expert], facts[name], True), [], (expert, name)
				)
				load[expert] += 1
		self.assertEqual(load[self.by_district], 0)  # 渝中区 like every case
		free = [load[e] for e in self.clean_experts]
		self.assertLessEqual(max(free) - min(free), 1, load)

		# The load report, as the city reads it
		r = self.manager.ok(
			self.manager.call(
				"frappe.desk.query_report.run",
				report_name="Expert Review Load",
				filters=json.dumps({"round": ROUND}),
			)
		)
		rows = {row["expert"]: row for row in r.json()["message"]["result"] if isinstance(row, dict)}
		for expert in self.pool:
			self.assertEqual(rows[expert]["assigned"], load[expert], expert)
			self.assertEqual(rows[expert]["pending"], load[expert], expert)

	def test_refusals_are_typed(self):
		applicant = User("owner.review@test.local")  # made in setUpClass
		r = applicant.call("case_selection.api.review.assign_round_experts", round_name=ROUND)
		self.assertEqual(r.status_code, 403, message(r)[:200])
		r = self.manager.call("case_selection.api.review.assign_round_experts", round_name="1900")
		self.assertEqual(r.status_code, 404, message(r)[:200])
		r = self.manager.call(
			"case_selection.api.review.assign_round_experts", round_name=ROUND, per_case="三"
		)
		self.assertEqual(r.status_code, 417, message(r)[:200])
		self.assertIn("每个案例评审专家数", message(r))
		r = self.manager.call("case_selection.api.review.assign_round_experts", round_name=ROUND, per_case=99)
		self.assertEqual(r.status_code, 417, message(r)[:200])
		# The library is the city's: an applicant reads none of it, through the list or the record
		r = applicant.get("/api/resource/Review Expert", fields=json.dumps(["name", "unit_name"]))
		self.assertEqual(r.status_code, 403, r.text[:200])
		r = applicant.get(f"/api/resource/Review Expert/{self.by_uscc}")
		self.assertEqual(r.status_code, 403, r.text[:200])
