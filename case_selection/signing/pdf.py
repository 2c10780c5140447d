"""Visible PAdES signatures on the official PDFs, and their validation, with pyHanko.

`sign` appends one incremental update holding one signature (PAdES baseline B-B: SubFilter ETSI.CAdES.detached,
SHA-256, the signing time as a signed attribute) in a new signature field whose widget shows the seal image,
the signer's name and the signing time in Chinese. Nothing before the update is rewritten, so every earlier
signature stays valid; several departments sign one PDF in turn.

`verify` runs pyHanko's own validation on every signature: digest and signature, the chain to the trust roots
given, revocation against the CRLs given (nothing is ever fetched: no OCSP, no CRL download, no timestamp), and
pyHanko's difference analysis of what later revisions changed.

Chinese text in the appearance: pyHanko embeds a subset of an OpenType font through `GlyphAccumulatorFactory`
(HarfBuzz shaping). It reads a single font file, while Debian ships Noto CJK as a collection (.ttc), so the
Simplified Chinese face is extracted once into a cache file. Loading and subsetting that 16 MB face costs
pyHanko about 0.6 s a signature, so each signature's text is set in a cut of the face holding only its own
characters (`appearance_subset`, cached on disk: a department's name is the same on every case), 0.02 s.
Without a CJK font the appearance is the seal image alone (`has_cjk_text` tells which).

A hardware token (USB key / UKey) instead of a key in a file: `pyhanko.sign.pkcs11.PKCS11Signer`
(`pip install pyhanko[pkcs11]`, the vendor's PKCS#11 module) is a `Signer` like `SimpleSigner`; open a session
with `pkcs11.open_pkcs11_session(lib_location, slot_no=..., user_pin=...)`, build
`PKCS11Signer(session, key_label=..., cert_label=...)` and hand it to `sign_with` in place of the signer that
`sign` builds from a key and certificate. Everything else (field, appearance, signing time, incremental update)
is the same; the private key never leaves the token.
"""

import asyncio
import hashlib
import io
import logging
import os
import stat
import string
import tempfile
import threading
from collections.abc import Coroutine
from datetime import datetime, timedelta, timezone
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from PIL import Image
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffPolicy
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.stamp import StaticStampStyle, TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import (
	CertRevTrustPolicy,
	RevocationCheckingPolicy,
	RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleCertificateStore

from case_selection.checks.words import _
from case_selection.signing import stamp
from case_selection.signing.authority import PrivateKey, common_name

logger = logging.getLogger(__name__)

CHINA = timezone(timedelta(hours=8), "CST")  # China has one time zone and no daylight saving
TIME_FORMAT = "%Y-%m-%d %H:%M"
TEXT_SIZE = 7  # pt, the signer's name and the time under the seal
CAPTION_HEIGHT = 2 * TEXT_SIZE + 6  # the two caption lines; the seal is drawn above them
SEAL_OPACITY = 0.9  # the form's text shows through, as through a seal's ink
_font_lock = threading.Lock()
_private_cache: str | None = None


def _run(coro: Coroutine[Any, Any, Any]) -> Any:
	"""Run a pyHanko coroutine from synchronous code, also when an event loop is already running."""
	try:
		asyncio.get_running_loop()
		in_loop = True
	except RuntimeError:
		in_loop = False
	if not in_loop:
		return asyncio.run(coro)
	result: dict[str, Any] = {}

	def target() -> None:
		try:
			result["value"] = asyncio.run(coro)
		except BaseException as e:
			result["error"] = e

	thread = threading.Thread(target=target)
	thread.start()
	thread.join()
	if "error" in result:
		raise result["error"]
	return result["value"]


def _font_cache_dir() -> str:
	"""This user's own cache folder under the temp dir (0700); a fresh one if someone else holds the name."""
	global _private_cache
	path = os.path.join(tempfile.gettempdir(), f"case_selection-fonts-{os.getuid()}")
	try:
		os.makedirs(path, mode=0o700, exist_ok=True)
		info = os.lstat(path)
		if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022:
			return path
	except OSError:
		pass
	if _private_cache is None:
		_private_cache = tempfile.mkdtemp(prefix="case_selection-fonts-")
	return _private_cache


def appearance_font() -> str:
	"""A single-font OpenType file (Noto Sans CJK SC) for pyHanko; extracted from a .ttc once, then cached."""
	path, index = stamp.find_cjk_font(serif=False, bold=False)
	if not path.lower().endswith((".ttc", ".otc")):
		return path
	st = os.stat(path)
	base = os.path.splitext(os.path.basename(path))[0]
	with _font_lock:
		cache_dir = _font_cache_dir()
		target = os.path.join(cache_dir, f"{base}-{index}-{int(st.st_mtime)}-{st.st_size}.otf")
		if os.path.isfile(target) and os.path.getsize(target) > 0:
			return target
		from fontTools.ttLib import TTCollection  # deferred: fontTools loads only when a face must be cut

		fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".otf")
		try:
			with os.fdopen(fd, "wb") as out:
				TTCollection(path, lazy=True).fonts[index].save(out)
			os.replace(tmp, target)
		except BaseException:
			os.unlink(tmp)
			raise
	return target


