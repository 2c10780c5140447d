"""Demo data for `make demo`: one user per role and a few applications per district.

Run with `bench --site SITE execute case_selection.demo.load`; calling it again adds nothing.
"""

import frappe

from case_selection.case_selection.doctype.case_application.case_application import DECLARATIONS
from case_selection.setup.users import ensure_user

DEMO_PASSWORD = "Demo@2025"
DEMO_DISTRICT = "渝中区"

DEMO_USERS = [
	# The office's own administrator comes first: Frappe hands System Manager to the first user saved after
	# setup when no other exists, and that must not be a case role's user.
	("admin@demo.local", "系统管理员", ["System Manager"], None),
	("applicant@demo.local", "示例申报单位", ["Case Applicant"], None),
	("jx.yuzhong@demo.local", "渝中区经信", ["District Economy Officer"], DEMO_DISTRICT),
	("kj.yuzhong@demo.local", "渝中区科技", ["District Science Officer"], DEMO_DISTRICT),
	("jy.yuzhong@demo.local", "渝中区教育", ["District Education Officer"], DEMO_DISTRICT),
	("city@demo.local", "市经济信息委", ["City Case Manager"], None),
	("reviewer@demo.local", "市科技局高新处", ["City Reviewer"], None),
	("expert@demo.local", "评审专家", ["Case Expert"], None),
]


DEMO_CASES = (
	("产业关键技术攻关", "企业", "{d}智能制造关键工艺联合攻关"),
	("产学研协同创新", "高等学校", "{d}产学研协同创新综合体建设"),
)


def load_applications():
	"""Two Draft applications per district of the 2025 round, entered as the paper forms would be."""
	from case_selection.validation import uscc_check_char

	districts = frappe.get_all("Case District", pluck="name", order_by="sort_order asc")
	for i, district in enumerate(districts):
		for j, (direction, unit_type, title) in enumerate(DEMO_CASES):
			case_title = title.format(d=district)
			if frappe.db.exists("Case Application", {"round": "2025", "case_title": case_title}):
				continue
			first17 = f"9150{i:04d}{j:09d}"
			frappe.get_doc(
				{
					"doctype": "Case Application",
					"round": "2025",
					"district": district,
					"case_title": case_title,
					"direction": direction,
					"unit_name": f"{district}示范{unit_type}{j + 1}",
					"uscc": first17 + uscc_check_char(first17),
					"unit_type": unit_type,
					"legal_representative": "李四",
					"contact_person": "王五",
					"contact_title": "科技部部长",
					"contact_mobile": f"139{i:04d}{j:04d}",
					"contact_email": f"demo{i}{j}@example.com",
					"keywords": "关键技术、产学研、成果转化",
					"background": "面向本地支柱产业的共性技术难题，企业与高校联合立项攻关。",
					"approach": "组建联合攻关团队，设立攻关课题，开展中试验证与工程化放大。",
					"innovation": "首创工艺路线，形成自主知识产权。",
					"results": "新增产值与专利授权显著，带动上下游企业协同创新。",
					"indicators": [
						{"indicator": "新增产值", "value": "1.2", "unit": "亿元"},
						{"indicator": "授权发明专利", "value": "8", "unit": "件"},
					],
					"promotion_value": "具有较强的代表性、示范性和实效性，可在同类产业推广。",
					**dict.fromkeys(DECLARATIONS, 1),
				}
			).insert(ignore_permissions=True)


def complete_setup():
	"""What Frappe's setup wizard would set for a Chongqing office; until then Desk shows only the wizard."""
	settings = frappe.get_single("System Settings")
	settings.update(
		{
			"language": "zh",
			"country": "China",
			"time_zone": "Asia/Shanghai",
			"date_format": "yyyy-mm-dd",
			"first_day_of_the_week": "Monday",
			"setup_complete": 1,
		}
	)
	settings.save(ignore_permissions=True)
	frappe.db.commit()


def ensure_users():
	for email, name, roles, district in DEMO_USERS:
		ensure_user(email, name, roles, DEMO_PASSWORD, district)


def load():
	complete_setup()
	ensure_users()
	load_applications()
	frappe.db.commit()


def credentials() -> str:
	lines = [f"{email} / {DEMO_PASSWORD}  ({', '.join(roles)})" for email, _n, roles, _d in DEMO_USERS]
	return "\n".join(lines)
