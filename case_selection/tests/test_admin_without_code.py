"""What an admin edits in Desk reaches every print, sheet and step (issue 23), done only through REST as
Administrator — no code, no migrate:

- a copy of 附件1 with its own wording, made the default print format of 案例申报书 (as Customize Form does);
- a field 所属产业链 added to 案例申报书 with Customize Form, added to the columns of 附件2 and of the city summary
  (导出列设置), and a default column of 附件2 removed;
- an eighth declaration: a check box added with Customize Form and a row in the round's 申报承诺事项;
- a step 区县审核 added to the district list's Workflow, with what it means;
- a new district with its three officers.

Then a case of the new district and its list go through over HTTP as the applicant, the district's officers and
the city, and every output shows the changes, read back from the PDF text and the xlsx cells.
"""

import io

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, nowdate
from openpyxl import load_workbook

from case_selection.access.system_write import system_write
from case_selection.signing import sealed_form
from case_selection.tests.factories import (
	PASSWORD,
	application_values,
	as_new,
	configuration,
	delete_application,
	make_user,
	restore_configuration,
)
from case_selection.tests.http import (
	REVIEW_ACTION,
	REVIEW_STEP,
	AdminSession,
	User,
	add_list_review_step,
	fresh,
	message,
)
from case_selection.tests.output_data import pdf_text
from case_selection.tests.pdf_measure import flat
from case_selection.workflow.definition import LIST_WORKFLOW_NAME

YEAR = "2086"
DISTRICT = "测试新区"
COPY = "附件1 申报书（本市2026版）"
COPY_WORDING = "本单位郑重承诺：以上所填内容真实、准确，如有不实，自愿承担一切后果。"
SHIPPED_WORDING = "本单位承诺以上内容属实，如有不实，愿承担相应责任。"
CHAIN = "industry_chain_test"
CHAIN_LABEL = "所属产业链"
CHAIN_VALUE = "智能网联新能源汽车产业链"
EIGHTH = "decl_chain_test"
EIGHTH_LABEL = "本单位承诺产业链数据安全可控"
OFFICERS = {
	"jx": "District Economy Officer",
	"kj": "District Science Officer",
	"jy": "District Education Officer",
}
REVIEW_STATE, TO_REVIEW = REVIEW_STEP, REVIEW_ACTION


def officer(key: str) -> str:
	return f"{key}.newdistrict@test.local"


def table_text(xlsx: bytes) -> list[list]:
	return [list(r) for r in load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True)]


def row_with(rows: list[list], value) -> list:
	return next(r for r in rows if value in r)


