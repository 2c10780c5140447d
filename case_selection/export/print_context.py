"""Data for the print formats 附件1 and 附件2, prepared in Python so that the Jinja templates only print.

Each function reads everything a template needs in a fixed number of queries (never one per row), and
returns plain values; the templates escape every user-typed value with `| e`.
"""

import html

import frappe
from frappe.utils import cint, cstr, flt, fmt_money, getdate

from case_selection.export.seals import seal_data_uri
from case_selection.history import visible_history

APPLICATION_DOCTYPE = "Case Application"
LIST_DOCTYPE = "District Recommendation List"

# The notice's three district departments, used when a round has no co-signing departments configured.
DEFAULT_DEPARTMENTS = (
	{"department": "经信", "department_title": "区县经信部门", "is_lead": 1},
	{"department": "科技", "department_title": "区县科技部门", "is_lead": 0},
	{"department": "教育", "department_title": "区县教育部门", "is_lead": 0},
)

DECLARATIONS = (
	("decl_legal_person", "本单位具有独立法人资格"),
	("decl_finance", "本单位近三年财务状况良好"),
	("decl_no_bad_record", "本单位在遵纪守法、社会信用、社会责任、质量环保等方面无不良记录"),
	("decl_truthful", "本单位对案例材料的真实性、完整性、准确性负责"),
	("decl_no_secret", "案例材料不涉及国家秘密和敏感信息"),
	("decl_ip_clear", "案例知识产权归属清晰、无法律纠纷"),
)

CONTENT_SECTIONS = (
	("background", "（一）案例背景与行业痛点"),
	("approach", "（二）主要做法"),
	("innovation", "（三）创新点"),
	("results", "（四）实施成效"),
	("promotion_value", "（五）可复制性与推广价值"),
)


# Fields of Case Application the template prints as they are (after `plain`).
APPLICATION_FIELDS = (
	"case_title",
	"unit_name",
	"district",
	"domain",
	"uscc",
	"unit_type",
	"legal_representative",
	"registered_address",
	"contact_person",
	"contact_title",
	"contact_mobile",
	"contact_email",
	"keywords",
)


def plain(value) -> str:
	"""The text as the user typed it. Frappe stores typed HTML escaped (`<` as `&lt;`, see
	BaseDocument._sanitize_content), so it is unescaped here once and escaped exactly once by the
	template (`| e`) or not at all by the xlsx writer, instead of printing `&lt;` literally."""
	return html.unescape(cstr(value)) if value is not None else ""


def cn_date(value) -> str:
	"""2025-10-31 → 2025年10月31日, the way dates are written on official forms."""
	if not value:
		return ""
	d = getdate(value)
	return f"{d.year}年{d.month}月{d.day}日"


def paragraphs(text: str | None) -> list[str]:
	"""Split typed text into paragraphs; the template indents each one and escapes it."""
	return [line.strip() for line in plain(text).splitlines() if line.strip()]


def round_info(round_name: str | None) -> dict:
	if not round_name or not frappe.db.exists("Selection Round", round_name):
		return {"year": "", "title": "", "departments": list(DEFAULT_DEPARTMENTS), "deadline": ""}
	rnd = frappe.get_cached_doc("Selection Round", round_name)
	departments = [
		{
			"department": d.department,
			"department_title": d.department_title or d.department,
			"is_lead": d.is_lead,
		}
		for d in sorted(rnd.cosign_departments or [], key=lambda d: d.idx)
	] or list(DEFAULT_DEPARTMENTS)
	return {
		"year": rnd.year,
		"title": plain(rnd.round_title),
		"issuing_bodies": plain(rnd.issuing_bodies),
		"deadline": cn_date(rnd.district_deadline),
		"receiving_office": plain(rnd.receiving_office) or "市经济信息委政务服务大厅",
		"paper_copies": rnd.paper_copies or 5,
		"departments": departments,
	}


def opinion_blocks(doctype: str, name: str, departments: list[dict]) -> list[dict]:
	"""One block per co-signing department of the round, filled from its Case Cosign Opinion if any."""
	rows = frappe.get_all(
		"Case Cosign Opinion",
		filters={"reference_doctype": doctype, "reference_name": name},
		fields=["department", "opinion", "remarks", "signer_name", "signed_at", "seal"],
		order_by="signed_at asc",
	)
	by_department = {r.department: r for r in rows}
	blocks = []
	for d in departments:
		r = by_department.get(d["department"]) or frappe._dict()
		blocks.append(
			{
				"department": d["department"],
				"title": d["department_title"],
				"opinion": plain(r.opinion),
				"remarks": paragraphs(r.remarks),
				"signer_name": plain(r.signer_name),
				"date": cn_date(r.signed_at),
				"seal": seal_data_uri(r.seal),
			}
		)
	return blocks


