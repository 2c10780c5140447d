"""Renders a sample 附件1, 附件2 and casebook through the real print path (the same render_pdf the download
route uses, and the casebook generator) on the site given, and writes the three PDFs to --out.

Run as the bench user from the bench's `sites` folder (scripts/outputs_preview.sh does, then turns every page
into a PNG with pdftoppm):

    ../env/bin/python ../apps/case_selection/scripts/outputs_preview.py --site case-preview.localhost --out DIR

The sample records are made once (the helpers reuse what exists) and kept, so a second run shows the same.
"""

import argparse
import os

import frappe

DISTRICT = "永川区"
CASEBOOK_TITLE = "重庆市科技创新和产业创新深度融合优秀案例集"
LIST_TITLES = (
	"高端数控机床主轴关键技术攻关",
	"智能网联汽车线控底盘产学研协同创新",
	"高校科技成果“先用后付”转化机制改革",
	"工业互联网标识解析技术供需对接平台",
	"科技特派员驻企攻克精密铸造难题",
	"大学生创新创业团队孵化服务",
)
HISTORY = (
	("Submit to District", "Draft", "Submitted", "材料齐全，提交区县。"),
	("Start Co-signing", "Submitted", "District Co-signing", ""),
	("Co-sign Agreed", "District Co-signing", "Recommended", "三部门均同意推荐。"),
	("Submit to City", "Recommended", "Submitted to City", "随区县推荐名单报送。"),
)


def make_samples():
	from case_selection.tests import output_data as od
	from case_selection.tests.factories import make_user

	user = make_user("preview-yongchuan@example.com", ["District Economy Officer"], DISTRICT)
	app = od.make_output_application(
		"高端装备核心部件关键技术攻关与产业化应用",
		district=DISTRICT,
		seed=7001,
		unit_name="重庆永川精密装备科技有限公司",
		evidence=[
			{"evidence_type": "专利", "title": "一种高端装备核心部件的检测方法（发明专利）"},
			{"evidence_type": "获奖", "title": "重庆市科技进步奖一等奖"},
			{"evidence_type": "合同", "title": "与重庆大学签订的联合攻关合同"},
		],
	)
	od.add_opinions("Case Application", app.name, DISTRICT)
	od.add_history(app, list(HISTORY), user=user)

	codes = ("1.1", "2.1", "3.2", "3.3", "4.2", "4.3")
	apps = [
		od.make_output_application(title, district=DISTRICT, code=code, seed=7100 + i)
		for i, (title, code) in enumerate(zip(LIST_TITLES, codes, strict=True))
	]
	district_list = od.make_district_list(DISTRICT, apps)
	od.add_opinions("District Recommendation List", district_list.name, DISTRICT)

	for a in apps[:3]:
		od.set_state(a.name, "Selected")
	name = frappe.db.get_value("Case Collection", {"round": od.ROUND, "title": CASEBOOK_TITLE})
	collection = (
		frappe.get_doc("Case Collection", name)
		if name
		else frappe.get_doc({"doctype": "Case Collection", "round": od.ROUND, "title": CASEBOOK_TITLE})
	)
	collection.cases = []
	for a in apps[:3]:
		collection.append("cases", {"application": a.name})
	collection.save()
	frappe.db.commit()  # a preview site of its own: keep the samples for the next run
	return app, district_list, collection


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", required=True)
	parser.add_argument("--out", required=True)
	args = parser.parse_args()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		from case_selection.export import casebook
		from case_selection.export.pdf import render_pdf

		app, district_list, collection = make_samples()
		outputs = {
			"annex1": render_pdf(app, "附件1 申报书"),
			"annex2": render_pdf(district_list, "附件2 区县推荐案例名单"),
			"casebook": casebook.generate(collection),
		}
		frappe.db.commit()  # the casebook's file and start pages
		for name, pdf in outputs.items():
			with open(os.path.join(args.out, f"{name}.pdf"), "wb") as f:
				f.write(pdf)
			print(f"{name}: {len(pdf)} bytes")
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