# The time line (TIME_FORMAT) and Latin letters a department's name may hold, in every cut of the font.
STAMP_ASCII = string.digits + string.ascii_letters + " -:./()"


# What a cut keeps besides the characters (part of its file's name: a cut made otherwise is not reused). The
# layout tables (GSUB/GPOS) are left out: a caption is a department's name and a time, set horizontally, whose
# glyphs are the characters' own (cmap); the tables were most of a cut, and pyHanko parsed and cut them again for
# each signature (a signature took 110 ms of CPU with them, 85 without).
CUT = "no-layout"


def appearance_subset(text: str) -> str:
	"""The appearance font (`appearance_font`) cut down to the characters of `text` and STAMP_ASCII, as a file
	cached in this user's font cache under a digest of the face and the characters. Glyph names (the CIDs of
	Noto's CID-keyed CFF) are kept, and with them everything pyHanko reads."""
	# deferred: fontTools loads only when a cut is made (a caption's cut is found on disk after the first)
	from fontTools import subset
	from fontTools.ttLib import TTFont

	full = appearance_font()
	chars = "".join(sorted((set(text) | set(STAMP_ASCII)) - {"\n", "\r"}))
	digest = hashlib.sha256(f"{os.path.basename(full)}\0{chars}\0{CUT}".encode()).hexdigest()[:32]
	with _font_lock:
		cache_dir = _font_cache_dir()
		target = os.path.join(cache_dir, f"stamp-{digest}.otf")
		if os.path.isfile(target) and os.path.getsize(target) > 0:
			return target
		options = subset.Options()
		options.layout_features = []  # no GSUB/GPOS: see CUT
		options.name_IDs = ["*"]
		options.name_languages = ["*"]
		options.notdef_outline = True
		font = TTFont(full)
		cutter = subset.Subsetter(options)
		cutter.populate(text=chars)
		cutter.subset(font)
		# Written aside, then renamed: another process reads a whole file or none
		fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".otf")
		try:
			with os.fdopen(fd, "wb") as out:
				font.save(out)
			os.replace(tmp, target)
		except BaseException:
			os.unlink(tmp)
			raise
	return target


def _cjk_text_font() -> str | None:
	try:
		return appearance_font()
	except (stamp.CJKFontNotFound, OSError) as e:
		logger.warning("No CJK font for the signature text, the appearance shows the seal image only: %s", e)
		return None


class _FontFromBytes(GlyphAccumulatorFactory):
	"""GlyphAccumulatorFactory that reads the font into memory (pyHanko's leaves its file handle open)."""

	def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
		with open(self.font_file, "rb") as f:
			handle = io.BytesIO(f.read())
		if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
			obj_stream = writer.prepare_object_stream()
		return GlyphAccumulator(
			writer=writer,
			font_handle=handle,
			font_size=self.font_size,
			ot_script_tag=self.ot_script_tag,
			ot_language_tag=self.ot_language_tag,
			writing_direction=self.writing_direction,
			bcp47_lang_code=self.bcp47_lang_code,
			obj_stream=obj_stream,
		)


def has_cjk_text() -> bool:
	"""Whether signature appearances carry Chinese text (a CJK font was found), or the seal image only."""
	return _cjk_text_font() is not None


