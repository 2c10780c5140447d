"""The columns of 附件2 (print and xlsx), the city summary and the casebook's info table, as the round configures
them (Selection Round → 导出列设置, DocType Round Output Column; export/column_defaults.py when a round has no row
for an output), and the values they show.

A column is a Case Application field (one added with Customize Form included) or one of the named values of
column_defaults.NAMED_VALUES. Values are read with the exporting user's permissions: the cases through
frappe.get_list, a field of a permission level the user's roles may not read is neither selected nor shown, and
the city's own values (its state, the experts' average and count) come from Case Evaluation only for those who see
the city stage (access/sealing.py). Every value is text or a number, unescaped once (`plain`), escaped by the
template or written raw to the xlsx.
"""

from functools import cached_property
from typing import NamedTuple

import frappe
from frappe import _
from frappe.utils import cint, flt, format_datetime, strip_html

from case_selection.access import sealing
from case_selection.constants import APPLICATION, EVALUATION
from case_selection.exceptions import RoundConfigError
from case_selection.export.column_defaults import (
	CENTER,
	COUNT,
	DEFAULT_COLUMNS,
	DIRECTION,
	DISTRICT_LIST,
	DOMAIN,
	INDEX,
	NAME,
	NAMED_VALUES,
	OUTPUTS,
	RANK,
	REMARKS,
	RIGHT,
	SCORE,
	STATE,
)
from case_selection.export.print_context import cn_date, field_labels, plain
from case_selection.workflow.action_log import OUTPUT_LANG, state_label

# Field types a column can print as text. Tables, files, images, passwords, HTML and layout fields cannot.
PRINTABLE_TYPES = frozenset(
	{
		"Data",
		"Select",
		"Link",
		"Dynamic Link",
		"Autocomplete",
		"Phone",
		"Date",
		"Datetime",
		"Time",
		"Int",
		"Float",
		"Currency",
		"Percent",
		"Rating",
		"Duration",
		"Check",
		*("Small Text", "Text", "Long Text", "Text Editor", "Markdown Editor"),
	}
)
# In the casebook these are a titled section of the chapter rather than a line of its info table.
LONG_TEXT_TYPES = frozenset({"Small Text", "Text", "Long Text", "Text Editor", "Markdown Editor"})
NUMBER_TYPES = frozenset({"Int", "Float", "Currency", "Percent", "Rating", "Duration"})
CITY_VALUES = frozenset({STATE, SCORE, COUNT})
# Shown as typed (after `plain`), with no formatting of their own.
PLAIN_TYPES = frozenset(
	{"Data", "Link", "Dynamic Link", "Autocomplete", "Phone", "Small Text", "Text", "Long Text"}
)


class OutputColumn(NamedTuple):
	key: str  # the Case Application field, or the named value
	heading: str
	width: float
	align: str
	named: bool
	fieldtype: str = ""  # of the field; "" for a named value
	readable: bool = True  # the exporting user may read the field (its permission level)

	@property
	def long_text(self) -> bool:
		return self.fieldtype in LONG_TEXT_TYPES


# ─────────────────────────── which columns ───────────────────────────


def configured_rows(round_name: str | None, output: str) -> list:
	"""The round's rows for this output in their order, else the shipped defaults."""
	rows = []
	if round_name and frappe.db.exists("Selection Round", round_name):
		rnd = frappe.get_cached_doc("Selection Round", round_name)
		rows = sorted((r for r in rnd.get("output_columns") or [] if r.output == output), key=lambda r: r.idx)
	return rows or [frappe._dict(c) for c in DEFAULT_COLUMNS[output]]


def output_columns(round_name: str | None, output: str) -> list[OutputColumn]:
	"""The columns of an output for the session user: headings as configured, else the field's label as the
	form shows it (Customize Form included); a field the user's roles may not read is marked unreadable, and a
	field that no longer exists prints empty."""
	meta = frappe.get_meta(APPLICATION)
	levels = set(meta.get_permlevel_access("read"))
	rows = configured_rows(round_name, output)
	fields = [r.field for r in rows if r.field not in NAMED_VALUES and meta.get_field(r.field)]
	labels = field_labels(APPLICATION, fields)
	columns = []
	for r in rows:
		named = r.field in NAMED_VALUES
		df = None if named else meta.get_field(r.field)
		columns.append(
			OutputColumn(
				key=r.field,
				heading=plain(r.heading) or (r.field if named else labels.get(r.field, r.field)),
				width=flt(r.width) or 10,
				align=r.align or "",
				named=named,
				fieldtype=df.fieldtype if df else "",
				readable=named or bool(df and df.fieldtype in PRINTABLE_TYPES and df.permlevel in levels),
			)
		)
	return columns


