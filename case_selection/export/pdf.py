"""Page numbers "— N —" on the official PDFs, and the PDF download that adds them.

Debian's wkhtmltopdf is built against unpatched Qt: it ignores --footer-html, so the numbers cannot come
from HTML. They are written into the PDF after Frappe's get_pdf has rendered it, as a few PDF text
operators per page in the standard Times-Roman font (no font file to embed, and WinAnsi has the em dash).
"""

import io
import re

import frappe
from frappe.translate import print_language
from frappe.utils import print_format as frappe_print_format
from frappe.utils.pdf import get_pdf
from frappe.www.printview import validate_print_permission
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

# Print formats that get page numbers, and how many leading pages (the cover) stay unnumbered.
NUMBERED_FORMATS = {"附件1 申报书": 1, "附件2 区县推荐案例名单": 0}

FONT_KEY = "/CSPageNo"
FONT_SIZE = 14  # 4号, as GB/T 9704 asks for page numbers
MM = 72 / 25.4
# Times-Roman advance widths (per 1000 em) of the characters the number uses.
GLYPH_WIDTHS = {"\x97": 1000, " ": 250, **{str(d): 500 for d in range(10)}}


GAP = 0.5  # em between the dashes and the number: wide enough for text extraction to see the spaces


def number_ops(n: int, box, bottom_mm: float) -> str:
	"""PDF operators drawing "— n —" centred at the foot of a page with this media box."""
	digits = str(n)
	em = FONT_SIZE / 1000
	dash = GLYPH_WIDTHS["\x97"] * em
	number = sum(GLYPH_WIDTHS[c] for c in digits) * em
	gap = GAP * FONT_SIZE
	x = float(box.left) + (float(box.width) - (2 * dash + number + 2 * gap)) / 2
	y = float(box.bottom) + bottom_mm * MM
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


def stamp_writer(writer: PdfWriter, skip: int = 0, first_number: int = 1, bottom_mm: float = 18):
	"""Stamp the pages of a PdfWriter in place (no extra parse/serialise round trip)."""
	font_ref = writer._add_object(
		DictionaryObject(
			{
				NameObject("/Type"): NameObject("/Font"),
				NameObject("/Subtype"): NameObject("/Type1"),
				NameObject("/BaseFont"): NameObject("/Times-Roman"),
				NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
			}
		)
	)
	# Save/restore the page's graphics state around its own content so that our coordinates are the
	# page's, whatever transformation wkhtmltopdf left in effect.
	save_ref = writer._add_object(stream(b"q\n"))
	for index, page in enumerate(writer.pages):
		if index < skip:
			continue
		ops = number_ops(index - skip + first_number, page.mediabox, bottom_mm)
		number_ref = writer._add_object(stream(ops.encode("latin-1")))

		resources = page[NameObject("/Resources")].get_object()
		fonts = resources.get("/Font")
		if fonts is None:
			fonts = DictionaryObject()
			resources[NameObject("/Font")] = fonts
		fonts.get_object()[NameObject(FONT_KEY)] = font_ref

		contents = page.get("/Contents")
		existing = (
			list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
		)
		page[NameObject("/Contents")] = ArrayObject([save_ref, *existing, number_ref])


def stream(data: bytes) -> DecodedStreamObject:
	s = DecodedStreamObject()
	s.set_data(data)
	return s


# The print view links Frappe's print.bundle.css (bootstrap for the standard formats). Our templates carry
# all their CSS, so the link is dropped: wkhtmltopdf then fetches nothing over HTTP, which is faster and
# works where the web server does not serve /assets (a bare gunicorn); unpatched Qt renders with screen
# media, so the print view's own screen rules are neutralised in the templates.
STYLESHEET_LINK = re.compile(r"<link[^>]*\bprint(?:_format)?\.bundle\.[^>]*>", re.IGNORECASE)


def render_pdf(doc, print_format: str) -> bytes:
	"""The PDF of one document in one of our formats, through Frappe's print path (printview → get_pdf:
	pdfkit + wkhtmltopdf), with page numbers. Callers check permission first, as download_pdf does."""
	html = frappe.get_print(doc.doctype, doc.name, print_format, doc=doc, no_letterhead=1)
	# get_pdf appends its pages to our writer, so numbering costs no second parse/serialise of the PDF.
	writer = get_pdf(STYLESHEET_LINK.sub("", html), output=PdfWriter())
	if print_format in NUMBERED_FORMATS:
		stamp_writer(writer, skip=NUMBERED_FORMATS[print_format])
	return to_bytes(writer)


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
	if format not in NUMBERED_FORMATS:
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
