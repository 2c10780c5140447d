"""Official-style xlsx sheets with openpyxl: 附件2 for one district list and the city-wide summary.

Both use openpyxl's write-only workbook with a handful of shared styles. Every typed value is stored as
a string (`text_cell`, or `DataRows` for the summary's data rows), and text starting with = + - @ is
quote-prefixed, so no spreadsheet evaluates it. The summary's data rows, up to some 10,000, are
serialised by `DataRows` and spliced into the sheet openpyxl wrote, which costs less than a bare openpyxl
write of the same rows.
"""

import io
import re
import zipfile

import frappe
from frappe import _
from frappe.utils import cint, now_datetime
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from case_selection.access import sealing
from case_selection.case_selection.report.expert_scoring_profile import expert_scoring_profile
from case_selection.case_selection.report.review_score_comparison import review_score_comparison
from case_selection.export.column_defaults import CENTER, CITY_SUMMARY, LIST_SHEET_WIDTH, RIGHT
from case_selection.export.columns import (
	OutputColumn,
	Values,
	application_rows,
	district_list_table,
	output_columns,
)
from case_selection.export.print_context import (
	cn_date,
	recommendation_list_print_context,
	round_info,
	stored_document,
)
from case_selection.workflow import states
from case_selection.workflow.action_log import OUTPUT_LANG
from case_selection.workflow.definition import SUBMIT_TO_CITY, transitions_with

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

# The departments' seal blocks under the 附件2 sheet's table share its columns, at most this many a row.
SEALS_PER_ROW = 4


THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BODY_FONT = Font(name="仿宋_GB2312", size=11)
HEAD_FONT = Font(name="黑体", size=11, bold=True)
TITLE_FONT = Font(name="方正小标宋简体", size=18, bold=True)
WRAP_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP_RIGHT = Alignment(horizontal="right", vertical="center", wrap_text=True)


def column_alignment(column: OutputColumn) -> Alignment:
	return {CENTER: WRAP_CENTER, RIGHT: WRAP_RIGHT}.get(column.align, WRAP_LEFT)


class SharedStyle(StyleArray):
	"""A StyleArray shared by many cells, with its hash computed once: the writer looks every cell's style
	up in the workbook's style table, and hashing the 9-field array each time was a third of the cost."""

	def __new__(cls, style):
		self = super().__new__(cls, list(style))
		self.cached_hash = hash(tuple(self))
		return self

	def __hash__(self):
		return self.cached_hash

	def __copy__(self):
		return SharedStyle(self)


class SheetStyles:
	"""Cell styles of a sheet, each resolved once into openpyxl's StyleArray and then shared by reference:
	assigning Font/Alignment/Border objects per cell hashes them every time, which is most of the cost of
	a styled sheet (4× a bare write for 10,000 rows)."""

	def __init__(self, ws: Worksheet):
		self.ws = ws
		self.arrays = {}

	def array(self, font, align, border):
		key = (id(font), id(align), id(border))
		if key not in self.arrays:
			proto = WriteOnlyCell(self.ws)
			proto.font = font
			proto.alignment = align
			if border:
				proto.border = border
			self.arrays[key] = SharedStyle(proto._style)
		return self.arrays[key]

	def cell(self, value, *, font=BODY_FONT, align=WRAP_LEFT, border=BORDER) -> WriteOnlyCell:
		return text_cell(self.ws, value, self.array(font, align, border))


def text_cell(ws: Worksheet, value, style=None) -> WriteOnlyCell:
	"""A cell whose value no spreadsheet will evaluate: numbers stay numbers, every text is a string
	cell, and text starting with a formula trigger is also quote-prefixed (Excel's leading apostrophe)."""
	c = WriteOnlyCell(ws)
	if style is not None:
		c._style = style  # shared: cells are serialised as they are appended and never restyled
	if value is None:
		return c
	if isinstance(value, int | float) and not isinstance(value, bool):
		c.value = value
		return c
	text = str(value)
	c.value = text
	c.data_type = "s"
	if text.startswith(FORMULA_TRIGGERS):
		# The one cell that differs from its column's shared style gets its own copy.
		c._style = StyleArray(list(c._style)) if c._style is not None else StyleArray()
		c.quotePrefix = True
	return c


