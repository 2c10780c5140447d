"""A case from 草稿 to 入选, and the refusals on the way."""

import frappe
from frappe.model.workflow import (
	WorkflowPermissionError,
	WorkflowTransitionError,
	apply_workflow,
	bulk_workflow_approval,
)
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, nowdate

from case_selection.access import sealing
from case_selection.access.system_write import system_write
from case_selection.access.write_policy import WritePolicyError
from case_selection.api.cosigning import cosign
from case_selection.api.publication import publish_results
from case_selection.api.review import assign_experts
from case_selection.exceptions import CosignError, DeadlinePassedError, QuotaExceededError, ReviewError
from case_selection.tests.factories import district_users, make_application, make_round, make_user
from case_selection.workflow.action_log import history


def as_user(user, fn, *args, **kw):
	frappe.set_user(user)
	try:
		return fn(*args, **kw)
	finally:
		frappe.set_user("Administrator")


ROUND_YEAR = 2097
ROUND = str(ROUND_YEAR)


class TestFlow(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		make_round()
		self.yz = district_users("渝中区", "yz")
		self.wz = district_users("万州区", "wz")
		self.applicant = make_user("applicant.flow@test.local", ["Case Applicant"])
		self.city = make_user("city.flow@test.local", ["City Case Manager"])
		self.expert = make_user("expert.flow@test.local", ["Case Expert"])
		with system_write():
			for name in frappe.get_all(
				"District Recommendation List", {"round": ("in", ["2098", ROUND])}, pluck="name"
			):
				frappe.delete_doc("District Recommendation List", name, force=True)

	def submitted_case(self, seed, **kw):
		app = make_application(seed=seed, **kw)
		return apply_workflow(app, "Submit to District")

	def sign_all(self, name, users=None, opinion="同意推荐"):
		users = users or self.yz
		for key in ("jx", "kj", "jy"):
			out = as_user(
				users[key], cosign, "Case Application", name, opinion, "" if opinion == "同意推荐" else "理由"
			)
		return out

	def test_full_flow_from_draft_to_selected(self):
		# A round of its own: publication needs every case of the round decided.
		make_round(ROUND_YEAR, public_notice_days=0)
		app = make_application(as_user=self.applicant, seed=10, round=ROUND)
		self.assertEqual(app.owner, self.applicant)
		frappe.set_user(self.applicant)
		app = apply_workflow(app, "Submit to District")
		self.assertEqual(app.workflow_state, "Submitted")
		frappe.set_user("Administrator")

		# 会签 in any order: 教育, 经信, 科技
		out = as_user(self.yz["jy"], cosign, "Case Application", app.name, "同意推荐")
		self.assertEqual(out["state"], "District Co-signing")
		as_user(self.yz["jx"], cosign, "Case Application", app.name, "同意推荐")
		self.assertEqual(
			frappe.db.get_value("Case Application", app.name, "workflow_state"), "District Co-signing"
		)
		out = as_user(self.yz["kj"], cosign, "Case Application", app.name, "同意推荐")
		self.assertEqual(out, {"cosign_status": "Agreed", "state": "Recommended"})

		# 附件2: the list, co-signed by the three, submitted by 经信
		frappe.set_user(self.yz["jx"])
		lst = frappe.get_doc(
			{
				"doctype": "District Recommendation List",
				"round": ROUND,
				"district": "渝中区",
				"items": [{"application": app.name}],
			}
		).insert()
		self.assertEqual(lst.items[0].unit_name, app.unit_name)
		frappe.set_user("Administrator")
		with self.assertRaises(CosignError):  # not yet co-signed
			as_user(
				self.yz["jx"],
				lambda: frappe.get_doc("District Recommendation List", lst.name).submit_to_city(),
			)
		for key in ("jx", "kj", "jy"):
			as_user(self.yz[key], cosign, "District Recommendation List", lst.name, "同意推荐")
		with self.assertRaises(frappe.PermissionError):  # only the lead department submits
			as_user(
				self.yz["kj"],
				lambda: frappe.get_doc("District Recommendation List", lst.name).submit_to_city(),
			)
		as_user(
			self.yz["jx"], lambda: frappe.get_doc("District Recommendation List", lst.name).submit_to_city()
		)
		self.assertEqual(
			frappe.db.get_value("Case Application", app.name, "workflow_state"), "Submitted to City"
		)

		# locked: the district can no longer change the text
		frappe.set_user(self.yz["jx"])
		doc = frappe.get_doc("Case Application", app.name)
		doc.case_title = "改名"
		with self.assertRaises(WritePolicyError):
			doc.save()
		frappe.set_user("Administrator")

		# city: receipt, formal check, experts, review, shortlist, public notice, selection, publication
		as_user(self.city, lambda: frappe.get_doc("District Recommendation List", lst.name).receive())
		self.assertEqual(frappe.db.get_value("Case Application", app.name, "workflow_state"), "Received")
		frappe.set_user(self.city)
		doc = frappe.get_doc("Case Application", app.name)
		with self.assertRaises(WorkflowTransitionError):  # formal check not passed yet
			apply_workflow(doc, "Start Review")
		evaluation = frappe.get_doc("Case Evaluation", app.name)  # the city's record (access/sealing.py)
		evaluation.formal_check = "通过"
		evaluation.save()
		apply_workflow(frappe.get_doc("Case Application", app.name), "Start Review")
		[review] = assign_experts(app.name, [self.expert])
		frappe.set_user(self.expert)
		rv = frappe.get_doc("Case Review", review)
		self.assertEqual(
			[s.criterion for s in rv.scores], ["代表性", "示范性", "实效性", "借鉴意义", "推广价值"]
		)
		for s, score in zip(rv.scores, (90, 80, 70, 60, 100), strict=True):
			s.score = score
		with self.assertRaises(ReviewError):  # conflict-of-interest declaration first
			rv.save()
		rv = frappe.get_doc("Case Review", review)
		for s, score in zip(rv.scores, (90, 80, 70, 60, 100), strict=True):
			s.score = score
		rv.no_conflict_declared = 1
		rv.comments = "示范性强"
		rv.save()
		self.assertAlmostEqual(rv.total_score, 80.0)
		frappe.set_user(self.city)
		self.assertAlmostEqual(frappe.db.get_value("Case Evaluation", app.name, "review_score"), 80.0)
		for action in ("Shortlist", "Start Public Notice"):
			apply_workflow(frappe.get_doc("Case Application", app.name), action)
		objection = frappe.get_doc(
			{"doctype": "Case Objection", "application": app.name, "content": "数据存疑"}
		).insert()
		with self.assertRaises(WorkflowTransitionError):  # an open objection blocks selection
			apply_workflow(frappe.get_doc("Case Application", app.name), "Select")
		objection.status = "Dismissed"
		objection.save()
		apply_workflow(frappe.get_doc("Case Application", app.name), "Select")
		result = publish_results(ROUND)
		self.assertEqual(result["Selected"], 1)
		self.assertEqual(frappe.db.get_value("Selection Round", ROUND, "status"), "Published")
		frappe.set_user("Administrator")

		states = [h.to_state for h in history("Case Application", app.name) if h.to_state]
		self.assertEqual(
			states,
			[
				"Draft",
				"Submitted",
				"District Co-signing",
				"Recommended",
				"Submitted to City",
				"Received",
				"Under Review",
				"Shortlisted",
				"In Public Notice",
				"Selected",
			],
		)
		actors = {h.actor for h in history("Case Application", app.name)}
		self.assertTrue({self.applicant, self.yz["jy"], self.yz["kj"], self.yz["jx"], self.city} <= actors)
		# Who acts next is told by assignments and Notifications: Frappe's Workflow Actions are off (every state of
		# the shipped workflow is optional), so none was made along the way.
		self.assertEqual(frappe.db.count("Workflow Action", {"reference_name": app.name}), 0)
		make_round(ROUND_YEAR, public_notice_days=0)

	def cases_under_review(self, seeds):
		"""Several cases of 渝中区 carried through co-signing, the district list and receipt to 市级评审中."""
		names = []
		for seed in seeds:
			app = self.submitted_case(seed)
			self.sign_all(app.name)
			names.append(app.name)
		frappe.set_user(self.yz["jx"])
		lst = frappe.get_doc(
			{
				"doctype": "District Recommendation List",
				"round": "2098",
				"district": "渝中区",
				"items": [{"application": n} for n in names],
			}
		).insert()
		frappe.set_user("Administrator")
		for key in ("jx", "kj", "jy"):
			as_user(self.yz[key], cosign, "District Recommendation List", lst.name, "同意推荐")
		as_user(
			self.yz["jx"], lambda: frappe.get_doc("District Recommendation List", lst.name).submit_to_city()
		)
		as_user(self.city, lambda: frappe.get_doc("District Recommendation List", lst.name).receive())
		frappe.set_user(self.city)
		for n in names:
			doc = frappe.get_doc("Case Evaluation", n)
			doc.formal_check = "通过"
			doc.save()
			apply_workflow(frappe.get_doc("Case Application", n), "Start Review")
		frappe.set_user("Administrator")
		return names

	def test_bulk_decisions_by_the_city(self):

		names = self.cases_under_review((20, 21, 22))
		frappe.set_user(self.city)
		bulk_workflow_approval(frappe.as_json(names[:2]), "Case Application", "Shortlist")
		bulk_workflow_approval(frappe.as_json(names[2:]), "Case Application", "Reject")
		frappe.set_user("Administrator")
		states = [sealing.real_state(n) for n in names]
		self.assertEqual(states, ["Shortlisted", "Shortlisted", "Not Selected"])
		# a district officer cannot take the city's decisions, in bulk or not
		frappe.set_user(self.yz["jx"])
		with self.assertRaises((WorkflowTransitionError, frappe.PermissionError)):
			apply_workflow(frappe.get_doc("Case Application", names[0]), "Start Public Notice")
		frappe.set_user("Administrator")

	def test_cosigning_departments_are_data(self):
		"""A later round may drop a department: two signatures then suffice, with no code change."""
		make_round(
			cosign_departments=[
				{"department": "经信", "role": "District Economy Officer", "is_lead": 1},
				{"department": "科技", "role": "District Science Officer"},
			]
		)
		try:
			app = self.submitted_case(15)
			as_user(self.yz["kj"], cosign, "Case Application", app.name, "同意推荐")
			out = as_user(self.yz["jx"], cosign, "Case Application", app.name, "同意推荐")
			self.assertEqual(out, {"cosign_status": "Agreed", "state": "Recommended"})
			with self.assertRaises(frappe.PermissionError):  # 教育 is no longer a co-signer this round
				as_user(self.yz["jy"], cosign, "Case Application", app.name, "同意推荐")
		finally:
			round_doc = frappe.get_doc("Selection Round", "2098")
			round_doc.cosign_departments = []
			round_doc.fill_default_tables()
			round_doc.save()

	def test_one_return_sends_it_back_and_one_no_means_not_recommended(self):
		app = self.submitted_case(11)
		as_user(self.yz["kj"], cosign, "Case Application", app.name, "同意推荐")
		out = as_user(self.yz["jy"], cosign, "Case Application", app.name, "退回", "佐证材料不全")
		self.assertEqual(out, {"cosign_status": "Returned", "state": "Returned"})
		# resubmitted: signatures start again
		apply_workflow(frappe.get_doc("Case Application", app.name), "Resubmit")
		self.assertEqual(frappe.db.count("Case Cosign Opinion", {"reference_name": app.name}), 0)
		as_user(self.yz["jx"], cosign, "Case Application", app.name, "同意推荐")
		out = as_user(self.yz["kj"], cosign, "Case Application", app.name, "不同意", "创新性不足")
		self.assertEqual(out["state"], "District Co-signing")  # 教育 has not signed yet
		out = as_user(self.yz["jy"], cosign, "Case Application", app.name, "同意推荐")
		self.assertEqual(out, {"cosign_status": "Disagreed", "state": "Not Recommended"})

	def test_refusals_wrong_role_wrong_district_missing_cosign(self):
		app = self.submitted_case(12)
		with self.assertRaises(frappe.PermissionError):  # another district's officer
			as_user(self.wz["kj"], cosign, "Case Application", app.name, "同意推荐")
		with self.assertRaises(frappe.PermissionError):  # not a co-signing role
			as_user(self.applicant, cosign, "Case Application", app.name, "同意推荐")
		with self.assertRaises(CosignError):  # 不同意 without a reason
			as_user(self.yz["jy"], cosign, "Case Application", app.name, "不同意")
		as_user(self.yz["jx"], cosign, "Case Application", app.name, "同意推荐")
		as_user(self.yz["kj"], cosign, "Case Application", app.name, "同意推荐")
		# 教育 missing: not Recommended, so it cannot go into a list
		self.assertEqual(
			frappe.db.get_value("Case Application", app.name, "workflow_state"), "District Co-signing"
		)
		frappe.set_user(self.yz["jx"])
		with self.assertRaises(frappe.ValidationError) as cm:
			frappe.get_doc(
				{
					"doctype": "District Recommendation List",
					"round": "2098",
					"district": "渝中区",
					"items": [{"application": app.name}],
				}
			).insert()
		self.assertIn("只有区县已推荐的案例才能列入名单", str(cm.exception))
		# nobody can jump the state by hand
		with self.assertRaises((WorkflowPermissionError, WorkflowTransitionError, frappe.PermissionError)):
			apply_workflow(frappe.get_doc("Case Application", app.name), "Co-sign Agreed")
		frappe.set_user(self.applicant)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc("Case Application", app.name).check_permission("read")
		self.assertNotIn(app.name, frappe.get_list("Case Application", pluck="name"))
		frappe.set_user(self.wz["jx"])
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc("Case Application", app.name).check_permission("read")
		self.assertNotIn(app.name, frappe.get_list("Case Application", pluck="name"))
		frappe.set_user(self.yz["jy"])
		self.assertIn(app.name, frappe.get_list("Case Application", pluck="name"))

	def test_results_cannot_be_typed_in(self):
		"""What co-signing, submission and review decide is never taken from a user's save."""
		app = make_application(as_user=self.applicant, seed=16)
		frappe.set_user(self.applicant)
		doc = frappe.get_doc("Case Application", app.name)
		doc.cosign_status = "Agreed"
		with self.assertRaises(WritePolicyError) as cm:
			doc.save()
		self.assertIn("会签结果", str(cm.exception))
		with self.assertRaises(frappe.PermissionError):  # the formal check is the city's record's
			frappe.get_doc(
				{"doctype": "Case Evaluation", "application": app.name, "formal_check": "通过"}
			).insert()
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Case Application", app.name, "cosign_status"), "Pending")

		app = self.submitted_case(17)
		self.sign_all(app.name)
		frappe.set_user(self.yz["jx"])
		lst = frappe.get_doc(
			{
				"doctype": "District Recommendation List",
				"round": "2098",
				"district": "渝中区",
				"items": [{"application": app.name}],
			}
		).insert()
		lst.status, lst.cosign_status = "Co-signing", "Agreed"  # skipping the co-signing
		with self.assertRaises(WritePolicyError):
			lst.save()
		with self.assertRaises(CosignError):
			frappe.get_doc("District Recommendation List", lst.name).submit_to_city()
		frappe.set_user("Administrator")

	def test_a_district_quota_of_zero_allows_no_case(self):
		make_round(default_quota=5, district_settings=[{"district": "渝中区", "quota": "0"}])
		a = self.submitted_case(15)
		self.sign_all(a.name)
		frappe.set_user(self.yz["jx"])
		with self.assertRaises(QuotaExceededError) as cm:
			frappe.get_doc(
				{
					"doctype": "District Recommendation List",
					"round": "2098",
					"district": "渝中区",
					"items": [{"application": a.name}],
				}
			).insert()
		self.assertIn("推荐名额 0 个", str(cm.exception))
		frappe.set_user("Administrator")
		self.assertFalse(
			frappe.db.exists("District Recommendation List", {"round": "2098", "district": "渝中区"})
		)

	def test_quota_and_late_list_submission(self):

		make_round(default_quota=1)
		a, b = self.submitted_case(13), self.submitted_case(14)
		self.sign_all(a.name)
		self.sign_all(b.name)
		frappe.set_user(self.yz["jx"])
		with self.assertRaises(QuotaExceededError):
			frappe.get_doc(
				{
					"doctype": "District Recommendation List",
					"round": "2098",
					"district": "渝中区",
					"items": [{"application": a.name}, {"application": b.name}],
				}
			).insert()
		lst = frappe.get_doc(
			{
				"doctype": "District Recommendation List",
				"round": "2098",
				"district": "渝中区",
				"items": [{"application": a.name}],
			}
		).insert()
		frappe.set_user("Administrator")
		for key in ("jx", "kj", "jy"):
			as_user(self.yz[key], cosign, "District Recommendation List", lst.name, "同意推荐")
		make_round(default_quota=1, district_deadline=add_days(nowdate(), -1))
		with self.assertRaises(DeadlinePassedError):
			as_user(
				self.yz["jx"],
				lambda: frappe.get_doc("District Recommendation List", lst.name).submit_to_city(),
			)
		make_round(
			default_quota=1,
			district_deadline=add_days(nowdate(), -1),
			district_settings=[{"district": "渝中区", "extended_deadline": add_days(nowdate(), 2)}],
		)
		as_user(
			self.yz["jx"], lambda: frappe.get_doc("District Recommendation List", lst.name).submit_to_city()
		)
		self.assertEqual(
			frappe.db.get_value("Case Application", a.name, "workflow_state"), "Submitted to City"
		)
		make_round()
