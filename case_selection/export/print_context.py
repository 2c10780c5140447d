"""Data for the print formats 附件1 and 附件2, prepared in Python so that the Jinja templates only print.

Each function reads everything a template needs in a fixed number of queries (never one per row), and
returns plain values; the templates escape every user-typed value with `| e`.
"""

import functools
import html
from contextlib import contextmanager

import frappe
from frappe import _
from frappe.utils import cint, cstr, flt, fmt_money, format_datetime, getdate

from case_selection.constants import APPLICATION, DECLARATIONS, LIST
from case_selection.export import layout
from case_selection.export.seals import seal_data_uri
from case_selection.export.tables import Column, paginate
from case_selection.setup.roles import DEFAULT_DEPARTMENTS  # used when a round names no departments
from case_selection.workflow.action_log import OUTPUT_LANG, display_row, label, visible_history

# The parts of 附件1, in the form's order, and the Case Application field whose label names each. The wording
# is the DocType's (Customize Form can change it), so the form and the print always say the same thing.
HEADING_FIELDS = {
	"applicant": "applicant_section",
	"finance_years": "finance_years",
	"platform_team": "platform_team",
	"service_capability": "service_capability",
	"partners": "partners",
	"case": "case_section",
	"content": "content_section",
	"indicators": "indicators",
	"declarations": "declaration_section",
	"attachments": "attachments_section",
	"evidence": "evidence",
	"opinions": "cosign_section",
}
# 三、案例内容, each one a text field of Case Application titled by its label.
CONTENT_FIELDS = ("background", "approach", "innovation", "results", "promotion_value")
FORM_TITLE_LINES = ("重庆市科技创新和产业创新深度融合", "优秀案例申报书")


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
	return _("{0}年{1}月{2}日", lang=OUTPUT_LANG).format(d.year, d.month, d.day)


def paragraphs(text: str | None) -> list[str]:
	"""Split typed text into paragraphs; the template indents each one and escapes it."""
	return [line.strip() for line in plain(text).splitlines() if line.strip()]


def round_info(round_name: str | None) -> dict:
	if not round_name or not frappe.db.exists("Selection Round", round_name):
		return {
			"year": "",
			"title": "",
			"departments": list(DEFAULT_DEPARTMENTS),
			"deadline": "",
			"issuing_body_lines": [],
			**notice_wording(None, list(DEFAULT_DEPARTMENTS)),
		}
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
		# The covers name the round's issuing bodies, one a line, as the admin entered them.
		"issuing_body_lines": paragraphs(rnd.issuing_bodies),
		"deadline": cn_date(rnd.district_deadline),
		"receiving_office": plain(rnd.receiving_office) or "市经济信息委政务服务大厅",
		"paper_copies": rnd.paper_copies or 5,
		"departments": departments,
		**notice_wording(rnd, departments),
	}


CN_DIGITS = "零一二三四五六七八九"


def cn_count(n: int) -> str:
	"""4 → 四, 12 → 十二, 23 → 二十三: how the notice counts (四大领域)."""
	if n < 10:
		return CN_DIGITS[n]
	tens, ones = divmod(n, 10)
	return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")