class DataRows:
	"""The data rows of a long sheet, serialised here as SpreadsheetML text and spliced into the sheet
	openpyxl wrote for everything else (titles, header, styles, print set-up, merged cells, filter).

	openpyxl serialises each cell through lxml's incremental writer, about 12 µs a cell plus the style lookup;
	a city summary of 10,000 cases has 130,000 cells, and that writer was most of the export's time. Here a
	cell is one formatted string with its column's style index (resolved once through openpyxl, so the
	styles in styles.xml are openpyxl's own). The cells are written as openpyxl writes them: inline strings
	(never formulas; text starting with a formula trigger gets the quote-prefixed style), numbers as
	numbers, an empty cell kept with its style so its borders print."""

	def __init__(self, ws, styles: list, first_row: int):
		self.first_row = first_row
		self.columns = [get_column_letter(i) for i in range(1, len(styles) + 1)]
		self.plain_ids = [style_index(ws, style) for style in styles]
		self.quoted_ids = [style_index(ws, style, quote_prefix=True) for style in styles]
		self.parts: list[str] = []
		self.count = 0

	def add(self, values):
		r = self.first_row + self.count
		parts = [f'<row r="{r}">']  # kept only when the whole row is good: a refused value leaves no half row
		for col, plain_id, quoted_id, value in zip(
			self.columns, self.plain_ids, self.quoted_ids, values, strict=True
		):
			if value is None or value == "":
				parts.append(f'<c r="{col}{r}" s="{plain_id}"/>')
			elif isinstance(value, str):
				sid = quoted_id if value.startswith(FORMULA_TRIGGERS) else plain_id
				parts.append(f'<c r="{col}{r}" s="{sid}" t="inlineStr"><is>{xml_text(value)}</is></c>')
			elif isinstance(value, bool) or not isinstance(value, int | float):
				raise TypeError(f"{col}{r}: {type(value).__name__}")
			else:
				parts.append(f'<c r="{col}{r}" s="{plain_id}" t="n"><v>{value!r}</v></c>')
		parts.append("</row>")
		self.parts.append("".join(parts))
		self.count += 1

	def splice(self, xlsx: bytes) -> bytes:
		"""The workbook openpyxl saved, with these rows after its own and the sheet's dimension covering them."""
		rows = "".join(self.parts).encode()
		last_row = self.first_row + self.count - 1
		src = zipfile.ZipFile(io.BytesIO(xlsx))
		if SHEET not in src.namelist():
			raise ValueError(f"{SHEET} not in the workbook")
		out = io.BytesIO()
		with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
			for info in src.infolist():
				data = src.read(info)
				if info.filename == SHEET:
					head, end, tail = data.partition(b"</sheetData>")
					if not end:
						raise ValueError("sheet1.xml has no sheetData")
					dimension = f'<dimension ref="A1:{self.columns[-1]}{max(last_row, self.first_row - 1)}"/>'.encode()
					if DIMENSION.search(head):
						head = DIMENSION.sub(dimension, head, count=1)
					else:
						# openpyxl's write-only sheet has none; its place is before sheetViews (schema order).
						head = head.replace(b"<sheetViews", dimension + b"<sheetViews", 1)
					data = head + rows + end + tail
				dst.writestr(info, data)
		return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"  # the workbook's only sheet
DIMENSION = re.compile(rb"<dimension [^>]*/>")


def style_index(ws, style, quote_prefix: bool = False) -> int:
	"""The index of a cell style in the workbook's cellXfs, as openpyxl assigns it to a cell it writes."""
	cell = WriteOnlyCell(ws)
	cell._style = StyleArray(list(style))
	if quote_prefix:
		cell.quotePrefix = True
	return cell.style_id


def xml_text(value: str) -> str:
	"""`<t>` with the text escaped, without the characters XML 1.0 forbids (openpyxl would refuse them), and
	with its leading or trailing spaces kept."""
	if ILLEGAL_CHARACTERS_RE.search(value):
		value = ILLEGAL_CHARACTERS_RE.sub("", value)
	value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
	if value[:1].isspace() or value[-1:].isspace():
		return f'<t xml:space="preserve">{value}</t>'
	return f"<t>{value}</t>"


def set_columns(ws: Worksheet, widths: list[float]):
	for i, w in enumerate(widths, start=1):
		ws.column_dimensions[get_column_letter(i)].width = w


