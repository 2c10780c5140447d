"""xlsx outputs read back with openpyxl: cells, merged ranges, frozen header, print set-up, no formulas."""

import io

import frappe
import requests
from frappe.tests.utils import FrappeTestCase
from frappe.utils.password import update_password
from openpyxl import Workbook, load_workbook

from case_selection.access import sealing
from case_selection.access.system_write import system_write
from case_selection.api import exports
from case_selection.export import excel
from case_selection.tests import output_data as od
from case_selection.tests.factories import make_user
from case_selection.tests.http import URL

FORMULA_TITLE = '=HYPERLINK("x")'
SCRIPT_TITLE = "<script>alert(1)</script>"
PASSWORD = "Out-Test@2025"


def read(content: bytes):
	return load_workbook(io.BytesIO(content)).active


def cell_values(ws) -> list:
	return [c for row in ws.iter_rows() for c in row if c.value is not None]


class TestExcel(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.formula_app = od.make_output_application(FORMULA_TITLE, district="渝中区", code="2.1", seed=12)
		cls.script_app = od.make_output_application(SCRIPT_TITLE, district="渝中区", seed=11)
		cls.other_app = od.make_output_application(
			"万州区汇总测试案例", district="万州区", code="1.2", seed=21
		)
		cls.draft_app = od.make_output_application("未推荐的草稿案例", district="万州区", seed=22)
		od.set_state(cls.other_app.name, "Selected")
		od.set_state(cls.draft_app.name, "Draft")

		with system_write():
			sealing.set_values(cls.other_app.name, {"review_score": 88.456, "review_count": 3})
		cls.district_list = od.make_district_list("渝中区", [cls.script_app, cls.formula_app])
		od.set_state(cls.formula_app.name, "Recommended")
		od.set_state(cls.script_app.name, "Submitted to City")
		od.add_opinions("District Recommendation List", cls.district_list.name, "渝中区")
		cls.other_district = make_user("out-wanzhou@example.com", ["District Economy Officer"], "万州区")
		cls.city = make_user("out-city@example.com", ["City Case Manager"])
		cls.own_district = make_user("out-yuzhong@example.com", ["District Economy Officer"], "渝中区")
		for user in (cls.other_district, cls.city, cls.own_district):
			update_password(user, PASSWORD)
		frappe.db.commit()  # the HTTP test reads these through the test server

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_annex2_sheet_layout(self):
		ws = read(excel.district_list_xlsx(self.district_list))
		self.assertEqual(ws["A1"].value, "附件2")
		self.assertEqual(ws["A2"].value, "渝中区推荐案例名单")
		self.assertEqual(
			[ws.cell(4, c).value for c in range(1, 9)],
			["序号", "案例名称", "申报单位", "单位类型", "遴选方向", "联系人", "联系电话", "备注"],
		)
		self.assertEqual(ws["A5"].value, 1)
		self.assertEqual(ws["B5"].value, SCRIPT_TITLE)
		self.assertEqual(ws["B6"].value, FORMULA_TITLE)
		self.assertEqual(ws["G5"].value, "13800138000")
		merged = {str(r) for r in ws.merged_cells.ranges}
		self.assertTrue({"A2:H2", "A3:E3", "F3:H3"} <= merged)
		self.assertEqual(ws.freeze_panes, "A5")
		self.assertEqual(ws.page_setup.orientation, "landscape")
		self.assertEqual(int(ws.page_setup.paperSize), 9)  # A4
		self.assertEqual(ws.print_title_rows, "$4:$4")
		self.assertEqual(ws["B5"].border.left.style, "thin")
		self.assertTrue(ws["B5"].alignment.wrap_text)
		self.assertGreater(ws.column_dimensions["B"].width, 30)
		text = " ".join(str(c.value) for c in cell_values(ws))
		self.assertIn("区县经信部门（盖章）", text)
		self.assertIn("区县联系人：周联络", text)

	def test_hostile_text_is_never_a_formula(self):
		for content in (excel.district_list_xlsx(self.district_list), excel.city_summary_xlsx(od.ROUND)):
			ws = read(content)
			cells = cell_values(ws)
			self.assertFalse([c.coordinate for c in cells if c.data_type == "f"])
			hostile = [c for c in cells if c.value == FORMULA_TITLE]
			self.assertTrue(hostile)
			for c in hostile:
				self.assertEqual(c.data_type, "s")
				self.assertTrue(c.quotePrefix)

	def test_neutralises_every_formula_trigger(self):

		ws = Workbook(write_only=True).create_sheet()
		for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
			c = excel.text_cell(ws, text)
			self.assertEqual((c.data_type, c.quotePrefix, c.value), ("s", True, text))
		self.assertFalse(excel.text_cell(ws, "普通文本").quotePrefix)
		self.assertEqual(excel.text_cell(ws, 3).data_type, "n")

	def test_city_summary_rows_states_scores(self):
		ws = read(excel.city_summary_xlsx(od.ROUND))
		self.assertIn("推荐案例汇总表", ws["A1"].value)
		self.assertEqual({str(r) for r in ws.merged_cells.ranges} >= {"A1:M1", "A2:M2"}, True)
		self.assertEqual(ws.freeze_panes, "A4")
		self.assertEqual(ws.page_setup.orientation, "landscape")
		header = [ws.cell(3, c).value for c in range(1, 14)]
		self.assertEqual(header[:3], ["序号", "区县", "案例名称"])
		self.assertIn("专家评审平均分", header)
		rows = {r[12]: r for r in ws.iter_rows(min_row=4, values_only=True)}
		self.assertIn(self.formula_app.name, rows)
		self.assertIn(self.script_app.name, rows)
		self.assertNotIn(self.draft_app.name, rows)
		other = rows[self.other_app.name]
		self.assertEqual(
			(other[1], other[2], other[9], other[10], other[11]),
			("万州区", "万州区汇总测试案例", "入选", 88.46, 3),
		)
		self.assertEqual(rows[self.script_app.name][9], "已报送市级")
		self.assertEqual(rows[self.script_app.name][2], SCRIPT_TITLE)
		# 万州区 comes before 渝中区 in the districts' official order.
		order = [r[1] for r in ws.iter_rows(min_row=4, values_only=True)]
		self.assertLess(order.index("万州区"), order.index("渝中区"))

	def test_city_summary_data_rows_are_styled_cells(self):
		content = excel.city_summary_xlsx(od.ROUND)
		ws = read(content)
		rows = list(ws.iter_rows(min_row=4))
		self.assertTrue(rows)
		title = next(row[2] for row in rows if row[12].value == self.script_app.name)
		self.assertEqual(title.value, SCRIPT_TITLE)  # escaped once in the XML, read back as typed
		self.assertEqual(title.font.name, "仿宋_GB2312")
		self.assertEqual((title.border.left.style, title.border.bottom.style), ("thin", "thin"))
		self.assertTrue(title.alignment.wrap_text)
		self.assertEqual(title.alignment.horizontal, "left")
		self.assertEqual(rows[0][0].value, 1)
		self.assertEqual(rows[0][0].alignment.horizontal, "center")
		unreviewed = next(row for row in rows if row[12].value == self.script_app.name)
		self.assertIsNone(unreviewed[10].value)  # no score yet: an empty cell that still has its borders
		self.assertEqual(unreviewed[10].border.top.style, "thin")
		self.assertFalse(title.quotePrefix)
		# The sheet's dimension covers every row (read-only readers and some spreadsheets rely on it).
		self.assertEqual(load_workbook(io.BytesIO(content), read_only=True).active.max_row, 3 + len(rows))
		self.assertEqual(ws.auto_filter.ref, f"A3:M{3 + len(rows)}")

	def test_data_rows_text_kept_as_typed(self):

		wb = Workbook(write_only=True)
		ws = wb.create_sheet()
		ws.append([excel.text_cell(ws, "表头")])
		style = excel.SheetStyles(ws).array(excel.BODY_FONT, excel.WRAP_LEFT, excel.BORDER)
		body = excel.DataRows(ws, [style] * 4, first_row=2)
		body.add(("  前后空格 ", 'a & b <c> "d"', "控制\x07字符", 2.5))
		body.add(("=1+1", None, "", 0))
		with self.assertRaises(TypeError):
			body.add((True, "", "", ""))
		sheet = read(body.splice(excel.to_bytes(wb)))
		self.assertEqual([c.value for c in sheet[2]], ["  前后空格 ", 'a & b <c> "d"', "控制字符", 2.5])
		self.assertEqual([c.value for c in sheet[3]], ["=1+1", None, None, 0])
		self.assertEqual(sheet["A3"].data_type, "s")
		self.assertTrue(sheet["A3"].quotePrefix)
		self.assertEqual(sheet["B3"].border.left.style, "thin")

	def test_endpoints_refuse_users_who_cannot_read(self):
		frappe.set_user(self.other_district)
		with self.assertRaises(frappe.PermissionError):
			exports.district_list_xlsx(self.district_list.name)
		with self.assertRaises(frappe.PermissionError):
			exports.city_summary_xlsx(od.ROUND)

	def test_endpoints_over_http(self):
		url = URL
		city, own, other = requests.Session(), requests.Session(), requests.Session()
		for session, user in ((city, self.city), (own, self.own_district), (other, self.other_district)):
			session.post(
				f"{url}/api/method/login", data={"usr": user, "pwd": PASSWORD}, timeout=30
			).raise_for_status()
		summary = f"{url}/api/method/case_selection.api.exports.city_summary_xlsx"
		annex2 = f"{url}/api/method/case_selection.api.exports.district_list_xlsx"

		r = city.get(summary, params={"round": od.ROUND}, timeout=60)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertIn(self.other_app.name, [c.value for c in read(r.content)["M"]])
		r = own.get(annex2, params={"name": self.district_list.name}, timeout=60)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertEqual(read(r.content)["B5"].value, SCRIPT_TITLE)

		self.assertEqual(other.get(summary, timeout=60).status_code, 403)
		self.assertEqual(own.get(summary, timeout=60).status_code, 403)
		self.assertEqual(
			other.get(annex2, params={"name": self.district_list.name}, timeout=60).status_code, 403
		)
