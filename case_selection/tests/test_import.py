"""Paper forms through Frappe's Data Import, over HTTP against the served test site, with a real xlsx.

The district's lead department downloads the template, fills it as a district office would (one case over
several rows for its tables), uploads it to a Data Import, starts it, and an RQ worker runs it, as in
production. Rows of its own district come in with their child rows, as drafts that then go through the same
checks as any case; a row for another district and a row with a wrong 统一社会信用代码 fail with a Chinese
message naming the field, leaving nothing of them behind. An applicant, another department and another
district's lead import nothing and see nothing of the import.
"""

import io
import json
import time

import frappe
from frappe.core.doctype.data_import.importer import build_fields_dict_for_column_matching
from frappe.tests.utils import FrappeTestCase
from frappe.utils.background_jobs import get_job
from openpyxl import load_workbook

from case_selection.checks.formats import uscc_check_char
from case_selection.overrides import data_import
from case_selection.tests.factories import (
	clear_round,
	district_users,
	make_round,
	make_user,
	valid_uscc,
)
from case_selection.tests.http import URL, User, fresh, message
from case_selection.tests.jobs import run_job
from case_selection.workflow.definition import initial_state

ROUND = "2092"
FINANCE = "近三年营业收入与研发投入（企业填写，万元）"
CHILD_DOCTYPES = ("Case Finance Year", "Case Partner Unit", "Case Result Indicator", "Case Evidence")
CJK = ("\u4e00", "\u9fff")


def bad_uscc(seed: int) -> str:
	good = valid_uscc(seed)
	wrong = next(c for c in "0123456789" if c != uscc_check_char(good[:17]))
	return good[:17] + wrong


def case_row(seed: int, title: str, **kw) -> dict:
	"""One case as the template's columns name it (the form's Chinese labels)."""
	return {
		"案例名称": title,
		"遴选轮次": ROUND,
		"所属区县": "渝中区",
		"遴选方向": "产业关键技术攻关",
		"单位名称": f"重庆导入测试有限公司{seed}",
		"统一社会信用代码": valid_uscc(seed),
		"单位类型": "企业",
		"联系人": "李四",
		"手机": "13900139000",
		"电子邮箱": "lisi@example.com",
		"（一）案例背景与行业痛点": "纸质申报书：行业痛点。",
		"（二）主要做法": "纸质申报书：主要做法。",
		"（三）创新点": "纸质申报书：创新点。",
		"（四）实施成效": "纸质申报书：实施成效。",
		"（五）可复制性与推广价值": "纸质申报书：推广价值。",
		**{label: 1 for label in DECLARATION_LABELS},
		**kw,
	}


DECLARATION_LABELS = (
	"本单位具有独立法人资格",
	"本单位近三年财务状况良好",
	"本单位在遵纪守法、社会信用、社会责任、质量环保等方面无不良记录",
	"本单位对案例材料的真实性、完整性、准确性负责",
	"案例材料坚持正确的政治方向和价值取向",
	"案例材料不涉及国家秘密和敏感信息",
	"案例知识产权归属清晰、无法律纠纷",
)