def setup_print(ws: Worksheet, header_row: int):
	ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
	ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
	ws.page_setup.fitToWidth = 1
	ws.page_setup.fitToHeight = 0
	ws.sheet_properties.pageSetUpPr.fitToPage = True
	ws.print_options.horizontalCentered = True
	ws.page_margins.left = ws.page_margins.right = 0.5
	ws.page_margins.top = ws.page_margins.bottom = 0.6
	ws.print_title_rows = f"{header_row}:{header_row}"
	ws.oddFooter.center.text = "— &P —"
	ws.freeze_panes = f"A{header_row + 1}"


def to_bytes(wb: Workbook) -> bytes:
	out = io.BytesIO()
	wb.save(out)
	return out.getvalue()


# ─────────────────────────── 附件2: one district list ───────────────────────────


def district_list_xlsx(doc) -> bytes:
	"""附件2 区县推荐案例名单 of one District Recommendation List (already permission-checked), with the columns
	the round configures: widths in proportion, the sheet LIST_SHEET_WIDTH characters wide in all."""

	doc = stored_document(doc)
	ctx = recommendation_list_print_context(doc)
	columns, cells = district_list_table(doc)
	ncol = len(columns)
	last_col = get_column_letter(ncol)
	wb = Workbook(write_only=True)
	ws = wb.create_sheet(_("推荐案例名单"))
	s = SheetStyles(ws)
	total = sum(c.width for c in columns) or 1
	set_columns(ws, [round(LIST_SHEET_WIDTH * c.width / total, 2) for c in columns])
	# Sheet view (frozen header) and columns are written with the first row in write-only mode.
	setup_print(ws, header_row=4)

	ws.append([s.cell(_("附件2"), font=HEAD_FONT, border=None)])
	ws.row_dimensions[2].height = 36
	ws.append(
		[s.cell(_("{0}推荐案例名单").format(doc.district), font=TITLE_FONT, align=WRAP_CENTER, border=None)]
	)
	# The district on the left, the date on the right: over the first and the last columns (over about two
	# thirds and one third of them when there are enough).
	date_col = ncol - ncol * 3 // 8 + 1 if ncol >= 3 else ncol
	ws.append(
		[
			s.cell(_("区县（盖章）：{0}").format(doc.district), border=None),
			*[None] * (date_col - 2),
			s.cell(_("填报日期：{0}").format(ctx["list_date"]), border=None),
		]
		if ncol > 1
		else [
			s.cell(_("区县（盖章）：{0}　填报日期：{1}").format(doc.district, ctx["list_date"]), border=None)
		]
	)
	ws.append([s.cell(c.heading, font=HEAD_FONT, align=WRAP_CENTER) for c in columns])
	aligns = [column_alignment(c) for c in columns]
	for row in cells:
		ws.append([s.cell(value, align=align) for value, align in zip(row, aligns, strict=True)])
	last = 4 + len(cells)
	ws.append([])
	# One seal block per co-signing department of the round, however many the round names.
	seals = [
		_("{0}（盖章）  {1}  {2}", lang=OUTPUT_LANG).format(o["title"], o["opinion"], o["date"])
		for o in ctx["opinions"]
	]
	seal_row = last + 2
	per_row = max(1, min(SEALS_PER_ROW, ncol))
	merged = []
	for start in range(0, max(len(seals), 1), per_row):
		chunk = seals[start : start + per_row] or [""]
		span = ncol // len(chunk)
		row, excel_row = [], seal_row + start // per_row
		for i, text in enumerate(chunk):
			first = i * span + 1
			end = ncol if i == len(chunk) - 1 else first + span - 1
			row += [s.cell(text, border=None)] + [None] * (end - first)
			if end > first:
				merged.append(f"{get_column_letter(first)}{excel_row}:{get_column_letter(end)}{excel_row}")
		ws.append(row)
	seal_rows = (max(len(seals), 1) + per_row - 1) // per_row
	contact_row = seal_row + seal_rows
	ws.append(
		[
			s.cell(
				_("区县联系人：{0}    联系电话：{1}").format(
					doc.contact_person or "", doc.contact_phone or ""
				),
				border=None,
			)
		]
	)
	refs = [*merged]
	if ncol > 1:
		refs += [f"A2:{last_col}2", f"A{contact_row}:{last_col}{contact_row}"]
		if date_col > 2:
			refs.append(f"A3:{get_column_letter(date_col - 1)}3")
		if date_col < ncol:
			refs.append(f"{get_column_letter(date_col)}3:{last_col}3")
	for ref in refs:
		ws.merged_cells.add(ref)
	ws.print_area = f"A1:{last_col}{contact_row}"
	return to_bytes(wb)