def notice_wording(rnd, departments: list[dict]) -> dict:
	"""What the 填写说明 of 附件1 says that depends on the round: its co-signing departments (六、七) and its
	domains and directions (二), so that a round with another department or other directions prints its own."""
	names = [plain(d["department"]) for d in departments]
	lead = next((plain(d["department"]) for d in departments if d.get("is_lead")), names[0] if names else "")
	chosen = [r.direction for r in rnd.directions] if rnd else None  # no round: every direction
	rows = frappe.get_all(
		"Selection Direction",
		filters={"name": ("in", chosen or [""])} if chosen is not None else {},
		fields=["name", "domain", "is_other"],
	)
	in_domain = [r for r in rows if r.domain and not r.is_other]
	domain_names = {r.domain for r in in_domain}
	domains = [
		plain(d.name)
		for d in frappe.get_all(
			"Selection Domain",
			filters={"name": ("in", sorted(domain_names) or [""])},
			fields=["name"],
			order_by="domain_code asc",
		)
	]
	return {
		"department_names": "、".join(names),
		"lead_department": lead,
		"other_department_names": "、".join(n for n in names if n != lead),
		"domain_names": "、".join(domains),
		"domain_count": cn_count(len(domains)),
		"direction_count": len(in_domain),
		"other_mode": len(rows) > len(in_domain),
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
	"""签核历程 rows in words: Chinese actions, states and roles from the Workflow and the translations (the
	city's sealed steps only once the round is published, for those who do not see the city stage)."""
	rows = [display_row(r, doctype) for r in visible_history(doctype, name)]
	return [
		{
			"date": format_datetime(r.action_time, "yyyy-MM-dd") if r.action_time else "",
			"time": format_datetime(r.action_time, "HH:mm") if r.action_time else "",
			"actor": plain(r.actor_name or r.actor),
			"role": plain(r.actor_role),
			"action": plain(r.action),
			"state": " →\n".join(plain(s) for s in (r.from_state, r.to_state) if s),
			"remark": plain(r.remark),
		}
		for r in map(frappe._dict, rows)
	]


def field_labels(doctype: str, fieldnames) -> dict[str, str]:
	"""The labels of these fields as the form shows them (Customize Form included), in the output language."""
	meta = frappe.get_meta(doctype)
	return {f: label(meta.get_label(f), lang=OUTPUT_LANG) for f in fieldnames}


def headings() -> dict[str, str]:
	labels = field_labels(APPLICATION, HEADING_FIELDS.values())
	return {key: labels[field] for key, field in HEADING_FIELDS.items()}


def content_sections() -> list[tuple[str, str]]:
	"""(field, title) of the parts of 三、案例内容, titled as on the form."""
	labels = field_labels(APPLICATION, CONTENT_FIELDS)
	return [(f, labels[f]) for f in CONTENT_FIELDS]


def declarations(doc) -> list[dict]:
	"""四、申报承诺: the round's 申报承诺事项 marked for printing, in its order, each worded as the round says or
	else as the form's check box, ticked as the applicant left it (no round: the notice's seven)."""
	rows = (
		frappe.get_cached_doc("Selection Round", doc.round).declarations
		if doc.get("round") and frappe.db.exists("Selection Round", doc.round)
		else [frappe._dict(fieldname=f, printed=1) for f in DECLARATIONS]
	)
	rows = [r for r in rows if r.printed]
	labels = field_labels(APPLICATION, [r.fieldname for r in rows])
	return [
		{"text": plain(r.get("declaration")) or labels[r.fieldname], "checked": cint(doc.get(r.fieldname))}
		for r in rows
	]


def direction_label(direction: str | None) -> str:
	if not direction:
		return ""
	code = frappe.get_cached_value("Selection Direction", direction, "direction_code")
	return plain(f"{code} {direction}" if code else direction)


@contextmanager
def one_render():
	"""While one PDF is rendered (export/pdf.render_pdf), a document's print context is built once: the template
	and the QR code's content hash (signing/qr.py) read the same dict instead of querying everything twice."""
	previous = getattr(frappe.local, "case_print_contexts", None)
	frappe.local.case_print_contexts = {}
	try:
		yield
	finally:
		frappe.local.case_print_contexts = previous


def built_once_per_render(build):
	@functools.wraps(build)
	def context(doc) -> dict:
		memo = getattr(frappe.local, "case_print_contexts", None)
		if memo is None or not doc.get("name"):
			return build(doc)
		key = (build.__name__, doc.doctype, doc.name)
		if key not in memo:
			memo[key] = build(doc)
		return memo[key]

	return context


def stored_document(doc):
	"""What is stored under this document's name, when there is one: a print never shows values a caller
	sent in place of the record (print preview accepts a document dict)."""
	if doc.get("name") and not doc.get("__islocal") and frappe.db.exists(doc.doctype, doc.name):
		return frappe.get_doc(doc.doctype, doc.name)
	return doc


@built_once_per_render
def case_application_print_context(doc) -> dict:
	"""Everything 附件1 prints for one Case Application."""
	doc = stored_document(doc)
	rnd = round_info(doc.round)
	ctx = {
		"style": layout.style_context(layout.PORTRAIT),
		"headings": headings(),
		"f": {field: plain(doc.get(field)) for field in APPLICATION_FIELDS},
		"round": rnd,
		"form_title_lines": FORM_TITLE_LINES,
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
			for field, title in content_sections()
		],
		"indicators": [
			{"indicator": plain(r.indicator), "value": plain(r.value), "unit": plain(r.unit)}
			for r in doc.indicators
		],
		"declarations": declarations(doc),
		"opinions": opinion_blocks(APPLICATION, doc.name, rnd["departments"]),
		"history": action_history(APPLICATION, doc.name),
		"evidence": [{"type": plain(r.evidence_type), "title": plain(r.title)} for r in doc.evidence],
	}
	ctx["tables"] = application_tables(ctx)
	return ctx


