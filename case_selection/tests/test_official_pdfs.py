"""The official PDFs as a clerk gets them: downloaded over HTTP from the running test site (附件1 and 附件2
through Frappe's PDF download route, the casebook as the file it is attached as) and measured as a reader
sees them — page geometry and type sizes of GB/T 9704 (export/layout.py), text that extracts as printed,
headings and declarations of the form, the 签核历程 in Chinese, and tables that break across pages with
their header row on every page.
"""

import io
import re

import frappe
from frappe.custom.doctype.property_setter.property_setter import make_property_setter
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils.password import update_password
from openpyxl import load_workbook
from pdfkit import pdfkit as kit

from case_selection.case_selection.report.case_action_history.case_action_history import execute
from case_selection.constants import DECLARATIONS
from case_selection.exceptions import ApplicationValidationError
from case_selection.export import casebook, excel, layout
from case_selection.export.pdf import DIGIT_HEIGHT, render_pdf
from case_selection.export.print_context import HEADING_FIELDS
from case_selection.tests import output_data as od
from case_selection.tests.factories import make_application, make_round, make_user
from case_selection.tests.http import URL, login
from case_selection.tests.pdf_measure import MM, flat, measure, median

PASSWORD = "Out-Geo@2025"
DISTRICT = "江北区"
LIST_ROWS = 14  # enough for 附件2's table to run over two landscape pages
HISTORY_ROWS = 30  # enough for the 签核历程 table to run over two pages
TOLERANCE_MM = 2
SIZE_TOLERANCE_PT = 0.5
RADICALS = re.compile("[\u2e80-\u2fdf]")

# The 签核历程 as log_action stores it: Workflow action and state names, one remark per row.
WORKFLOW_STEPS = (
	("Submit to District", "Draft", "Submitted"),
	("Start Co-signing", "Submitted", "District Co-signing"),
	("Co-sign Returned", "District Co-signing", "Returned"),
	("Resubmit", "Returned", "Submitted"),
	("Co-sign Agreed", "District Co-signing", "Recommended"),
	("Submit to City", "Recommended", "Submitted to City"),
)
ENGLISH_NAMES = ("Submit to District", "Start Co-signing", "Co-sign", "Resubmit", "Draft", "Submitted")


def history_entries() -> list[tuple[str, str, str, str]]:
	return [(*WORKFLOW_STEPS[i % len(WORKFLOW_STEPS)], remark(i)) for i in range(HISTORY_ROWS)]


def remark(i: int) -> str:
	return f"签核意见{i + 1:02d}"


def list_title(i: int) -> str:
	return f"名单分页测试案例{i:02d}号"


