"""The casebook (优秀案例集): the selected cases of a round compiled into one PDF with cover, table of
contents and page numbers, one chapter per case ordered by direction then district.

Debian's wkhtmltopdf cannot make a TOC, so the book is built in three steps, each through Frappe's get_pdf
(export/pdf.py's official_pdf: the GB/T 9704 page of export/layout.py, searchable text):
1. the chapters, rendered in parts side by side (one per CPU, render_parts); every chapter opens on a new page
   with its number and title ("案例 N", then the title), which is how the page each chapter starts on is read
   back from the PDF's text (pdftotext);
2. the cover and the TOC, now that the page numbers are known;
3. front + chapters joined with pypdf, and "— N —" stamped on the chapter pages (the body starts at 1).
Everything a template needs is read in a fixed number of queries, whatever the number of cases.
"""

import io
import os
import re
import subprocess
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import frappe
from frappe import _
from frappe.utils import cint, now_datetime
from pypdf import PdfReader

from case_selection.access import sealing
from case_selection.access.system_write import system_write
from case_selection.constants import EVALUATION
from case_selection.export import layout
from case_selection.export.column_defaults import CASEBOOK
from case_selection.export.columns import Values, application_rows, field_text, output_columns
from case_selection.export.pdf import official_pdf, stamp_writer, to_bytes
from case_selection.export.print_context import (
	CONTENT_FIELDS,
	cn_date,
	content_sections,
	paragraphs,
	plain,
	round_info,
)
from case_selection.export.tables import Column, balanced_lines, paginate
from case_selection.export.tounicode import RADICALS
from case_selection.workflow import states

RADICAL_TABLE = str.maketrans(RADICALS)


class CasebookError(frappe.ValidationError):
	pass


# ─────────────────────────── which cases, in which order ───────────────────────────


def selected_applications(round_name: str) -> list[dict]:
	"""Selected cases of the round (read with the user's permissions), by direction code then district."""
	selected = states.final_states(states.SELECTED) or ("",)
	filters = {"round": round_name, "workflow_state": ("in", selected)}
	if sealing.sees_city_stage():
		# Before publication the selection is the city's alone (access/sealing.py): read from the evaluations.
		names = frappe.get_all(EVALUATION, filters=filters, pluck="name")
		filters = {"name": ("in", names or [""])}
	rows = frappe.get_list(
		"Case Application",
		filters=filters,
		fields=["name", "case_title", "unit_name", "district", "direction"],
		limit_page_length=0,
	)
	return sort_cases(rows)


def sort_cases(rows: list[dict]) -> list[dict]:
	codes = {
		d.name: code_key(d.direction_code)
		for d in frappe.get_all("Selection Direction", fields=["name", "direction_code"])
	}
	districts = {
		d.name: cint(d.sort_order) for d in frappe.get_all("Case District", fields=["name", "sort_order"])
	}
	return sorted(
		rows,
		key=lambda r: (
			codes.get(r.get("direction"), (999,)),
			districts.get(r.get("district"), 10**6),
			r.get("application") or r.get("name"),
		),
	)


def code_key(code: str | None) -> tuple:
	"""'1.10' after '1.9': direction codes compare as numbers; the other mode (no code) comes last."""
	parts = re.findall(r"\d+", code or "")
	return tuple(int(p) for p in parts) if parts else (999,)


def load_selected(collection):
	collection.cases = []
	for row in selected_applications(collection.round):
		collection.append(
			"cases",
			{
				"application": row["name"],
				"case_title": row["case_title"],
				"unit_name": row["unit_name"],
				"district": row["district"],
				"direction": row["direction"],
			},
		)


def publish(progress: bool, percent: float, doc, description: str):
	if progress:
		frappe.publish_progress(
			percent, title=_("生成案例集"), doctype=doc.doctype, docname=doc.name, description=description
		)