def _stamp_style(seal_png: bytes | None, text: str) -> TextStampStyle | StaticStampStyle:
	try:
		background = PdfImage(Image.open(io.BytesIO(seal_png)).convert("RGBA")) if seal_png else None
	except OSError as e:
		raise ValueError(_("「印章图片」不是有效的图片文件")) from e
	font = _cjk_text_font()
	if font is not None:
		try:
			font = appearance_subset(text)
		except Exception:  # fontTools could not cut this face: the whole face, slower, the same text
			logger.warning("Could not cut the appearance font, using the whole face", exc_info=True)
	if font is None:
		if background is None:
			raise ValueError(_("未找到中文字体，又没有「印章图片」：无法生成可见的签章"))
		return StaticStampStyle(
			background=background,
			border_width=0,
			background_opacity=SEAL_OPACITY,
			background_layout=layout.SimpleBoxLayoutRule(
				x_align=layout.AxisAlignment.ALIGN_MID,
				y_align=layout.AxisAlignment.ALIGN_MID,
				margins=layout.Margins.uniform(1),
				inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
			),
		)
	return TextStampStyle(
		stamp_text="%(label)s\n%(ts)s",
		timestamp_format=TIME_FORMAT,
		text_box_style=TextBoxStyle(
			font=_FontFromBytes(font, font_size=TEXT_SIZE),
			font_size=TEXT_SIZE,
			text_color=(0.1, 0.1, 0.1),
		),
		inner_content_layout=layout.SimpleBoxLayoutRule(
			x_align=layout.AxisAlignment.ALIGN_MID,
			y_align=layout.AxisAlignment.ALIGN_MIN,
			margins=layout.Margins(left=1, right=1, top=1, bottom=1),
		),
		background=background,
		background_layout=layout.SimpleBoxLayoutRule(
			x_align=layout.AxisAlignment.ALIGN_MID,
			y_align=layout.AxisAlignment.ALIGN_MAX,
			margins=layout.Margins(left=1, right=1, top=1, bottom=CAPTION_HEIGHT),
			inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
		),
		background_opacity=SEAL_OPACITY,
		border_width=0,
	)


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
	return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def simple_signer(key: PrivateKey, cert: x509.Certificate, chain: list[x509.Certificate]) -> signers.Signer:
	"""pyHanko's signer for a key held in memory (see the module docstring for a hardware token)."""
	der = key.private_bytes(
		serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
	)
	return signers.SimpleSigner(
		signing_cert=_asn1_cert(cert),
		signing_key=asn1_keys.PrivateKeyInfo.load(der),
		cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
	)


def _as_china_time(moment: datetime | None) -> datetime:
	if moment is None:
		return datetime.now(CHINA).replace(microsecond=0)
	if moment.tzinfo is None:  # Frappe's datetimes are naive, in the system time zone (Asia/Shanghai)
		return moment.replace(tzinfo=CHINA)
	return moment.astimezone(CHINA)


def _media_box(writer: IncrementalPdfFileWriter, page: int) -> tuple[float, float, float, float]:
	node = writer.prev.find_page_for_modification(page)[0].get_object()
	while node is not None:
		if "/MediaBox" in node:
			x0, y0, x1, y1 = (float(v) for v in node["/MediaBox"])
			return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
		node = node.get("/Parent")
		node = node.get_object() if node is not None else None
	return 0.0, 0.0, 595.0, 842.0  # no MediaBox anywhere: A4, as a reader would assume something


def _check_place(writer: IncrementalPdfFileWriter, field_name: str, page: int, box: tuple) -> None:
	if not field_name or not isinstance(field_name, str) or "." in field_name:
		raise ValueError(_("「签章域名称」不能为空，也不能含有“.”"))
	pages = int(writer.root["/Pages"]["/Count"])
	if not isinstance(page, int) or not 0 <= page < pages:
		raise ValueError(_("「签章页码」超出范围：文件共 {0} 页").format(pages))
	x0, y0, x1, y1 = (float(v) for v in box)
	px0, py0, px1, py1 = _media_box(writer, page)
	if not (x1 - x0 >= 20 and y1 - y0 >= 20):
		raise ValueError(_("「签章位置」无效：宽、高都应不小于 20 点"))
	if x0 < px0 or y0 < py0 or x1 > px1 or y1 > py1:
		raise ValueError(_("「签章位置」超出了页面范围"))
	for name, _value, _ref in fields.enumerate_sig_fields(writer.prev, filled_status=True):
		if name == field_name:
			raise ValueError(_("「签章域名称」{0} 已经签过章").format(field_name))


