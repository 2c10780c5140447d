"""Scores a city can defend (issue 22, part 4), on the site over HTTP: three experts score three cases, one
recuses; the city's 评分比较 shows the raw and the normalised ranking side by side with the figures computed
here by hand, flags the case the experts disagree on, and the same figures are in the city summary's sheets; a
recused review counts in no average; an expert sees the others' totals (no names) only once their own is in,
and never when the round says so; the two reports are the city's only.

Hand-computed example (every criterion of a review given the same score, so the weighted total is that score):

	          expert A  expert B  expert C
	case 1       90        80        60
	case 2       80        70        90
	case 3       70        60     (recused)

Expert means and population SDs: A 80 / 8.165, B 70 / 8.165, C 75 / 15. Pool of the 8 counted totals: mean 75,
SD √125 = 11.180. Normalised = 75 + z · 11.180: A 88.69 / 75 / 61.31, B the same, C 63.82 / 86.18. Case
averages raw 76.67 / 80.00 / 65.00 (ranks 2, 1, 3), normalised 80.40 / 78.73 / 61.31 (ranks 1, 2, 3): once the
lenient A and the harsh B are told apart from C's wide scale, case 1 moves ahead of case 2. Case 1's spread
(population SD of 90, 80, 60) is 12.47, above the round's 10: 专家分歧较大; case 2's is 8.16, case 3's 5.
Each expert's mean gap to the others on the same cases: A (20 + 0 + 10) / 3 = +10, B (5 − 15 − 10) / 3 = −6.67,
C (−25 + 15) / 2 = −5; beyond the typical gap on one case (9.08) only A: 偏松.
"""

import io
import json

import frappe
from frappe.tests.utils import FrappeTestCase
from openpyxl import load_workbook

from case_selection.access.system_write import system_write
from case_selection.review import service
from case_selection.tests import flow
from case_selection.tests.factories import clear_round, make_round, make_user
from case_selection.tests.http import URL, User, fresh, message

ROUND = "2086"
SEEDS = range(8600, 8603)
TOTALS = {  # case index → expert index → total (None: recused)
	0: (90, 80, 60),
	1: (80, 70, 90),
	2: (70, 60, None),
}
RAW = (76.67, 80.0, 65.0)
NORMALISED = (80.4, 78.73, 61.31)
RANK_RAW = (2, 1, 3)
RANK_NORMALISED = (1, 2, 3)
SPREAD = (12.47, 8.16, 5.0)


