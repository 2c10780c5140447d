"""What a reader of a PDF sees, measured with pdfplumber: page size, where every character and ruled line
sits, how large the characters are, and the text as a reader extracts it.

A character's box is its ideographic em box: pdfplumber gives each character's baseline and size, and a
CJK character occupies the em square from 0.12 em below the baseline to 0.88 em above it. Ruled lines are
the dark, thin rectangles and lines wkhtmltopdf draws table borders with. wkhtmltopdf paints the whole
document on every page and clips it, so only what lies on the page counts.
"""

import io
import re
import statistics
import subprocess
from dataclasses import dataclass, field

import pdfplumber

MM = 72 / 25.4
PAGE_NUMBER_FONT = "Times-Roman"  # the font export/pdf.py stamps page numbers in
CODE_FONT = "Courier"  # the verification code under each page's QR code (export/pdf.stamp_qr)
QR_MM = 17.0
FEET = re.compile(r"(\s*(— \d+ —|[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}))+\s*$")


def without_feet(text: str) -> str:
	"""A page's text without its page number and the verification code under its QR code."""
	return FEET.sub("", text.rstrip())


@dataclass
class Glyph:
	text: str
	size: float  # pt
	x0: float  # mm from the left edge
	x1: float
	top: float  # mm from the top edge (ideographic em box)
	bottom: float
	font: str


@dataclass
class Page:
	number: int
	width: float  # mm
	height: float
	glyphs: list[Glyph] = field(default_factory=list)  # everything but the page number and the QR code
	page_number: list[Glyph] = field(default_factory=list)
	code: list[Glyph] = field(default_factory=list)  # the verification code's characters
	qr: list[tuple[float, float, float, float]] = field(default_factory=list)  # the QR code's squares, mm
	rules: list[tuple[float, float, float, float]] = field(default_factory=list)  # x0, top, x1, bottom mm
	text: str = ""  # as pdftotext extracts it

	@property
	def extent(self) -> tuple[float, float, float, float]:
		"""Left, top, right, bottom (mm) of everything printed on the page except its number and QR code."""
		xs0 = [g.x0 for g in self.glyphs] + [r[0] for r in self.rules]
		tops = [g.top for g in self.glyphs] + [r[1] for r in self.rules]
		xs1 = [g.x1 for g in self.glyphs] + [r[2] for r in self.rules]
		bottoms = [g.bottom for g in self.glyphs] + [r[3] for r in self.rules]
		return min(xs0), min(tops), max(xs1), max(bottoms)

	@property
	def qr_box(self) -> tuple[float, float, float, float] | None:
		"""Left, top, right, bottom (mm) of the QR code and its code, if the page has one."""
		if not self.code:
			return None
		xs0 = [r[0] for r in self.qr] + [g.x0 for g in self.code]
		tops = [r[1] for r in self.qr] + [g.top for g in self.code]
		xs1 = [r[2] for r in self.qr] + [g.x1 for g in self.code]
		bottoms = [r[3] for r in self.qr] + [g.bottom for g in self.code]
		return min(xs0), min(tops), max(xs1), max(bottoms)

	@property
	def body(self) -> str:
		"""The page's text without its page number and verification code."""
		return without_feet(self.text)

	@property
	def drawn(self) -> str:
		"""The page's characters in the order they are drawn: a table cell's lines one after the other
		(pdftotext reads across the cells of a row instead)."""
		return "".join(g.text for g in self.glyphs)


def dark(obj) -> bool:
	color = obj.get("non_stroking_color") if obj.get("fill") else obj.get("stroking_color")
	if color is None:
		return True
	values = color if isinstance(color, list | tuple) else [color]
	return not values or sum(values) / len(values) < 0.5


def measure(pdf: bytes) -> list[Page]:
	texts = extract_pages(pdf)
	pages = []
	with pdfplumber.open(io.BytesIO(pdf)) as doc:
		assert len(texts) >= len(doc.pages), "pdftotext saw fewer pages than pdfplumber"
		for index, p in enumerate(doc.pages):
			page = Page(index + 1, float(p.width) / MM, float(p.height) / MM, text=texts[index])

			def on_page(obj, p=p):
				return (
					obj["x0"] >= 0 and obj["x1"] <= p.width and obj["top"] >= 0 and obj["bottom"] <= p.height
				)

			for c in p.chars:
				if not on_page(c) or not c["text"].strip():
					continue
				baseline = float(p.height) - float(c["matrix"][5])
				size = float(c["size"])
				glyph = Glyph(
					c["text"],
					size,
					float(c["x0"]) / MM,
					float(c["x1"]) / MM,
					(baseline - 0.88 * size) / MM,
					(baseline + 0.12 * size) / MM,
					c["fontname"],
				)
				if PAGE_NUMBER_FONT in c["fontname"]:
					page.page_number.append(glyph)
				elif CODE_FONT in c["fontname"]:
					page.code.append(glyph)
				else:
					page.glyphs.append(glyph)
			# The QR code: the squares right above the code, within the symbol's width.
			area = None
			if page.code:
				right, top = max(g.x1 for g in page.code), min(g.top for g in page.code)
				area = (right - QR_MM - 0.5, top - QR_MM - 4, right + 0.5, top)
			for r in [*p.rects, *p.lines]:
				thin = min(float(r["x1"] - r["x0"]), float(r["bottom"] - r["top"])) < 2
				if on_page(r) and dark(r) and thin:
					box = tuple(float(r[k]) / MM for k in ("x0", "top", "x1", "bottom"))
					if (
						area
						and area[0] <= box[0]
						and box[2] <= area[2]
						and area[1] <= box[1]
						and box[3] <= area[3]
					):
						page.qr.append(box)
					else:
						page.rules.append(box)
			pages.append(page)
	return pages


def extract_pages(pdf: bytes) -> list[str]:
	"""Each page's text as poppler's pdftotext extracts it, untouched (no normalisation)."""
	out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
	return out.stdout.decode().split("\f")


def median(values: list[float]) -> float:
	return statistics.median(values)


def flat(text: str) -> str:
	"""Text without white space: lines and table cells wrap wherever the width ends."""
	return "".join(text.split())