def sign(
	pdf: bytes,
	key: PrivateKey,
	cert: x509.Certificate,
	chain: list[x509.Certificate],
	field_name: str,
	page: int,
	box: tuple[float, float, float, float],
	seal_png: bytes | None,
	signer_label: str,
	reason: str,
	location: str = "重庆",
	signing_time: datetime | None = None,
) -> bytes:
	"""`pdf` with one more visible signature appended as an incremental update.

	`box` is (x0, y0, x1, y1) in PDF points with the origin at the page's lower left corner; `page` counts
	from 0. `signing_time` defaults to now; naive datetimes are taken as China time.
	"""
	return sign_with(
		pdf,
		simple_signer(key, cert, chain),
		field_name=field_name,
		page=page,
		box=box,
		seal_png=seal_png,
		signer_label=signer_label,
		reason=reason,
		location=location,
		signing_time=signing_time,
	)


def sign_with(
	pdf: bytes,
	signer: signers.Signer,
	field_name: str,
	page: int,
	box: tuple[float, float, float, float],
	seal_png: bytes | None,
	signer_label: str,
	reason: str,
	location: str = "重庆",
	signing_time: datetime | None = None,
) -> bytes:
	"""`sign` with any pyHanko `Signer` (a key in memory, or a PKCS#11 token)."""
	if not signer_label or not signer_label.strip():
		raise ValueError(_("「签章单位」不能为空"))
	when = _as_china_time(signing_time)
	try:
		writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
	except (PdfError, ValueError) as e:
		raise ValueError(_("「PDF 文件」无法读取，不是有效的 PDF")) from e
	_check_place(writer, field_name, page, box)
	meta = signers.PdfSignatureMetadata(
		field_name=field_name,
		md_algorithm="sha256",
		subfilter=fields.SigSeedSubFilter.PADES,
		reason=reason or None,
		location=location or None,
		name=signer_label.strip(),
	)
	spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=tuple(float(v) for v in box))
	pdf_signer = signers.PdfSigner(
		meta, signer=signer, stamp_style=_stamp_style(seal_png, signer_label.strip()), new_field_spec=spec
	)

	async def run() -> bytes:
		# PdfSigner.async_sign_pdf, with the signing time taken from the caller: the session's system_time is
		# what goes into the signing-time attribute, the /M entry and the appearance text.
		session = pdf_signer.init_signing_session(writer, existing_fields_only=False)
		session.system_time = when
		validation_info = await session.perform_presign_validation(writer)
		reserved = await session.estimate_signature_container_size(validation_info, tight=False)
		tbs = session.prepare_tbs_document(
			validation_info=validation_info,
			bytes_reserved=reserved,
			appearance_text_params={"label": signer_label.strip()},
		)
		prepared, output = tbs.digest_tbs_document(output=io.BytesIO())
		post = await tbs.perform_signature(
			document_digest=prepared.document_digest,
			pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=when),
		)
		await post.post_signature_processing(output)
		return output.getvalue()

	try:
		return _run(run())
	except SigningError as e:
		raise ValueError(_("签章失败：{0}").format(e)) from e


def _issuers(crls: list[bytes]) -> list[asn1_x509.Name]:
	names = []
	for der in crls:
		try:
			names.append(asn1_crl.CertificateList.load(der)["tbs_cert_list"]["issuer"])
		except (ValueError, TypeError) as e:
			raise ValueError(_("「证书吊销列表」不是 DER 格式的 CRL")) from e
	return names


def _revinfo_policy(signer_cert: asn1_x509.Certificate | None, crl_issuers: list) -> CertRevTrustPolicy:
	"""Revocation checking for one signature.

	pyHanko's certvalidator, in its legacy modes, consults a CRL only for a certificate that names a CRL
	distribution point, and seal certificates name none (nothing is ever fetched). So when a CRL of the
	signer's issuer is given, the signer's certificate *must* be checked against it (CRL_REQUIRED); without
	one, revocation is not checked (soft-fail), and `revocation_checked` says so.
	"""
	if signer_cert is not None and any(signer_cert.issuer == name for name in crl_issuers):
		return CertRevTrustPolicy(
			RevocationCheckingPolicy(
				ee_certificate_rule=RevocationCheckingRule.CRL_REQUIRED,
				intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
			)
		)
	return CertRevTrustPolicy(RevocationCheckingPolicy.from_legacy("soft-fail"))