# ─────────────────────────── city-wide summary ───────────────────────────


def summary_rows(round_name: str | None = None) -> list[dict]:
	"""Recommended applications visible to the session user, in district order, by one frappe.get_list
	query (so user permissions and permission query conditions apply) selecting what the round's summary
	columns need (export/columns.py), plus the city's own values for those who see the city stage."""
	# Every case its district recommended: ready to go (a state the list's submission leaves from) or sent up,
	# whatever became of it (the states marked 市级可见). A city user's rows are only the latter anyway.
	recommended = {t.state for t in transitions_with(SUBMIT_TO_CITY)} | set(states.where("city_visible"))
	filters = {"workflow_state": ["in", sorted(recommended)]}
	if round_name:
		filters["round"] = round_name
	rows = application_rows(
		output_columns(round_name, CITY_SUMMARY),
		filters,
		extra=("district",),
		order_by="district asc, name asc",
		city_filters={"round": round_name} if round_name else {},
	)
	order = district_order()
	rows.sort(key=lambda r: (order.get(r.district, 10**6), r.name))
	return rows


def district_order() -> dict[str, int]:
	return {
		d.name: cint(d.sort_order)
		for d in frappe.get_all("Case District", fields=["name", "sort_order"], order_by="sort_order asc")
	}


def city_summary_xlsx(round_name: str | None = None, rows: list[dict] | None = None) -> bytes:
	"""City-wide summary of recommended cases (the caller has checked the city role)."""
	rows = summary_rows(round_name) if rows is None else rows
	columns = output_columns(round_name, CITY_SUMMARY)
	title = round_info(round_name)["title"] if round_name else ""
	wb = Workbook(write_only=True)
	ws = wb.create_sheet(_("推荐案例汇总"))
	s = SheetStyles(ws)
	set_columns(ws, [c.width for c in columns])
	last_col = get_column_letter(len(columns))
	setup_print(ws, header_row=3)

	ws.row_dimensions[1].height = 36
	ws.append([s.cell(_("{0}推荐案例汇总表").format(title), font=TITLE_FONT, align=WRAP_CENTER, border=None)])
	ws.append(
		[
			s.cell(
				_("共{0}项　　导出时间：{1}").format(len(rows), cn_date(now_datetime())),
				align=Alignment(horizontal="right"),
				border=None,
			)
		]
	)
	ws.append([s.cell(c.heading, font=HEAD_FONT, align=WRAP_CENTER) for c in columns])

	# State names in words (Values): the translations (zh.csv and any Translation an admin adds in Desk), so a
	# state renamed or added in Desk reads the same here as on the form. Looked up once per state.
	values = Values(columns, rows)
	body = DataRows(ws, [s.array(BODY_FONT, column_alignment(c), BORDER) for c in columns], first_row=4)
	for i, r in enumerate(rows, start=1):
		body.add(values.cells(r, i))
	ws.merged_cells.add(f"A1:{last_col}1")
	ws.merged_cells.add(f"A2:{last_col}2")
	ws.auto_filter.ref = f"A3:{last_col}{3 + len(rows)}"
	if round_name and sealing.sees_city_stage():
		# The experts' scores made comparable, and the experts' scoring, as the city's two reports show them.
		for report in (review_score_comparison, expert_scoring_profile):
			table_sheet(wb, title, report.TITLE, report.columns(), report.rows(round_name))
	return body.splice(to_bytes(wb))


def table_sheet(wb: Workbook, round_title: str, name: str, columns: list[dict], rows: list[dict]) -> None:
	"""A further sheet of the workbook: a title row, a header row (the report's column labels) and the rows."""
	ws = wb.create_sheet(_(name))
	s = SheetStyles(ws)
	set_columns(ws, [max(8, min(60, (c.get("width") or 100) / 7)) for c in columns])
	setup_print(ws, header_row=2)
	last_col = get_column_letter(len(columns))
	ws.row_dimensions[1].height = 30
	ws.append([s.cell(round_title + _(name), font=TITLE_FONT, align=WRAP_CENTER, border=None)])
	ws.append([s.cell(c["label"], font=HEAD_FONT, align=WRAP_CENTER) for c in columns])
	for r in rows:
		ws.append(
			[
				s.cell(r.get(c["fieldname"]), align=WRAP_LEFT if c["fieldtype"] == "Data" else WRAP_CENTER)
				for c in columns
			]
		)
	ws.merged_cells.add(f"A1:{last_col}1")
