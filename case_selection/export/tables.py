"""Bordered tables that break across pages the way a clerk expects: the header row on top of every page,
never a row cut in two, never a heading left alone at the foot of a page.

Debian's wkhtmltopdf (unpatched Qt) neither repeats a `thead` on the next page nor keeps a table row in one
piece: a row that meets the foot of a page is sliced, and its two halves print on two pages. What it does
honour is `page-break-inside: avoid` on a block and `page-break-before: always`. So the rows are split here,
before rendering, into chunks that each fit on one page, from a conservative estimate of each row's height;
every chunk is its own table with the header row, kept in one piece, and every chunk after the first starts
a new page. A table short enough for one page is one chunk that moves to the next page as a whole when it
does not fit where it is; a longer one starts on a page of its own. An estimate too large only leaves some
white at the foot of a page; the tests measure that nothing ever crosses the foot of the type area.
"""

import math
import re
from typing import NamedTuple

from case_selection.export import layout

CELL_PADDING_MM = 1.0  # top and bottom, as official_style.html's table.cs-grid cells
CELL_SIDE_PADDING_MM = 1.5
CELL_LINE_HEIGHT = 1.45  # of the font size, as official_style.html (cs-small: 1.4; the larger is assumed)
HEADING_PT = layout.LINE_PITCH_PT * 1.5  # a heading line and the space above it


class Column(NamedTuple):
	title: str
	width: float  # share of the table's width; the last column takes what is left when 0
	align: str = "left"  # left, c (centre) or r (right)


def text_width_em(text: str) -> float:
	"""Width of a line of text in ems, rounded up (Noto CJK / 仿宋): ideographs and full-width signs 1 em,
	digits and most Latin letters at most 0.6 em, capitals 0.75 em, m, w, @ and the like 1 em."""
	width = 0.0
	for ch in text:
		if ord(ch) >= 0x2E80 or ch in "@%&#mwMW—":
			width += 1
		elif ch.isupper():
			width += 0.75
		else:
			width += 0.6
	return width


# Signs that may not begin a line: WebKit carries the character before them over with them.
NO_LINE_START = set("，。、；：？！）》」』】〕…％,.;:?!)%]")
WORD = re.compile(r"[A-Za-z0-9@._%+\-/:#&]+|\s+|.")
SAFETY_EM = 0.1  # for the renderer's rounding of widths to whole pixels (its letter spacing leaves ~3 % more)


def line_count(text: str, width_em: float) -> int:
	"""Lines a cell's text takes in a column `width_em` wide, breaking as WebKit does: between any two
	ideographs, Latin words whole unless longer than the line, no line beginning with a closing sign."""
	return sum(wrap_count(part, width_em - SAFETY_EM) for part in (text or "").split("\n")) or 1


def wrap_count(text: str, width: float) -> int:
	lines, used, previous = 1, 0.0, 0.0
	for token in WORD.findall(text):
		size = text_width_em(token)
		if token.isspace():
			used += size if used else 0
		elif used + size <= width + 1e-6:
			used += size
		elif size > width:  # a word longer than a line breaks where the line ends
			for ch in token:
				step = text_width_em(ch)
				if used + step > width + 1e-6:
					lines, used = lines + 1, 0.0
				used += step
		elif token in NO_LINE_START:
			lines, used = lines + 1, previous + size
		else:
			lines, used = lines + 1, size
		previous = size
	return lines


def balanced_lines(text: str, font_pt: float, width_mm: float) -> list[str]:
	"""A title broken into lines of even length (no single character left on a line of its own)."""
	per_line = width_mm * layout.MM / font_pt
	count = max(1, math.ceil(text_width_em(text) / per_line))
	target = text_width_em(text) / count
	lines, current = [], ""
	for ch in text:
		if current and len(lines) < count - 1 and text_width_em(current + ch) > target + 0.5:
			lines.append(current)
			current = ""
		current += ch
	return [*lines, current]


class TableLayout:
	def __init__(self, columns: list[Column], page: layout.Page, font_pt: float):
		shares = [c.width for c in columns]
		rest = max(1 - sum(shares), 0.05)
		self.columns = [c if c.width else c._replace(width=rest) for c in columns]
		self.page = page
		self.font_pt = font_pt

	def column_ems(self) -> list[float]:
		font_mm = self.font_pt / layout.MM
		return [(self.page.type_width * c.width - 2 * CELL_SIDE_PADDING_MM) / font_mm for c in self.columns]

	def row_height(self, cells: list) -> float:
		lines = max(line_count(cell, em) for cell, em in zip(cells, self.column_ems(), strict=False))
		return lines * self.font_pt * CELL_LINE_HEIGHT + 2 * CELL_PADDING_MM * layout.MM + 1

	def page_height(self) -> float:
		return self.page.type_height * layout.MM


def paginate(
	columns: list[Column],
	rows: list[list[str]],
	*,
	headings: int = 0,
	page: layout.Page = layout.PORTRAIT,
	font_pt: float = layout.BODY_PT,
	first_page_pt: float | None = None,
	empty: str = "无",
) -> dict:
	"""The table as chunks of rows, each to print on one page under the header row.

	`headings` is how many heading lines the template prints above the table (kept with its first rows).
	`first_page_pt` is the room left on the page where the table starts, when the template knows it (a
	table right under a title); otherwise a table that fits on one page moves as a whole, and a longer one
	starts a new page. Returns what the `grid_table` macro of official_tables.html prints.
	"""
	rows = [["" if cell is None else str(cell) for cell in row] for row in rows]
	table = TableLayout(columns, page, font_pt)
	header = table.row_height([c.title for c in table.columns])
	heights = [table.row_height(r) for r in rows] or [table.row_height([empty])]
	heading_pt = HEADING_PT * headings
	full = table.page_height()
	new_page = False
	if first_page_pt is None:
		if heading_pt + header + sum(heights) <= full:
			first_page_pt = full
		else:
			new_page, first_page_pt = True, full

	chunks, current, room = [], [], first_page_pt - heading_pt - header
	for row, height in zip(rows, heights, strict=False):
		if current and height > room:
			chunks.append(current)
			current, room = [], full - header
		current.append(row)
		room -= height
	chunks.append(current)
	return {
		"columns": table.columns,
		"chunks": chunks,
		"new_page": new_page,
		"empty": empty,
		"small": font_pt < layout.BODY_PT,
	}
