"""The verification page (电子签章验证, Desk page `seal-verify`): a code entered or scanned, or a PDF dropped, and
the answer — which document, signed by whom, when, intact or not, revoked or not, and whether a paper copy's
hash is the current sealed version.

- `lookup` (GET): the code from a page's QR code (its address, which opens this page) or typed by hand. The
  code is an HMAC under the site's key, printed only on the document's own pages: whoever holds it holds the
  paper, so any signed-in user may ask, and is told the document's title, district and signatures — not its
  content; the sealed PDF's address only when they may read the document.
- `check_pdf` (POST): a PDF's own signatures validated by pyHanko against the city's root and CRL
  (modification analysis included: some readers call a signature valid after a later incremental change),
  whatever its origin; when its pages carry a verification code, the document it belongs to and whether the
  PDF is byte for byte the app's current sealed file.
"""

import base64
import binascii
import hashlib
import io
import re

import frappe
import pdfplumber
from frappe import _

from case_selection.signing import qr, sealed_form
from case_selection.signing.paper import find, title_of

MAX_PDF_BYTES = 20 * 1024 * 1024
PRINTED_CODE = re.compile(rf"([{qr.ALPHABET}]{{4}})-([{qr.ALPHABET}]{{4}})-([{qr.ALPHABET}]{{4}})")
CURRENT, STALE = "current", "stale"


def require_login():
	if frappe.session.user == "Guest":
		raise frappe.PermissionError(_("请先登录。"))


def document_facts(doctype: str, name: str, digest: str | None = None) -> dict:
	"""The sealed document a code names, its current sealed PDF's signatures, and how `digest` compares."""
	title_field = "case_title" if doctype == "Case Application" else "district"
	row = frappe.db.get_value(
		doctype,
		name,
		["name", "round", "district", title_field, "sealed_form", "sealed_form_status", "sealed_form_hash"],
		as_dict=True,
	)
	signatures = []
	content = None
	if row.sealed_form:
		file = frappe.get_all(
			"File",
			filters={"file_url": row.sealed_form, "attached_to_doctype": doctype, "attached_to_name": name},
			pluck="name",
			limit=1,
		)
		if file:
			content = frappe.get_doc("File", file[0]).get_content()
			signatures = sealed_form.verify_pdf(content)
	version = None
	if digest:
		version = CURRENT if digest == row.sealed_form_hash else STALE
	readable = bool(frappe.has_permission(doctype, "read", name))
	return {
		"doctype": doctype,
		"doctype_label": _(doctype),
		"name": name,
		"title": title_of(doctype, row),
		"district": row.district,
		"round": row.round,
		"status": row.sealed_form_status or "",
		"signatures": signatures,
		"version": version,
		"file": row.sealed_form if readable else None,
		"_content": content,
	}


@frappe.whitelist(methods=["GET"])
def lookup(scan: str) -> dict:
	require_login()
	code, digest = qr.parse(scan)
	doctype, name = find(code)
	facts = document_facts(doctype, name, digest)
	facts.pop("_content")
	return {"code": qr.shown(code), **facts}


@frappe.whitelist(methods=["POST"])
def check_pdf(pdf: str) -> dict:
	"""`pdf`: the file's bytes in base64 (the page reads the dropped file)."""
	require_login()
	if not isinstance(pdf, str) or len(pdf) > MAX_PDF_BYTES * 4 // 3 + 8:
		frappe.throw(_("「PDF 文件」须为不超过 20 MB 的 PDF。"), frappe.ValidationError)
	try:
		data = base64.b64decode(pdf.split(",", 1)[-1], validate=True)
	except (binascii.Error, ValueError):
		frappe.throw(_("「PDF 文件」无法读取（不是有效的文件内容）。"), frappe.ValidationError)
	if not data.startswith(b"%PDF"):
		frappe.throw(_("「PDF 文件」不是 PDF 文件。"), frappe.ValidationError)
	try:
		signatures = sealed_form.verify_pdf(data)
		code = printed_code(data)
	except Exception:
		frappe.clear_messages()
		frappe.throw(_("「PDF 文件」无法解析，可能已损坏。"), frappe.ValidationError)
	out = {"signatures": signatures, "code": qr.shown(code) if code else None, "document": None}
	if code:
		try:
			doctype, name = find(code)
		except frappe.DoesNotExistError:
			frappe.clear_messages()
			return out
		facts = document_facts(doctype, name)
		content = facts.pop("_content")
		facts.pop("signatures")  # the dropped file's own are above
		out["document"] = facts
		out["same_as_current"] = bool(
			content and hashlib.sha256(content).digest() == hashlib.sha256(data).digest()
		)
	return out


def printed_code(data: bytes) -> str | None:
	"""The verification code printed under the QR code of the first page, if any."""
	with pdfplumber.open(io.BytesIO(data)) as doc:
		if not doc.pages:
			return None
		match = PRINTED_CODE.search(doc.pages[0].extract_text() or "")
	return "".join(match.groups()) if match else None
