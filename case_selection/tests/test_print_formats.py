"""附件1 and 附件2 rendered for real data through Frappe's print path, checked by the PDF's text."""

import hashlib
import io

import frappe
import pdfplumber
import requests
from frappe.tests.utils import FrappeTestCase
from frappe.utils.password import update_password

from case_selection.export import pdf as pdf_module
from case_selection.export.pdf import download_pdf, render_pdf
from case_selection.tests import output_data as od
from case_selection.tests.factories import make_user
from case_selection.tests.http import URL, login
from case_selection.tests.pdf_measure import without_feet

SCRIPT_TITLE = "<script>alert(1)</script>"
FORMULA_TITLE = '=HYPERLINK("x")'
PASSWORD = "Out-Test@2025"


class TestPrintFormats(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.app = od.make_output_application(SCRIPT_TITLE, district="渝中区", seed=11)
		cls.formula_app = od.make_output_application(FORMULA_TITLE, district="渝中区", code="2.1", seed=12)
		od.add_opinions("Case Application", cls.app.name, "渝中区")
		cls.district_list = od.make_district_list("渝中区", [cls.app, cls.formula_app])
		od.set_state(cls.app.name, "District Co-signing")
		od.add_opinions("District Recommendation List", cls.district_list.name, "渝中区")
		cls.other_district = make_user("out-wanzhou@example.com", ["District Economy Officer"], "万州区")
		cls.own_district = make_user("out-yuzhong@example.com", ["District Economy Officer"], "渝中区")
		for user in (cls.other_district, cls.own_district):
			update_password(user, PASSWORD)
		# The HTTP tests below read these records through a separate server process.
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_annex1_pdf_has_cover_sections_declarations_opinions_and_page_numbers(self):
		pages = od.pdf_pages(render_pdf(self.app, "附件1 申报书"))
		text = od.flat("\f".join(pages))
		for expected in (
			"附件1",
			"重庆市科技创新和产业创新深度融合",
			"优秀案例申报书",
			"填写说明",
			"一、申报单位基本情况",
			"二、案例基本情况",
			"三、案例内容",
			"（五）可复制性与推广价值",
			"四、申报承诺",
			"五、附件材料",
			"六、区县推荐意见",
			"区县经信部门意见",
			"区县科技部门意见",
			"区县教育部门意见",
			"王经信",
			"同意推荐",
			self.app.uscc,
			"授权发明专利",
			"1.1 产业关键技术攻关",
			"案例知识产权归属清晰、无法律纠纷",
		):
			self.assertIn(expected, text)
		# The cover carries no number; the pages after it are numbered from 1.
		self.assertNotIn("—", pages[0])
		self.assertIn("— 1 —", pages[1])
		self.assertIn(f"— {len([p for p in pages if p.strip()]) - 1} —", text)
		# Long text breaks across pages without losing a line: with the page feet taken out, every paragraph
		# of every section is there whole (3 + 12 + 1 + 4 + 1 of them).
		body = od.flat("".join(without_feet(p) for p in pages))
		self.assertEqual(body.count(od.LONG_PARAGRAPH), 3 + 12 + 1 + 4 + 1)

	def test_annex1_prints_typed_html_as_text(self):
		html = frappe.get_print("Case Application", self.app.name, "附件1 申报书", no_letterhead=1)
		self.assertNotIn(SCRIPT_TITLE, html)
		self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
		self.assertNotIn("&amp;lt;", html)
		text = od.pdf_text(render_pdf(self.app, "附件1 申报书"))
		self.assertIn(SCRIPT_TITLE, od.flat(text))

	def test_annex1_pdf_carries_the_three_seal_images_beside_the_opinions(self):
		"""Read from the PDF, not the HTML: the three departments' seals are images drawn on the pages that carry
		the departments' opinions."""
		with pdfplumber.open(io.BytesIO(render_pdf(self.app, "附件1 申报书"))) as pdf:
			pages = [(page.extract_text() or "", page.images) for page in pdf.pages]
		images = [image for _text, page_images in pages for image in page_images]
		self.assertEqual(len(images), 3)
		for text, page_images in pages:
			if page_images:
				self.assertIn("部门意见", od.flat(text))

	def test_annex2_pdf_has_table_seals_contact_and_page_number(self):
		text = od.flat(od.pdf_text(render_pdf(self.district_list, "附件2 区县推荐案例名单")))
		for expected in (
			"附件2",
			"区县推荐案例名单",
			"区县（盖章）：渝中区",
			"序号",
			"案例名称",
			"申报单位",
			"单位类型",
			"遴选方向",
			"联系电话",
			"备注",
			SCRIPT_TITLE,
			FORMULA_TITLE,
			self.app.unit_name,
			"区县经信部门（盖章）",
			"区县科技部门（盖章）",
			"区县教育部门（盖章）",
			"区县联系人：周联络",
			"023-63000000",
			"2025年10月28日",
			"— 1 —",
		):
			self.assertIn(expected, text)

	def test_download_pdf_goes_through_print_permission(self):

		frappe.set_user(self.own_district)
		download_pdf("Case Application", self.app.name, format="附件1 申报书")
		self.assertIn("— 1 —", od.pdf_text(frappe.local.response.filecontent))
		frappe.set_user(self.other_district)
		with self.assertRaises(frappe.PermissionError):
			download_pdf("Case Application", self.app.name, format="附件1 申报书")
		with self.assertRaises(frappe.PermissionError):
			download_pdf(
				"District Recommendation List", self.district_list.name, format="附件2 区县推荐案例名单"
			)

	def test_download_pdf_over_http(self):
		url = URL
		endpoint = f"{url}/api/method/frappe.utils.print_format.download_pdf"
		params = {"doctype": "Case Application", "name": self.app.name, "format": "附件1 申报书"}

		own = login(self.own_district, url, PASSWORD)
		response = own.get(endpoint, params=params, timeout=60)
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertEqual(response.headers["Content-Type"], "application/pdf")
		self.assertIn("— 1 —", od.pdf_text(response.content))

		other = login(self.other_district, url, PASSWORD)
		self.assertEqual(other.get(endpoint, params=params, timeout=60).status_code, 403)
		anonymous = requests.get(endpoint, params=params, timeout=60)
		self.assertEqual(anonymous.status_code, 403)

	def test_an_edited_format_prints_its_new_words_at_once(self):
		"""Compiled templates are kept per process (export/pdf.print_format_template), by their source: a format
		edited in Desk prints its new words on the next print, and an unchanged one is not compiled again."""
		copy = "附件1 申报书（编辑测试）"
		original = frappe.get_doc("Print Format", "附件1 申报书")
		if frappe.db.exists("Print Format", copy):
			frappe.delete_doc("Print Format", copy, force=True)
		fmt = frappe.get_doc(
			{
				"doctype": "Print Format",
				"name": copy,
				"doc_type": "Case Application",
				"module": original.module,
				"custom_format": 1,
				"print_format_type": "Jinja",
				"standard": "No",
				"html": original.html.replace("填 写 说 明", "填 报 须 知"),
			}
		).insert()
		try:
			first = od.flat(od.pdf_text(render_pdf(self.app, copy)))
			self.assertIn("填报须知", first)
			self.assertIn(hashlib.sha256(fmt.html.encode()).hexdigest(), pdf_module.COMPILED)
			compiled = len(pdf_module.COMPILED)
			render_pdf(frappe.get_doc("Case Application", self.app.name), copy)
			self.assertEqual(len(pdf_module.COMPILED), compiled)  # the same source: no second compile
			fmt.html = original.html.replace("填 写 说 明", "申 报 须 知")
			fmt.save()
			again = od.flat(od.pdf_text(render_pdf(frappe.get_doc("Case Application", self.app.name), copy)))
			self.assertIn("申报须知", again)
			self.assertNotIn("填报须知", again)
		finally:
			frappe.db.rollback()  # the copy, and no lock held for the HTTP tests that follow