class TestImport(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.clean()
		make_round(int(ROUND))
		cls.yz = district_users("渝中区", "yz")
		cls.wz = district_users("万州区", "wz")
		cls.applicant = make_user("owner.import@test.local", ["Case Applicant"])
		# Data Import refuses to start while the scheduler is off (Frappe's rule; a served site has it on).
		cls.scheduler = frappe.db.get_single_value("System Settings", "enable_scheduler")
		frappe.db.set_single_value("System Settings", "enable_scheduler", 1)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.set_single_value("System Settings", "enable_scheduler", cls.scheduler)
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		fresh()
		clear_round(ROUND)
		for name in frappe.get_all("Data Import", {"reference_doctype": "Case Application"}, pluck="name"):
			frappe.delete_doc("Data Import", name, force=True, ignore_permissions=True)
		frappe.db.commit()

	# Helpers -------------------------------------------------------------------------------------------------

	def filled_template(self, u: User, rows: list[dict]) -> bytes:
		r = u.get("/api/method/case_selection.overrides.data_import.template")
		self.assertEqual(r.status_code, 200, message(r)[:300])
		wb = load_workbook(io.BytesIO(r.content))
		ws = wb.worksheets[0]
		headers = [c.value for c in ws[1]]
		for row in rows:
			unknown = set(row) - set(headers)
			self.assertFalse(unknown, f"not in the template: {unknown}")
			ws.append([row.get(h) for h in headers])
		out = io.BytesIO()
		wb.save(out)
		return out.getvalue()

	def import_xlsx(self, u: User, content: bytes) -> tuple[str, list[dict]]:
		"""Frappe's Data Import as Desk drives it: the record, the file attached to it, start, the worker."""
		r = u.s.post(
			f"{URL}/api/resource/Data Import",
			json={"reference_doctype": "Case Application", "import_type": "Insert New Records"},
			timeout=60,
		)
		u.ok(r)
		name = r.json()["data"]["name"]
		r = u.s.post(
			f"{URL}/api/method/upload_file",
			files={"file": ("纸质申报书.xlsx", content)},
			data={"doctype": "Data Import", "docname": name, "fieldname": "import_file", "is_private": 1},
			timeout=60,
		)
		u.ok(r)
		u.ok(u.put("Data Import", name, {"import_file": r.json()["message"]["file_url"]}))
		u.ok(u.call("frappe.core.doctype.data_import.data_import.form_start_import", data_import=name))
		job = get_job(f"data_import::{name}")
		# Not on Frappe's default queue, where a burst of signatures queues its notifications (make chaos).
		self.assertEqual(job.origin.rsplit(":", 1)[1], data_import.import_queue())
		self.assertIn(data_import.import_queue(), ("import", "long"))
		run_job(f"data_import::{name}")
		# A worker of the test site's own queues, if one runs, may have taken the job: wait for its end.
		deadline = time.monotonic() + 180
		while u.doc("Data Import", name)["status"] == "Pending" and time.monotonic() < deadline:
			time.sleep(1)
		logs = u.ok(
			u.call("frappe.core.doctype.data_import.data_import.get_import_logs", data_import=name)
		).json()["message"]
		return name, logs

	def messages(self, log: dict) -> str:
		"""The row's messages as the import log shows them (Frappe keeps message_log entries as dicts)."""
		entries = json.loads(log.get("messages") or "[]")
		entries = json.loads(entries) if isinstance(entries, str) else entries  # "[]" when there were none
		return " ".join((json.loads(m) if isinstance(m, str) else m).get("message", "") for m in entries)

	# Tests ---------------------------------------------------------------------------------------------------

	def test_lead_imports_own_district_and_bad_rows_leave_nothing(self):
		lead = User(self.yz["jx"])
		rows = [
			# a case over three rows: its finance years, partner and indicators below it
			case_row(
				9201,
				"导入案例甲",
				**{
					f"年度 ({FINANCE})": 2022,
					f"营业收入（万元） ({FINANCE})": 1200,
					f"研发投入（万元） ({FINANCE})": 150,
					"合作单位名称 (合作单位)": "重庆大学",
					"单位类型 (合作单位)": "高等学校",
					"指标 (量化成效指标)": "新增产值",
					"数值 (量化成效指标)": "3000",
					"单位 (量化成效指标)": "万元",
				},
			),
			{
				f"年度 ({FINANCE})": 2023,
				f"营业收入（万元） ({FINANCE})": 1500,
				"指标 (量化成效指标)": "授权专利",
				"数值 (量化成效指标)": "12",
				"单位 (量化成效指标)": "件",
			},
			{f"年度 ({FINANCE})": 2024, f"营业收入（万元） ({FINANCE})": 1800},
			# another district's paper form
			case_row(9202, "导入案例乙", 所属区县="万州区", **{f"年度 ({FINANCE})": 2024}),
			# a wrong check character in the 统一社会信用代码
			case_row(
				9203, "导入案例丙", 统一社会信用代码=bad_uscc(9203), **{"合作单位名称 (合作单位)": "某研究院"}
			),
			# a form whose declaration of sound finances is not ticked
			case_row(9204, "导入案例丁", 本单位近三年财务状况良好=0),
		]
		name, logs = self.import_xlsx(lead, self.filled_template(lead, rows))
		fresh()
		self.assertEqual(frappe.db.get_value("Data Import", name, "status"), "Partial Success")
		by_row = {min(json.loads(log["row_indexes"])): log for log in logs}
		self.assertEqual(sorted(by_row), [2, 5, 6, 7])
		self.assertEqual([by_row[i]["success"] for i in (2, 5, 6, 7)], [1, 0, 0, 1])

		other_district = self.messages(by_row[5])
		self.assertIn("所属区县", other_district)
		self.assertIn("万州区", other_district)
		self.assertTrue(any(CJK[0] <= ch <= CJK[1] for ch in other_district))
		self.assertNotIn("Insufficient Permission", other_district)
		wrong_uscc = self.messages(by_row[6])
		self.assertIn("统一社会信用代码", wrong_uscc)
		self.assertIn("校验位", wrong_uscc)

		# the imported cases: drafts of the lead, in its district, with every child row
		first = frappe.get_doc("Case Application", by_row[2]["docname"])
		self.assertEqual(
			(first.case_title, first.district, first.owner), ("导入案例甲", "渝中区", self.yz["jx"])
		)
		self.assertEqual(first.workflow_state, initial_state())
		self.assertEqual([r.year for r in first.finance_years], [2022, 2023, 2024])
		self.assertEqual([r.revenue for r in first.finance_years], [1200, 1500, 1800])
		self.assertEqual(
			[(p.partner_name, p.partner_type) for p in first.partners], [("重庆大学", "高等学校")]
		)
		self.assertEqual(
			[(i.indicator, i.value) for i in first.indicators], [("新增产值", "3000"), ("授权专利", "12")]
		)
		self.assertTrue(frappe.db.exists("Case Action Log", {"reference_name": first.name}))

		# nothing of the failed rows: no case, no child row, no history
		for title in ("导入案例乙", "导入案例丙"):
			self.assertFalse(frappe.db.exists("Case Application", {"case_title": title}), title)
		cases = set(frappe.get_all("Case Application", {"round": ROUND}, pluck="name"))
		titles = set(frappe.get_all("Case Application", {"round": ROUND}, pluck="case_title"))
		self.assertLessEqual({"导入案例甲", "导入案例丁"}, titles)
		mine = {"parenttype": "Case Application", "parent": ("like", f"CA-{ROUND}-%")}
		for child in CHILD_DOCTYPES:
			self.assertFalse(set(frappe.get_all(child, filters=mine, pluck="parent")) - cases, child)
		self.assertFalse(frappe.db.exists("Case Partner Unit", {"partner_name": "某研究院"}))
		logged = frappe.get_all("Case Action Log", {"round": ROUND}, pluck="reference_name")
		self.assertFalse(set(logged) - cases)

		# imported cases go on through the same checks as any other: submitted by the lead…
		lead.ok(lead.act("Case Application", first.name, "Submit to District"))
		fresh()
		self.assertEqual(frappe.db.get_value("Case Application", first.name, "workflow_state"), "Submitted")
		# …and not before every declaration is ticked
		r = lead.act("Case Application", by_row[7]["docname"], "Submit to District")
		self.assertEqual(r.status_code, 417, message(r)[:300])
		self.assertIn("本单位近三年财务状况良好", message(r))

	def test_only_the_lead_department_imports(self):
		for user in (self.applicant, self.yz["kj"], self.yz["jy"]):
			u = User(user)
			self.assertEqual(
				u.get("/api/method/case_selection.overrides.data_import.template").status_code, 403, user
			)
			r = u.s.post(
				f"{URL}/api/resource/Data Import",
				json={"reference_doctype": "Case Application", "import_type": "Insert New Records"},
				timeout=60,
			)
			self.assertEqual(r.status_code, 403, f"{user}: {r.status_code} {message(r)[:200]}")
		# the lead itself imports cases, nothing else of the app (Frappe's Data Import does not ask allow_import)
		r = User(self.yz["jx"]).s.post(
			f"{URL}/api/resource/Data Import",
			json={"reference_doctype": "District Recommendation List", "import_type": "Insert New Records"},
			timeout=60,
		)
		self.assertEqual(r.status_code, 403, message(r)[:200])
		self.assertIn("不开放导入", message(r))
		fresh()
		self.assertFalse(frappe.db.exists("Data Import", {"owner": ("in", [self.applicant, self.yz["kj"]])}))
		self.assertFalse(
			frappe.db.exists("Data Import", {"reference_doctype": "District Recommendation List"})
		)

	def test_another_lead_sees_nothing_of_the_import(self):
		lead = User(self.yz["jx"])
		name, logs = self.import_xlsx(lead, self.filled_template(lead, [case_row(9211, "导入案例戊")]))
		self.assertEqual([log["success"] for log in logs], [1])
		other = User(self.wz["jx"])
		self.assertEqual(other.get(f"/api/resource/Data Import/{name}").status_code, 403)
		listed = other.ok(other.get("/api/resource/Data Import", limit_page_length=100)).json()["data"]
		self.assertNotIn(name, [row["name"] for row in listed])
		r = other.call("frappe.core.doctype.data_import.data_import.get_import_logs", data_import=name)
		self.assertEqual(r.status_code, 403)
		# Frappe's other Data Import methods load the import by name without asking: not for another user.
		di = "frappe.core.doctype.data_import.data_import"
		for method, arg in (
			("get_preview_from_template", "data_import"),
			("form_start_import", "data_import"),
			("download_errored_template", "data_import_name"),
			("download_import_log", "data_import_name"),
			("get_import_status", "data_import_name"),
		):
			self.assertEqual(other.call(f"{di}.{method}", **{arg: name}).status_code, 403, method)
			# nor with filters in place of the name (a JSON body passes a dict through)
			r = other.s.post(
				f"{URL}/api/method/{di}.{method}", json={arg: {"reference_doctype": "Case Application"}}
			)
			self.assertEqual(r.status_code, 403, f"{method} with filters")
		self.assertEqual(
			lead.ok(lead.call(f"{di}.get_import_status", data_import_name=name)).json()["message"]["success"],
			1,
		)
		# nor a preview of the lead's uploaded file through an import of one's own
		own = other.ok(
			other.s.post(
				f"{URL}/api/resource/Data Import",
				json={"reference_doctype": "Case Application", "import_type": "Insert New Records"},
			)
		).json()["data"]["name"]
		theirs = frappe.db.get_value("Data Import", name, "import_file")
		r = other.call(f"{di}.get_preview_from_template", data_import=own, import_file=theirs)
		self.assertEqual(r.status_code, 403)
		self.assertNotIn("导入案例戊", r.text)
		# and the other district's lead cannot import into this district either
		content = self.filled_template(other, [case_row(9212, "导入案例己")])
		_name, logs = self.import_xlsx(other, content)
		self.assertEqual([log["success"] for log in logs], [0])
		self.assertIn("所属区县", self.messages(logs[0]))

	def test_template_speaks_the_importers_language(self):
		"""Every column of the template is one Frappe's importer matches; what the lead may not fill is not
		offered (the city's fields, the state, attachments)."""
		previous, frappe.local.lang = frappe.local.lang, "zh"
		try:
			columns = data_import.template_columns()
			known = build_fields_dict_for_column_matching("Case Application")
		finally:
			frappe.local.lang = previous
		headers = [c.header for c in columns]
		for header in headers:
			self.assertIn(header, known)
		fields = {c.df.fieldname for c in columns if not c.table}
		self.assertLessEqual({"case_title", "round", "district", "uscc", "decl_legal_person"}, fields)
		self.assertFalse({"city_remark", "workflow_state", "signed_form_scan"} & fields)
		self.assertIn(f"年度 ({FINANCE})", headers)
		self.assertNotIn("文件 (佐证材料（专利、获奖、合同、报告等）)", headers)
