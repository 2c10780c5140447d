import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.exceptions import RoundConfigError
from case_selection.tests.factories import make_round


class TestSelectionRound(FrappeTestCase):
	def test_new_round_in_desk_starts_with_directions_cosigners_and_criteria(self):
		r = make_round(2085, new=True)
		self.assertEqual(len(r.directions), 15)
		self.assertEqual(
			[d.role for d in r.cosign_departments],
			["District Economy Officer", "District Science Officer", "District Education Officer"],
		)
		self.assertEqual(sum(c.weight for c in r.review_criteria), 100)
		self.assertEqual(r.paper_copies, 5)
		self.assertEqual(r.lead_cosign_role(), "District Economy Officer")

	def test_deadline_before_open_date_is_refused_in_chinese(self):
		with self.assertRaises(RoundConfigError) as cm:
			make_round(2099, new=True, open_date="2099-05-01", district_deadline="2099-04-30")
		self.assertIn("区县报送截止日期", str(cm.exception))
		self.assertIn("申报开始日期", str(cm.exception))
		self.assertFalse(frappe.db.exists("Selection Round", "2099"))

	def test_negative_quota_is_refused_in_chinese(self):
		with self.assertRaises(RoundConfigError) as cm:
			make_round(2099, new=True, default_quota=-1)
		self.assertIn("每区县推荐名额", str(cm.exception))
		self.assertIn("不能为负数", str(cm.exception))
		with self.assertRaises(RoundConfigError) as cm:
			make_round(2099, new=True, district_settings=[{"district": "万州区", "quota": -3}])
		self.assertIn("推荐名额", str(cm.exception))
		self.assertFalse(frappe.db.exists("Selection Round", "2099"))

	def test_extension_and_quota_per_district(self):
		r = make_round(
			2099,
			new=True,
			default_quota=3,
			district_settings=[{"district": "万州区", "quota": 5, "extended_deadline": "2099-05-10"}],
		)
		self.assertEqual(str(r.deadline_for("万州区")), "2099-05-10")
		self.assertEqual(str(r.deadline_for("涪陵区")), "2099-04-30")
		self.assertEqual(r.quota_for("万州区"), 5)
		self.assertEqual(r.quota_for("涪陵区"), 3)
		with self.assertRaises(RoundConfigError):
			r.district_settings[0].extended_deadline = "2099-04-01"
			r.save()

	def test_district_quota_empty_is_the_rounds_and_zero_is_none(self):
		r = make_round(
			2099,
			new=True,
			default_quota=3,
			district_settings=[
				{"district": "万州区", "quota": "0"},
				{"district": "涪陵区", "quota": "", "extended_deadline": "2099-05-10"},
				{"district": "渝中区", "quota": " 7 "},
			],
		)
		self.assertEqual(r.quota_for("万州区"), 0)  # none allowed, not the round's 3
		self.assertEqual(r.quota_for("涪陵区"), 3)  # a row for its extension only keeps the round's quota
		self.assertEqual(r.quota_for("渝中区"), 7)
		self.assertEqual(
			frappe.db.get_value("Round District Setting", r.district_settings[2].name, "quota"), "7"
		)
		self.assertEqual(r.quota_for("大渡口区"), 3)
		r.default_quota = 0
		r.save()
		self.assertIsNone(r.quota_for("大渡口区"))  # the round's 0: no limit, as its label says
		self.assertEqual(r.quota_for("万州区"), 0)
		with self.assertRaises(RoundConfigError) as cm:
			r.district_settings[2].quota = "五"
			r.save()
		self.assertIn("第 3 行（渝中区）：「推荐名额」须为 0 或正整数", str(cm.exception))
		self.assertEqual(
			frappe.db.get_value("Round District Setting", r.district_settings[2].name, "quota"), "7"
		)

	def test_weights_must_sum_to_100(self):
		with self.assertRaises(RoundConfigError) as cm:
			make_round(2099, new=True, review_criteria=[{"criterion": "代表性", "weight": 50}])
		self.assertIn("权重合计须为 100", str(cm.exception))
