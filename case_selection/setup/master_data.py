"""Master data from the 2025 notice (shared/data/*.csv, shipped in setup/data/), inserted when missing."""

import csv
import os

import frappe
from frappe.custom.doctype.property_setter.property_setter import make_property_setter
from frappe.www.printview import get_print_format

from case_selection.constants import DECLARATIONS
from case_selection.export.column_defaults import default_output_columns
from case_selection.setup.roles import DEFAULT_DEPARTMENTS

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")
OTHER_DIRECTION = "其他创新模式"

ROUND_2025 = {
	"year": 2025,
	"round_title": "2025年推动科技创新和产业创新深度融合优秀案例遴选",
	"status": "Open",
	"notice_reference": "关于开展2025年推动科技创新和产业创新深度融合优秀案例遴选工作的通知",
	"notice_date": "2025-10-11",
	"issuing_bodies": "重庆市经济和信息化委员会\n重庆市科学技术局\n重庆市教育委员会",
	"open_date": "2025-10-11",
	"district_deadline": "2025-10-31",
	"paper_copies": 5,
	"default_quota": 0,
	"receiving_office": "市经济信息委政务服务大厅",
	"contacts": [
		{"department": "市经济信息委科技处", "contact_name": "曹文华", "phone": "023—63895941"},
		{"department": "市经济信息委政务服务大厅", "contact_name": "郭薇", "phone": "023—63897953"},
		{"department": "市科技局高新处", "contact_name": "杨威", "phone": "023—67611512"},
		{"department": "市教委科技处", "contact_name": "王伟", "phone": "023—67986899"},
	],
}

DEFAULT_COSIGN_DEPARTMENTS = [dict(d) for d in DEFAULT_DEPARTMENTS]

# Notice 二(二): 代表性、示范性、实效性、借鉴意义、推广价值; equal weights until the city sets others.
DEFAULT_REVIEW_CRITERIA = [
	{"criterion": "代表性", "weight": 20},
	{"criterion": "示范性", "weight": 20},
	{"criterion": "实效性", "weight": 20},
	{"criterion": "借鉴意义", "weight": 20},
	{"criterion": "推广价值", "weight": 20},
]

# Notice 二(一)(三), as 附件1's check boxes: every one ticked before the applicant hands the form in, every one
# printed, worded as the form's labels.
DEFAULT_DECLARATIONS = [{"fieldname": f, "required": 1, "printed": 1} for f in DECLARATIONS]


def read_csv(name: str) -> list[dict]:
	with open(os.path.join(DATA_DIR, name), encoding="utf-8") as f:
		return list(csv.DictReader(f))


def ensure_all():
	ensure_districts()
	ensure_domains_and_directions()
	ensure_round_2025()


def _insert_missing(doctype: str, name: str, values: dict):
	if not frappe.db.exists(doctype, name):
		frappe.get_doc({"doctype": doctype, **values}).insert(ignore_permissions=True)


def ensure_districts():
	for order, row in enumerate(read_csv("districts.csv"), start=1):
		_insert_missing(
			"Case District",
			row["name"],
			{
				"district_name": row["name"],
				"district_code": row["code"] or None,
				"district_kind": row["kind"],
				"sort_order": order,
			},
		)


def ensure_domains_and_directions():
	for row in read_csv("directions.csv"):
		_insert_missing(
			"Selection Domain",
			row["domain"],
			{"domain_code": int(row["domain_code"]), "domain_name": row["domain"]},
		)
		_insert_missing(
			"Selection Direction",
			row["direction"],
			{
				"direction_code": row["direction_code"],
				"direction_name": row["direction"],
				"domain": row["domain"],
			},
		)
	_insert_missing(
		"Selection Direction",
		OTHER_DIRECTION,
		{
			"direction_code": "5",
			"direction_name": OTHER_DIRECTION,
			"is_other": 1,
			"description": "不属于上述14个方向的其他创新模式，须由申报单位描述。",
		},
	)


def default_round_tables() -> dict:
	"""Child tables every new round starts with: all directions, the three co-signers, five criteria, the
	notice's seven declarations."""
	directions = frappe.get_all("Selection Direction", pluck="name", order_by="direction_code asc")
	return {
		"directions": [{"direction": d} for d in directions],
		"cosign_departments": [dict(d) for d in DEFAULT_COSIGN_DEPARTMENTS],
		"review_criteria": [dict(c) for c in DEFAULT_REVIEW_CRITERIA],
		"declarations": [dict(d) for d in DEFAULT_DECLARATIONS],
		# 导出列设置: today's columns of 附件2, the city summary and the casebook (export/column_defaults.py).
		"output_columns": default_output_columns(),
	}


def ensure_round_2025():
	if frappe.db.exists("Selection Round", "2025"):
		return
	frappe.get_doc({"doctype": "Selection Round", **ROUND_2025, **default_round_tables()}).insert(
		ignore_permissions=True
	)


OFFICIAL_FORMATS = ("附件1 申报书", "附件2 区县推荐案例名单")


def ensure_print_format_html():
	"""The official formats' templates live beside their JSON; their text is also put in the Print Format
	record, so that a copy an admin makes in Desk (Duplicate) carries the template, and its page numbers."""

	for name in OFFICIAL_FORMATS:
		if not frappe.db.exists("Print Format", name):
			continue
		doc = frappe.get_doc("Print Format", name)
		source = get_print_format(doc.doc_type, doc)
		if source and doc.html != source:
			frappe.db.set_value("Print Format", name, "html", source, update_modified=False)


def ensure_default_print_formats():
	"""The official format is each DocType's default print format (Customize Form → 默认打印格式), so Desk's
	print view and the 导出 buttons open it; an admin's choice of another format (a copy they edited) is kept."""

	for name in OFFICIAL_FORMATS:
		doctype = frappe.db.get_value("Print Format", name, "doc_type")
		if doctype and not frappe.get_meta(doctype).default_print_format:
			make_property_setter(
				doctype,
				None,
				"default_print_format",
				name,
				"Data",
				for_doctype=True,
				validate_fields_for_doctype=False,
			)
