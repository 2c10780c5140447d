"""附件1 as data. 四、申报承诺: the round's 申报承诺事项 (Selection Round.declarations) decide which check boxes
must be ticked before the case is handed in, and which are printed, worded as the round says. 填写说明: the
departments, domains and directions it names are the round's."""

import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase

from case_selection.exceptions import ApplicationValidationError, RoundConfigError
from case_selection.export.pdf import render_pdf
from case_selection.setup.master_data import DEFAULT_DECLARATIONS, default_round_tables
from case_selection.tests import output_data as od
from case_selection.tests.factories import make_application, make_round
from case_selection.tests.pdf_measure import flat

EIGHTH = "decl_test_eighth"
EIGHTH_LABEL = "本单位承诺案例经区县主管部门初审"
EIGHTH_PRINTED = "本单位承诺申报材料已经区县主管部门初审并同意申报"


HR_ROLE = "District Human Resources Officer"


def instructions(app) -> str:
	text = flat(od.pdf_text(render_pdf(frappe.get_doc("Case Application", app.name), "附件1 申报书")))
	return text[text.index("填写说明") : text.index("一、申报单位基本情况")]


def printed_declarations(app) -> str:
	"""四、申报承诺 of the case's 附件1, as the PDF reads (the 填写说明 before it quote the notice too)."""
	text = flat(od.pdf_text(render_pdf(frappe.get_doc("Case Application", app.name), "附件1 申报书")))
	return text[text.index("四、申报承诺") : text.index("本单位承诺以上内容属实")]


class TestDeclarationsAsData(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		if not frappe.db.exists("Custom Field", {"dt": "Case Application", "fieldname": EIGHTH}):
			frappe.get_doc(
				{
					"doctype": "Custom Field",
					"dt": "Case Application",
					"fieldname": EIGHTH,
					"fieldtype": "Check",
					"label": EIGHTH_LABEL,
					"insert_after": "decl_ip_clear",
				}
			).insert()
		frappe.clear_cache(doctype="Case Application")

	@classmethod
	def tearDownClass(cls):
		make_round()
		for name in frappe.get_all(
			"Custom Field", {"dt": "Case Application", "fieldname": EIGHTH}, pluck="name"
		):
			frappe.delete_doc("Custom Field", name)
		frappe.clear_cache(doctype="Case Application")
		frappe.db.commit()
		super().tearDownClass()

	def test_an_eighth_declaration_is_required_and_printed_in_the_rounds_words(self):
		make_round(
			declarations=[
				*DEFAULT_DECLARATIONS,
				{"fieldname": EIGHTH, "declaration": EIGHTH_PRINTED, "required": 1, "printed": 1},
			]
		)
		app = make_application(seed=951)
		with self.assertRaises(ApplicationValidationError) as cm:
			apply_workflow(app, "Submit to District")
		self.assertIn(EIGHTH_LABEL, str(cm.exception))
		self.assertEqual(frappe.db.get_value("Case Application", app.name, "workflow_state"), "Draft")

		app.reload()
		app.set(EIGHTH, 1)
		app.save()
		apply_workflow(app, "Submit to District")
		self.assertEqual(frappe.db.get_value("Case Application", app.name, "workflow_state"), "Submitted")
		text = printed_declarations(app)
		self.assertIn(flat(EIGHTH_PRINTED), text)
		self.assertNotIn(flat(EIGHTH_LABEL), text)  # the round's wording, not the check box's label
		self.assertEqual(text.count("☑"), 8)
		self.assertLess(text.index(flat("案例知识产权归属清晰")), text.index(flat(EIGHTH_PRINTED)))

	def test_a_declaration_neither_required_nor_printed_is_neither(self):
		rows = [dict(d) for d in DEFAULT_DECLARATIONS]
		political = next(r for r in rows if r["fieldname"] == "decl_political")
		political.update(required=0, printed=0)
		make_round(declarations=rows)
		app = make_application(seed=952, decl_political=0)
		apply_workflow(app, "Submit to District")
		self.assertEqual(frappe.db.get_value("Case Application", app.name, "workflow_state"), "Submitted")
		text = printed_declarations(app)
		self.assertNotIn("坚持正确的政治方向和价值取向", text)
		self.assertEqual(text.count("☑") + text.count("☐"), 6)

	def test_a_declaration_the_round_does_not_list_is_not_required(self):
		make_round(declarations=[r for r in DEFAULT_DECLARATIONS if r["fieldname"] != "decl_finance"])
		app = make_application(seed=953, decl_finance=0)
		apply_workflow(app, "Submit to District")
		self.assertEqual(frappe.db.get_value("Case Application", app.name, "workflow_state"), "Submitted")

	def test_the_round_refuses_what_is_not_a_check_box_of_the_form(self):
		def stored():
			return frappe.get_all(
				"Round Declaration",
				{"parent": "2098", "parenttype": "Selection Round"},
				pluck="fieldname",
				order_by="idx",
			)

		make_round()
		before = stored()
		self.assertEqual(before, [d["fieldname"] for d in DEFAULT_DECLARATIONS])
		for rows, words in (
			(
				[{"fieldname": "case_title"}],
				("第 1 行", "case_title", "不是案例申报书的勾选项字段", "decl_finance"),
			),
			([{"fieldname": "decl_finance"}, {"fieldname": "decl_finance"}], ("第 2 行", "重复")),
			(
				[{"fieldname": "decl_finance", "required_at": "Approved"}],
				("第 1 行", "Approved", "不是案例流程中的状态"),
			),
		):
			with self.subTest(rows=rows), self.assertRaises(RoundConfigError) as cm:
				make_round(declarations=rows)
			for word in words:
				self.assertIn(word, str(cm.exception))
		self.assertEqual(stored(), before)  # nothing of a refused save was written

	def test_the_instructions_name_the_rounds_departments_domains_and_directions(self):
		make_round()
		text = instructions(make_application(seed=954))
		for words in (
			"围绕增加高质量科技供给、强化企业创新主体地位、推动科技成果转化、推动科创人才培养流动四大领域的14个方向之一，或其他创新模式进行梳理总结",
			"六、推荐案例须经区县经信、科技、教育部门分别签署意见并加盖公章。",
			"七、各区县经信部门会同科技、教育部门于",
		):
			self.assertIn(flat(words), text)

		if not frappe.db.exists("Role", HR_ROLE):
			frappe.get_doc({"doctype": "Role", "role_name": HR_ROLE, "desk_access": 1}).insert()
		departments = [
			{k: d.get(k) for k in ("department", "department_title", "role", "is_lead")}
			for d in make_round().cosign_departments
		]
		departments.append({"department": "人社", "department_title": "区县人力社保部门", "role": HR_ROLE})
		make_round(
			cosign_departments=departments,
			directions=[{"direction": "产业关键技术攻关"}, {"direction": "未来产业源头创新"}],
		)
		try:
			text = instructions(make_application(seed=955))
		finally:
			defaults = default_round_tables()
			make_round(cosign_departments=defaults["cosign_departments"], directions=defaults["directions"])
		for words in (
			"二、案例应围绕增加高质量科技供给一大领域的2个方向之一进行梳理总结。",
			"六、推荐案例须经区县经信、科技、教育、人社部门分别签署意见并加盖公章。",
			"七、各区县经信部门会同科技、教育、人社部门于",
		):
			self.assertIn(flat(words), text)
		self.assertNotIn("其他创新模式", text)
