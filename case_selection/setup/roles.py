"""The roles of SPEC §1, as installed. Names are the interface; the Chinese labels come from translations/zh.csv.

This is the one place that names roles, and only as defaults: at run time the district roles come from the
rounds' co-signing departments and the city, applicant and expert roles from Case Selection Settings
(case_selection/access/actors.py).
"""

import frappe

ADMIN_ROLE = "System Manager"

ROLES = {
	"Case Applicant": "申报单位",
	"District Economy Officer": "区县经信部门",
	"District Science Officer": "区县科技部门",
	"District Education Officer": "区县教育部门",
	"City Case Manager": "市经济信息委（科技处、政务服务大厅）",
	"City Reviewer": "市科技局高新处、市教委科技处",
	"Case Expert": "评审专家",
	"Case Lookup Integration": "外部系统（入选单位查询）",
}
# Roles without Desk: an integration user only calls the lookup endpoint with its API key.
NO_DESK = {"Case Lookup Integration"}

# The notice's departments (三(二)): 经信 leads, 科技 and 教育 sign beside it. A department a later round adds
# gets the rights of the lead or of a member (setup/grants.py).
DEFAULT_LEAD_ROLE = "District Economy Officer"
DEFAULT_MEMBER_ROLE = "District Science Officer"
DEFAULT_DEPARTMENTS = (
	{"department": "经信", "department_title": "区县经信部门", "role": DEFAULT_LEAD_ROLE, "is_lead": 1},
	{"department": "科技", "department_title": "区县科技部门", "role": DEFAULT_MEMBER_ROLE, "is_lead": 0},
	{
		"department": "教育",
		"department_title": "区县教育部门",
		"role": "District Education Officer",
		"is_lead": 0,
	},
)

# Defaults of Case Selection Settings.
DEFAULT_APPLICANT_ROLE = "Case Applicant"
DEFAULT_EXPERT_ROLE = "Case Expert"
DEFAULT_INTEGRATION_ROLE = "Case Lookup Integration"
DEFAULT_CITY_ROLES = (
	{"role": "City Case Manager", "can_manage": 1},
	{"role": "City Reviewer", "can_manage": 0},
)


def ensure_roles():
	for name in ROLES:
		if not frappe.db.exists("Role", name):
			frappe.get_doc(
				{"doctype": "Role", "role_name": name, "desk_access": 0 if name in NO_DESK else 1}
			).insert(ignore_permissions=True)


def remove_roles():
	for name in ROLES:
		frappe.db.delete("Has Role", {"role": name})
		frappe.db.delete("Custom DocPerm", {"role": name})
		frappe.db.delete("Role", {"name": name})