def validate_round_columns(rnd) -> None:
	"""Selection Round.output_columns on save: each row names an output, a printable field of Case Application
	(its custom fields included) or a named value that output has, and a width above 0."""
	meta = frappe.get_meta(APPLICATION)
	title = _("「{0}」第 {1} 行：")
	table = _(rnd.meta.get_label("output_columns"))
	for row in rnd.get("output_columns") or []:
		where = title.format(table, row.idx)
		row.field = (row.field or "").strip()
		if row.output not in OUTPUTS:
			frappe.throw(where + _("「导出」须为 {0} 之一。").format("、".join(OUTPUTS)), RoundConfigError)
		if row.field in NAMED_VALUES:
			if row.output not in NAMED_VALUES[row.field]:
				frappe.throw(
					where
					+ _("「字段」{0} 只能用于 {1}。").format(row.field, "、".join(NAMED_VALUES[row.field])),
					RoundConfigError,
				)
		else:
			df = meta.get_field(row.field) if row.field else None
			if not df:
				frappe.throw(
					where
					+ _("「字段」{0} 不是案例申报书的字段，也不是计算值（{1}）。").format(
						row.field or _("（空）"), "、".join(NAMED_VALUES)
					),
					RoundConfigError,
				)
			if df.fieldtype not in PRINTABLE_TYPES or df.get("is_virtual"):
				frappe.throw(
					where
					+ _("「字段」{0}（{1}）的类型为 {2}，不能作为导出列。").format(
						row.field, _(df.label or row.field), _(df.fieldtype)
					),
					RoundConfigError,
				)
		if flt(row.width) <= 0:
			frappe.throw(
				where + _("「列宽」须大于 0（当前为 {0}）。").format(row.width or 0), RoundConfigError
			)


# ─────────────────────────── values ───────────────────────────


def application_rows(
	columns: list[OutputColumn],
	filters,
	*,
	extra: tuple = (),
	order_by: str | None = None,
	city_filters: dict | None = None,
) -> list[dict]:
	"""The cases for these columns: one frappe.get_list with the user's permissions selecting `name`, `extra` and
	only the readable fields the columns name; then, when a column shows the city's own values and the user sees
	the city stage, those from Case Evaluation (`city_filters`, else by the cases' names) in one query."""
	keys = {c.key for c in columns if c.named}
	fields = ["name", *extra, *(c.key for c in columns if not c.named and c.readable)]
	if keys & {DIRECTION, DOMAIN}:
		fields.append("direction")
	if STATE in keys:
		fields.append("workflow_state")
	rows = frappe.get_list(
		APPLICATION,
		filters=filters,
		fields=list(dict.fromkeys(fields)),
		order_by=order_by,
		limit_page_length=0,
	)
	if keys & CITY_VALUES and sealing.sees_city_stage():
		city = {
			e.name: e
			for e in frappe.get_all(
				EVALUATION,
				filters=city_filters
				if city_filters is not None
				else {"name": ("in", [r.name for r in rows] or [""])},
				fields=["name", "workflow_state", "review_score", "review_count"],
			)
		}
		for r in rows:
			e = city.get(r.name)
			if e:
				r.update(
					workflow_state=e.workflow_state, review_score=e.review_score, review_count=e.review_count
				)
	return rows


