"""Blind review (issue 22, part 3), sealed by storage, over HTTP against the served test site: in a round set to
匿名评审, the assigned expert reads the case from their own review — its narrative, with the applicant's and
partners' names masked — and through every read door of the door matrix (form, REST, lists, get_value, counts,
link search, report view, print and PDF, child rows) gets nothing of the case itself: the markers planted in
the unit's name, contact, address and partner unit never come back. The district still sees them (the control),
and when the city turns the setting off the expert reads the case again, and back on, is shut out again.
"""

import types

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import random_string

from case_selection.tests import flow, test_doors  # the module: its TestCase imported here would run here too
from case_selection.tests.factories import clear_round, make_round, make_user
from case_selection.tests.http import User, fresh, login, message

ROUND = "2085"
SEED = 8500


class TestBlindReview(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_round(int(ROUND), blind_review=1)
		cls.clean()
		cls.tag = random_string(8)
		cls.unit = f"重庆盲评标记{cls.tag}科技有限公司"
		cls.partner = f"重庆伙伴标记{cls.tag}研究院"
		cls.contact = f"联系人{cls.tag}"
		cls.yz = flow.District("渝中区", "blind")
		cls.city = flow.City("blind")
		owner = make_user("owner.blind@test.local", ["Case Applicant"])
		cls.case = flow.submitted(
			owner,
			SEED,
			round=ROUND,
			district="渝中区",
			unit_name=cls.unit,
			contact_person=cls.contact,
			registered_address=f"重庆市渝中区标记路{cls.tag}号",
			background=f"{cls.unit}联合{cls.partner}，针对行业检测效率低的痛点开展攻关，由{cls.contact}牵头组织实施。",
			partners=[{"partner_name": cls.partner, "partner_type": "高等学校", "partner_role": "联合攻关"}],
		)
		flow.to_city(cls.yz, cls.city, ROUND, [cls.case])
		cls.city.to_review(cls.case)
		cls.expert = make_user("expert.blind@test.local", ["Case Expert"])
		frappe.db.commit()
		cls.manager = User(cls.city.manager)
		cls.review = cls.manager.ok(
			cls.manager.call(
				"case_selection.api.review.assign_experts", application=cls.case, experts=[cls.expert]
			)
		).json()["message"][0]
		cls.partner_row = frappe.db.get_value("Case Partner Unit", {"parent": cls.case}, "name")

	@classmethod
	def tearDownClass(cls):
		fresh()
		frappe.db.set_value("Selection Round", ROUND, "blind_review", 0)
		cls.clean()
		frappe.db.commit()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		clear_round(ROUND)

	def set_blind(self, on: bool):
		self.manager.ok(self.manager.put("Selection Round", ROUND, {"blind_review": int(on)}))

	def leaks(self, user: str) -> list[str]:
		"""Every read door of the door matrix, for the case and its partner row, that shows a marker."""
		session = login(user)
		matrix = types.SimpleNamespace(d=None, d_files=(), tag=self.tag)
		failures = []
		for target in (
			test_doors.Target(
				"Case Application", self.case, self.tag, "unit_name", frozenset({user}), self.yz.lead
			),
			test_doors.Target(
				"Case Partner Unit",
				self.partner_row,
				self.tag,
				"partner_name",
				frozenset({user}),
				self.yz.lead,
				parent=("Case Application", self.case, "partners"),
			),
		):
			for r in test_doors.TestDoors.read_doors(matrix, session, target, user):
				if r.status >= 500 or r.leaked:
					failures.append(f"{target.doctype}: {r.door} answered {r.status} {r.detail}")
		return failures

	def test_a_blind_expert_reads_the_case_from_the_review_and_nothing_of_the_applicant(self):
		self.set_blind(True)
		expert = User(self.expert)
		review = expert.doc("Case Review", self.review)
		self.assertEqual(review["blind"], 1)
		content = review["case_content"]
		self.assertIn("针对行业检测效率低的痛点开展攻关", content)  # the narrative is there to judge
		self.assertIn("（申报单位）联合（合作单位）", content)  # the names in it are masked
		self.assertNotIn(self.tag, content)
		r = expert.get(f"/api/resource/Case Review/{self.review}")
		self.assertNotIn(self.tag, r.text)

		failures = self.leaks(self.expert)
		self.assertEqual(failures, [], "\n".join(failures[:40]))
		# Not even the form's own door answers the case.
		r = expert.get(f"/api/resource/Case Application/{self.case}")
		self.assertIn(r.status_code, (403, 404), message(r)[:200])

		# The control: the district reads the markers through the same door.
		r = User(self.yz.lead).get(f"/api/resource/Case Application/{self.case}")
		self.assertEqual(r.status_code, 200)
		self.assertIn(self.unit, test_doors.text_of(r))

	def test_the_round_setting_opens_and_closes_the_case_to_the_expert(self):
		expert = User(self.expert)
		self.set_blind(False)
		try:
			review = expert.doc("Case Review", self.review)
			self.assertEqual(review["blind"], 0)
			self.assertFalse(review.get("case_content"))
			r = expert.get(f"/api/resource/Case Application/{self.case}")
			self.assertEqual(r.status_code, 200, message(r)[:200])
			self.assertIn(self.unit, test_doors.text_of(r))
		finally:
			self.set_blind(True)
		review = expert.doc("Case Review", self.review)
		self.assertEqual(review["blind"], 1)
		self.assertNotIn(self.tag, review["case_content"])
		r = expert.get(f"/api/resource/Case Application/{self.case}")
		self.assertIn(r.status_code, (403, 404), message(r)[:200])

	def test_the_expert_cannot_write_the_blind_copy_or_the_flag(self):
		self.set_blind(True)
		expert = User(self.expert)
		r = expert.put("Case Review", self.review, {"blind": 0, "case_content": f"伪造 {self.unit}"})
		fresh()
		stored = frappe.db.get_value("Case Review", self.review, ["blind", "case_content"], as_dict=True)
		self.assertEqual(stored.blind, 1, message(r)[:200])
		self.assertNotIn("伪造", stored.case_content or "")
		r = expert.get(f"/api/resource/Case Application/{self.case}")
		self.assertIn(r.status_code, (403, 404), message(r)[:200])
