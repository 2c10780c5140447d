"""Every way back leads forward (issue 8), over HTTP against the served test site, as the users who act.

Each path: the return, the revision, new signatures (any return and any change to a list clears them), the
new submission before the deadline, the city's receipt, review and selection; the history names each step
with its true states.
"""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, nowdate

from case_selection.access import sealing
from case_selection.tests import flow
from case_selection.tests.factories import (
	application_values,
	clear_round,
	make_round,
	make_user,
)
from case_selection.tests.http import REFUSED, User, fresh, message

ROUND_YEAR = 2092
ROUND = str(ROUND_YEAR)
AGREE = "同意推荐"


class TestWaysBack(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_round(ROUND_YEAR, public_notice_days=0)
		cls.yz = flow.District("渝中区", "yz")
		cls.applicant = make_user("applicant.back@test.local", ["Case Applicant"])
		cls.city_user = make_user("city.back@test.local", ["City Case Manager"])
		cls.expert = make_user("expert.back@test.local", ["Case Expert"])
		frappe.db.commit()
		cls.owner = User(cls.applicant)
		cls.lead = User(cls.yz.lead)
		cls.kj = User(cls.yz.users["kj"])
		cls.jy = User(cls.yz.users["jy"])
		cls.city = User(cls.city_user)
		cls.signers = {"jx": cls.lead, "kj": cls.kj, "jy": cls.jy}

	def setUp(self):
		self.clean()

	@classmethod
	def tearDownClass(cls):
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		fresh()
		clear_round(ROUND)
		make_round(ROUND_YEAR, public_notice_days=0)
		frappe.db.commit()

	# helpers ------------------------------------------------------------------------------------------------

	def new_case(self, seed: int) -> str:
		values = application_values(seed=920 + seed, round=ROUND, case_title=f"退回测试{seed}")
		r = self.owner.ok(self.owner.call("frappe.client.insert", doc=values))
		name = r.json()["message"]["name"]
		self.owner.ok(self.owner.act("Case Application", name, "Submit to District"))
		return name

	def sign(self, doctype, name, opinion=AGREE, who=("jx", "kj", "jy"), remarks=""):
		out = None
		for key in who:
			r = self.signers[key].call(
				"case_selection.api.cosigning.cosign",
				doctype=doctype,
				name=name,
				opinion=opinion,
				remarks=remarks or ("" if opinion == AGREE else "理由"),
			)
			out = self.signers[key].ok(r).json()["message"]
		return out

	def state(self, name) -> str:
		fresh()
		return sealing.real_state(name)  # the city's (access/sealing.py)

	def list_status(self, name) -> tuple[str, str]:
		fresh()
		return tuple(frappe.db.get_value("District Recommendation List", name, ["status", "cosign_status"]))

	def opinions(self, doctype, name) -> int:
		fresh()
		return frappe.db.count("Case Cosign Opinion", {"reference_doctype": doctype, "reference_name": name})

	def moves(self, doctype, name) -> list[tuple[str, str]]:
		fresh()
		return [
			(r.from_state or "", r.to_state)
			for r in frappe.get_all(
				"Case Action Log",
				filters={"reference_doctype": doctype, "reference_name": name, "to_state": ("is", "set")},
				fields=["from_state", "to_state"],
				order_by="action_time asc, creation asc",
			)
		]

	def make_list(self, names) -> str:
		r = self.lead.call(
			"frappe.client.insert",
			doc={
				"doctype": "District Recommendation List",
				"round": ROUND,
				"district": "渝中区",
				"contact_person": "周联络",
				"items": [{"application": n} for n in names],
			},
		)
		return self.lead.ok(r).json()["message"]["name"]

	def submit_list(self, lst):
		return self.lead.call("case_selection.api.lists.submit_list", name=lst)

	def review_and_decide(self, name, action):
		self.city.ok(self.city.put("Case Evaluation", name, {"formal_check": "通过"}))
		self.city.ok(self.city.act("Case Application", name, "Start Review"))
		review = self.city.ok(
			self.city.call(
				"case_selection.api.review.assign_experts", application=name, experts=[self.expert]
			)
		).json()["message"][0]
		expert = User(self.expert)
		doc = expert.doc("Case Review", review)
		for row in doc["scores"]:
			row["score"] = 80
		expert.ok(expert.put("Case Review", review, {"scores": doc["scores"], "no_conflict_declared": 1}))
		if action == "Select":
			self.city.ok(self.city.act("Case Application", name, "Shortlist"))
			self.city.ok(self.city.act("Case Application", name, "Start Public Notice"))
		self.city.ok(self.city.act("Case Application", name, action))

	# the paths ----------------------------------------------------------------------------------------------

	def test_the_district_returns_a_case_to_the_applicant(self):
		name = self.new_case(1)
		r = self.lead.act("Case Application", name, "Return for Revision")
		self.lead.ok(r)
		self.assertEqual(self.state(name), "Returned")
		self.owner.ok(self.owner.put("Case Application", name, {"keywords": "按区县意见修改"}))
		self.owner.ok(self.owner.act("Case Application", name, "Resubmit"))
		self.assertEqual(self.sign("Case Application", name)["cosign_status"], "Agreed")
		self.assertEqual(self.state(name), "Recommended")
		self.assertEqual(
			self.moves("Case Application", name)[1:],
			[
				("Draft", "Submitted"),
				("Submitted", "Returned"),
				("Returned", "Submitted"),
				("Submitted", "District Co-signing"),
				("District Co-signing", "Recommended"),
			],
		)

	def test_a_department_returns_it_during_co_signing(self):
		name = self.new_case(2)
		self.sign("Case Application", name, who=("jx",))
		out = self.sign("Case Application", name, opinion="退回", who=("jy",), remarks="佐证材料不全")
		self.assertEqual(out["cosign_status"], "Returned")
		self.assertEqual(self.state(name), "Returned")
		self.owner.ok(self.owner.put("Case Application", name, {"keywords": "补充佐证"}))
		self.owner.ok(self.owner.act("Case Application", name, "Resubmit"))
		self.assertEqual(self.opinions("Case Application", name), 0)  # signatures start again
		self.sign("Case Application", name)
		self.assertEqual(self.state(name), "Recommended")

	def test_a_case_not_recommended_can_be_revised_and_sent_again(self):
		name = self.new_case(3)
		self.sign("Case Application", name, who=("jx", "kj"))
		self.sign("Case Application", name, opinion="不同意", who=("jy",))
		self.assertEqual(self.state(name), "Not Recommended")
		self.assertIn(self.owner.act("Case Application", name, "Resubmit").status_code, REFUSED)
		self.lead.ok(self.lead.act("Case Application", name, "Return for Revision"))
		self.owner.ok(self.owner.act("Case Application", name, "Resubmit"))
		self.sign("Case Application", name)
		self.assertEqual(self.state(name), "Recommended")

	def test_the_city_returns_one_received_case(self):
		a, b = self.new_case(4), self.new_case(5)
		self.sign("Case Application", a)
		self.sign("Case Application", b)
		lst = self.make_list([a, b])
		self.sign("District Recommendation List", lst)
		self.lead.ok(self.submit_list(lst))
		self.city.ok(self.city.call("case_selection.api.lists.receive_list", name=lst))
		# a return needs a reason
		self.assertIn(
			self.city.call("case_selection.api.cases.return_case", name=a, reason=" ").status_code, REFUSED
		)
		self.city.ok(
			self.city.call("case_selection.api.cases.return_case", name=a, reason="佐证材料与申报书不符")
		)
		self.assertEqual(self.state(a), "City Returned")
		self.assertEqual(self.state(b), "Received")
		self.assertEqual(self.list_status(lst), ("City Returned", "Pending"))
		self.assertEqual(self.opinions("District Recommendation List", lst), 0)
		fresh()
		self.assertFalse(frappe.db.get_value("Case Application", a, "recommendation_list"))
		# the list cannot go back as it was: the case must be signed again, then the list
		self.assertIn(self.submit_list(lst).status_code, REFUSED)
		self.sign("Case Application", a)
		self.assertEqual(self.state(a), "Recommended")
		self.assertIn(self.submit_list(lst).status_code, REFUSED)  # the list's signatures were cleared
		self.sign("District Recommendation List", lst)
		self.lead.ok(self.submit_list(lst))
		self.assertEqual((self.state(a), self.state(b)), ("Submitted to City", "Received"))
		self.city.ok(self.city.call("case_selection.api.lists.receive_list", name=lst))
		self.assertEqual((self.state(a), self.state(b)), ("Received", "Received"))
		self.review_and_decide(a, "Select")
		self.review_and_decide(b, "Reject")
		self.assertEqual((self.state(a), self.state(b)), ("Selected", "Not Selected"))
		self.assertEqual(
			[m for m in self.moves("Case Application", a) if m[0] in ("Received", "City Returned")],
			[
				("Received", "City Returned"),
				("City Returned", "District Co-signing"),
				("Received", "Under Review"),
			],
		)
		list_moves = self.moves("District Recommendation List", lst)
		self.assertIn(("Received", "City Returned"), list_moves)
		self.assertIn(("Co-signing", "Submitted to City"), list_moves)
		self.assertEqual(list_moves.count(("Submitted to City", "Received")), 2)

	def test_the_city_returns_the_whole_list(self):
		a, b = self.new_case(6), self.new_case(7)
		for n in (a, b):
			self.sign("Case Application", n)
		lst = self.make_list([a, b])
		self.sign("District Recommendation List", lst)
		self.lead.ok(self.submit_list(lst))
		r = self.city.call("case_selection.api.lists.return_list", name=lst, reason="名单缺少联系人电话")
		self.city.ok(r)
		self.assertEqual((self.state(a), self.state(b)), ("City Returned", "City Returned"))
		self.assertEqual(self.list_status(lst), ("City Returned", "Pending"))
		self.assertEqual(self.opinions("Case Application", a), 0)
		# the district drops one case back to its applicant, fixes the list, signs everything again
		self.lead.ok(self.lead.act("Case Application", b, "Return for Revision"))
		doc = self.lead.doc("District Recommendation List", lst)
		items = [row for row in doc["items"] if row["application"] == a]
		self.lead.ok(
			self.lead.put("District Recommendation List", lst, {"items": items, "contact_phone": "023-1"})
		)
		self.sign("Case Application", a)
		self.sign("District Recommendation List", lst)
		self.lead.ok(self.submit_list(lst))
		self.city.ok(self.city.call("case_selection.api.lists.receive_list", name=lst))
		self.assertEqual((self.state(a), self.state(b)), ("Received", "Returned"))
		self.assertEqual(
			self.moves("District Recommendation List", lst)[-3:],
			[
				("Submitted to City", "City Returned"),
				("Co-signing", "Submitted to City"),  # signed again after the return
				("Submitted to City", "Received"),
			],
		)

	def test_any_change_to_a_list_clears_its_signatures(self):
		a = self.new_case(8)
		self.sign("Case Application", a)
		lst = self.make_list([a])
		self.sign("District Recommendation List", lst, who=("jx", "kj"))
		self.assertEqual(self.opinions("District Recommendation List", lst), 2)
		self.lead.ok(self.lead.put("District Recommendation List", lst, {"contact_person": "新联络人"}))
		self.assertEqual(self.opinions("District Recommendation List", lst), 0)
		self.assertEqual(self.list_status(lst)[1], "Pending")

	def test_resubmission_keeps_the_deadline_or_the_extension(self):
		a = self.new_case(9)
		self.sign("Case Application", a)
		lst = self.make_list([a])
		self.sign("District Recommendation List", lst)
		self.lead.ok(self.submit_list(lst))
		self.city.ok(self.city.call("case_selection.api.lists.return_list", name=lst, reason="补充材料"))
		self.sign("Case Application", a)
		self.sign("District Recommendation List", lst)
		make_round(ROUND_YEAR, public_notice_days=0, district_deadline=add_days(nowdate(), -1))
		frappe.db.commit()
		r = self.submit_list(lst)
		self.assertIn(r.status_code, REFUSED)
		self.assertIn("截止日期", message(r))
		make_round(
			ROUND_YEAR,
			public_notice_days=0,
			district_deadline=add_days(nowdate(), -1),
			district_settings=[{"district": "渝中区", "extended_deadline": add_days(nowdate(), 3)}],
		)
		frappe.db.commit()
		self.lead.ok(self.submit_list(lst))
		self.assertEqual(self.state(a), "Submitted to City")
