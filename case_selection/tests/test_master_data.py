import csv

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.setup.install import after_install
from case_selection.setup.master_data import DATA_DIR, OTHER_DIRECTION
from case_selection.setup.roles import ROLES


def shared_rows(name):
	with open(f"{DATA_DIR}/{name}", encoding="utf-8") as f:
		return list(csv.DictReader(f))


class TestMasterData(FrappeTestCase):
	def test_41_districts_with_codes_and_kinds(self):
		rows = frappe.get_all(
			"Case District",
			fields=["district_name", "district_code", "district_kind"],
			order_by="sort_order asc",
		)
		self.assertEqual(len(rows), 41)
		expected = shared_rows("districts.csv")
		self.assertEqual([r.district_name for r in rows], [e["name"] for e in expected])
		self.assertEqual([r.district_code or "" for r in rows], [e["code"] for e in expected])
		kinds = [r.district_kind for r in rows]
		self.assertEqual(
			(kinds.count("区"), kinds.count("县"), kinds.count("自治县"), kinds.count("功能区")),
			(26, 8, 4, 3),
		)
		self.assertEqual(
			{r.district_name for r in rows if r.district_kind == "功能区"},
			{"两江新区", "西部科学城重庆高新区", "万盛经开区"},
		)

	def test_4_domains_and_14_directions_word_for_word(self):
		domains = frappe.get_all(
			"Selection Domain", fields=["domain_code", "domain_name"], order_by="domain_code"
		)
		self.assertEqual(
			[d.domain_name for d in domains],
			["增加高质量科技供给", "强化企业创新主体地位", "推动科技成果转化", "推动科创人才培养流动"],
		)
		directions = frappe.get_all(
			"Selection Direction",
			filters={"is_other": 0},
			fields=["direction_code", "direction_name", "domain"],
			order_by="direction_code",
		)
		self.assertEqual(len(directions), 14)
		expected = shared_rows("directions.csv")
		self.assertEqual(
			[(d.direction_code, d.direction_name, d.domain) for d in directions],
			[(e["direction_code"], e["direction"], e["domain"]) for e in expected],
		)
		self.assertEqual(
			frappe.get_all("Selection Direction", filters={"is_other": 1}, pluck="name"), [OTHER_DIRECTION]
		)

	def test_2025_round_facts_from_the_notice(self):
		r = frappe.get_doc("Selection Round", "2025")
		self.assertEqual(r.round_title, "2025年推动科技创新和产业创新深度融合优秀案例遴选")
		self.assertEqual(str(r.notice_date), "2025-10-11")
		self.assertEqual(str(r.district_deadline), "2025-10-31")
		self.assertEqual(frappe.utils.getdate(r.district_deadline).weekday(), 4)  # 星期五
		self.assertEqual(r.paper_copies, 5)
		self.assertEqual(r.default_quota, 0)
		self.assertEqual(
			r.issuing_bodies.split("\n"), ["重庆市经济和信息化委员会", "重庆市科学技术局", "重庆市教育委员会"]
		)
		self.assertEqual(
			[(c.department, c.contact_name, c.phone) for c in r.contacts],
			[
				("市经济信息委科技处", "曹文华", "023—63895941"),
				("市经济信息委政务服务大厅", "郭薇", "023—63897953"),
				("市科技局高新处", "杨威", "023—67611512"),
				("市教委科技处", "王伟", "023—67986899"),
			],
		)
		self.assertEqual(len(r.directions), 15)
		self.assertEqual([d.department for d in r.cosign_departments], ["经信", "科技", "教育"])
		self.assertEqual(
			[c.criterion for c in r.review_criteria], ["代表性", "示范性", "实效性", "借鉴意义", "推广价值"]
		)

	def test_install_steps_twice_add_nothing(self):
		counts = {
			dt: frappe.db.count(dt)
			for dt in ("Case District", "Selection Domain", "Selection Direction", "Selection Round", "Role")
		}
		after_install()
		after_install()
		self.assertEqual(counts, {dt: frappe.db.count(dt) for dt in counts})

	def test_roles_exist_with_chinese_labels(self):

		for role in ROLES:
			self.assertTrue(frappe.db.exists("Role", role), role)
		frappe.local.lang = "zh"
		try:
			frappe.translate.clear_cache()
			self.assertEqual(frappe._("District Economy Officer"), "区县经信部门")
			self.assertEqual(frappe._("Case Expert"), "评审专家")
		finally:
			frappe.local.lang = "en"
