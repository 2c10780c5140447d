"""The columns of 附件2 (print and xlsx), the city summary and the casebook as data (issue 23, item 2): a round's
导出列设置 (Selection Round.output_columns) start as today's columns, and what an admin changes there through REST
alone — a field added to Case Application, a heading and width of their own, a column moved or removed — is what
the PDF text, the xlsx cells and the casebook show. Read back from the real files: pdftotext, openpyxl."""

import io

import frappe
from frappe.tests.utils import FrappeTestCase
from openpyxl import load_workbook

from case_selection.access.system_write import system_write
from case_selection.export import casebook, excel
from case_selection.export.column_defaults import (
	CASEBOOK,
	CITY_SUMMARY,
	DISTRICT_LIST,
	LIST_SHEET_WIDTH,
	default_output_columns,
)
from case_selection.export.pdf import render_pdf
from case_selection.tests import output_data as od
from case_selection.tests.factories import clear_round, make_application, make_round, make_user, put_state
from case_selection.tests.http import URL, User, fresh, message
from case_selection.tests.pdf_measure import flat

ROUND = "2077"  # this module's own round: its columns are changed here and nowhere else
DISTRICT = "渝中区"
FIELD = "cs_cols_partner_code"
FIELD_LABEL = "合作编码"  # short enough for one line of the info table's label column
VALUE = "DJ-2077-0415"
LIST_HEADING = "合作编号（附件2）"
SUMMARY_HEADING = "合作编号（汇总）"

# Today's columns, as the code wrote them before they were data.
LIST_HEADINGS = ["序号", "案例名称", "申报单位", "单位类型", "遴选方向", "联系人", "联系电话", "备注"]
SUMMARY_HEADINGS = [
	"序号",
	"区县",
	"案例名称",
	"申报单位",
	"统一社会信用代码",
	"单位类型",
	"遴选方向",
	"联系人",
	"联系电话",
	"状态",
	"专家评审平均分",
	"已评审专家数",
	"申报书编号",
]
CASEBOOK_LABELS = ["遴选方向", "所属领域", "关键词"]


def sheet(content: bytes):
	return load_workbook(io.BytesIO(content)).active


def row_values(ws, row: int) -> list:
	return [ws.cell(row, c).value for c in range(1, ws.max_column + 1)]


def send_list(apps):
	"""The cases recommended on a 渝中区 list; then the first selected by the city, the second sent up."""
	for a in apps:
		put_state(a.name, "Recommended")
	lst = frappe.get_doc(od.list_values(DISTRICT, apps, remarks="推荐说明{i}", round_name=ROUND)).insert(
		ignore_permissions=True
	)
	put_state(apps[0].name, "Selected")
	put_state(apps[1].name, "Submitted to City")
	return lst


def drop_round_data():
	clear_round(ROUND)
	with system_write():
		for name in frappe.get_all("Case Collection", {"round": ROUND}, pluck="name"):
			frappe.delete_doc("Case Collection", name, force=True, ignore_permissions=True)


def drop_custom_field():
	for name in frappe.get_all("Custom Field", {"dt": "Case Application", "fieldname": FIELD}, pluck="name"):
		frappe.delete_doc("Custom Field", name, ignore_permissions=True)
	frappe.clear_cache(doctype="Case Application")


