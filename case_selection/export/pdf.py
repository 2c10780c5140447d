"""The official PDFs: rendered at the size their CSS asks for, with text that can be searched and page
numbers "— N —", and the PDF download that makes them.

- Size. Debian's wkhtmltopdf is built against unpatched Qt, which cannot turn off WebKit's "smart
  shrinking" (Frappe's --disable-smart-shrinking is ignored, and so are --dpi and --zoom): every page is
  printed at about 77 % (a 16 pt font comes out 12 pt, a 156 mm wide box 120 mm). How much depends on the
  Qt build and its screen resolution, so it is measured once by rendering a probe through Frappe's get_pdf,
  and the HTML is zoomed by the inverse (CSS `zoom`, which wkhtmltopdf honours) before rendering.
- Text. export/tounicode.py rewrites the fonts' ToUnicode maps so that 一 reads back as 一, not ⼀.
- Page numbers. Unpatched Qt also ignores --footer-html, so the numbers are written into the PDF after
  get_pdf has rendered it, as a few PDF text operators per page in the standard Times-Roman font (no font
  file to embed, and WinAnsi has the em dash), 7 mm below the type area as GB/T 9704 places them.
"""

import base64
import functools
import hashlib
import io
import re
import socket

import frappe
from frappe import _
from frappe.translate import print_language
from frappe.utils import print_format as frappe_print_format
from frappe.utils.pdf import get_pdf, get_wkhtmltopdf_version
from frappe.www.printview import get_print_format, validate_print_permission
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

from case_selection.access.guards import refuse_standard_format
from case_selection.export import layout, print_context, sandbox
from case_selection.export.tounicode import fix_to_unicode
from case_selection.signing import qr

# A print format asks for page numbers "— N —" (and this PDF route) with a line in its template, e.g.
# {#- page-numbers: skip=1 -#} (skip: leading pages, the cover, left unnumbered). Being part of the template,
# it goes with every copy of the format an admin makes in Desk.
PAGE_NUMBERS = re.compile(r"page-numbers:\s*skip=(\d+)")


def page_numbering(print_format: str | None) -> int | None:
	"""How many leading pages a format leaves unnumbered, or None when it does not ask for numbers."""
	if not print_format or not isinstance(print_format, str):
		return None
	key = ("case_selection", "page_numbering", print_format)
	if key not in frappe.local.cache:
		frappe.local.cache[key] = _page_numbering(print_format)
	return frappe.local.cache[key]


def _page_numbering(print_format: str) -> int | None:

	fmt = frappe.db.get_value(
		"Print Format", print_format, ["doc_type", "custom_format", "print_format_type"], as_dict=True
	)
	if not fmt or not fmt.custom_format or fmt.print_format_type != "Jinja":
		return None
	try:
		source = get_print_format(fmt.doc_type, frappe.get_cached_doc("Print Format", print_format))
	except Exception:
		return None
	match = PAGE_NUMBERS.search(source or "")
	return int(match.group(1)) if match else None


FONT_KEY = "/CSPageNo"
FONT_SIZE = layout.PAGE_NUMBER_PT
MM = layout.MM
# Times-Roman advance widths (per 1000 em) of the characters the number uses, and the height of its digits.
GLYPH_WIDTHS = {"\x97": 1000, " ": 250, **{str(d): 500 for d in range(10)}}
DIGIT_HEIGHT = 0.676  # em


GAP = 0.5  # em between the dashes and the number: wide enough for text extraction to see the spaces


def number_baseline_mm(box) -> float:
	"""Baseline of the page number above the page's foot: the digits' top 7 mm below the type area."""
	page = layout.page_for(float(box.width), float(box.height))
	return page.bottom - layout.PAGE_NUMBER_GAP_MM - DIGIT_HEIGHT * FONT_SIZE / MM


def number_ops(n: int, box, bottom_mm: float | None = None) -> str:
	"""PDF operators drawing "— n —" centred at the foot of a page with this media box."""
	digits = str(n)
	em = FONT_SIZE / 1000
	dash = GLYPH_WIDTHS["\x97"] * em
	number = sum(GLYPH_WIDTHS[c] for c in digits) * em
	gap = GAP * FONT_SIZE
	x = float(box.left) + (float(box.width) - (2 * dash + number + 2 * gap)) / 2
	y = float(box.bottom) + (number_baseline_mm(box) if bottom_mm is None else bottom_mm) * MM
	parts = ((x, "\x97"), (x + dash + gap, digits), (x + dash + 2 * gap + number, "\x97"))
	shows = " ".join(f"1 0 0 1 {px:.2f} {y:.2f} Tm ({text}) Tj" for px, text in parts)
	return f"Q\nq BT {FONT_KEY} {FONT_SIZE} Tf 0 g {shows} ET Q\n"


