"""The electronic-seal core (case_selection.signing), measured on a real PDF: no site, no database, no network.

The form's co-signing section (区县经济信息部门意见 / 区县科技部门意见 / 区县教育部门意见) is rendered with
wkhtmltopdf as the app renders its official PDFs (ToUnicode maps fixed by export/tounicode), each block is
found with pdfplumber, and the three departments seal it in turn. What a reader sees is measured on the PDF:
pdfplumber reads the widgets and, on a copy whose annotations pdfium flattened into the page, the seal images
and the caption text; pdfium renders the page for the red of the seals. Validation is pyHanko's.
"""

import asyncio
import io
import os
import re
import unittest
from datetime import datetime, timedelta
from unittest import mock

import pdfkit
import pdfplumber
import pypdfium2
import pypdfium2.raw as pdfium_c
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtensionOID
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfWriter

from case_selection.export.tounicode import fix_to_unicode
from case_selection.signing import authority, stamp
from case_selection.signing import pdf as signing

NOW = datetime.now(signing.CHINA).replace(second=0, microsecond=0)
ISSUED = NOW - timedelta(days=30)
ORG = "重庆市渝中区人民政府"
# (block label on the form, department = certificate CN, signature field)
DEPARTMENTS = (
	("区县经济信息部门意见", "重庆市渝中区经济和信息化委员会", "seal_jingxin"),
	("区县科技部门意见", "重庆市渝中区科学技术局", "seal_keji"),
	("区县教育部门意见", "重庆市渝中区教育委员会", "seal_jiaoyu"),
)
SIGNED_AT = [NOW - timedelta(days=3 - i, hours=2) for i in range(3)]
SEAL_SIDE = 96.0  # pt
FORM_TEXT = ("重庆市科技创新案例申报表", "案例名称", "推荐意见", "同意推荐")


