import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, nowdate

from case_selection.checks.formats import uscc_problem
from case_selection.exceptions import (
	ApplicationValidationError,
	DeadlinePassedError,
	DuplicateApplicationError,
)
from case_selection.tests.factories import application_values, make_application, make_round, valid_uscc


class TestCaseApplicationValidation(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		make_round()

	def assert_refused(self, field_label: str, exc=ApplicationValidationError, **kw):
		before = frappe.db.count("Case Application")
		with self.assertRaises(exc) as cm:
			frappe.get_doc(application_values(**{"seed": 900, **kw})).insert()
		self.assertIn(field_label, str(cm.exception))
		self.assertEqual(frappe.db.count("Case Application"), before)  # nothing half-saved
		return str(cm.exception)

	def test_uscc_check_character(self):
		self.assertIsNone(uscc_problem("91350100M000100Y43"))  # a published valid code
		self.assertIsNone(uscc_problem(valid_uscc(7)))
		good = valid_uscc(8)
		wrong = good[:17] + ("0" if good[17] != "0" else "1")
		msg = self.assert_refused("统一社会信用代码", uscc=wrong)
		self.assertIn("校验位错误", msg)
		self.assertIn("应为18位", self.assert_refused("统一社会信用代码", uscc="9150000012345"))
		self.assertIn("不允许的字符", self.assert_refused("统一社会信用代码", uscc="91500000I23456789X"))

	def test_bad_mobile_and_email(self):
		self.assert_refused("手机", contact_mobile="02363895941")
		self.assert_refused("电子邮箱", contact_email="zhangsan@")

	def test_over_long_text_against_the_rounds_limit(self):
		limit = frappe.db.get_value("Selection Round", "2098", "limit_background")
		msg = self.assert_refused("案例背景与行业痛点", background="字" * (limit + 1))
		self.assertIn(f"本轮限 {limit} 字", msg)
		make_application(seed=901, background="字" * limit)  # exactly at the limit is fine

	def test_direction_must_be_in_the_round_and_other_mode_described(self):
		round_doc = frappe.get_doc("Selection Round", "2098")
		round_doc.directions = [r for r in round_doc.directions if r.direction != "未来产业源头创新"]
		round_doc.save()
		try:
			self.assertIn("不在本轮", self.assert_refused("遴选方向", direction="未来产业源头创新"))
		finally:
			round_doc = frappe.get_doc("Selection Round", "2098")
			round_doc.append("directions", {"direction": "未来产业源头创新"})
			round_doc.save()
		self.assert_refused("其他创新模式描述", direction="其他创新模式")

	def test_duplicate_same_unit_title_round(self):
		make_application(seed=902)
		self.assert_refused("案例名称", DuplicateApplicationError, seed=902)

	def test_missing_declaration_blocks_submission_not_draft(self):
		app = make_application(seed=903, decl_no_secret=0)
		with self.assertRaises(ApplicationValidationError) as cm:
			apply_workflow(app, "Submit to District")
		self.assertIn("案例材料不涉及国家秘密和敏感信息", str(cm.exception))
		self.assertEqual(frappe.db.get_value("Case Application", app.name, "workflow_state"), "Draft")

	def test_submission_after_deadline_unless_extended(self):

		make_round(district_deadline=add_days(nowdate(), -1), open_date=add_days(nowdate(), -60))
		app = make_application(seed=904)
		with self.assertRaises(DeadlinePassedError) as cm:
			apply_workflow(app, "Submit to District")
		self.assertIn("截止日期", str(cm.exception))
		make_round(
			district_deadline=add_days(nowdate(), -1),
			district_settings=[{"district": "渝中区", "extended_deadline": add_days(nowdate(), 3)}],
		)
		app = apply_workflow(frappe.get_doc("Case Application", app.name), "Submit to District")
		self.assertEqual(app.workflow_state, "Submitted")
		make_round()