class TestOutputColumns(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		drop_custom_field()
		drop_round_data()
		if frappe.db.exists("Selection Round", ROUND):
			frappe.delete_doc("Selection Round", ROUND, force=True, ignore_permissions=True)
		make_round(int(ROUND))  # afresh: the defaults a new round starts with
		cls.admin = make_user("cols.admin@test.local", ["System Manager"])
		cls.district = make_user("cols.yuzhong@test.local", ["District Economy Officer"], DISTRICT)
		cls.city = make_user("cols.city@test.local", ["City Case Manager"])
		cls.apps = [
			make_application(
				round=ROUND, district=DISTRICT, seed=7701, case_title="导出列测试：智能产线协同"
			),
			make_application(
				round=ROUND, district=DISTRICT, seed=7702, case_title="导出列测试：绿色材料中试"
			),
		]
		cls.list = send_list(cls.apps)
		frappe.db.commit()  # the HTTP requests read these through the test server

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		drop_round_data()
		drop_custom_field()
		frappe.db.commit()
		super().tearDownClass()

	def tearDown(self):
		frappe.set_user("Administrator")

	def casebook_text(self) -> str:
		collection = frappe.get_doc(
			{"doctype": "Case Collection", "round": ROUND, "title": "导出列测试案例集"}
		)
		collection.append("cases", {"application": self.apps[0].name})
		collection.insert(ignore_permissions=True)
		casebook.generate(collection)
		collection.reload()
		pdf = frappe.get_doc("File", {"file_url": collection.generated_file}).get_content()
		return flat(od.pdf_text(pdf))

	def test_1_defaults_are_todays_columns(self):
		rnd = frappe.get_doc("Selection Round", ROUND)
		self.assertEqual(
			[
				{k: r.get(k) or "" for k in ("output", "field", "heading", "width", "align")}
				for r in rnd.output_columns
			],
			[{**c, "width": float(c["width"])} for c in default_output_columns()],
		)
		lst = self.list
		ws = sheet(excel.district_list_xlsx(lst))
		self.assertEqual(row_values(ws, 4), LIST_HEADINGS)
		self.assertEqual(row_values(ws, 5)[:3], [1, self.apps[0].case_title, self.apps[0].unit_name])
		self.assertEqual(row_values(ws, 5)[7], "推荐说明1")
		self.assertTrue({"A2:H2", "A3:E3", "F3:H3"} <= {str(r) for r in ws.merged_cells.ranges})
		widths = [ws.column_dimensions[chr(65 + i)].width for i in range(8)]
		self.assertAlmostEqual(sum(widths), LIST_SHEET_WIDTH, delta=0.1)

		text = flat(od.pdf_text(render_pdf(lst, "附件2 区县推荐案例名单")))
		at = [text.index(h) for h in LIST_HEADINGS]
		self.assertEqual(at, sorted(at), text[:400])

		ws = sheet(excel.city_summary_xlsx(ROUND))
		self.assertEqual(row_values(ws, 3), SUMMARY_HEADINGS)
		self.assertEqual(ws.column_dimensions["C"].width, 36)

		chapters = casebook.chapter_data([self.apps[0].name], ROUND)
		info = chapters[0]["info"]
		self.assertEqual([r["label"] for r in info], CASEBOOK_LABELS)
		code = frappe.db.get_value("Selection Direction", self.apps[0].direction, "direction_code")
		self.assertEqual(info[0]["value"], f"{code} {self.apps[0].direction}")

	def test_2_an_admin_adds_a_field_and_sets_the_columns_through_rest(self):
		admin = User(self.admin)
		frappe.db.commit()  # the server's ALTER TABLE waits for this process's open transaction otherwise
		# 1. A field of their own on Case Application (Customize Form's Custom Field), a value on a case.
		admin.ok(
			admin.s.post(
				f"{URL}/api/resource/Custom Field",
				json={
					"dt": "Case Application",
					"fieldname": FIELD,
					"label": FIELD_LABEL,
					"fieldtype": "Data",
					"insert_after": "keywords",
				},
				timeout=60,
			)
		)
		put_state(self.apps[0].name, "Draft")  # its applicant's fields are written while it is a draft
		frappe.db.commit()
		admin.ok(admin.put("Case Application", self.apps[0].name, {FIELD: VALUE}))
		fresh()
		put_state(self.apps[0].name, "Selected")
		frappe.db.commit()
		frappe.clear_cache(doctype="Case Application")
		self.assertEqual(frappe.db.get_value("Case Application", self.apps[0].name, FIELD), VALUE)

		# 2. The round's columns: 附件2 without 单位类型, 联系人 moved first, the new field after 案例名称 with its own
		# heading and width; the summary with it at the end; the casebook's info table with it (the field's label).
		rows = admin.doc("Selection Round", ROUND)["output_columns"]
		keep = ("name", "output", "field", "heading", "width", "align")
		rows = [{k: r[k] for k in keep} for r in rows]
		annex = [r for r in rows if r["output"] == DISTRICT_LIST and r["field"] != "unit_type"]
		person = next(r for r in annex if r["field"] == "contact_person")
		annex.remove(person)
		annex.insert(0, person)
		title_at = next(i for i, r in enumerate(annex) if r["field"] == "case_title")
		new = {"output": DISTRICT_LIST, "field": FIELD, "heading": LIST_HEADING, "width": 20, "align": "居中"}
		annex.insert(title_at + 1, new)
		summary = [r for r in rows if r["output"] == CITY_SUMMARY]
		summary.append({"output": CITY_SUMMARY, "field": FIELD, "heading": SUMMARY_HEADING, "width": 25})
		book = [r for r in rows if r["output"] == CASEBOOK] + [
			{"output": CASEBOOK, "field": FIELD, "width": 10}
		]

		# A name that is no field is refused with the row it is on, and nothing is saved.
		bad = [*annex, {"output": DISTRICT_LIST, "field": "no_such_field", "width": 5}]
		r = admin.put("Selection Round", ROUND, {"output_columns": bad + summary + book})
		self.assertEqual(r.status_code, 417, message(r))
		self.assertIn(f"第 {len(bad)} 行", message(r))
		self.assertIn("no_such_field", message(r))
		# A table is no column, and a width must be above 0.
		r = admin.put(
			"Selection Round",
			ROUND,
			{"output_columns": [*annex, {"output": DISTRICT_LIST, "field": "finance_years", "width": 5}]},
		)
		self.assertEqual(r.status_code, 417, message(r))
		self.assertIn("finance_years", message(r))
		r = admin.put("Selection Round", ROUND, {"output_columns": [{**new, "width": 0}]})
		self.assertEqual(r.status_code, 417, message(r))
		self.assertIn("列宽", message(r))
		fresh()
		self.assertEqual(frappe.db.count("Round Output Column", {"parent": ROUND}), len(rows))

		admin.ok(admin.put("Selection Round", ROUND, {"output_columns": annex + summary + book}))
		fresh()
		frappe.clear_cache()
		frappe.db.commit()
		lst = self.list

		# 3. What each output shows, fetched as the clerk who exports it.
		clerk = User(self.district)
		annex_headings = [
			"联系人",
			"序号",
			"案例名称",
			LIST_HEADING,
			"申报单位",
			"遴选方向",
			"联系电话",
			"备注",
		]
		ws = sheet(
			clerk.ok(
				clerk.get("/api/method/case_selection.api.exports.district_list_xlsx", name=lst.name)
			).content
		)
		self.assertEqual(row_values(ws, 4), annex_headings)
		self.assertEqual(ws.cell(5, 4).value, VALUE)
		self.assertEqual(ws.cell(5, 2).value, 1)
		self.assertEqual(ws.cell(5, 4).alignment.horizontal, "center")
		total = sum(r["width"] for r in annex)
		self.assertAlmostEqual(ws.column_dimensions["D"].width, LIST_SHEET_WIDTH * 20 / total, delta=0.01)
		merged = {str(r) for r in ws.merged_cells.ranges}
		self.assertTrue({"A2:H2", "A3:E3", "F3:H3"} <= merged, merged)

		response = clerk.get(
			"/api/method/frappe.utils.print_format.download_pdf",
			doctype="District Recommendation List",
			name=lst.name,
			format="附件2 区县推荐案例名单",
			no_letterhead=1,
		)
		text = flat(od.pdf_text(clerk.ok(response).content))
		self.assertIn(VALUE, text)
		at = [text.index(h) for h in ("联系人", "案例名称", LIST_HEADING, "申报单位")]
		self.assertEqual(at, sorted(at), text[:400])
		self.assertNotIn("单位类型", text)

		city = User(self.city)
		ws = sheet(
			city.ok(city.get("/api/method/case_selection.api.exports.city_summary_xlsx", round=ROUND)).content
		)
		self.assertEqual(row_values(ws, 3), [*SUMMARY_HEADINGS, SUMMARY_HEADING])
		self.assertEqual(ws.column_dimensions["N"].width, 25)
		by_name = {r[12]: r for r in ws.iter_rows(min_row=4, values_only=True)}
		self.assertEqual(by_name[self.apps[0].name][13], VALUE)
		self.assertIn(by_name[self.apps[1].name][13], (None, ""))

		text = self.casebook_text().replace(" ", "")
		self.assertIn(FIELD_LABEL + VALUE, text)  # the info table's line: its label, its value

		# 4. A permission level the clerk's roles may not read: the column stays, its cells are empty.
		name = frappe.db.get_value("Custom Field", {"dt": "Case Application", "fieldname": FIELD})
		admin.ok(admin.put("Custom Field", name, {"permlevel": 1}))
		ws = sheet(
			clerk.ok(
				clerk.get("/api/method/case_selection.api.exports.district_list_xlsx", name=lst.name)
			).content
		)
		self.assertEqual(ws.cell(4, 4).value, LIST_HEADING)
		self.assertIn(ws.cell(5, 4).value, (None, ""))
