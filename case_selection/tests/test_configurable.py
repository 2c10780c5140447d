"""Configurable in Desk, end to end (issue 9): a test that changes only data, through REST as Administrator.

It adds a fourth co-signing department, 区县人力社保部门 (a new Role, its officer with a User Permission, a row
in a new round's co-signing table), and makes it the lead; adds a state 市级复核 between 市级已受理 and 市级评审中,
visible to the city; copies 附件1 as an admin would in Desk. Then the whole flow runs over HTTP: all four
departments must sign, the new lead submits the list, the city sees the case in the new state, 附件1 and 附件2
(PDF and xlsx) show four opinion and seal blocks, and the copied format has page numbers. A later round with
the three departments of the notice still works.
"""

import io
import json

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, nowdate
from openpyxl import load_workbook
from pypdf import PdfReader

from case_selection.access.system_write import system_write
from case_selection.demo.pipeline import scan_pdf
from case_selection.tests.factories import (
	PASSWORD,
	application_values,
	configuration,
	delete_application,
	make_user,
	restore_configuration,
)
from case_selection.tests.http import REFUSED, URL, AdminSession, User, fresh, message
from case_selection.workflow.definition import WORKFLOW_NAME

HR_ROLE = "District HR Officer 测试"
NEW_STATE = "市级复核"
NEW_ACTION = "转市级复核"
COPY = "附件1 申报书（区县留存）"
ROUND_YEAR, THREE_YEAR = 2088, 2087


def pdf_text(content: bytes) -> str:
	return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)