def verify(
	pdf: bytes,
	trust_roots: list[x509.Certificate],
	crls: list[bytes],
	validation_time: datetime | None = None,
	diff_policy: DiffPolicy = DEFAULT_DIFF_POLICY,
) -> list[dict]:
	"""Every signature of `pdf`, in signing order, as pyHanko validates it (see the module docstring).

	Keys: field, signer (subject CN), signing_time (as the signer declared it: there is no timestamp),
	reason, location, intact, valid, trusted, trust_problem (pyHanko's AdES sub-indication name), revoked,
	revoked_at, revocation_checked (a CRL of the signer's issuer was given and used),
	signed_before_revocation, coverage (pyHanko's SignatureCoverageLevel name: ENTIRE_FILE /
	ENTIRE_REVISION / ...), modification_level (pyHanko's ModificationLevel name of what the later revisions
	changed: NONE / LTA_UPDATES / FORM_FILLING / ANNOTATIONS / OTHER), docmdp_ok, bottom_line (pyHanko's
	overall judgment) and summary (pyHanko's summary()).

	Revocation: the certificate is checked at `validation_time` (default now). A certificate revoked after it
	signed, validated after the revocation, is reported revoked=True with revoked_at, trusted=False,
	trust_problem REVOKED_NO_POE and summary INTACT:REVOKED,…: with PAdES B-B nothing but the signer's own
	claim (signing_time, hence signed_before_revocation) says the signature existed before the revocation; a
	signature timestamp (B-T) would be that proof. A CRL issued after `validation_time` is not used (pyHanko:
	"CRL is too recent"), so with CRL_REQUIRED such a signature is untrusted, not revoked.
	"""
	try:
		reader = PdfFileReader(io.BytesIO(pdf), strict=False)
		embedded = reader.embedded_regular_signatures
	except (PdfError, ValueError) as e:
		raise ValueError(_("「PDF 文件」无法读取，不是有效的 PDF")) from e
	roots = [_asn1_cert(c) for c in trust_roots]
	crl_issuers = _issuers(list(crls or []))
	moment = validation_time or datetime.now(timezone.utc)
	if moment.tzinfo is None:
		moment = moment.replace(tzinfo=CHINA)

	async def one(emb) -> dict:
		# One context per signature: a context caches paths and revocation results.
		policy = _revinfo_policy(emb.signer_cert, crl_issuers)
		context = ValidationContext(
			trust_roots=roots,
			crls=list(crls or []),
			allow_fetching=False,
			moment=moment,
			revinfo_policy=policy,
		)
		status = await async_validate_pdf_signature(
			emb, signer_validation_context=context, diff_policy=diff_policy
		)
		signer_cert = status.signing_cert
		details = status.revocation_details
		revoked_at = details.revocation_date if details is not None else None
		signed_at = status.signer_reported_dt
		level = status.modification_level
		return {
			"field": emb.field_name,
			"signer": signer_cert.subject.native.get("common_name", ""),
			"signing_time": signed_at,
			"reason": _text(emb.sig_object.get("/Reason")),
			"location": _text(emb.sig_object.get("/Location")),
			"intact": bool(status.intact),
			"valid": bool(status.valid),
			"trusted": bool(status.trusted),
			"trust_problem": status.trust_problem_indic.name if status.trust_problem_indic else None,
			"revoked": bool(status.revoked),
			"revoked_at": revoked_at,
			"revocation_checked": policy.revocation_checking_policy.ee_certificate_rule.crl_mandatory,
			"signed_before_revocation": (
				None if revoked_at is None or signed_at is None else signed_at < revoked_at
			),
			"coverage": status.coverage.name if status.coverage is not None else None,
			"modification_level": level.name if level is not None else None,
			"docmdp_ok": status.docmdp_ok,
			"bottom_line": bool(status.bottom_line),
			"summary": status.summary(),
		}

	async def run_all() -> list[dict]:
		results = []
		for emb in embedded:
			try:
				results.append(await one(emb))
			except (SignatureValidationError, ValueError, PdfError) as e:
				results.append(_broken(emb, e))
		return results

	return _run(run_all())


def _text(value) -> str | None:
	return None if value is None else str(value)


def _broken(emb, error: Exception) -> dict:
	"""A signature pyHanko could not even evaluate (e.g. a damaged signature container)."""
	return {
		"field": emb.field_name,
		"signer": "",
		"signing_time": None,
		"reason": None,
		"location": None,
		"intact": False,
		"valid": False,
		"trusted": False,
		"trust_problem": None,
		"revoked": False,
		"revoked_at": None,
		"revocation_checked": False,
		"signed_before_revocation": None,
		"coverage": None,
		"modification_level": None,
		"docmdp_ok": False,
		"bottom_line": False,
		"summary": f"INVALID ({error})",
	}


__all__ = [
	"CHINA",
	"appearance_font",
	"appearance_subset",
	"common_name",
	"has_cjk_text",
	"sign",
	"sign_with",
	"simple_signer",
	"verify",
]