def action_history(doctype: str, name: str) -> list[dict]:
	rows = visible_history(doctype, name)
	return [
		{
			"time": frappe.utils.format_datetime(r.action_time, "yyyy-MM-dd HH:mm") if r.action_time else "",
			"actor": plain(r.actor_name or r.actor),
			"role": plain(r.actor_role),
			"action": plain(r.action),
			"state": " → ".join(plain(s) for s in (r.from_state, r.to_state) if s),
			"remark": plain(r.remark),
		}
		for r in rows
	]


def direction_label(direction: str | None) -> str:
	if not direction:
		return ""
	code = frappe.get_cached_value("Selection Direction", direction, "direction_code")
	return plain(f"{code} {direction}" if code else direction)


def stored_document(doc):
	"""What is stored under this document's name, when there is one: a print never shows values a caller
	sent in place of the record (print preview accepts a document dict)."""
	if doc.get("name") and not doc.get("__islocal") and frappe.db.exists(doc.doctype, doc.name):
		return frappe.get_doc(doc.doctype, doc.name)
	return doc


def case_application_print_context(doc) -> dict:
	"""Everything 附件1 prints for one Case Application."""
	doc = stored_document(doc)
	rnd = round_info(doc.round)
	return {
		"f": {field: plain(doc.get(field)) for field in APPLICATION_FIELDS},
		"round": rnd,
		"form_title": "重庆市科技创新和产业创新深度融合优秀案例申报书",
		"direction": direction_label(doc.direction),
		"other_mode": paragraphs(doc.other_mode_description) if cint(doc.is_other_mode) else [],
		"fill_date": cn_date(doc.fill_date),
		"founding_date": cn_date(doc.founding_date),
		"period": " 至 ".join(cn_date(d) for d in (doc.implementation_start, doc.implementation_end) if d),
		"finance_years": [
			{"year": r.year, "revenue": fmt_amount(r.revenue), "rd_spend": fmt_amount(r.rd_spend)}
			for r in doc.finance_years
		],
		"platform_team": paragraphs(doc.platform_team),
		"service_capability": paragraphs(doc.service_capability),
		"partners": [
			{"name": plain(r.partner_name), "type": plain(r.partner_type), "role": plain(r.partner_role)}
			for r in doc.partners
		],
		"sections": [
			{"title": title, "paragraphs": paragraphs(doc.get(field)), "field": field}
			for field, title in CONTENT_SECTIONS
		],
		"indicators": [
			{"indicator": plain(r.indicator), "value": plain(r.value), "unit": plain(r.unit)}
			for r in doc.indicators
		],
		"declarations": [{"text": text, "checked": cint(doc.get(field))} for field, text in DECLARATIONS],
		"opinions": opinion_blocks(APPLICATION_DOCTYPE, doc.name, rnd["departments"]),
		"history": action_history(APPLICATION_DOCTYPE, doc.name),
		"evidence": [{"type": plain(r.evidence_type), "title": plain(r.title)} for r in doc.evidence],
	}


def recommendation_list_print_context(doc) -> dict:
	"""Everything 附件2 prints for one District Recommendation List."""
	doc = stored_document(doc)
	rnd = round_info(doc.round)
	items = sorted(doc.items, key=lambda r: (cint(r.rank) or 10**6, r.idx))
	return {
		"round": rnd,
		"title": "区县推荐案例名单",
		"district": plain(doc.district),
		"contact_person": plain(doc.contact_person),
		"contact_phone": plain(doc.contact_phone),
		"rows": [
			{
				"rank": cint(r.rank) or i,
				"case_title": plain(r.case_title),
				"unit_name": plain(r.unit_name),
				"unit_type": plain(r.unit_type),
				"direction": plain(r.direction),
				"contact_person": plain(r.contact_person),
				"contact_phone": plain(r.contact_phone),
				"remarks": plain(r.remarks),
			}
			for i, r in enumerate(items, start=1)
		],
		"opinions": opinion_blocks(LIST_DOCTYPE, doc.name, rnd["departments"]),
		"list_date": cn_date(doc.list_date),
	}


def fmt_amount(value) -> str:
	return fmt_money(flt(value), precision=2) if value not in (None, "") else ""
