"""Demo data for `make demo`: one user per role and a few applications per district.

Run with `bench --site SITE execute case_selection.demo.load`; calling it again adds nothing.
"""

import frappe

DEMO_PASSWORD = "Demo@2025"
DEMO_DISTRICT = "渝中区"

DEMO_USERS = [
	("applicant@demo.local", "示例申报单位", ["Case Applicant"], None),
	("jx.yuzhong@demo.local", "渝中区经信", ["District Economy Officer"], DEMO_DISTRICT),
	("kj.yuzhong@demo.local", "渝中区科技", ["District Science Officer"], DEMO_DISTRICT),
	("jy.yuzhong@demo.local", "渝中区教育", ["District Education Officer"], DEMO_DISTRICT),
	("city@demo.local", "市经济信息委", ["City Case Manager"], None),
	("reviewer@demo.local", "市科技局高新处", ["City Reviewer"], None),
	("expert@demo.local", "评审专家", ["Case Expert"], None),
]


def ensure_user(email: str, first_name: str, roles: list[str], district: str | None = None):
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"language": "zh",
				"send_welcome_email": 0,
				"new_password": DEMO_PASSWORD,
			}
		)
		user.insert(ignore_permissions=True)
		user.add_roles(*roles)
	if district and not frappe.db.exists(
		"User Permission", {"user": email, "allow": "Case District", "for_value": district}
	):
		frappe.get_doc(
			{"doctype": "User Permission", "user": email, "allow": "Case District", "for_value": district}
		).insert(ignore_permissions=True)


def load():
	frappe.db.set_single_value("System Settings", "language", "zh")
	for email, name, roles, district in DEMO_USERS:
		ensure_user(email, name, roles, district)
	frappe.db.commit()


def credentials() -> str:
	lines = [f"{email} / {DEMO_PASSWORD}  ({', '.join(roles)})" for email, _n, roles, _d in DEMO_USERS]
	return "\n".join(lines)