def generate(doc, progress: bool = False) -> bytes:
	"""Compile the PDF, attach it to the collection (private file) and record each case's start page."""
	if not doc.cases:
		load_selected(doc)
	names = [row.application for row in doc.cases]
	if not names:
		frappe.throw(_("案例集没有案例"), CasebookError)
	publish(progress, 5, doc, _("读取案例"))
	chapters = chapter_data(names, doc.round)
	style = layout.style_context(layout.PORTRAIT)

	publish(progress, 15, doc, _("排版正文"))
	groups_of_chapters = split_chapters(chapters, part_count(len(chapters)))
	parts = render_parts(
		[
			frappe.render_template(
				"case_selection/export/templates/casebook_body.html", {"chapters": group, "style": style}
			)
			for group in groups_of_chapters
		]
	)
	publish(progress, 60, doc, _("计算页码"))
	starts, offset = [], 0
	for (_part, texts), group in zip(parts, groups_of_chapters, strict=True):
		starts += [offset + start for start in chapter_starts(texts, group)]
		offset += len(texts)

	publish(progress, 70, doc, _("排版封面与目录"))
	rnd = round_info(doc.round)
	groups = toc_groups(chapters, starts)
	front_html = frappe.render_template(
		"case_selection/export/templates/casebook_front.html",
		{
			"title": plain(doc.title),
			"title_lines": balanced_lines(plain(doc.title), layout.TITLE_PT, layout.PORTRAIT.type_width),
			"round": rnd,
			"groups": groups,
			"date": cn_date(now_datetime()),
			"style": style,
		},
	)
	writer = official_pdf(front_html)  # the book: the front, then the chapters appended

	publish(progress, 85, doc, _("合并与页码"))
	front_pages = len(writer.pages)
	for part, _texts in parts:
		writer.append(io.BytesIO(part))
	stamp_writer(writer, skip=front_pages)
	pdf = to_bytes(writer)

	publish(progress, 95, doc, _("保存文件"))
	save_pdf(doc, pdf, starts, len(writer.pages))
	publish(progress, 100, doc, _("完成"))
	return pdf


# The chapters are rendered in parts, one per CPU and in parallel: wkhtmltopdf lays pages out on one core, and
# the chapters of a round's casebook (thousands of pages) are most of its time. Every part starts with a chapter,
# and every chapter opens a page, so the parts' pages joined in order are the pages one render would give.
MIN_CASES_PER_PART = 25
MAX_PARTS = 4


def part_count(cases: int) -> int:
	return max(1, min(os.cpu_count() or 1, MAX_PARTS, cases // MIN_CASES_PER_PART))


def split_chapters(chapters: list[dict], parts: int) -> list[list[dict]]:
	"""The chapters in order, cut into `parts` runs of about the same length of text (about the same pages)."""
	weights = [
		500 + sum(len(p) for s in c["sections"] for p in s["paragraphs"]) + 200 * len(c["indicators"])
		for c in chapters
	]
	total, groups, run, done = sum(weights), [], [], 0
	for chapter, weight in zip(chapters, weights, strict=True):
		if run and done >= total * (len(groups) + 1) / parts and len(groups) < parts - 1:
			groups.append(run)
			run = []
		run.append(chapter)
		done += weight
	return [*groups, run]


def render_part(html: str) -> tuple[bytes, list[str]]:
	"""The PDF of one part and the text of each of its pages (where its chapters start)."""
	pdf = to_bytes(official_pdf(html))
	return pdf, pdf_page_texts(pdf)


def render_parts(htmls: list[str]) -> list[tuple[bytes, list[str]]]:
	"""Each HTML through render_part (Frappe's get_pdf, then pdftotext) in a thread of its own, with its own
	Frappe context (site, database connection, user, language), the renderers running side by side."""
	if len(htmls) == 1:
		return [render_part(htmls[0])]
	site, sites_path = frappe.local.site, frappe.local.sites_path
	user, lang = frappe.session.user, frappe.local.lang

	def render(html: str) -> tuple[bytes, list[str]]:
		frappe.init(site=site, sites_path=sites_path)
		try:
			frappe.connect()
			frappe.set_user(user)
			frappe.local.lang = lang
			return render_part(html)
		finally:
			frappe.destroy()

	with ThreadPoolExecutor(max_workers=len(htmls)) as pool:
		return list(pool.map(render, htmls))


def save_pdf(doc, pdf: bytes, starts: list[int], page_count: int):
	# The file and the generation facts are the system's to write (the write policy lets no user set them).
	with system_write():
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"{doc.name}.pdf",
				"attached_to_doctype": doc.doctype,
				"attached_to_name": doc.name,
				"attached_to_field": "generated_file",
				"is_private": 1,
				"content": pdf,
			}
		).insert()
		for row, start in zip(doc.cases, starts, strict=True):
			row.start_page = start
		doc.generated_file = file.file_url
		doc.generated_on = now_datetime()
		doc.page_count = page_count
		doc.status = "Generated"
		doc.save()


# ─────────────────────────── data and page numbers ───────────────────────────