def form_html() -> str:
	"""附件1's last page: three opinion blocks, each with room for a seal. No URL anywhere."""
	blocks = "".join(
		f"""<tr><td class="block"><div class="label">{label}：</div>
		<div class="opinion">同意推荐。</div><div class="room"></div>
		<div class="sign">（盖章）<br>年　　月　　日</div></td></tr>"""
		for label, _name, _field in DEPARTMENTS
	)
	return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
	body {{ font-family: "Noto Sans CJK SC", sans-serif; font-size: 15px; }}
	table {{ width: 100%; border-collapse: collapse; }}
	td {{ border: 1px solid #000; padding: 8px; vertical-align: top; }}
	.room {{ height: 100px; }} .sign {{ text-align: right; padding-right: 24px; }}
	.next {{ page-break-before: always; }}
	</style></head><body>
	<p>附件1</p><h2>重庆市科技创新案例申报表</h2>
	<table><tr><td>案例名称</td><td>渝中区智慧社区科技服务平台</td></tr>
	<tr><td>申报单位</td><td>重庆市渝中区某科技有限公司</td></tr></table>
	<div class="next"></div><h3>推荐意见</h3><table>{blocks}</table>
	</body></html>"""


def render_form() -> bytes:
	raw = pdfkit.from_string(
		form_html(),
		False,
		options={"encoding": "UTF-8", "disable-local-file-access": None, "quiet": None, "page-size": "A4"},
	)
	writer = PdfWriter(clone_from=io.BytesIO(raw))
	fix_to_unicode(writer)  # as export.pdf.official_pdf does: 门 reads back as 门, not ⻔
	out = io.BytesIO()
	writer.write(out)
	return out.getvalue()


def seal_places(pdf: bytes) -> dict[str, dict]:
	"""Per block label: its page, its table row (top-origin, pdfplumber) and the seal box (PDF points,
	bottom-origin) in the lower right corner of the row."""
	places = {}
	with pdfplumber.open(io.BytesIO(pdf)) as doc:
		for index, page in enumerate(doc.pages):
			rows = [row.bbox for table in page.find_tables() for row in table.rows]
			for label, _name, _field in DEPARTMENTS:
				for hit in page.search(label):
					row = next(r for r in rows if r[1] <= hit["top"] < r[3])
					right, bottom = row[2] - 16, row[3] - 4  # top-origin
					places[label] = {
						"page": index,
						"label": (hit["x0"], hit["top"], hit["x1"], hit["bottom"]),
						"row": row,
						"box": (
							right - SEAL_SIDE,
							page.height - bottom,
							right,
							page.height - bottom + SEAL_SIDE,
						),
						"height": page.height,
					}
	return places


def flattened(pdf: bytes) -> pdfplumber.PDF:
	"""A copy of `pdf` in which pdfium drew every annotation into its page, as a viewer shows it; the pages'
	own content is dropped first (wkhtmltopdf leaves the graphics state unbalanced, which would move what is
	flattened after it), so what pdfplumber finds on a page here is what the annotations show."""
	writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
	for index in range(int(writer.root["/Pages"]["/Count"])):
		page = writer.find_page_for_modification(index)[0].get_object()
		page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b""))
		writer.update_container(page)
	out = io.BytesIO()
	writer.write(out)
	doc = pypdfium2.PdfDocument(out.getvalue())
	for index in range(len(doc)):
		page = doc[index]
		assert pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_PRINT) != pdfium_c.FLATTEN_FAIL
		page.close()
	flat = io.BytesIO()
	doc.save(flat)
	doc.close()
	return pdfplumber.open(io.BytesIO(flat.getvalue()))


def is_red(rgb: tuple) -> bool:
	r, g, b = rgb[:3]
	return r > 150 and g < 120 and b < 120 and r - g > 80


def red_mask(image: Image.Image) -> Image.Image:
	"""255 where `image` shows seal red (the same test as is_red), else 0."""
	r, g, b = image.convert("RGB").split()
	parts = (
		r.point(lambda v: 255 if v > 150 else 0),
		g.point(lambda v: 255 if v < 120 else 0),
		b.point(lambda v: 255 if v < 120 else 0),
		ImageChops.subtract(r, g).point(lambda v: 255 if v > 80 else 0),
	)
	mask = parts[0]
	for part in parts[1:]:
		mask = ImageChops.multiply(mask, part)
	return mask


def red_pixels(pdf: bytes, page_index: int, boxes: list[tuple], scale: float = 2) -> tuple[list[int], int]:
	"""Red pixels inside each box (PDF points; the boxes do not overlap) and outside all of them, on the
	page as pdfium renders it for a viewer (form widgets and their appearances drawn)."""
	doc = pypdfium2.PdfDocument(pdf)
	try:
		doc.init_forms()  # without a form environment pdfium leaves the signature widgets out
		page = doc[page_index]
		height = page.get_height()
		mask = red_mask(page.render(scale=scale, draw_annots=True, may_draw_forms=True).to_pil())
		page.close()
	finally:
		doc.close()
	inside = []
	for x0, y0, x1, y1 in boxes:
		crop = mask.crop(
			(int(x0 * scale), int((height - y1) * scale), int(x1 * scale) + 1, int((height - y0) * scale) + 1)
		)
		inside.append(crop.histogram()[255])
	return inside, mask.histogram()[255] - sum(inside)


def page_texts(pdf: bytes) -> list[str]:
	with pdfplumber.open(io.BytesIO(pdf)) as doc:
		return ["".join((page.extract_text() or "").split()) for page in doc.pages]


def within(inner: tuple, outer: tuple, slack: float = 0.01) -> bool:
	return all(inner[i] >= outer[i] - slack for i in (0, 1)) and all(
		inner[i] <= outer[i] + slack for i in (2, 3)
	)


def byte_ranges(pdf: bytes) -> list[list[int]]:
	reader = PdfFileReader(io.BytesIO(pdf), strict=False)
	return [list(emb.sig_object["/ByteRange"]) for emb in reader.embedded_regular_signatures]


class AuthorityTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.root_key, cls.root = authority.create_root(
			"重庆市科技创新案例电子印章测试根证书", "重庆市科学技术局"
		)
		cls.key, cls.cert = authority.issue(cls.root_key, cls.root, DEPARTMENTS[0][1], ORG, serial=424242)

	def test_seal_certificate_profile(self):

		cert = self.cert
		self.assertEqual(authority.common_name(cert), "重庆市渝中区经济和信息化委员会")
		self.assertEqual(cert.serial_number, 424242)
		cert.verify_directly_issued_by(self.root)
		usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
		self.assertTrue(usage.critical)
		self.assertTrue(usage.value.digital_signature and usage.value.content_commitment)
		self.assertFalse(usage.value.key_cert_sign)
		self.assertFalse(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
		aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
		ski = self.root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
		self.assertEqual(aki, ski)
		cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
		for oid in (ExtensionOID.CRL_DISTRIBUTION_POINTS, ExtensionOID.AUTHORITY_INFORMATION_ACCESS):
			with self.assertRaises(x509.ExtensionNotFound):
				cert.extensions.get_extension_for_oid(oid)
		# The CN is a UTF8String, as read by another ASN.1 parser.
		subject = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)).subject
		cn = next(a for rdn in subject.chosen for a in rdn if a["type"].native == "common_name")
		self.assertEqual(cn["value"].name, "utf8_string")
		self.assertEqual(cn["value"].native, "重庆市渝中区经济和信息化委员会")

	def test_crl_lists_the_revoked_serial(self):
		revoked_at = NOW - timedelta(days=1)
		der = authority.crl(
			self.root_key,
			self.root,
			[(424242, revoked_at)],
			NOW - timedelta(hours=1),
			NOW + timedelta(days=7),
		)
		crl = x509.load_der_x509_crl(der)
		self.assertTrue(crl.is_signature_valid(self.root.public_key()))
		self.assertEqual(crl.issuer, self.root.subject)
		entry = crl.get_revoked_certificate_by_serial_number(424242)
		self.assertEqual(entry.revocation_date_utc, revoked_at)
		self.assertIsNone(crl.get_revoked_certificate_by_serial_number(424243))
		with self.assertRaisesRegex(ValueError, "下次更新时间"):
			authority.crl(self.root_key, self.root, [], NOW, NOW)

	def test_pem_round_trips(self):
		pem = authority.key_to_pem(self.key, b"secret")
		self.assertIn(b"ENCRYPTED PRIVATE KEY", pem)
		back = authority.key_from_pem(pem, b"secret")
		self.assertEqual(back.public_key().public_numbers(), self.key.public_key().public_numbers())
		with self.assertRaisesRegex(ValueError, "私钥密码"):
			authority.key_from_pem(pem, b"wrong")
		self.assertEqual(authority.cert_from_pem(authority.cert_to_pem(self.cert)), self.cert)
		with self.assertRaisesRegex(ValueError, "证书文件"):
			authority.cert_from_pem(b"not a certificate")

	def test_pkcs12_round_trip(self):
		p12 = authority.to_pkcs12(self.key, self.cert, [self.root], b"p12-pass")
		key, cert, chain = authority.load_pkcs12(p12, b"p12-pass")
		self.assertEqual(key.public_key().public_numbers(), self.key.public_key().public_numbers())
		self.assertEqual(cert, self.cert)
		self.assertEqual(chain, [self.root])
		with self.assertRaisesRegex(ValueError, "「证书密码」"):
			authority.load_pkcs12(p12, b"wrong-pass")
		with self.assertRaisesRegex(ValueError, "「证书文件」"):
			authority.load_pkcs12(authority.cert_to_pem(self.cert), b"p12-pass")
		with self.assertRaisesRegex(ValueError, "「证书文件」"):
			authority.load_pkcs12(b"", b"p12-pass")


class StampTest(unittest.TestCase):
	def test_red_round_seal_on_transparent_background(self):
		data = stamp.seal_png("重庆市渝中区科学技术局", size_px=400)
		self.assertTrue(data.startswith(b"\x89PNG\r\n\x1a\n"))
		image = Image.open(io.BytesIO(data))
		self.assertEqual((image.mode, image.size), ("RGBA", (400, 400)))
		px = image.load()
		for corner in ((0, 0), (399, 0), (0, 399), (399, 399), (25, 25), (374, 374)):
			self.assertEqual(px[corner][3], 0, corner)
		self.assertTrue(is_red(px[200, 200]) and px[200, 200][3] == 255, "the star's centre")
		for ring in ((200, 8), (200, 391), (8, 200), (391, 200)):  # the outer ring, all round
			self.assertTrue(is_red(px[ring]) and px[ring][3] > 200, ring)
		opaque = [p for p in image.getdata() if p[3] > 128]
		self.assertGreater(len(opaque), 400 * 400 * 0.08)
		self.assertTrue(all(is_red(p) for p in opaque), "every visible pixel is seal red")

	def test_the_name_is_set_along_the_upper_arc(self):
		a = Image.open(io.BytesIO(stamp.seal_png("重庆市渝中区科学技术局")))
		b = Image.open(io.BytesIO(stamp.seal_png("重庆市渝中区教育委员会")))
		diff = ImageChops.difference(a, b).getchannel("A")
		self.assertIsNotNone(diff.getbbox(), "different names, different seals")
		self.assertGreater(sum(1 for v in diff.crop((0, 0, 400, 200)).getdata() if v > 128), 500)
		self.assertIsNone(diff.crop((140, 290, 260, 400)).getbbox(), "nothing written at the bottom")

	def test_refuses_an_empty_name(self):
		for name in ("", "  \u3000 ", None):
			with self.assertRaisesRegex(ValueError, "「印章名称」"):
				stamp.seal_png(name)

	def test_no_cjk_font_is_a_clear_error(self):
		stamp.find_cjk_font.cache_clear()
		try:
			with mock.patch.object(stamp, "_candidates", return_value=[]):
				with self.assertRaisesRegex(stamp.CJKFontNotFound, "fonts-noto-cjk"):
					stamp.seal_png("重庆市渝中区教育委员会")
		finally:
			stamp.find_cjk_font.cache_clear()
		self.assertTrue(stamp.find_cjk_font()[0].endswith((".ttc", ".otf", ".ttf")))


class AppearanceFontTest(unittest.TestCase):
	def test_each_text_is_set_in_a_cut_of_the_face(self):
		"""The caption's font is the CJK face cut down to the caption's characters: every one of them is in it
		(and the time line's), it is a small fraction of the face, without layout tables, and the same text finds
		the same cut."""

		name = "重庆市渝中区经济和信息化委员会"
		full = signing.appearance_font()
		cut = signing.appearance_subset(name)
		self.assertNotEqual(cut, full)
		self.assertLess(os.path.getsize(cut) * 50, os.path.getsize(full))
		cmap = TTFont(cut).getBestCmap()
		for ch in name + "2026-12-03 09:45":
			self.assertIn(ord(ch), cmap, ch)
		self.assertNotIn(ord("教"), cmap, "a character of another department's name is not in this cut")
		# no layout tables: pyHanko reads and cuts the font again for each signature (signing/pdf.py CUT); the
		# caption is still the name and the time (CoSigningTest reads it back from the seal's box)
		font = TTFont(cut)
		for tag in ("GSUB", "GPOS"):
			lookups = font[tag].table.LookupList if tag in font else None
			self.assertFalse(
				lookups and lookups.Lookup, f"{tag} has {len(lookups.Lookup) if lookups else 0} lookups"
			)
		self.assertEqual(signing.appearance_subset(name), cut)
		self.assertNotEqual(signing.appearance_subset("重庆市渝中区教育委员会"), cut)


class CoSigningTest(unittest.TestCase):
	"""Three departments seal the form in turn."""

	@classmethod
	def setUpClass(cls):
		cls.root_key, cls.root = authority.create_root(
			"重庆市科技创新案例电子印章测试根证书", "重庆市科学技术局", not_before=ISSUED
		)
		cls.keys = []
		for i, (_label, name, _field) in enumerate(DEPARTMENTS):
			key, cert = authority.issue(cls.root_key, cls.root, name, ORG, serial=1000 + i, not_before=ISSUED)
			if i == 2:  # 教育 imports its certificate as a PKCS#12 file, as from an accredited CA
				key, cert, _chain = authority.load_pkcs12(
					authority.to_pkcs12(key, cert, [cls.root], b"jiaoyu"), b"jiaoyu"
				)
			cls.keys.append((key, cert))
		cls.form = render_form()
		cls.places = seal_places(cls.form)
		cls.revisions = [cls.form]
		for i, (label, name, field) in enumerate(DEPARTMENTS):
			key, cert = cls.keys[i]
			place = cls.places[label]
			cls.revisions.append(
				signing.sign(
					cls.revisions[-1],
					key,
					cert,
					[cls.root],
					field_name=field,
					page=place["page"],
					box=place["box"],
					seal_png=stamp.seal_png(name, size_px=300),
					signer_label=name,
					reason=label,
					signing_time=SIGNED_AT[i],
				)
			)
		cls.signed = cls.revisions[-1]
		cls.results = signing.verify(cls.signed, [cls.root], [], validation_time=NOW)

	def test_a_department_name_longer_than_64_bytes_gets_a_certificate_and_seals(self):
		"""22 Chinese characters (66 UTF-8 bytes), the economy departments of four of the 41 districts: RFC 5280
		bounds the CN at 64 characters, cryptography at 64 bytes, which refused the certificate and with it the
		department's co-signing (a 500 in `make two-host`). Issued, read back by another ASN.1 parser, sealed
		and validated; 65 characters are refused, naming the field."""
		name = "重庆市秀山土家族苗族自治县经济和信息化委员会"
		self.assertGreater(len(name.encode()), 64)
		key, cert = authority.issue(self.root_key, self.root, name, name, not_before=ISSUED)
		cert.verify_directly_issued_by(self.root)
		self.assertEqual(authority.common_name(cert), name)
		subject = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)).subject
		self.assertEqual(subject.native["common_name"], name)
		key, cert, _chain = authority.load_pkcs12(authority.to_pkcs12(key, cert, [self.root], b"p"), b"p")
		label = DEPARTMENTS[0][0]
		place = self.places[label]
		pdf = signing.sign(
			self.form,
			key,
			cert,
			[self.root],
			field_name="seal_long",
			page=place["page"],
			box=place["box"],
			seal_png=stamp.seal_png(name, size_px=300),
			signer_label=name,
			reason=label,
			signing_time=SIGNED_AT[0],
		)
		[result] = signing.verify(pdf, [self.root], [], validation_time=NOW)
		self.assertEqual(result["signer"], name)
		self.assertTrue(result["intact"] and result["valid"] and result["trusted"], result)
		with self.assertRaisesRegex(ValueError, "「印章名称」不能超过 64 个字"):
			authority.issue(self.root_key, self.root, "重" * 65, ORG)

	def test_blocks_found_on_the_form(self):
		self.assertEqual(set(self.places), {label for label, _n, _f in DEPARTMENTS})
		tops = []
		for label, _name, _field in DEPARTMENTS:
			place = self.places[label]
			self.assertEqual(place["page"], 1, "the co-signing section is on the second page")
			x0, y0, x1, y1 = place["box"]
			row = place["row"]
			top, bottom = place["height"] - y1, place["height"] - y0
			# The seal box lies in the label's own row, below the label's top, right of the label.
			self.assertTrue(row[0] <= x0 < x1 <= row[2] and row[1] <= top < bottom <= row[3], label)
			self.assertGreater(x0, place["label"][2])
			tops.append(top)
		self.assertEqual(tops, sorted(tops), "blocks in the form's order")

	def test_three_signatures_intact_valid_trusted(self):
		self.assertEqual([r["field"] for r in self.results], [f for _l, _n, f in DEPARTMENTS])
		self.assertEqual([r["signer"] for r in self.results], [n for _l, n, _f in DEPARTMENTS])
		self.assertEqual([r["reason"] for r in self.results], [label for label, _n, _f in DEPARTMENTS])
		for result, when in zip(self.results, SIGNED_AT, strict=True):
			self.assertTrue(result["intact"] and result["valid"] and result["trusted"], result)
			self.assertTrue(result["bottom_line"], result)
			self.assertFalse(result["revoked"])
			self.assertEqual(result["signing_time"], when)
			self.assertEqual(result["location"], "重庆")
		for earlier in self.results[:2]:
			self.assertEqual(earlier["coverage"], "ENTIRE_REVISION")
			self.assertEqual(earlier["modification_level"], "FORM_FILLING")
			self.assertTrue(earlier["docmdp_ok"])
			self.assertEqual(
				earlier["summary"], "INTACT:TRUSTED,EXTENDED_WITH_FORM_FILLING,ACCEPTABLE_MODIFICATIONS"
			)
		last = self.results[2]
		self.assertEqual((last["coverage"], last["modification_level"]), ("ENTIRE_FILE", "NONE"))
		self.assertEqual(last["summary"], "INTACT:TRUSTED,UNTOUCHED")

	def test_each_signature_is_an_incremental_update(self):
		for before, after in zip(self.revisions, self.revisions[1:], strict=False):
			self.assertGreater(len(after), len(before))
			self.assertEqual(after[: len(before)], before, "nothing before the update rewritten")
		ranges = byte_ranges(self.signed)
		for i, br in enumerate(ranges):
			self.assertEqual(br[0], 0)
			self.assertEqual(br[2] + br[3], len(self.revisions[i + 1]), "each covers its whole revision")
		# PAdES: ETSI.CAdES.detached
		reader = PdfFileReader(io.BytesIO(self.signed), strict=False)
		for emb in reader.embedded_regular_signatures:
			self.assertEqual(emb.sig_object["/SubFilter"], "/ETSI.CAdES.detached")

	def test_the_form_text_is_still_there(self):
		text = "".join(page_texts(self.signed))
		for phrase in FORM_TEXT + tuple(label for label, _n, _f in DEPARTMENTS):
			self.assertIn(phrase, text)
		self.assertEqual(page_texts(self.signed), page_texts(self.form), "the pages' own text unchanged")

	def test_each_seal_is_shown_in_its_block(self):
		boxes = [self.places[label]["box"] for label, _n, _f in DEPARTMENTS]
		with pdfplumber.open(io.BytesIO(self.signed)) as doc:
			self.assertEqual(doc.pages[0].annots, [])
			widgets = {a["data"]["T"].decode(): a for a in doc.pages[1].annots}
			height = doc.pages[1].height
			self.assertEqual(doc.pages[1].images, [], "the page itself is unchanged: seals are widgets")
		self.assertEqual(set(widgets), {f for _l, _n, f in DEPARTMENTS})
		for (_label, _name, field), box in zip(DEPARTMENTS, boxes, strict=True):
			w = widgets[field]
			self.assertEqual(w["data"]["FT"].name, "Sig")
			rect = (w["x0"], height - w["bottom"], w["x1"], height - w["top"])
			for got, want in zip(rect, box, strict=True):
				self.assertAlmostEqual(got, want, places=2)

		with flattened(self.signed) as flat:
			self.assertEqual(flat.pages[0].images, [])
			page = flat.pages[1]
			images = [
				(i["x0"], page.height - i["bottom"], i["x1"], page.height - i["top"]) for i in page.images
			]
			self.assertEqual(len(images), 3)
			for (_label, name, _field), box, when in zip(DEPARTMENTS, boxes, SIGNED_AT, strict=True):
				inside = [im for im in images if within(im, box)]
				self.assertEqual(len(inside), 1, f"one seal image inside the box of {name}")
				self.assertGreater(inside[0][2] - inside[0][0], SEAL_SIDE * 0.6, "a seal, not a speck")
				x0, y0, x1, y1 = box
				caption = page.within_bbox((x0, page.height - y1, x1, page.height - y0)).extract_text()
				caption = "".join(caption.split())
				self.assertIn(name, caption, "the signer's name, in Chinese, under the seal")
				self.assertIn(when.strftime("%Y-%m-%d%H:%M"), caption)

		inside, outside = red_pixels(self.signed, 1, boxes)
		for count in inside:
			self.assertGreater(count, 2000)  # at 144 dpi; a 69 pt seal is 138 px across
		self.assertEqual(outside, 0, "no seal red outside the three boxes")
		self.assertEqual(red_pixels(self.form, 1, boxes), ([0, 0, 0], 0), "the form itself has no red")

	def test_a_changed_byte_breaks_that_signature(self):
		ranges = byte_ranges(self.signed)
		second = ranges[1]
		signed_tail = self.signed[second[2] : second[2] + second[3]]
		# The second signature's signing date, /M (D:20261130…) in its signed range: change one digit.
		date = re.search(rb"/M \(D(?:\\072|:)(\d)", signed_tail)
		at = second[2] + date.start(1)
		self.assertGreater(at, ranges[0][2] + ranges[0][3], "after the first signature's revision")
		tampered = bytearray(self.signed)
		tampered[at] = ord("7") if tampered[at] != ord("7") else ord("8")
		results = signing.verify(bytes(tampered), [self.root], [], validation_time=NOW)
		self.assertTrue(results[0]["intact"] and results[0]["trusted"], "the first revision is untouched")
		for result in results[1:]:
			self.assertFalse(result["intact"], result["field"])
			self.assertFalse(result["bottom_line"])
			self.assertEqual(result["summary"], "INVALID")

	def test_changed_page_content_after_signing_is_not_allowed(self):
		writer = IncrementalPdfFileWriter(io.BytesIO(self.signed))
		text = b"BT /F1 24 Tf 100 300 Td (NOT RECOMMENDED) Tj ET"
		writer.add_stream_to_page(1, writer.add_object(generic.StreamObject(stream_data=text)))
		out = io.BytesIO()
		writer.write(out)
		with self.assertLogs("pyhanko", "WARNING"):
			results = signing.verify(out.getvalue(), [self.root], [], validation_time=NOW)
		self.assertEqual(len(results), 3)
		for result in results:
			self.assertTrue(result["intact"] and result["valid"], "the signed bytes are all still there")
			self.assertEqual(result["coverage"], "ENTIRE_REVISION")
			self.assertEqual(result["modification_level"], "OTHER")
			self.assertFalse(result["docmdp_ok"])
			self.assertFalse(result["bottom_line"])
			self.assertIn("ILLEGAL_MODIFICATIONS", result["summary"])

	def test_a_signer_from_another_root_is_not_trusted(self):
		other_key, other_root = authority.create_root("某商业测试根证书", "某公司", not_before=ISSUED)
		key, cert = authority.issue(other_key, other_root, DEPARTMENTS[0][1], ORG, not_before=ISSUED)
		label, name, field = DEPARTMENTS[0]
		place = self.places[label]
		signed = signing.sign(
			self.form, key, cert, [other_root], field, place["page"], place["box"], None, name, label
		)
		with self.assertLogs("pyhanko", "WARNING"):
			(result,) = signing.verify(signed, [self.root], [], validation_time=NOW)
		self.assertTrue(result["intact"] and result["valid"])
		self.assertFalse(result["trusted"])
		self.assertIsNotNone(result["trust_problem"])
		self.assertIn("UNTRUSTED", result["summary"])
		(result,) = signing.verify(signed, [self.root, other_root], [], validation_time=NOW)
		self.assertTrue(result["trusted"], "trusted once its root is")

	def test_revoked_after_signing(self):
		revoked_at = SIGNED_AT[1] + timedelta(hours=12)
		crl = authority.crl(
			self.root_key,
			self.root,
			[(self.keys[1][1].serial_number, revoked_at), (999999, NOW - timedelta(days=20))],
			this_update=NOW - timedelta(hours=1),
			next_update=NOW + timedelta(days=7),
		)
		with self.assertLogs("pyhanko", "WARNING"):
			results = signing.verify(self.signed, [self.root], [crl], validation_time=NOW)
		first, second, third = results
		for other in (first, third):
			self.assertTrue(other["trusted"] and other["revocation_checked"], other)
			self.assertFalse(other["revoked"])
			self.assertIsNone(other["revoked_at"])
		self.assertTrue(second["intact"] and second["valid"], "the signature itself is sound")
		self.assertTrue(second["revoked"])
		self.assertEqual(second["revoked_at"], revoked_at)
		self.assertTrue(second["signed_before_revocation"], "declared signing time before the revocation")
		# Without a timestamp nothing proves the signature existed before the revocation: pyHanko reports it
		# revoked and not trusted (REVOKED_NO_POE).
		self.assertFalse(second["trusted"])
		self.assertEqual(second["trust_problem"], "REVOKED_NO_POE")
		self.assertTrue(second["summary"].startswith("INTACT:REVOKED"))
		self.assertFalse(second["bottom_line"])
		# The same signature, no CRL given: trusted, and nothing was checked.
		plain = signing.verify(self.signed, [self.root], [], validation_time=NOW)[1]
		self.assertTrue(plain["trusted"])
		self.assertFalse(plain["revocation_checked"])

	def test_verify_from_inside_an_event_loop(self):
		async def in_loop():
			return signing.verify(self.signed, [self.root], [], validation_time=NOW)

		self.assertEqual(asyncio.run(in_loop()), self.results)

	def test_refuses_a_bad_place(self):
		key, cert = self.keys[0]
		label, name, field = DEPARTMENTS[0]
		box = self.places[label]["box"]
		with self.assertRaisesRegex(ValueError, "「签章页码」"):
			signing.sign(self.form, key, cert, [self.root], field, 2, box, None, name, label)
		with self.assertRaisesRegex(ValueError, "「签章位置」"):
			signing.sign(self.form, key, cert, [self.root], field, 1, (500, 700, 700, 900), None, name, label)
		with self.assertRaisesRegex(ValueError, "「签章域名称」"):
			signing.sign(self.signed, key, cert, [self.root], field, 1, box, None, name, label)
		with self.assertRaisesRegex(ValueError, "「PDF 文件」"):
			signing.sign(b"%PDF-1.4 broken", key, cert, [self.root], field, 1, box, None, name, label)

	def test_without_a_cjk_font_the_seal_image_alone(self):
		label, name, field = DEPARTMENTS[1]
		key, cert = self.keys[1]
		place = self.places[label]
		seal = stamp.seal_png(name, size_px=300)
		stamp.find_cjk_font.cache_clear()
		try:
			with (
				mock.patch.object(stamp, "_candidates", return_value=[]),
				self.assertLogs("case_selection.signing.pdf", "WARNING") as logs,
			):
				self.assertFalse(signing.has_cjk_text())
				signed = signing.sign(
					self.form, key, cert, [self.root], field, 1, place["box"], seal, name, label
				)
				with self.assertRaisesRegex(ValueError, "「印章图片」"):
					signing.sign(self.form, key, cert, [self.root], field, 1, place["box"], None, name, label)
		finally:
			stamp.find_cjk_font.cache_clear()
		self.assertIn("seal image only", logs.output[0])
		(result,) = signing.verify(signed, [self.root], [])
		self.assertTrue(result["trusted"])
		with flattened(signed) as flat:
			page = flat.pages[1]
			self.assertEqual(len(page.images), 1)
			image = page.images[0]
			self.assertTrue(
				within(
					(image["x0"], page.height - image["bottom"], image["x1"], page.height - image["top"]),
					place["box"],
				)
			)
			self.assertEqual((page.extract_text() or "").strip(), "", "no caption without a font")


if __name__ == "__main__":
	unittest.main()