class TestReviewScores(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_round(int(ROUND), disagreement_sd=10, peer_scores="After Own Score")
		cls.clean()
		cls.yz = flow.District("渝中区", "scores")
		cls.city = flow.City("scores")
		owner = make_user("owner.scores@test.local", ["Case Applicant"])
		cls.cases = [flow.submitted(owner, seed, round=ROUND, district="渝中区") for seed in SEEDS]
		flow.to_city(cls.yz, cls.city, ROUND, cls.cases)
		for name in cls.cases:
			cls.city.to_review(name)
		cls.experts = [make_user(f"expert{i}.scores@test.local", ["Case Expert"]) for i in range(3)]
		cls.spare = make_user("spare.scores@test.local", ["Case Expert"])
		cls.district_officer = cls.yz.users["jx"]
		# Only this test's experts are in the library while it runs (the balanced assignment below).
		cls.set_aside = frappe.get_all(
			"Review Expert",
			filters={"enabled": 1, "name": ("not in", [*cls.experts, cls.spare])},
			pluck="name",
		)
		frappe.db.set_value("Review Expert", {"name": ("in", cls.set_aside or [""])}, "enabled", 0)
		frappe.db.commit()
		cls.manager = User(cls.city.manager)
		cls.review = {}
		for c, name in enumerate(cls.cases):
			made = cls.manager.ok(
				cls.manager.call(
					"case_selection.api.review.assign_experts", application=name, experts=cls.experts
				)
			).json()["message"]
			for e, review in enumerate(made):
				cls.review[(c, e)] = review
		cls.users = [User(e) for e in cls.experts]
		for (c, e), review in cls.review.items():
			total = TOTALS[c][e]
			if total is not None:
				cls.score(cls.users[e], review, total)

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

	@staticmethod
	def score(user: User, review: str, total: float):
		doc = user.doc("Case Review", review)
		for row in doc["scores"]:
			row["score"] = total
		user.ok(user.put("Case Review", review, {"scores": doc["scores"], "no_conflict_declared": 1}))

	def recuse(self):
		"""Expert C recuses from case 3 (idempotent: the tests run in any order)."""
		c_user, review = self.users[2], self.review[(2, 2)]
		return c_user.put("Case Review", review, {"recused": 1, "recusal_reason": "曾为该单位提供咨询服务"})

	def report(self, user: User, name: str):
		return user.call(
			"frappe.desk.query_report.run", report_name=name, filters=json.dumps({"round": ROUND})
		)

	# Recusal ------------------------------------------------------------------------------------------------

	def test_a_recusal_needs_a_reason_scores_nothing_and_counts_nowhere(self):
		c_user, review = self.users[2], self.review[(2, 2)]
		r = c_user.put("Case Review", review, {"recused": 1, "recusal_reason": "  "})
		self.assertEqual(r.status_code, 417, message(r)[:300])
		self.assertIn("回避理由", message(r))
		doc = c_user.doc("Case Review", review)
		for row in doc["scores"]:
			row["score"] = 50
		r = c_user.put(
			"Case Review", review, {"recused": 1, "recusal_reason": "曾任该单位顾问", "scores": doc["scores"]}
		)
		self.assertEqual(r.status_code, 417, message(r)[:300])
		self.assertIn("申请回避", message(r))
		c_user.ok(self.recuse())
		fresh()
		self.assertEqual(frappe.db.get_value("Case Review", review, "status"), "Recused")
		# The case's average (the city's Case Evaluation) is A's and B's only.
		score, count = frappe.db.get_value("Case Evaluation", self.cases[2], ["review_score", "review_count"])
		self.assertEqual((round(score, 2), count), (65.0, 2))

		# Balanced assignment fills the freed place, never with the expert who recused.
		self.manager.ok(
			self.manager.call("case_selection.api.review.assign_round_experts", round_name=ROUND, per_case=3)
		)
		fresh()
		experts = set(frappe.get_all("Case Review", {"application": self.cases[2]}, pluck="expert"))
		self.assertEqual(experts, {*self.experts, self.spare})
		self.assertEqual(
			frappe.db.get_value(
				"Case Review", {"application": self.cases[2], "expert": self.experts[2]}, "status"
			),
			"Recused",
		)

	# The city's comparison -----------------------------------------------------------------------------------

	def test_the_city_sees_both_rankings_the_flags_and_the_experts_scoring(self):
		self.users[2].ok(self.recuse())
		rows = {
			row["application"]: row
			for row in self.manager.ok(self.report(self.manager, "Review Score Comparison")).json()[
				"message"
			]["result"]
		}
		for c, name in enumerate(self.cases):
			row = rows[name]
			self.assertEqual(row["raw_average"], RAW[c], name)
			self.assertEqual(row["normalised_average"], NORMALISED[c], name)
			self.assertEqual((row["rank_raw"], row["rank_normalised"]), (RANK_RAW[c], RANK_NORMALISED[c]))
			self.assertEqual(row["spread"], SPREAD[c], name)
			self.assertEqual(row["flag"], "专家分歧较大" if c == 0 else "", name)
			self.assertEqual(row["n"], 3 if c < 2 else 2)

		experts = {
			row["expert"]: row
			for row in self.manager.ok(self.report(self.manager, "Expert Scoring Profile")).json()["message"][
				"result"
			]
		}
		a, b, c = (experts[e] for e in self.experts)
		self.assertEqual((a["n"], a["mean"], a["sd"]), (3, 80.0, 8.16))
		self.assertEqual((c["n"], c["mean"], c["sd"]), (2, 75.0, 15.0))
		# Gap to colleagues on the same cases: A +10.00, B −6.67, C −5.00; the yardstick (typical gap on one
		# case) is √((155.56 + 66.67 + 25) / 3) = 9.08 points: A is 偏松, B and C within it.
		self.assertEqual((a["offset"], b["offset"], c["offset"]), (10.0, -6.67, -5.0))
		self.assertEqual((a["label"], b["label"], c["label"]), ("偏松", "正常", "正常"))

		# The same figures in the city summary's sheets.
		r = self.manager.ok(
			self.manager.s.get(
				f"{URL}/api/method/case_selection.api.exports.city_summary_xlsx",
				params={"round": ROUND},
				timeout=120,
			)
		)
		wb = load_workbook(io.BytesIO(r.content), read_only=True)
		self.assertIn("评分比较", wb.sheetnames)
		self.assertIn("专家评分特征", wb.sheetnames)
		sheet = list(wb["评分比较"].iter_rows(values_only=True))
		header = list(sheet[1])
		by_case = {row[header.index("申报书")]: row for row in sheet[2:]}
		for c, name in enumerate(self.cases):
			self.assertEqual(by_case[name][header.index("标准化平均分")], NORMALISED[c])
			self.assertEqual(by_case[name][header.index("原始排名")], RANK_RAW[c])

		# Not the experts', not the districts'.
		for outsider in (self.users[0], User(self.district_officer)):
			for name in ("Review Score Comparison", "Expert Scoring Profile"):
				r = self.report(outsider, name)
				self.assertEqual(r.status_code, 403, (outsider.user, name, message(r)[:200]))

	def test_the_core_reads_the_rounds_reviews(self):
		self.users[2].ok(self.recuse())
		fresh()
		summary = service.round_summary(ROUND)
		self.assertEqual(summary.n_reviews, 8)
		self.assertAlmostEqual(summary.pool_mean, 75.0)
		self.assertAlmostEqual(summary.pool_sd, 125**0.5)

	# What an expert sees ----------------------------------------------------------------------------------

	def test_an_expert_sees_the_others_totals_only_after_scoring_and_only_if_the_round_allows(self):
		self.users[2].ok(self.recuse())
		a = self.users[0]
		r = a.ok(
			a.call("case_selection.api.review.peer_scores", http="GET", review=self.review[(0, 0)])
		).json()["message"]
		self.assertEqual(r["own"], 90.0)
		self.assertEqual(sorted(o["total"] for o in r["others"]), [60.0, 80.0])
		self.assertNotIn(self.experts[1], json.dumps(r, ensure_ascii=False))  # no names
		self.assertNotIn(self.experts[2], json.dumps(r, ensure_ascii=False))

		# Recused: nothing to compare with.
		r = self.users[2].call(
			"case_selection.api.review.peer_scores", http="GET", review=self.review[(2, 2)]
		)
		self.assertEqual(r.status_code, 417, message(r)[:200])
		# Another expert's review: not theirs to ask about.
		r = self.users[1].call(
			"case_selection.api.review.peer_scores", http="GET", review=self.review[(0, 0)]
		)
		self.assertEqual(r.status_code, 403, message(r)[:200])
		r = a.call("case_selection.api.review.peer_scores", http="GET", review="CR-NO-SUCH-0000")
		self.assertEqual(r.status_code, 404, message(r)[:200])
		r = a.call("case_selection.api.review.peer_scores", review=json.dumps({"name": self.review[(0, 1)]}))
		self.assertIn(r.status_code, (403, 404, 417), message(r)[:200])
		self.assertNotIn("80.0", r.text)

		# The round hides them: never.
		with system_write():
			frappe.db.set_value("Selection Round", ROUND, "peer_scores", "Not Shown")
			frappe.clear_document_cache("Selection Round", ROUND)
		frappe.db.commit()
		try:
			r = a.call("case_selection.api.review.peer_scores", http="GET", review=self.review[(0, 0)])
			self.assertEqual(r.status_code, 417, message(r)[:200])
			self.assertNotIn("60.0", r.text)
		finally:
			frappe.db.set_value("Selection Round", ROUND, "peer_scores", "After Own Score")
			frappe.clear_document_cache("Selection Round", ROUND)
			frappe.db.commit()

	def test_an_expert_without_a_score_sees_nothing(self):
		made = self.manager.ok(
			self.manager.call(
				"case_selection.api.review.assign_experts", application=self.cases[0], experts=[self.spare]
			)
		).json()["message"]
		review = (
			made[0]
			if made
			else frappe.db.get_value("Case Review", {"application": self.cases[0], "expert": self.spare})
		)
		spare = User(self.spare)
		if frappe.db.get_value("Case Review", review, "status") == "Assigned":
			r = spare.call("case_selection.api.review.peer_scores", http="GET", review=review)
			self.assertEqual(r.status_code, 417, message(r)[:200])
			self.assertNotIn("90.0", r.text)