class TestAdminWithoutCode(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.before = configuration()
		cls.clean()
		cls.applicant = make_user("applicant.newdistrict@test.local", ["Case Applicant"])
		cls.city_user = make_user("city.newdistrict@test.local", ["City Case Manager"])
		frappe.db.commit()
		cls.admin = AdminSession()

	@classmethod
	def tearDownClass(cls):
		fresh()
		restore_configuration(cls.before)
		frappe.db.commit()
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		fresh()
		with system_write():
			for name in frappe.get_all("Case Application", {"round": YEAR}, pluck="name"):
				delete_application(name)
			for name in frappe.get_all("District Recommendation List", {"round": YEAR}, pluck="name"):
				frappe.delete_doc("District Recommendation List", name, force=True, ignore_permissions=True)
			if frappe.db.exists("Selection Round", YEAR):
				frappe.delete_doc("Selection Round", YEAR, force=True, ignore_permissions=True)
			for user in map(officer, OFFICERS):
				if frappe.db.exists("User", user):
					frappe.delete_doc("User", user, force=True, ignore_permissions=True)
			frappe.db.delete("User Permission", {"allow": "Case District", "for_value": DISTRICT})
			frappe.db.delete("District Deadline", {"district": DISTRICT})
			if frappe.db.exists("Case District", DISTRICT):
				frappe.delete_doc("Case District", DISTRICT, force=True, ignore_permissions=True)
			for fieldname in (CHAIN, EIGHTH):
				for name in frappe.get_all(
					"Custom Field", {"dt": "Case Application", "fieldname": fieldname}, pluck="name"
				):
					frappe.delete_doc("Custom Field", name, force=True, ignore_permissions=True)
			frappe.db.delete(
				"Property Setter", {"doc_type": "Case Application", "property": "default_print_format"}
			)
			if frappe.db.exists("Print Format", COPY):
				frappe.delete_doc("Print Format", COPY, force=True, ignore_permissions=True)
		frappe.clear_cache(doctype="Case Application")
		frappe.db.commit()

	# What the admin does in Desk, through REST -----------------------------------------------------------

	def configure(self):
		a = self.admin
		# a district and its three officers
		a.ok(a.post("/api/resource/Case District", {"district_name": DISTRICT, "sort_order": 98}))
		for key, role in OFFICERS.items():
			a.ok(
				a.post(
					"/api/resource/User",
					{
						"email": officer(key),
						"first_name": f"{DISTRICT}{key}",
						"send_welcome_email": 0,
						"new_password": PASSWORD,
						"roles": [{"role": role}],
					},
				)
			)
			a.ok(
				a.post(
					"/api/resource/User Permission",
					{"user": officer(key), "allow": "Case District", "for_value": DISTRICT},
				)
			)
		# a field and a check box added with Customize Form
		a.ok(
			a.post(
				"/api/resource/Custom Field",
				{
					"dt": "Case Application",
					"fieldname": CHAIN,
					"label": CHAIN_LABEL,
					"fieldtype": "Data",
					"insert_after": "keywords",
				},
			)
		)
		a.ok(
			a.post(
				"/api/resource/Custom Field",
				{
					"dt": "Case Application",
					"fieldname": EIGHTH,
					"label": EIGHTH_LABEL,
					"fieldtype": "Check",
					"insert_after": "decl_ip_clear",
				},
			)
		)
		# the round: the new field as a column of 附件2 and of the city summary, 单位类型 dropped from 附件2; the
		# eighth declaration
		a.ok(
			a.post(
				"/api/resource/Selection Round",
				{
					"year": int(YEAR),
					"round_title": f"{YEAR}年推动科技创新和产业创新深度融合优秀案例遴选（低代码测试）",
					"status": "Open",
					"open_date": add_days(nowdate(), -10),
					"district_deadline": add_days(nowdate(), 20),
					"scan_required": 0,
				},
			)
		)
		rnd = a.doc("Selection Round", YEAR)
		columns = [as_new(c) for c in rnd["output_columns"]]
		columns = [c for c in columns if (c["output"], c["field"]) != ("附件2 区县推荐案例名单", "unit_type")]
		at = next(
			i
			for i, c in enumerate(columns)
			if c["output"] == "附件2 区县推荐案例名单" and c["field"] == "case_title"
		)
		columns.insert(
			at + 1, {"output": "附件2 区县推荐案例名单", "field": CHAIN, "heading": "产业链", "width": 12}
		)
		columns.append(
			{"output": "市级推荐案例汇总表", "field": CHAIN, "heading": "所属产业链（市级）", "width": 20}
		)
		declarations = [as_new(d) for d in rnd["declarations"]]
		declarations.append({"fieldname": EIGHTH, "required": 1, "printed": 1})
		a.ok(a.put("Selection Round", YEAR, {"output_columns": columns, "declarations": declarations}))
		# a copy of 附件1 in the city's own words, made the default (Customize Form → 默认打印格式)
		original = a.doc("Print Format", "附件1 申报书")
		self.assertIn(SHIPPED_WORDING, original["html"])
		copy = {k: original[k] for k in ("doc_type", "print_format_type", "custom_format", "module")}
		copy["html"] = original["html"].replace(SHIPPED_WORDING, COPY_WORDING)
		a.ok(a.post("/api/resource/Print Format", {**copy, "name": COPY, "standard": "No"}))
		a.ok(
			a.post(
				"/api/resource/Property Setter",
				{
					"doctype_or_field": "DocType",
					"doc_type": "Case Application",
					"property": "default_print_format",
					"property_type": "Data",
					"value": COPY,
				},
			)
		)
		add_list_review_step(a)

	# The flow over HTTP -------------------------------------------------------------------------------------

	def sign(self, users, doctype, name):
		for u in users:
			u.ok(
				u.call("case_selection.api.cosigning.cosign", doctype=doctype, name=name, opinion="同意推荐")
			)

	def value(self, doctype, name, field):
		fresh()
		return frappe.db.get_value(doctype, name, field)

	def test_every_output_and_step_follows_what_the_admin_changed(self):
		self.configure()
		owner, city = User(self.applicant), User(self.city_user)
		officers = {key: User(officer(key)) for key in OFFICERS}
		lead = officers["jx"]

		# the district is ready at once: its deadline record in the round names its officers
		fresh()
		officers_named = frappe.db.get_value(
			"District Deadline", {"round": YEAR, "district": DISTRICT}, "officers"
		)
		self.assertEqual(set((officers_named or "").split(",")), {officer(k) for k in OFFICERS})

		values = application_values(seed=886, round=YEAR, district=DISTRICT, case_title="低代码测试案例")
		values[CHAIN] = CHAIN_VALUE
		case = owner.ok(owner.call("frappe.client.insert", doc=values)).json()["message"]["name"]
		# the eighth declaration is required before the case is handed in, named as the form names it
		r = owner.act("Case Application", case, "Submit to District")
		self.assertEqual(r.status_code, 417, message(r)[:300])
		self.assertIn(EIGHTH_LABEL, message(r))
		self.assertEqual(self.value("Case Application", case, "workflow_state"), "Draft")
		owner.ok(owner.put("Case Application", case, {EIGHTH: 1}))
		owner.ok(owner.act("Case Application", case, "Submit to District"))
		self.sign(officers.values(), "Case Application", case)
		self.assertEqual(self.value("Case Application", case, "workflow_state"), "Recommended")

		# the list goes through the new step: no signature on the draft, the lead sends it to 区县审核 first
		lst = lead.ok(
			lead.call(
				"frappe.client.insert",
				doc={
					"doctype": "District Recommendation List",
					"round": YEAR,
					"district": DISTRICT,
					"contact_person": "新区联络人",
					"contact_phone": "023-12345678",
					"items": [{"application": case}],
				},
			)
		).json()["message"]["name"]
		r = officers["kj"].call(
			"case_selection.api.cosigning.cosign",
			doctype="District Recommendation List",
			name=lst,
			opinion="同意推荐",
		)
		self.assertEqual(r.status_code, 417, message(r)[:300])
		lead.ok(lead.act("District Recommendation List", lst, TO_REVIEW))
		self.assertEqual(self.value("District Recommendation List", lst, "status"), REVIEW_STATE)
		self.sign(officers.values(), "District Recommendation List", lst)
		lead.ok(lead.call("case_selection.api.lists.submit_list", name=lst))
		city.ok(city.call("case_selection.api.lists.receive_list", name=lst))
		self.assertEqual(self.value("District Recommendation List", lst, "status"), "Received")
		self.assertEqual(self.value("Case Application", case, "workflow_state"), "Received")
		history = frappe.get_all(
			"Case Action Log",
			{"reference_doctype": "District Recommendation List", "reference_name": lst},
			pluck="to_state",
			order_by="creation asc",
		)
		self.assertIn(REVIEW_STATE, history)

		# 附件1: the form's default print format is the copy, and it prints the copy's words and the eighth box
		meta = owner.ok(
			owner.get("/api/method/frappe.desk.form.load.getdoctype", doctype="Case Application")
		).json()["docs"][0]
		self.assertEqual(meta.get("default_print_format"), COPY)
		annex1 = flat(
			pdf_text(
				owner.ok(
					owner.get(
						"/api/method/frappe.utils.print_format.download_pdf",
						doctype="Case Application",
						name=case,
						format=meta["default_print_format"],
					)
				).content
			)
		)
		self.assertIn(flat(COPY_WORDING), annex1)
		self.assertNotIn(flat(SHIPPED_WORDING), annex1)
		self.assertIn("☑" + flat(EIGHTH_LABEL), annex1)
		self.assertIn(DISTRICT, annex1)

		# the sealed 附件1 (made on the queue after the last signature; no worker serves the test site: run here)
		# is made from the same default format
		sealed_form.run(case)
		frappe.db.commit()
		sealed = owner.ok(owner.get(self.value("Case Application", case, "sealed_form"))).content
		self.assertIn(flat(COPY_WORDING), flat(pdf_text(sealed)))

		# 附件2, PDF and xlsx: the new column after 案例名称, 单位类型 gone
		annex2 = flat(
			pdf_text(
				lead.ok(
					lead.get(
						"/api/method/frappe.utils.print_format.download_pdf",
						doctype="District Recommendation List",
						name=lst,
						format="附件2 区县推荐案例名单",
					)
				).content
			)
		)
		self.assertIn("案例名称产业链申报单位", annex2)
		self.assertIn(CHAIN_VALUE, annex2)
		self.assertNotIn("单位类型", annex2)
		rows = table_text(
			lead.ok(lead.get("/api/method/case_selection.api.exports.district_list_xlsx", name=lst)).content
		)
		header = row_with(rows, "产业链")
		self.assertEqual([c for c in header if c][:3], ["序号", "案例名称", "产业链"])
		self.assertNotIn("单位类型", header)
		self.assertEqual(row_with(rows, "低代码测试案例")[header.index("产业链")], CHAIN_VALUE)

		# the city summary: the new column at its end, the new district's case in it
		rows = table_text(
			city.ok(city.get("/api/method/case_selection.api.exports.city_summary_xlsx", round=YEAR)).content
		)
		header = row_with(rows, "所属产业链（市级）")
		line = row_with(rows, "低代码测试案例")
		self.assertEqual(line[header.index("所属产业链（市级）")], CHAIN_VALUE)
		self.assertEqual(line[header.index("区县")], DISTRICT)
		self.assertEqual(line.count(CHAIN_VALUE), 1)