def stamp_page_numbers(pdf: bytes, skip: int = 0, first_number: int = 1) -> bytes:
	"""Return `pdf` with "— N —" centred at the foot of every page after the first `skip` pages."""
	writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
	stamp_writer(writer, skip, first_number)
	return to_bytes(writer)


def to_bytes(writer: PdfWriter) -> bytes:
	out = io.BytesIO()
	writer.write(out)
	return out.getvalue()


def stamp_writer(writer: PdfWriter, skip: int = 0, first_number: int = 1, bottom_mm: float | None = None):
	"""Stamp the pages of a PdfWriter in place (no extra parse/serialise round trip)."""
	draw_on_pages(
		writer,
		FONT_KEY,
		{"/BaseFont": "/Times-Roman", "/Encoding": "/WinAnsiEncoding"},
		lambda index, page: number_ops(index - skip + first_number, page.mediabox, bottom_mm),
		skip,
	)


def draw_on_pages(writer: PdfWriter, font_key: str, font: dict, ops_of, skip: int = 0) -> None:
	"""Append PDF operators to every page after the first `skip`: `ops_of(index, page)` gives them (they begin
	with Q, ending the page's own content) and may use one standard Type 1 font as `font_key`."""
	font_ref = writer._add_object(
		DictionaryObject(
			{
				NameObject("/Type"): NameObject("/Font"),
				NameObject("/Subtype"): NameObject("/Type1"),
				**{NameObject(k): NameObject(v) for k, v in font.items()},
			}
		)
	)
	# Save/restore the page's graphics state around its own content so that our coordinates are the
	# page's, whatever transformation wkhtmltopdf left in effect.
	save_ref = writer._add_object(stream(b"q\n"))
	for index, page in enumerate(writer.pages):
		if index < skip:
			continue
		ops_ref = writer._add_object(stream(ops_of(index, page).encode("latin-1")))
		resources = page[NameObject("/Resources")].get_object()
		fonts = resources.get("/Font")
		if fonts is None:
			fonts = DictionaryObject()
			resources[NameObject("/Font")] = fonts
		fonts.get_object()[NameObject(font_key)] = font_ref
		contents = page.get("/Contents")
		existing = (
			list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
		)
		page[NameObject("/Contents")] = ArrayObject([save_ref, *existing, ops_ref])


def stream(data: bytes) -> DecodedStreamObject:
	s = DecodedStreamObject()
	s.set_data(data)
	return s


# The QR code of 附件1 / 附件2 (signing/qr.py) in every page's lower right corner: inside the bottom margin,
# right-aligned with the type area, the code under it in small print (Courier, no font to embed).
QR_MM = 17.0  # the printed symbol, quiet zone excluded (above the type area's foot in landscape too)
QR_GAP_MM = 4.0  # from the paper's bottom edge to the code's text line (inside what printers print)
CODE_PT = 6.0
CODE_FONT_KEY = "/CSCode"


def qr_ops(matrix: list[list[bool]], box, label: str) -> str:
	"""PDF operators: the symbol as filled squares (one rectangle per horizontal run of dark modules) and the
	code's text under it."""
	page = layout.page_for(float(box.width), float(box.height))
	size = len(matrix)
	module = QR_MM * MM / size
	right = float(box.left) + (page.width - page.right) * MM
	x0 = right - QR_MM * MM
	text_y = float(box.bottom) + QR_GAP_MM * MM
	y_top = text_y + CODE_PT + 5 + QR_MM * MM  # a quiet zone between the text and the symbol
	rects = []
	for r, row in enumerate(matrix):
		c = 0
		while c < size:
			if not row[c]:
				c += 1
				continue
			start = c
			while c < size and row[c]:
				c += 1
			y = y_top - (r + 1) * module
			rects.append(f"{x0 + start * module:.3f} {y:.3f} {(c - start) * module:.3f} {module:.3f} re")
	width = len(label) * CODE_PT * 0.6  # Courier: every glyph 600/1000 em
	text = f"BT {CODE_FONT_KEY} {CODE_PT} Tf 1 0 0 1 {right - width:.2f} {text_y:.2f} Tm ({label}) Tj ET"
	return "Q\nq 0 g\n" + "\n".join(rects) + "\nf\n" + text + "\nQ\n"


def stamp_qr(writer: PdfWriter, text: str, label: str) -> None:
	"""Draw the QR code of `text` and `label` (the code, ASCII) on every page of a PdfWriter, in place."""
	matrix = qr.modules(text)
	draw_on_pages(
		writer,
		CODE_FONT_KEY,
		{"/BaseFont": "/Courier"},
		lambda _i, page: qr_ops(matrix, page.mediabox, label),
	)


