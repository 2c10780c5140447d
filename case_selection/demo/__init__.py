"""Demo data for `make demo`: the users of every role and the whole pipeline (case_selection/demo/pipeline.py).

Run with `bench --site SITE execute case_selection.demo.load`; calling it again adds nothing.
"""

import frappe

from case_selection.demo.pipeline import Demo
from case_selection.setup.users import ensure_expert, ensure_user

DEMO_PASSWORD = "Demo@2025"
DEMO_DISTRICT = "渝中区"
# The other districts of the demo: their three departments each (the demo's cases are spread over them).
OTHER_DISTRICTS = {"江北区": "jiangbei", "九龙坡区": "jiulongpo", "沙坪坝区": "shapingba"}

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
	("expert2@demo.local", "评审专家二", ["Case Expert"], None),
	*[
		(f"{key}.{slug}@demo.local", f"{district}{dept}", [role], district)
		for district, slug in OTHER_DISTRICTS.items()
		for key, dept, role in (
			("jx", "经信", "District Economy Officer"),
			("kj", "科技", "District Science Officer"),
			("jy", "教育", "District Education Officer"),
		)
	],
]


def people() -> dict:
	"""Who acts in the demo pipeline."""
	districts = {DEMO_DISTRICT: "yuzhong", **OTHER_DISTRICTS}
	return {
		"applicant": "applicant@demo.local",
		"city": "city@demo.local",
		"reviewer": "reviewer@demo.local",
		"experts": ["expert@demo.local", "expert2@demo.local"],
		"districts": {
			district: {key: f"{key}.{slug}@demo.local" for key in ("jx", "kj", "jy")}
			for district, slug in districts.items()
		},
	}


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


# The experts' records in the library (Review Expert): units and districts the demo's cases do not share.
DEMO_EXPERTS = (
	("expert@demo.local", "西南大学", "北碚区"),
	("expert2@demo.local", "中国科学院重庆绿色智能技术研究院", "北碚区"),
)


def ensure_users():
	# Frappe refuses more than 60 new users an hour (throttle_user_limit); the demo's users are made once, by
	# this process only, so the limit is raised here and nowhere else.
	frappe.local.conf.throttle_user_limit = max(frappe.local.conf.get("throttle_user_limit") or 60, 1000)
	for email, name, roles, district in DEMO_USERS:
		ensure_user(email, name, roles, DEMO_PASSWORD, district)
	for email, unit, district in DEMO_EXPERTS:
		ensure_expert(email, unit, district=district)


def load():

	complete_setup()
	ensure_users()
	frappe.db.commit()
	Demo(people()).build()
	frappe.db.commit()


def credentials() -> str:
	lines = [f"{email} / {DEMO_PASSWORD}  ({', '.join(roles)})" for email, _n, roles, _d in DEMO_USERS]
	return "\n".join(lines)