class TestOfficialPdfs(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.user = make_user("out-jiangbei@example.com", ["District Economy Officer"], DISTRICT)
		cls.city = make_user("out-city@example.com", ["City Case Manager"])
		for user in (cls.user, cls.city):
			update_password(user, PASSWORD)

		evidence = [
			{"evidence_type": "专利", "title": "一种高端装备核心部件的检测方法（发明专利）"},
			{"evidence_type": "获奖", "title": "重庆市科技进步奖一等奖"},
		]
		cls.app = od.make_output_application(
			"版式测试：高端装备核心部件关键技术攻关", district=DISTRICT, seed=41, evidence=evidence
		)
		od.add_opinions("Case Application", cls.app.name, DISTRICT)
		od.add_history(cls.app, history_entries(), user=cls.user)

		cls.list_apps = [
			od.make_output_application(list_title(i), district=DISTRICT, code="2.1", seed=4100 + i)
			for i in range(1, LIST_ROWS + 1)
		]
		cls.district_list = od.make_district_list(DISTRICT, cls.list_apps)
		od.add_opinions("District Recommendation List", cls.district_list.name, DISTRICT)

		for a in cls.list_apps[:3]:
			od.set_state(a.name, "Selected")
		collection = frappe.get_doc(
			{"doctype": "Case Collection", "round": od.ROUND, "title": "版式测试优秀案例集"}
		)
		for a in cls.list_apps[:3]:
			collection.append("cases", {"application": a.name})
		collection.insert()
		casebook.generate(collection)
		collection.reload()
		# The downloads below read these records through a separate server process.
		frappe.db.commit()

		url = URL
		cls.annex1 = download_pdf(url, cls.user, "Case Application", cls.app.name, "附件1 申报书")
		cls.annex2 = download_pdf(
			url, cls.user, "District Recommendation List", cls.district_list.name, "附件2 区县推荐案例名单"
		)
		response = login(cls.city, url, PASSWORD).get(f"{url}{collection.generated_file}", timeout=60)
		response.raise_for_status()
		cls.casebook = response.content
		cls.pages = {name: measure(getattr(cls, name)) for name in ("annex1", "annex2", "casebook")}

	def tearDown(self):
		frappe.set_user("Administrator")

	def outputs(self):
		return (
			("annex1", layout.PORTRAIT),
			("annex2", layout.LANDSCAPE),
			("casebook", layout.PORTRAIT),
		)

	# ─────────────────────────── geometry ───────────────────────────

	def test_pages_are_a4_with_the_gbt9704_type_area(self):
		for name, page in self.outputs():
			with self.subTest(output=name):
				pages = self.pages[name]
				for p in pages:
					self.assertAlmostEqual(p.width, page.width, delta=1)
					self.assertAlmostEqual(p.height, page.height, delta=1)
					left, _top, right, bottom = p.extent
					# Nothing printed outside the type area; nothing cut at its foot (a row or line that
					# meets the foot of a page must move to the next one whole).
					self.assertGreaterEqual(left, page.left - TOLERANCE_MM, f"page {p.number}")
					self.assertLessEqual(right, page.width - page.right + TOLERANCE_MM, f"page {p.number}")
					self.assertGreaterEqual(line_top(p), page.top - TOLERANCE_MM, f"page {p.number}")
					self.assertLessEqual(bottom, page.height - page.bottom + 0.5, f"page {p.number}")
					# Every page after the first is filled from the top of the type area.
					if p.number > 1:
						self.assertAlmostEqual(
							line_top(p), page.top, delta=TOLERANCE_MM, msg=f"page {p.number}"
						)
				# Margins and width of the type area, from the pages whose text or tables run full width.
				full = [p for p in pages if p.extent[2] - p.extent[0] > page.type_width - 2 * TOLERANCE_MM]
				self.assertGreaterEqual(len(full), len(pages) // 2)
				for p in full:
					self.assertAlmostEqual(p.extent[0], page.left, delta=TOLERANCE_MM, msg=f"page {p.number}")
					self.assertAlmostEqual(
						p.extent[2] - p.extent[0], page.type_width, delta=TOLERANCE_MM, msg=f"page {p.number}"
					)

	def test_body_is_3hao_titles_2hao_page_numbers_4hao(self):
		annex1, annex2, book = self.pages["annex1"], self.pages["annex2"], self.pages["casebook"]
		body = [g.size for p in annex1[2:] for g in p.glyphs]
		self.assertAlmostEqual(median(body), layout.BODY_PT, delta=SIZE_TOLERANCE_PT)
		for pages, title in (
			(annex1, "优秀案例申报书"),
			(annex1, "填写说明"),
			(annex2, "区县推荐案例名单"),
			(book, "版式测试优秀案例集"),
		):
			with self.subTest(title=title):
				self.assert_sizes(glyphs_of(pages, title), layout.TITLE_PT)
		self.assert_sizes(glyphs_of(book, list_title(1), last=True), layout.TITLE_PT)  # the chapter's
		for pages, text in (
			(annex1, "一、申报单位基本情况"),
			(annex1, "（二）主要做法"),
			(annex1, od.LONG_PARAGRAPH),
			(annex2, "区县联系人"),
			(book, od.LONG_PARAGRAPH),
		):
			with self.subTest(text=text[:12]):
				self.assert_sizes(glyphs_of(pages, text), layout.BODY_PT)
		self.assert_sizes(glyphs_of(annex2, list_title(1)), layout.TABLE_PT)

	def test_page_numbers_sit_7mm_below_the_type_area(self):
		for name, page in self.outputs():
			numbered = [p for p in self.pages[name] if p.page_number]
			self.assertTrue(numbered, name)
			for p in numbered:
				digits = [g for g in p.page_number if g.text.isdigit()]
				self.assert_sizes(digits + [g for g in p.page_number if g.text == "—"], layout.PAGE_NUMBER_PT)
				baseline = digits[0].top + 0.88 * digits[0].size / MM
				digits_top = baseline - DIGIT_HEIGHT * digits[0].size / MM
				foot = page.height - page.bottom
				self.assertAlmostEqual(digits_top, foot + layout.PAGE_NUMBER_GAP_MM, delta=1, msg=name)
				centre = (min(g.x0 for g in p.page_number) + max(g.x1 for g in p.page_number)) / 2
				self.assertAlmostEqual(centre, page.width / 2, delta=2, msg=name)

	def test_annexes_carry_their_qr_code_in_the_lower_right_margin(self):
		for name, page in self.outputs():
			for p in self.pages[name]:
				box = p.qr_box
				if name == "casebook":
					self.assertIsNone(box, f"casebook page {p.number}")  # a book, not a form to verify
					continue
				self.assertIsNotNone(box, f"{name} page {p.number}")
				self.assertGreater(len(p.qr), 20, f"{name} page {p.number}: the symbol's squares")
				x0, top, x1, bottom = box
				self.assertGreater(
					top, page.height - page.bottom, f"{name} page {p.number}: below the type area"
				)
				self.assertLess(
					bottom, page.height - 3, f"{name} page {p.number}: inside what printers print"
				)
				self.assertAlmostEqual(x1, page.width - page.right, delta=0.6, msg=f"{name} page {p.number}")
				self.assertGreater(
					x0, page.width / 2 + 20, f"{name} page {p.number}: clear of the page number"
				)
				self.assertRegex("".join(g.text for g in p.code), r"^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$")

	# ─────────────────────────── text ───────────────────────────

	def test_text_extracts_as_printed(self):
		for name, _page in self.outputs():
			with self.subTest(output=name):
				text = "".join(p.text for p in self.pages[name])
				self.assertIsNone(RADICALS.search(text), RADICALS.findall(text)[:10])
				glyphs = "".join(g.text for p in self.pages[name] for g in p.glyphs)
				self.assertIsNone(RADICALS.search(glyphs))
		annex1 = flat("".join(p.text for p in self.pages["annex1"]))
		for source in (
			"统一社会信用代码",
			"区县经信部门意见",
			"意见",
			"部门",
			self.app.case_title,
			self.app.unit_name,
			self.app.uscc,
			self.app.registered_address,
			od.LONG_PARAGRAPH,
			"一种高端装备核心部件的检测方法（发明专利）",
		):
			self.assertIn(flat(source), annex1)
		# Table cells wrap; their characters are drawn cell by cell (pdftotext reads across a row instead).
		annex2 = "".join(p.drawn for p in self.pages["annex2"])
		for a in self.list_apps:
			self.assertIn(flat(a.unit_name), annex2)
		book = flat("".join(p.body for p in self.pages["casebook"]))
		self.assertEqual(book.count(od.LONG_PARAGRAPH), 3 * (3 + 12 + 1 + 4 + 1))

	# ─────────────────────────── content of the notice and the form ───────────────────────────

	def test_headings_are_the_forms_and_declarations_the_notices(self):
		text = flat("".join(p.text for p in self.pages["annex1"]))
		meta = frappe.get_meta("Case Application")
		numbered = [
			df.label
			for df in meta.fields
			if df.fieldtype == "Section Break" and re.match("^[一二三四五六七八九]、", df.label or "")
		]
		self.assertEqual(len(numbered), 6)
		for fieldname in HEADING_FIELDS.values():
			if fieldname not in ("platform_team", "service_capability"):  # printed when filled in (not here)
				self.assertIn(flat(meta.get_label(fieldname)), text)
		# The print's numbered headings are the form's, in the form's order (a heading is a line of its own).
		lines = [line.strip() for p in self.pages["annex1"] for line in p.text.splitlines()]
		printed = [line for line in lines if re.fullmatch("[一二三四五六七八九]、\\S{2,12}", line)]
		self.assertEqual(printed, numbered)
		for fieldname in DECLARATIONS:
			self.assertIn(flat(meta.get_label(fieldname)), text)
		self.assertIn("坚持正确的政治方向和价值取向", text)
		self.assertEqual(text.count("☑"), len(DECLARATIONS))
		# The print follows the form: a section renamed in Desk (Customize Form) is renamed on the print.

		make_property_setter("Case Application", "case_section", "label", "二、案例概况", "Data")
		try:
			frappe.clear_cache(doctype="Case Application")
			renamed = flat(od.pdf_text(render_pdf(self.app, "附件1 申报书")))
			self.assertIn("二、案例概况", renamed)
			self.assertNotIn("二、案例基本情况", renamed)
		finally:
			frappe.db.delete(
				"Property Setter", {"doc_type": "Case Application", "field_name": "case_section"}
			)
			frappe.clear_cache(doctype="Case Application")

	def test_an_unchanged_document_is_rendered_once(self):
		"""The PDF cache: the same HTML gives the stored PDF without running wkhtmltopdf, the same bytes; a
		changed document is rendered afresh and shows the change."""

		def renders():
			return getattr(frappe.local, "case_pdf_renders", 0)

		keywords = self.app.keywords
		try:
			# as the download does: the document loaded from the database
			first = render_pdf(frappe.get_doc("Case Application", self.app.name), "附件1 申报书")
			before = renders()
			again = render_pdf(frappe.get_doc("Case Application", self.app.name), "附件1 申报书")
			self.assertEqual(renders(), before, "an unchanged document was rendered again")
			self.assertEqual(again, first)
			marker = f"缓存测试{frappe.generate_hash(length=6)}"
			frappe.db.set_value("Case Application", self.app.name, "keywords", marker, update_modified=False)
			changed = render_pdf(frappe.get_doc("Case Application", self.app.name), "附件1 申报书")
			self.assertEqual(renders(), before + 1, "a changed document was served from the cache")
			self.assertIn(marker, flat(od.pdf_text(changed)))
			self.assertNotIn(marker, flat(od.pdf_text(first)))
		finally:
			frappe.db.set_value(
				"Case Application", self.app.name, "keywords", keywords, update_modified=False
			)

	def test_the_renderer_waits_for_no_script(self):
		"""wkhtmltopdf is told not to wait its --javascript-delay (200 ms by default, waited even with JavaScript
		off) when it prints our formats: Frappe's get_pdf turns JavaScript off and our formats carry none."""
		seen, original = [], kit.PDFKit.command

		def command(kit_self, path=None):
			args = list(original(kit_self, path))
			seen.append(args)
			return args

		kit.PDFKit.command = command
		try:
			frappe.cache.delete_keys("case_selection:pdf:")
			pdf = render_pdf(frappe.get_doc("Case Application", self.app.name), "附件1 申报书")
		finally:
			kit.PDFKit.command = original
		self.assertTrue(pdf.startswith(b"%PDF"))
		args = seen[-1]
		self.assertIn("--disable-javascript", args)
		self.assertEqual(args[args.index("--javascript-delay") + 1], "0")

	def test_evidence_list_is_printed(self):
		text = flat("".join(p.text for p in self.pages["annex1"]))
		self.assertIn(flat("五、附件材料"), text)
		self.assertIn("专利一种高端装备核心部件的检测方法（发明专利）", text)
		self.assertIn("获奖重庆市科技进步奖一等奖", text)

	def test_political_declaration_is_required_before_submission(self):
		make_round()
		app = make_application(seed=942, decl_political=0)
		with self.assertRaises(ApplicationValidationError) as cm:
			apply_workflow(app, "Submit to District")
		self.assertIn("案例材料坚持正确的政治方向和价值取向", str(cm.exception))
		self.assertEqual(frappe.db.get_value("Case Application", app.name, "workflow_state"), "Draft")

	# ─────────────────────────── 签核历程 in Chinese ───────────────────────────

	def test_history_is_chinese_in_the_print_and_the_report(self):
		drawn = "".join(p.drawn for p in self.pages["annex1"])
		for words in (
			"提交区县",
			"开始会签",
			"会签退回",
			"会签通过",
			"已提交区县",
			"区县会签中",
			"区县经信部门",
		):
			self.assertIn(words, drawn)
		for english in ENGLISH_NAMES:
			self.assertNotIn(flat(english), drawn)
		frappe.set_user(self.user)
		_columns, rows = execute({"reference_name": self.app.name})
		self.assertGreaterEqual(len(rows), HISTORY_ROWS)
		shown = {(r.action, r.from_state, r.to_state, r.actor_role) for r in rows}
		self.assertIn(("提交区县", "草稿", "已提交区县", "区县经信部门"), shown)
		for r in rows:
			for value in (r.action, r.from_state, r.to_state, r.actor_role):
				self.assertFalse(re.search("[A-Za-z]", value or ""), value)
		# What was logged stays as it was: the Workflow's names.
		frappe.set_user("Administrator")
		logged = frappe.get_all(
			"Case Action Log", filters={"reference_name": self.app.name}, pluck="action", limit=500
		)
		self.assertIn("Submit to District", logged)

	def test_an_admins_translation_renames_history_and_states_everywhere(self):
		renames = {"Start Co-signing": "启动会签（测试）", "Recommended": "区县推荐通过（测试）"}
		for source, translated in renames.items():
			frappe.get_doc(
				{
					"doctype": "Translation",
					"language": "zh",
					"source_text": source,
					"translated_text": translated,
				}
			).insert()
		try:
			_columns, rows = execute({"reference_name": self.app.name})
			self.assertIn("启动会签（测试）", {r.action for r in rows})
			self.assertIn("区县推荐通过（测试）", {r.to_state for r in rows})
			drawn = "".join(p.drawn for p in measure(render_pdf(self.app, "附件1 申报书")))
			self.assertIn("启动会签（测试）", drawn)
			sheet = load_workbook(io.BytesIO(excel.city_summary_xlsx(od.ROUND)), read_only=True).active
			self.assertIn(
				"区县推荐通过（测试）", {v for row in sheet.iter_rows(values_only=True) for v in row}
			)
		finally:
			frappe.db.delete("Translation", {"source_text": ["in", list(renames)]})
			frappe.clear_cache()

	# ─────────────────────────── tables across pages ───────────────────────────

	def test_tables_repeat_their_header_row_and_never_cut_a_row(self):
		cases = (
			(
				"annex2",
				[list_title(i) for i in range(1, LIST_ROWS + 1)],
				("案例名称", "申报单位", "联系电话"),
			),
			("annex1", [remark(i) for i in range(HISTORY_ROWS)], ("时间", "操作人/身份", "意见/备注")),
		)
		for name, rows, header in cases:
			with self.subTest(output=name):
				pages = self.pages[name]
				holding = [p for p in pages if any(r in p.drawn for r in rows)]
				self.assertGreaterEqual(len(holding), 2, "the table should run over more than one page")
				for p in holding:
					first_row = min(p.drawn.find(r) for r in rows if r in p.drawn)
					for title in header:
						self.assertIn(title, p.drawn[:first_row], f"page {p.number}")
				document = "".join(p.drawn for p in pages)
				for r in rows:
					self.assertEqual(document.count(r), 1, r)  # a row cut in two would print twice

	def test_no_page_is_left_nearly_empty(self):
		for name, _page in self.outputs():
			for p in self.pages[name]:
				self.assertGreaterEqual(len(p.glyphs), 10, f"{name} page {p.number}")

	# ─────────────────────────── helpers ───────────────────────────

	def assert_sizes(self, glyphs, size):
		self.assertTrue(glyphs)
		for g in glyphs:
			self.assertAlmostEqual(g.size, size, delta=SIZE_TOLERANCE_PT, msg=g.text)


def line_top(page) -> float:
	"""Top of the first line on the page: a character's em box sits half a leading below its line's top
	(lines are LINE_PITCH_PT apart); a ruled line is where it is."""
	tops = [g.top - (layout.LINE_PITCH_PT - g.size) / 2 / MM for g in page.glyphs]
	return min(tops + [r[1] for r in page.rules])


def glyphs_of(pages, text: str, last: bool = False) -> list:
	"""The glyphs that print `text` (its first occurrence, or its last; white space ignored)."""
	wanted = flat(text)
	for p in reversed(pages) if last else pages:
		joined = "".join(g.text for g in p.glyphs)
		at = joined.find(wanted)
		if at >= 0:
			return p.glyphs[at : at + len(wanted)]
	return []


def download_pdf(url: str, user: str, doctype: str, name: str, print_format: str) -> bytes:
	response = login(user, url, PASSWORD).get(
		f"{url}/api/method/frappe.utils.print_format.download_pdf",
		params={"doctype": doctype, "name": name, "format": print_format, "no_letterhead": 1},
		timeout=120,
	)
	response.raise_for_status()
	assert response.headers["Content-Type"] == "application/pdf", response.text[:300]
	return response.content