# The print view links Frappe's print.bundle.css (bootstrap for the standard formats). Our templates carry
# all their CSS, so the link is dropped: wkhtmltopdf then fetches nothing over HTTP, which is faster and
# works where the web server does not serve /assets (a bare gunicorn); unpatched Qt renders with screen
# media, so the print view's own screen rules are neutralised in the templates.
STYLESHEET_LINK = re.compile(r"<link[^>]*\bprint(?:_format)?\.bundle\.[^>]*>", re.IGNORECASE)


# ─────────────────────────── rendering at the right size ───────────────────────────

PROBE_PX = 100
PROBE_HTML = (
	'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">'
	f'<div style="font: {PROBE_PX}px/1 serif">X</div></body></html>'
)
CSS_PT_PER_PX = 0.75  # CSS: 96 px to the inch, 72 pt to the inch


@functools.cache
def renderer_version() -> str:
	"""wkhtmltopdf's version, asked once per process: Frappe's get_wkhtmltopdf_version runs `wkhtmltopdf
	--version` on every call (its cache entry is never found), a subprocess in every PDF cache key."""
	return get_wkhtmltopdf_version()


def printed_pt_per_px() -> float:
	"""Points in the PDF per CSS pixel as wkhtmltopdf prints them (0.75 if it did not shrink), read from
	the font size of a probe character rendered by get_pdf; measured once per machine and wkhtmltopdf
	version, then kept in the cache."""
	key = f"case_selection:pdf_pt_per_px:{socket.gethostname()}:{renderer_version()}"
	value = frappe.cache.get_value(key)
	if not value:
		sizes = []

		def visit(text, cm, tm, font, size):
			if text.strip():
				sizes.append(abs(size * tm[0] * cm[0]) or abs(size * tm[1] * cm[1]))

		PdfReader(io.BytesIO(get_pdf(PROBE_HTML, options=dict(RENDERER_OPTIONS)))).pages[0].extract_text(
			visitor_text=visit
		)
		if not sizes:
			frappe.throw(_("无法测定PDF排版比例"))
		value = sizes[0] / PROBE_PX
		frappe.cache.set_value(key, value)
	return float(value)


def renderer_css() -> str:
	"""CSS that makes wkhtmltopdf print at the sizes the templates ask for: a zoom that undoes its
	shrinking, and the letter spacing that sets 28 characters of 3号 body text on a 156 mm line (GB/T 9704;
	WebKit rounds font sizes to whole pixels, so the characters come out a little wider than 16 pt and
	would otherwise make 27)."""
	pt_per_px = printed_pt_per_px()
	zoom = CSS_PT_PER_PX / pt_per_px
	advance = round(layout.BODY_PT / CSS_PT_PER_PX * zoom) * pt_per_px
	line = (layout.PORTRAIT.type_width - 1) * MM  # a millimetre spare for the page's whole-pixel width
	spacing = line / layout.CHARS_PER_LINE - advance
	return f"html {{ zoom: {zoom:.5f}; }} .cs-doc {{ letter-spacing: {spacing:.3f}pt; }}"


STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)
PAGE_RULE = re.compile(r"\s*\.print-format\s*\{[^{}]*\}\s*", re.S)


def for_renderer(html: str) -> str:
	"""The HTML as handed to get_pdf: the renderer's CSS added, and every style sheet but the page rule moved
	into one `data:` stylesheet link. get_pdf parses every <style> with cssutils (pure Python, most of the
	time it spends before wkhtmltopdf starts) only to find the `.print-format` page rule; wkhtmltopdf reads
	the link as it would the <style> blocks, in the same order."""
	sheets = []

	def take(match):
		if PAGE_RULE.fullmatch(match.group(1)):
			return match.group(0)
		sheets.append(match.group(1))
		return ""

	html = STYLE_BLOCK.sub(take, html)
	sheets.append(renderer_css())
	data = base64.b64encode("\n".join(sheets).encode()).decode()
	link = f'<link rel="stylesheet" href="data:text/css;charset=utf-8;base64,{data}">'
	head = html.find("</head>")
	return html[:head] + link + html[head:] if head >= 0 else link + html


# get_pdf runs wkhtmltopdf with JavaScript off, yet wkhtmltopdf still waits its --javascript-delay (200 ms by
# default) after the page has loaded, for scripts that cannot run: a fifth of a second of every PDF. Our formats
# carry no script (page numbers and the QR code are drawn into the PDF afterwards) and load nothing from the
# network (sandbox.py), so nothing is left to wait for. Frappe's own prints keep Frappe's options.
RENDERER_OPTIONS = {"javascript-delay": "0"}


def official_pdf(html: str, output: PdfWriter | None = None) -> PdfWriter:
	"""HTML → PDF through Frappe's get_pdf (pdfkit + wkhtmltopdf, page options from the `.print-format`
	rule), at the size the CSS asks for and with searchable text. Returns the writer, pages appended."""
	sandbox.install()
	frappe.local.case_pdf_renders = getattr(frappe.local, "case_pdf_renders", 0) + 1  # what tests count
	writer = get_pdf(for_renderer(html), options=dict(RENDERER_OPTIONS), output=output or PdfWriter())
	fix_to_unicode(writer)
	return writer


