"""Official-style xlsx sheets with openpyxl: 附件2 for one district list and the city-wide summary.

Both use openpyxl's write-only workbook (rows are streamed, never held as cell objects) with a handful of
shared styles, so that 10,000 rows cost little more than a bare write. Every typed value goes through
`text_cell`, which stores it as a string and marks it quote-prefixed, so no spreadsheet evaluates text
beginning with = + - @.
"""

import io

import frappe
from frappe import _
from frappe.utils import cint, flt, now_datetime
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from case_selection.export.print_context import cn_date, plain, round_info
from case_selection.history import state_label
from case_selection.workflows import SUBMIT_TO_CITY, states, transitions_with

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

# Columns of the 附件2 sheet; the departments' seal blocks share them, at most this many a row.
LIST_WIDTH = 8
SEALS_PER_ROW = 4


THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BODY_FONT = Font(name="仿宋_GB2312", size=11)
HEAD_FONT = Font(name="黑体", size=11, bold=True)
TITLE_FONT = Font(name="方正小标宋简体", size=18, bold=True)
WRAP_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


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

	def reusable(self, align, font=BODY_FONT, border=BORDER) -> "ReusableCell":
		return ReusableCell(self.ws, self.array(font, align, border))


class ReusableCell:
	"""A write-only cell refilled row after row, with its plain and its quote-prefixed style."""

	def __init__(self, ws: Worksheet, style):
		self.cell = WriteOnlyCell(ws)
		self.plain = style
		self.cell._style = StyleArray(list(style))
		self.cell.quotePrefix = True
		self.quoted = SharedStyle(self.cell._style)

	def fill(self, value):
		c = self.cell
		c.value = value
		if isinstance(value, str):
			c.data_type = "s"
			c._style = self.quoted if value.startswith(FORMULA_TRIGGERS) else self.plain
		else:
			c._style = self.plain


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


def cells_to_row(cells, row_idx: int):
	"""Stand-in for WriteOnlyWorksheet._values_to_row when every appended item is a WriteOnlyCell.

	openpyxl's own version first assigns each item as a value to a scratch cell; for a cell that raises,
	and building the error message formats the cell's repr before the exception is caught: with 13 styled
	columns that was over a third of the sheet's time."""
	for col_idx, cell in enumerate(cells, 1):
		cell.column = col_idx
		cell.row = row_idx
		yield cell


def set_columns(ws: Worksheet, widths: list[float]):
	from openpyxl.utils import get_column_letter

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

LIST_COLUMNS = [
	("序号", 6),
	("案例名称", 34),
	("申报单位", 28),
	("单位类型", 12),
	("遴选方向", 22),
	("联系人", 10),
	("联系电话", 15),
	("备注", 16),
]


def district_list_xlsx(doc) -> bytes:
	"""附件2 区县推荐案例名单 of one District Recommendation List (already permission-checked)."""
	from case_selection.export.print_context import recommendation_list_print_context

	ctx = recommendation_list_print_context(doc)
	wb = Workbook(write_only=True)
	ws = wb.create_sheet(_("推荐案例名单"))
	s = SheetStyles(ws)
	set_columns(ws, [w for _label, w in LIST_COLUMNS])
	# Sheet view (frozen header) and columns are written with the first row in write-only mode.
	setup_print(ws, header_row=4)

	ws.append([s.cell(_("附件2"), font=HEAD_FONT, border=None)])
	ws.row_dimensions[2].height = 36
	ws.append(
		[s.cell(_("{0}推荐案例名单").format(doc.district), font=TITLE_FONT, align=WRAP_CENTER, border=None)]
	)
	ws.append(
		[
			s.cell(_("区县（盖章）：{0}").format(doc.district), border=None),
			*[None] * 4,
			s.cell(_("填报日期：{0}").format(ctx["list_date"]), border=None),
		]
	)
	ws.append([s.cell(_(label), font=HEAD_FONT, align=WRAP_CENTER) for label, _w in LIST_COLUMNS])
	for r in ctx["rows"]:
		ws.append(
			[
				s.cell(r["rank"], align=WRAP_CENTER),
				s.cell(r["case_title"]),
				s.cell(r["unit_name"]),
				s.cell(r["unit_type"], align=WRAP_CENTER),
				s.cell(r["direction"]),
				s.cell(r["contact_person"], align=WRAP_CENTER),
				s.cell(r["contact_phone"], align=WRAP_CENTER),
				s.cell(r["remarks"]),
			]
		)
	last = 4 + len(ctx["rows"])
	ws.append([])
	# One seal block per co-signing department of the round, however many the round names.
	seals = [f"{o['title']}（盖章）  {o['opinion']}  {o['date']}" for o in ctx["opinions"]]
	seal_row = last + 2
	merged = []
	for start in range(0, max(len(seals), 1), SEALS_PER_ROW):
		chunk = seals[start : start + SEALS_PER_ROW] or [""]
		span = LIST_WIDTH // len(chunk)
		row, excel_row = [], seal_row + start // SEALS_PER_ROW
		for i, text in enumerate(chunk):
			first = i * span + 1
			end = LIST_WIDTH if i == len(chunk) - 1 else first + span - 1
			row += [s.cell(text, border=None)] + [None] * (end - first)
			if end > first:
				merged.append(f"{get_column_letter(first)}{excel_row}:{get_column_letter(end)}{excel_row}")
		ws.append(row)
	seal_rows = (max(len(seals), 1) + SEALS_PER_ROW - 1) // SEALS_PER_ROW
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
	for ref in ("A2:H2", "A3:E3", "F3:H3", *merged, f"A{contact_row}:H{contact_row}"):
		ws.merged_cells.add(ref)
	ws.print_area = f"A1:H{contact_row}"
	return to_bytes(wb)