def chapter_data(names: list[str], round_name: str | None = None) -> list[dict]:
	"""The chapters in the collection's order: 4 queries for any number of cases (one more for a direction or
	domain row). Each chapter's info table is the round's casebook columns (Selection Round → 导出列设置);
	a long-text column (Text, Small Text, Text Editor, Long Text) is a titled section after 三、案例内容's."""
	columns = output_columns(round_name, CASEBOOK)
	info = [c for c in columns if not c.long_text]
	extra_sections = [c for c in columns if c.long_text and c.key not in CONTENT_FIELDS]
	fields = ("case_title", "unit_name", "district", "direction", *CONTENT_FIELDS)
	apps = {r.name: r for r in application_rows(columns, {"name": ["in", names]}, extra=fields)}
	missing = [n for n in names if n not in apps]
	if missing:
		frappe.throw(_("无法读取案例：{0}").format(", ".join(missing)), frappe.PermissionError)
	indicators = {}
	for r in frappe.get_all(
		"Case Result Indicator",
		filters={"parent": ["in", names], "parenttype": "Case Application"},
		fields=["parent", "indicator", "value", "unit"],
		order_by="parent, idx",
	):
		indicators.setdefault(r.parent, []).append(
			{"indicator": plain(r.indicator), "value": plain(r.value), "unit": plain(r.unit)}
		)
	directions = {
		d.name: d for d in frappe.get_all("Selection Direction", fields=["name", "direction_code", "domain"])
	}
	values = Values(columns, list(apps.values()))
	sections = content_sections()
	chapters = []
	for i, name in enumerate(names, start=1):
		a = apps[name]
		d = directions.get(a.direction) or frappe._dict()
		chapters.append(
			{
				"index": i,
				"label": chapter_label(i),
				"name": name,
				"title": plain(a.case_title),
				"unit_name": plain(a.unit_name),
				"district": plain(a.district),
				"direction": plain(a.direction),
				"direction_code": d.direction_code or "",
				"info": [{"label": c.heading, "value": values.value(c, a, i)} for c in info],
				"sections": [
					{"title": title, "field": field, "paragraphs": paragraphs(a.get(field))}
					for field, title in sections
				]
				+ [
					{
						"title": c.heading,
						"field": c.key,
						"paragraphs": text_paragraphs(c, a),
					}
					for c in extra_sections
				],
				"indicators": indicators.get(name, []),
				"indicator_table": indicator_table(indicators.get(name, [])),
			}
		)
	return chapters


def text_paragraphs(column, row) -> list[str]:
	"""A long-text column's paragraphs (rich text without its markup); none for a field the user may not read."""
	text = str(field_text(column, row.get(column.key))) if column.readable else ""
	return [line.strip() for line in text.splitlines() if line.strip()]


def indicator_table(rows: list[dict]) -> dict:
	return paginate(
		[Column("序号", 0.12, "c"), Column("量化成效指标", 0.48), Column("数值", 0.22, "c")]
		+ [Column("单位", 0, "c")],
		[[i, r["indicator"], r["value"], r["unit"]] for i, r in enumerate(rows, start=1)],
	)


def chapter_label(index: int) -> str:
	return _("案例 {0}").format(index)


def chapter_starts(texts: list[str], chapters: list[dict]) -> list[int]:
	"""1-based page, among these pages' texts, on which each chapter starts: the first page, after the previous
	chapter's, that opens with the chapter's number and title (chapters always start a page)."""
	pages = [compact(text) for text in texts]
	starts, page = [], 0
	for chapter in chapters:
		opening = compact(chapter["label"] + chapter["title"])[:40]
		while page < len(pages) and not pages[page].startswith(opening):
			page += 1
		if page == len(pages):
			frappe.throw(_("无法确定第 {0} 章的页码").format(chapter["index"]), CasebookError)
		page += 1
		starts.append(page)
	return starts


def compact(text: str) -> str:
	"""Text without any white space, NFKC-normalised and radicals read as ideographs: how a title compares
	with the same title read back from a PDF, where lines wrap anywhere."""
	return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICAL_TABLE))


def pdf_page_texts(pdf: bytes) -> list[str]:
	"""Per-page text, one entry per page: poppler's pdftotext (fast), else pypdf (pure Python, slower)."""
	try:
		out = subprocess.run(
			["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True, timeout=300
		).stdout.decode()
		pages = out.split("\f")[:-1]  # a form feed ends every page
	except (OSError, subprocess.CalledProcessError):
		pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]
	return [unicodedata.normalize("NFKC", p) for p in pages]


def toc_groups(chapters: list[dict], starts: list[int]) -> list[dict]:
	groups: list[dict] = []
	for chapter, start in zip(chapters, starts, strict=True):
		label = " ".join(x for x in (chapter["direction_code"], chapter["direction"]) if x) or _("其他")
		if not groups or groups[-1]["label"] != label:
			groups.append({"label": label, "entries": []})
		groups[-1]["entries"].append({**chapter, "page": start})
	return groups