# Frappe compiles a custom or standard print format's template from its source for every print (printview's
# get_template_from_string), a tenth of a second for 附件1. Through its hook get_print_format_template the
# compiled code is kept per process, keyed by the source itself (a changed format is a new key), and bound to this
# request's Jinja environment each time (its globals are the request's: user, language). Formats Frappe would
# not compile from a string (the builder's format_data, or none) are left to Frappe.
COMPILED: dict[str, object] = {}
COMPILED_MAX = 64


def print_format_template(jenv, print_format):
	if not print_format or not (
		print_format.custom_format or (print_format.standard == "Yes" and not print_format.format_data)
	):
		return None
	source = get_print_format(print_format.doc_type, print_format)
	key = hashlib.sha256(source.encode("utf-8")).hexdigest()
	code = COMPILED.get(key)
	if code is None:
		if len(COMPILED) >= COMPILED_MAX:
			COMPILED.clear()
		code = COMPILED[key] = jenv.compile(source)
	return jenv.template_class.from_code(jenv, code, jenv.make_globals(None))


# Rendered PDFs are kept in the site's Redis cache by the SHA-256 of the HTML they were rendered from (plus the
# renderer's own inputs): the HTML is everything the PDF shows — the document, its opinions and history as
# this reader may see them, the print format's template as it is now, the language — so an unchanged
# document is served without running wkhtmltopdf again, a changed one (or a changed format) is a new key, and
# two readers share a PDF only when it would be byte for byte the same. Entries expire on their own.
PDF_CACHE_SECONDS = 24 * 3600
RENDERER_VERSION = "1"  # bump when the rendering steps below change what the same HTML gives


def pdf_cache_key(html: str, skip: int | None) -> str:

	digest = hashlib.sha256()
	for part in (RENDERER_VERSION, str(skip), str(printed_pt_per_px()), html):
		digest.update(part.encode("utf-8"))
		digest.update(b"\0")
	return f"case_selection:pdf:{digest.hexdigest()}"


def render_pdf(doc, print_format: str) -> bytes:
	"""The PDF of one document in one of our formats, through Frappe's print path (printview → get_pdf:
	pdfkit + wkhtmltopdf), with page numbers; from the PDF cache when the same HTML was rendered before.
	Callers check permission first, as download_pdf does."""
	with print_context.one_render():
		html = STYLESHEET_LINK.sub(
			"", frappe.get_print(doc.doctype, doc.name, print_format, doc=doc, no_letterhead=1)
		)
		skip = page_numbering(print_format)
		# 附件1 and 附件2 carry the QR code of their verification code and content hash on every page
		verify = qr.payload(doc) if skip is not None and doc.doctype in qr.QR_DOCTYPES else None
	key = pdf_cache_key(html + (verify or ""), skip)
	cached = frappe.cache.get_value(key, expires=True)  # from Redis, not a miss this process remembered
	if isinstance(cached, bytes):
		return cached
	# get_pdf appends its pages to our writer, so numbering costs no second parse/serialise of the PDF.
	writer = official_pdf(html)
	if skip is not None:
		stamp_writer(writer, skip=skip)
	if verify:
		stamp_qr(writer, verify, qr.shown(qr.code_for(doc.doctype, doc.name)))
	pdf = to_bytes(writer)
	frappe.cache.set_value(key, pdf, expires_in_sec=PDF_CACHE_SECONDS)
	return pdf


# Same exposure as the Frappe method it overrides (hooks: override_whitelisted_methods), which is guest
# callable only so that share keys work. For our formats Frappe's own validate_print_permission (read or
# print permission, or a valid share key) runs before anything is rendered; other formats go to Frappe's.
@frappe.whitelist(allow_guest=True)
def download_pdf(
	doctype: str,
	name: str,
	format: str | None = None,
	no_letterhead: int | str = 0,
	language: str | None = None,
	letterhead: str | None = None,
):
	refuse_standard_format(doctype, format)
	if page_numbering(format) is None:
		return frappe_print_format.download_pdf(
			doctype,
			name,
			format=format,
			no_letterhead=no_letterhead,
			language=language,
			letterhead=letterhead,
		)
	doc = frappe.get_doc(doctype, name)
	validate_print_permission(doc)
	with print_language(language):
		pdf = render_pdf(doc, format)
	frappe.local.response.filename = "{}-{}.pdf".format(
		format.split(" ")[0], name.replace(" ", "-").replace("/", "-")
	)
	frappe.local.response.filecontent = pdf
	frappe.local.response.type = "pdf"