# ─────────────────────────── city-wide summary ───────────────────────────

SUMMARY_COLUMNS = [
	("序号", 6),
	("区县", 14),
	("案例名称", 36),
	("申报单位", 30),
	("统一社会信用代码", 21),
	("单位类型", 12),
	("遴选方向", 24),
	("联系人", 10),
	("联系电话", 15),
	("状态", 12),
	("专家评审平均分", 10),
	("已评审专家数", 9),
	("申报书编号", 18),
]


def summary_rows(round_name: str | None = None) -> list[dict]:
	"""Recommended applications visible to the session user, in district order, by one frappe.get_list
	query (so user permissions and permission query conditions apply)."""
	# Every case its district recommended: ready to go (a state the list's submission leaves from) or sent up,
	# whatever became of it (the states marked 市级可见). A city user's rows are only the latter anyway.
	recommended = {t.state for t in transitions_with(SUBMIT_TO_CITY)} | set(states.where("city_visible"))
	filters = {"workflow_state": ["in", sorted(recommended)]}
	if round_name:
		filters["round"] = round_name
	fields = [
		"name",
		"district",
		"case_title",
		"unit_name",
		"uscc",
		"unit_type",
		"direction",
		"contact_person",
		"contact_mobile",
		"review_score",
		"review_count",
		"workflow_state",
	]
	rows = frappe.get_list(
		"Case Application",
		filters=filters,
		fields=fields,
		order_by="district asc, name asc",
		limit_page_length=0,
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
	title = round_info(round_name)["title"] if round_name else ""
	wb = Workbook(write_only=True)
	ws = wb.create_sheet(_("推荐案例汇总"))
	s = SheetStyles(ws)
	set_columns(ws, [w for _label, w in SUMMARY_COLUMNS])
	ncol = len(SUMMARY_COLUMNS)
	from openpyxl.utils import get_column_letter

	last_col = get_column_letter(ncol)
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
	ws.append([s.cell(_(label), font=HEAD_FONT, align=WRAP_CENTER) for label, _w in SUMMARY_COLUMNS])

	# State names in words: the translations (zh.csv and any Translation an admin adds in Desk), so a state
	# renamed or added in Desk reads the same here as on the form. Looked up once per state.
	seen = {r.get("workflow_state") for r in rows}
	labels = {state: state_label(state, "Case Application") for state in seen}
	# One cell object per column, refilled for every row: write-only sheets serialise a row as soon as it
	# is appended, so the cells can be reused, and each keeps its column's style resolved once.
	aligns = [WRAP_CENTER, WRAP_CENTER, WRAP_LEFT, WRAP_LEFT, WRAP_LEFT, WRAP_CENTER, WRAP_LEFT]
	aligns += [WRAP_CENTER] * 5 + [WRAP_LEFT]
	columns = [s.reusable(align) for align in aligns]
	ws._values_to_row = cells_to_row  # every data row below is made of WriteOnlyCells only
	append = ws.append
	for i, r in enumerate(rows, start=1):
		reviewed = r.get("review_count")
		values = (
			i,
			plain(r.get("district")),
			plain(r.get("case_title")),
			plain(r.get("unit_name")),
			plain(r.get("uscc")),
			plain(r.get("unit_type")),
			plain(r.get("direction")),
			plain(r.get("contact_person")),
			plain(r.get("contact_mobile")),
			labels.get(r.get("workflow_state"), r.get("workflow_state")),
			round(flt(r.get("review_score")), 2) if reviewed else None,
			cint(reviewed),
			r.get("name"),
		)
		for column, value in zip(columns, values, strict=True):
			column.fill(value)
		append([column.cell for column in columns])
	del ws._values_to_row
	ws.merged_cells.add(f"A1:{last_col}1")
	ws.merged_cells.add(f"A2:{last_col}2")
	ws.auto_filter.ref = f"A3:{last_col}{3 + len(rows)}"
	return to_bytes(wb)