class Values:
	"""Turns a case's row into the cells of the columns, with what the named values need read once."""

	def __init__(self, columns: list[OutputColumn], rows: list[dict]):
		self.columns = columns
		keys = {c.key for c in columns if c.named}
		self.directions = (
			{
				d.name: d
				for d in frappe.get_all("Selection Direction", fields=["name", "direction_code", "domain"])
			}
			if keys & {DIRECTION, DOMAIN}
			else {}
		)
		self.states = (
			{s: state_label(s, APPLICATION) for s in {r.get("workflow_state") for r in rows} if s}
			if STATE in keys
			else {}
		)

	def cells(self, row: dict, index: int, item=None) -> list:
		return [get(row, index, item) for get in self.getters]

	def value(self, c: OutputColumn, row: dict, index: int, item=None):
		return self.getter(c)(row, index, item)

	@cached_property
	def getters(self) -> list:
		# One function per column, chosen once: the city summary runs them for some 10,000 rows.
		return [self.getter(c) for c in self.columns]

	def getter(self, c: OutputColumn):
		key = c.key
		if not c.named:
			if not c.readable:
				return lambda row, index, item: ""
			if c.fieldtype in PLAIN_TYPES:
				return lambda row, index, item: plain(row.get(key))
			return lambda row, index, item: field_text(c, row.get(key))
		if key == INDEX:
			return lambda row, index, item: index
		if key == RANK:
			return lambda row, index, item: cint(item and item.rank) or index
		if key == REMARKS:
			return lambda row, index, item: plain(item.remarks) if item else ""
		if key == NAME:
			return lambda row, index, item: row.get("name") or ""
		if key == STATE:
			return lambda row, index, item: self.states.get(
				row.get("workflow_state"), plain(row.get("workflow_state"))
			)
		if key == SCORE:
			return lambda row, index, item: (
				round(flt(row.get("review_score")), 2) if cint(row.get("review_count")) else ""
			)
		if key == COUNT:
			return lambda row, index, item: cint(row.get("review_count"))
		if key == DIRECTION:
			return lambda row, index, item: " ".join(
				plain(x) for x in (self.direction(row).direction_code, row.get("direction")) if x
			)
		if key == DOMAIN:
			return lambda row, index, item: plain(self.direction(row).domain)
		return lambda row, index, item: ""

	def direction(self, row: dict):
		return self.directions.get(row.get("direction")) or frappe._dict()


def field_text(c: OutputColumn, value):
	"""A field's value as the output shows it: numbers as numbers, dates in words, check boxes as 是/否, Select
	options translated, rich text without its markup, every other text as typed."""
	if c.fieldtype == "Check":
		return _("是", lang=OUTPUT_LANG) if cint(value) else _("否", lang=OUTPUT_LANG)
	if value is None or value == "":
		return ""
	if c.fieldtype in NUMBER_TYPES:
		number = flt(value)
		return int(number) if number.is_integer() else round(number, 6)
	if c.fieldtype == "Date":
		return cn_date(value)
	if c.fieldtype == "Datetime":
		return format_datetime(value, "yyyy-MM-dd HH:mm")
	if c.fieldtype == "Select":
		return plain(_(value, lang=OUTPUT_LANG))
	if c.fieldtype in ("Text Editor", "Markdown Editor"):
		return plain(strip_html(value)).strip()
	return plain(value)


# ─────────────────────────── 附件2 ───────────────────────────


def item_fields() -> dict[str, str]:
	"""Case Application field → the Recommendation List Item field that keeps its value as the list was made
	(fetched from the application): 附件2 prints those as the district sent them."""
	return {
		df.fetch_from.split(".", 1)[1]: df.fieldname
		for df in frappe.get_meta("Recommendation List Item").fields
		if (df.fetch_from or "").startswith("application.")
	}


def district_list_table(doc) -> tuple[list[OutputColumn], list[list]]:
	"""附件2's columns and one row of cells per item of the list, in its order (rank, then position): the items'
	own values where the item keeps the field, the rest from the cases read with the user's permissions."""
	columns = output_columns(doc.round, DISTRICT_LIST)
	items = sorted(doc.items, key=lambda r: (cint(r.rank) or 10**6, r.idx))
	kept = item_fields()
	needed = [c for c in columns if c.named or c.key not in kept]
	names = [r.application for r in items if r.application]
	cases = (
		{r.name: r for r in application_rows(needed, {"name": ("in", names)})}
		if names and any(c.key not in (INDEX, RANK, REMARKS) for c in needed)
		else {}
	)
	values = Values(columns, list(cases.values()))
	cells = []
	for i, item in enumerate(items, start=1):
		row = frappe._dict(cases.get(item.application) or {"name": item.application})
		for field, item_field in kept.items():
			row[field] = item.get(item_field)
		cells.append(values.cells(row, i, item))
	return columns, cells


def pdf_columns(columns: list[OutputColumn]):
	"""(title, share of the table's width, alignment) for export/tables.py: shares in proportion to the widths,
	the last column taking what is left."""
	total = sum(c.width for c in columns) or 1
	align = {CENTER: "c", RIGHT: "r"}
	return [
		(c.heading, 0 if i == len(columns) - 1 else c.width / total, align.get(c.align, "left"))
		for i, c in enumerate(columns)
	]