def application_tables(ctx: dict) -> dict:
	"""附件1's tables with a header row, split into chunks that each fit on a page (export/tables.py)."""
	h = ctx["headings"]
	return {
		"finance_years": paginate(
			[
				Column("年度", 0.22, "c"),
				Column("营业收入（万元）", 0.39, "r"),
				Column("研发投入（万元）", 0, "r"),
			],
			[[r["year"], r["revenue"], r["rd_spend"]] for r in ctx["finance_years"]],
			headings=1,
		),
		"partners": paginate(
			[Column("序号", 0.12, "c"), Column("合作单位名称", 0.42), Column("单位类型", 0.2, "c")]
			+ [Column("承担角色", 0)],
			[[i, r["name"], r["type"], r["role"]] for i, r in enumerate(ctx["partners"], start=1)],
			headings=1,
		),
		"indicators": paginate(
			[Column("序号", 0.12, "c"), Column(h["indicators"], 0.48), Column("数值", 0.22, "c")]
			+ [Column("单位", 0, "c")],
			[[i, r["indicator"], r["value"], r["unit"]] for i, r in enumerate(ctx["indicators"], start=1)],
		),
		"evidence": paginate(
			[Column("序号", 0.12, "c"), Column("类型", 0.2, "c"), Column("名称", 0)],
			[[i, r["type"], r["title"]] for i, r in enumerate(ctx["evidence"], start=1)],
			headings=2,
		),
		"history": paginate(
			[Column("时间", 0.21, "c"), Column("操作人/身份", 0.21, "c"), Column("操作", 0.16, "c")]
			+ [Column("状态", 0.18, "c"), Column("意见/备注", 0)],
			[
				[
					f"{r['date']}\n{r['time']}",
					f"{r['actor']}\n{r['role']}",
					r["action"],
					r["state"],
					r["remark"],
				]
				for r in ctx["history"]
			],
			headings=1,
			font_pt=layout.TABLE_PT,
		),
	}


@built_once_per_render
def recommendation_list_print_context(doc) -> dict:
	"""Everything 附件2 prints for one District Recommendation List."""
	doc = stored_document(doc)
	rnd = round_info(doc.round)
	items = sorted(doc.items, key=lambda r: (cint(r.rank) or 10**6, r.idx))
	ctx = {
		"style": layout.style_context(layout.LANDSCAPE),
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
		"opinions": opinion_blocks(LIST, doc.name, rnd["departments"]),
		"list_date": cn_date(doc.list_date),
		"head_mm": LIST_HEAD_MM,
	}
	# The columns the round configures (Selection Round → 导出列设置), widths as shares of the page width.
	# deferred: export.columns imports this module (plain, cn_date, field_labels)
	from case_selection.export.columns import district_list_table, pdf_columns

	columns, cells = district_list_table(doc)
	ctx["table"] = paginate(
		[Column(*c) for c in pdf_columns(columns)],
		cells,
		page=layout.LANDSCAPE,
		font_pt=layout.TABLE_PT,
		first_page_pt=(layout.LANDSCAPE.type_height - LIST_HEAD_MM) * layout.MM,
		empty="（无推荐案例）",
	)
	return ctx


# 附件2: the height of what stands above the table on its first page ("附件2", the title, the district
# line; the template gives that block this height). The table's columns are the round's (export/columns.py).
LIST_HEAD_MM = 38


def fmt_amount(value) -> str:
	return fmt_money(flt(value), precision=2) if value not in (None, "") else ""