class TestConfigurableInDesk(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.before = configuration()
		cls.clean()
		cls.officers = {
			key: make_user(f"{key}.cfg@test.local", [role], "渝中区")
			for key, role in (
				("jx", "District Economy Officer"),
				("kj", "District Science Officer"),
				("jy", "District Education Officer"),
			)
		}
		cls.applicant = make_user("applicant.cfg@test.local", ["Case Applicant"])
		cls.city_user = make_user("city.cfg@test.local", ["City Case Manager"])
		frappe.db.commit()
		cls.admin = AdminSession()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		fresh()
		restore_configuration(cls.before)
		frappe.db.commit()  # clean() starts from what the server committed
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		fresh()
		with system_write():
			for year in (ROUND_YEAR, THREE_YEAR):
				for name in frappe.get_all("Case Application", {"round": str(year)}, pluck="name"):
					delete_application(name)
				for name in frappe.get_all(
					"District Recommendation List", {"round": str(year)}, pluck="name"
				):
					frappe.delete_doc(
						"District Recommendation List", name, force=True, ignore_permissions=True
					)
				if frappe.db.exists("Selection Round", str(year)):
					frappe.delete_doc("Selection Round", str(year), force=True, ignore_permissions=True)
		if frappe.db.exists("Print Format", COPY):
			frappe.delete_doc("Print Format", COPY, force=True, ignore_permissions=True)
		frappe.db.commit()

	# Desk's data, through REST as Administrator ------------------------------------------------------------

	def configure(self):
		a = self.admin
		if not frappe.db.exists("Role", HR_ROLE):
			a.ok(a.post("/api/resource/Role", {"role_name": HR_ROLE, "desk_access": 1}))
		hr = "hr.cfg@test.local"
		if not frappe.db.exists("User", hr):
			a.ok(
				a.post(
					"/api/resource/User",
					{
						"email": hr,
						"first_name": "渝中区人社",
						"send_welcome_email": 0,
						"new_password": PASSWORD,
						"roles": [{"role": HR_ROLE}],
					},
				)
			)
		if not frappe.db.exists(
			"User Permission", {"user": hr, "allow": "Case District", "for_value": "渝中区"}
		):
			a.ok(
				a.post(
					"/api/resource/User Permission",
					{"user": hr, "allow": "Case District", "for_value": "渝中区"},
				)
			)
		departments = [
			{"department": "经信", "department_title": "区县经信部门", "role": "District Economy Officer"},
			{"department": "科技", "department_title": "区县科技部门", "role": "District Science Officer"},
			{"department": "教育", "department_title": "区县教育部门", "role": "District Education Officer"},
			{"department": "人社", "department_title": "区县人力社保部门", "role": HR_ROLE, "is_lead": 1},
		]
		a.ok(a.post("/api/resource/Selection Round", self.round_values(ROUND_YEAR, departments)))
		# a state between 市级已受理 and 市级评审中, visible to the city
		if not frappe.db.exists("Workflow State", NEW_STATE):
			a.ok(a.post("/api/resource/Workflow State", {"workflow_state_name": NEW_STATE, "style": "Info"}))
		if not frappe.db.exists("Workflow Action Master", NEW_ACTION):
			a.ok(a.post("/api/resource/Workflow Action Master", {"workflow_action_name": NEW_ACTION}))
		workflow = a.doc("Workflow", WORKFLOW_NAME)
		transitions = [
			t for t in workflow["transitions"] if (t["state"], t["action"]) != ("Received", "Start Review")
		]
		transitions += [
			{
				"state": "Received",
				"action": NEW_ACTION,
				"next_state": NEW_STATE,
				"allowed": "City Case Manager",
				"allow_self_approval": 1,
				"condition": 'frappe.db.get_value("Case Evaluation", doc.name, "formal_check") == "通过"',
			},
			{
				"state": NEW_STATE,
				"action": "Start Review",
				"next_state": "Under Review",
				"allowed": "City Case Manager",
				"allow_self_approval": 1,
			},
		]
		states = [
			*workflow["states"],
			{"state": NEW_STATE, "doc_status": "0", "allow_edit": "City Case Manager"},
		]
		a.ok(a.put("Workflow", WORKFLOW_NAME, {"transitions": transitions, "states": states}))
		settings = a.doc("Case Selection Settings", "Case Selection Settings")
		rows = [*settings["states"], {"state": NEW_STATE, "label": NEW_STATE, "city_visible": 1}]
		a.ok(a.put("Case Selection Settings", "Case Selection Settings", {"states": rows}))
		# a copy of 附件1, as Desk's Duplicate makes it
		original = a.doc("Print Format", "附件1 申报书")
		copy = {k: original[k] for k in ("doc_type", "html", "print_format_type", "custom_format", "module")}
		a.ok(a.post("/api/resource/Print Format", {**copy, "name": COPY, "standard": "No"}))
		return hr

	@staticmethod
	def round_values(year: int, departments: list[dict]) -> dict:
		return {
			"year": year,
			"round_title": f"{year}年推动科技创新和产业创新深度融合优秀案例遴选（配置测试）",
			"status": "Open",
			"open_date": add_days(nowdate(), -10),
			"district_deadline": add_days(nowdate(), 20),
			"public_notice_days": 0,
			"issuing_bodies": "重庆市经济和信息化委员会\n重庆市科学技术局\n重庆市教育委员会\n重庆市人力资源和社会保障局",
			"cosign_departments": departments,
		}

	# The flow over HTTP -----------------------------------------------------------------------------------

	def new_case(self, owner: User, year: int, seed: int) -> str:
		values = application_values(seed=seed, round=str(year), case_title=f"配置测试案例{seed}")
		name = owner.ok(owner.call("frappe.client.insert", doc=values)).json()["message"]["name"]
		# the stamped scan, as the form's Attach control uploads it (the round asks for it before the list goes)
		r = owner.s.post(
			f"{URL}/api/method/upload_file",
			files={"file": (f"盖章申报书-{seed}.pdf", scan_pdf(name), "application/pdf")},
			data={
				"doctype": "Case Application",
				"docname": name,
				"fieldname": "signed_form_scan",
				"is_private": 1,
			},
			timeout=60,
		)
		scan = owner.ok(r).json()["message"]["file_url"]
		owner.ok(owner.put("Case Application", name, {"signed_form_scan": scan}))
		owner.ok(owner.act("Case Application", name, "Submit to District"))
		return name

	def sign(self, users, doctype, name):
		out = None
		for u in users:
			out = u.ok(
				u.call("case_selection.api.cosigning.cosign", doctype=doctype, name=name, opinion="同意推荐")
			).json()
		return out["message"]

	def state(self, name):
		fresh()
		return frappe.db.get_value("Case Application", name, "workflow_state")

	def test_a_fourth_department_that_leads_a_new_state_and_a_copied_format(self):
		hr_user = self.configure()
		officers = [User(u) for u in self.officers.values()]
		hr = User(hr_user)
		owner, city = User(self.applicant), User(self.city_user)
		case = self.new_case(owner, ROUND_YEAR, 870)
		self.assertEqual(
			hr.doc("Case Application", case)["name"], case
		)  # the new department reads its district
		self.sign(officers, "Case Application", case)
		self.assertEqual(self.state(case), "District Co-signing")  # three of four is not enough
		self.assertEqual(self.sign([hr], "Case Application", case)["cosign_status"], "Agreed")
		self.assertEqual(self.state(case), "Recommended")
		# the new lead assembles and submits the list; the old lead may sign it but not submit it
		lst = hr.ok(
			hr.call(
				"frappe.client.insert",
				doc={
					"doctype": "District Recommendation List",
					"round": str(ROUND_YEAR),
					"district": "渝中区",
					"contact_person": "人社联络人",
					"items": [{"application": case}],
				},
			)
		).json()["message"]["name"]
		self.sign([*officers, hr], "District Recommendation List", lst)
		r = officers[0].call("case_selection.api.lists.submit_list", name=lst)
		self.assertIn(r.status_code, REFUSED, message(r))
		hr.ok(hr.call("case_selection.api.lists.submit_list", name=lst))
		self.assertEqual(self.state(case), "Submitted to City")
		city.ok(city.call("case_selection.api.lists.receive_list", name=lst))
		city.ok(city.put("Case Evaluation", case, {"formal_check": "通过"}))
		city.ok(city.act("Case Application", case, NEW_ACTION))
		self.assertEqual(self.state(case), NEW_STATE)
		listed = city.ok(
			city.get(
				"/api/resource/Case Application",
				filters=json.dumps([["round", "=", str(ROUND_YEAR)]]),
				fields='["name","workflow_state"]',
			)
		).json()["data"]
		self.assertEqual(listed, [{"name": case, "workflow_state": NEW_STATE}])
		city.ok(city.act("Case Application", case, "Start Review"))
		self.assertEqual(self.state(case), "Under Review")

		# outputs: four opinion blocks, four seal blocks, the round's issuing bodies, numbers on the copy
		annex1 = pdf_text(
			owner.ok(
				owner.get(
					"/api/method/frappe.utils.print_format.download_pdf",
					doctype="Case Application",
					name=case,
					format="附件1 申报书",
				)
			).content
		).replace(" ", "")
		for title in ("区县经信部门", "区县科技部门", "区县教育部门", "区县人力社保部门"):
			self.assertIn(title, annex1)
		self.assertIn("重庆市人力资源和社会保障局", annex1)
		copy = owner.ok(
			owner.get(
				"/api/method/frappe.utils.print_format.download_pdf",
				doctype="Case Application",
				name=case,
				format=COPY,
			)
		).content
		self.assertIn("—2—", pdf_text(copy).replace(" ", ""))
		annex2 = pdf_text(
			hr.ok(
				hr.get(
					"/api/method/frappe.utils.print_format.download_pdf",
					doctype="District Recommendation List",
					name=lst,
					format="附件2 区县推荐案例名单",
				)
			).content
		).replace(" ", "")
		for title in ("区县经信部门", "区县科技部门", "区县教育部门", "区县人力社保部门"):
			self.assertIn(title, annex2)
		xlsx = hr.ok(hr.get("/api/method/case_selection.api.exports.district_list_xlsx", name=lst)).content
		cells = [
			c for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True) for c in row if c
		]
		seals = [c for c in cells if isinstance(c, str) and "（盖章）" in c and "部门" in c]
		self.assertEqual(len(seals), 4, seals)

	def test_a_round_with_the_notices_three_departments_still_works(self):
		a = self.admin
		departments = [
			{
				"department": "经信",
				"department_title": "区县经信部门",
				"role": "District Economy Officer",
				"is_lead": 1,
			},
			{"department": "科技", "department_title": "区县科技部门", "role": "District Science Officer"},
			{"department": "教育", "department_title": "区县教育部门", "role": "District Education Officer"},
		]
		a.ok(a.post("/api/resource/Selection Round", self.round_values(THREE_YEAR, departments)))
		owner = User(self.applicant)
		case = self.new_case(owner, THREE_YEAR, 871)
		self.sign([User(u) for u in self.officers.values()], "Case Application", case)
		self.assertEqual(self.state(case), "Recommended")
		if frappe.db.exists("User", "hr.cfg@test.local"):
			r = User("hr.cfg@test.local").call(
				"case_selection.api.cosigning.cosign",
				doctype="Case Application",
				name=case,
				opinion="同意推荐",
			)
			self.assertIn(r.status_code, REFUSED)  # not a department of this round
