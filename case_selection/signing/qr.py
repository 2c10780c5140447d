"""The QR code on every page of a printed 附件1 / 附件2: the document's verification code and its hash.

- **Verification code** (`code_for`): 12 characters (no 0/1/I/O), an HMAC of the document's DocType and name
  under the site's encryption key: the same on every print of the document, unguessable without the key, and
  nothing to store until the document is sealed (then it is kept on the document, indexed, so that a scan finds
  it: `sealed_form.mark`).
- **Hash** (`content_hash`): SHA-256 of what the print shows of the document — the print context of 附件1 /
  附件2 (export/print_context.py) without its layout and without the 签核历程 table, which grows with every
  later step and is no part of what the departments sealed. A paper printed before a later change carries the
  old hash; the city's intake compares it with the hash of the current sealed version (signing/paper.py).
- **The code on paper** (export.pdf.stamp_qr): a QR code of the verification page's address with both (`payload`), drawn
  as vector squares in the lower right corner of every page (inside the bottom margin, right-aligned with the
  type area), and the code under it in small print for typing in by hand. No image and no font to embed.
"""

import hashlib
import hmac
import json
import re
from urllib.parse import parse_qs, urlparse

import frappe
import segno
from frappe import _
from frappe.utils import get_url
from frappe.utils.password import get_encryption_key

from case_selection.constants import APPLICATION, LIST
from case_selection.export import print_context

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 12
CODE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
HASH = re.compile(r"^[0-9a-f]{64}$")
QR_DOCTYPES = ("Case Application", "District Recommendation List")
PAGE = "seal-verify"  # the Desk page that answers a scanned code (signing/verification.py)
# The print context's parts that are layout or later history, not the document's content.
NOT_CONTENT = frozenset({"style", "tables", "table", "history", "headings", "head_mm", "form_title_lines"})


def code_for(doctype: str, name: str) -> str:
	digest = hmac.new(
		get_encryption_key().encode(), f"case_selection:verify:{doctype}\0{name}".encode(), hashlib.sha256
	).digest()
	number = int.from_bytes(digest, "big")
	out = []
	for _i in range(CODE_LENGTH):
		number, index = divmod(number, len(ALPHABET))
		out.append(ALPHABET[index])
	return "".join(out)


def shown(code: str) -> str:
	"""ABCD-EFGH-JKLM: the code as printed and typed."""
	return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def printed_content(doc) -> dict:

	make = {
		APPLICATION: print_context.case_application_print_context,
		LIST: print_context.recommendation_list_print_context,
	}[doc.doctype]
	ctx = make(doc)
	return {
		"doctype": doc.doctype,
		"name": doc.name,
		**{k: v for k, v in ctx.items() if k not in NOT_CONTENT},
	}


def content_hash(doc) -> str:
	text = json.dumps(printed_content(doc), ensure_ascii=False, sort_keys=True, default=str)
	return hashlib.sha256(text.encode("utf-8")).hexdigest()


def payload(doc) -> str:
	"""What the QR code holds: the verification page's address with the code and the hash."""
	return f"{get_url()}/app/{PAGE}?c={code_for(doc.doctype, doc.name)}&h={content_hash(doc)}"


def parse(text) -> tuple[str, str | None]:
	"""(code, hash or None) from a scan (the QR's address), or from a code typed by hand (dashes, spaces and
	lower case allowed, optionally followed by the hash)."""
	if not isinstance(text, str) or not text.strip() or len(text) > 2000:
		frappe.throw(_("「扫描内容」须为二维码内容或 12 位验证码。"), frappe.ValidationError)
	text = text.strip()
	if "?" in text:
		query = parse_qs(urlparse(text).query)
		code, digest = (query.get("c") or [""])[0], (query.get("h") or [None])[0]
	else:
		parts = text.split()
		code, digest = parts[0], (parts[1] if len(parts) > 1 else None)
	code = code.replace("-", "").upper()
	if not CODE.match(code):
		frappe.throw(_("「扫描内容」中没有有效的验证码（12 位字母数字）。"), frappe.ValidationError)
	if digest is not None:
		digest = digest.lower()
		if not HASH.match(digest):
			frappe.throw(_("「扫描内容」中的文件摘要无效（应为 64 位十六进制）。"), frappe.ValidationError)
	return code, digest


def modules(text: str) -> list[list[bool]]:
	"""The QR symbol of `text` (error correction M), row by row; drawn on the page by export.pdf.stamp_qr."""
	return [[bool(v) for v in row] for row in segno.make(text, error="m", micro=False).matrix]
