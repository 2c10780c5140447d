"""The sealed 附件1 of a case and 附件2 of a district list: rendered once and sealed by each district
department, on the RQ queue.

When co-signing of a case ends with every department agreeing (cosign.service.record_opinion), the request
only marks the case's seal Queued and enqueues `run` after its commit (queue "long", one job id per case): the
co-signing request renders nothing and signs nothing. `run` renders the case's official 附件1 (export.pdf,
as the last signer sees it: no sealed city value can be in it), finds each department's opinion block by its
label text (the page by poppler's pdftotext, the block on it by pdfplumber), and appends one visible PAdES
signature per department, in the order they signed, each with its seal in its own block, its signing time the
time the department co-signed. The result is a private File attached to the case (`sealed_form` names the
newest; the earlier ones stay attached: history).

Recoverable like the exports: the request time is stored (`sealed_form_requested`); the minute sweeper
(jobs.service.sweep → `sweep`) queues again a case whose seal has been Queued longer than STALE_AFTER with no
live RQ job. A run stores its result only if the case still waits for that same request (checked under the
case's row lock), so two runs of one request store one PDF.

A district list (附件2) is sealed the same way when its lead department submits it to the city
(District Recommendation List.submit_to_city): each department's seal over its （盖章） cell. `KINDS` holds
what differs between the two documents.

`verify_sealed_pdf` validates a case's or a list's sealed PDF with pyHanko against the city's root and CRL, for anyone
who may read the case; `root_certificate_pem` (signing.certificates) gives the root to anyone signed in.
"""

import hashlib
import io
import subprocess
import time
from dataclasses import dataclass

import frappe
import pdfplumber
from frappe import _
from frappe.utils import get_datetime, now_datetime, time_diff_in_seconds
from frappe.utils.background_jobs import get_job

from case_selection.access.documents import load
from case_selection.access.system_write import system_write
from case_selection.constants import APPLICATION, LIST
from case_selection.cosign import rules
from case_selection.export.pdf import render_pdf
from case_selection.jobs.liveness import STALE_AFTER, rq_alive
from case_selection.signing import certificates, qr, stamp
from case_selection.signing import pdf as signing
from case_selection.workflow.action_log import OUTPUT_LANG

JOB = "case_selection.signing.sealed_form.run"
QUEUED, READY, FAILED = "Queued", "Ready", "Failed"
FIELD = "sealed_form"
FORMAT = "附件1 申报书"
SEAL_SIDE = 96.0  # pt (34 mm, the size of a round official seal)
JOB_TIMEOUT = 600
ERROR_CHARS = 1000
SEAL_IMAGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Kind:
	"""What differs between the sealed 附件1 of a case and the sealed 附件2 of a district list."""

	doctype: str
	annex: str  # 附件1 / 附件2: the file's name
	format: str  # the shipped print format (the admin's default print format is used when set)
	label: str  # each department's block on the form, found by this text: "{title}意见" / "{title}（盖章）"
	framed: bool  # the block is a bordered frame (附件1) or a plain cell under its label (附件2)
	job_prefix: str

	def block_label(self, title: str) -> str:
		return self.label.format(title=title)


KINDS = {
	APPLICATION: Kind(APPLICATION, "附件1", FORMAT, "{title}意见", True, "case_seal"),
	LIST: Kind(LIST, "附件2", "附件2 区县推荐案例名单", "{title}（盖章）", False, "list_seal"),
}


def kind_of(doctype: str) -> Kind:
	if doctype not in KINDS:
		raise frappe.PermissionError(_("「{0}」没有电子签章。").format(doctype))
	return KINDS[doctype]


def job_id(name: str, doctype: str = APPLICATION) -> str:
	return f"{kind_of(doctype).job_prefix}::{name}"


# ─────────────────────────── the request (co-signing) ───────────────────────────


def mark(doc) -> None:
	"""Co-signing of `doc` is ending with every department agreeing (a case), or the list is being submitted:
	its seal is requested. Set on the document only: the move of state or the save that follows stores it
	with the document's row (no write of its own on the co-signing path); the caller then enqueues the job."""
	doc.update(
		{
			"sealed_form_status": QUEUED,
			# Chinese as written: the note has no translation, and _() here only loaded every translation of the
			# signer's language (~2 ms of the last signature, the one that also moves the case and queues the seal).
			"sealed_form_note": "会签已完成，正在后台生成电子签章文件",
			"sealed_form_requested": now_datetime(),
			# found by a scan of any page's QR code from now on (signing/qr.py, signing/paper.py)
			"verification_code": qr.code_for(doc.doctype, doc.name),
		}
	)


def enqueue(application: str, doctype: str = APPLICATION) -> None:
	frappe.enqueue(
		JOB,
		# "long", behind the exports (queued at the front, jobs.service.put_on_queue): a deadline day's hundreds
		# of seals keep the default queue (Data Import, Frappe's own jobs) free and never hold a city export up
		queue="long",
		timeout=JOB_TIMEOUT,
		job_id=job_id(application, doctype),
		deduplicate=True,
		enqueue_after_commit=True,
		now=frappe.flags.in_test,  # as Frappe's own jobs: at once under the test runner
		application=application,
		doctype=doctype,
	)


def sweep() -> None:
	"""jobs.service.sweep: a seal Queued for longer than STALE_AFTER with no live RQ job is queued again."""

	for doctype in KINDS:
		for row in frappe.get_all(
			doctype,
			filters={"sealed_form_status": QUEUED},
			fields=["name", "sealed_form_requested"],
		):
			if rq_alive(job_id(row.name, doctype)):
				continue
			if (
				row.sealed_form_requested
				and time_diff_in_seconds(now_datetime(), row.sealed_form_requested) < STALE_AFTER
			):
				continue
			stale = get_job(job_id(row.name, doctype))
			if stale is not None:
				stale.delete()
			enqueue(row.name, doctype)
			frappe.db.commit()  # scheduler job: each recovered seal is queued once this commits


# ─────────────────────────── the job ───────────────────────────


def agreed_opinions(application: str, round_name: str, doctype: str = APPLICATION) -> list:
	"""The departments' opinions in the order they signed; every round department must have agreed."""
	rows = frappe.get_all(
		"Case Cosign Opinion",
		filters={"reference_doctype": doctype, "reference_name": application},
		fields=["department", "role", "opinion", "signer", "signed_at"],
		order_by="signed_at asc, creation asc",
	)
	departments = frappe.get_cached_doc("Selection Round", round_name).cosign_departments
	signed = {r.department: r for r in rows}
	missing = [d.department for d in departments if d.department not in signed]
	if missing or any(r.opinion != rules.AGREE for r in rows):
		frappe.throw(_("会签尚未由全部部门同意（缺：{0}），不能签章。").format("、".join(missing) or _("无")))
	titles = {d.department: d.department_title or d.department for d in departments}
	for r in rows:
		r.title = titles.get(r.department, r.department)
	return rows


def render(doc_name: str, user: str, doctype: str = APPLICATION) -> tuple[bytes, str]:
	"""The official 附件1 / 附件2 as `user` (a department that signed it) reads it, in the print format the
	admin chose for the DocType (Customize Form's default print format), else the shipped one; and the hash
	of its content, which its pages' QR codes carry (signing/qr.py)."""

	previous = frappe.session.user
	frappe.set_user(user)
	frappe.set_user_lang(user)
	try:
		doc = frappe.get_doc(doctype, doc_name)
		return render_pdf(doc, print_format_of(doctype)), qr.content_hash(doc)
	finally:
		frappe.set_user(previous)


def print_format_of(doctype: str) -> str:
	chosen = frappe.get_meta(doctype).default_print_format
	if chosen and frappe.db.exists("Print Format", {"name": chosen, "doc_type": doctype, "disabled": 0}):
		return chosen
	return kind_of(doctype).format


def seal_places(pdf: bytes, labels: list[str], framed: bool = True) -> dict[str, dict]:
	"""Per opinion block label (e.g. 区县经信部门意见): its page, the block's box (the bordered frame round the
	label, PDF points, bottom-origin) and the seal's box in the block's lower right corner. Unframed (附件2's
	（盖章） cells): the seal over the lines under the label, as a seal is pressed over the signer's name."""
	places = {}
	with pdfplumber.open(io.BytesIO(pdf)) as doc:
		# From the last page: the opinion blocks close the form, and the pages before them are not read at all.
		# The pages whose text holds a label (poppler's pdftotext, in C) are read first, each from the last: a
		# page pdfplumber reads costs ~0.1 s (its table borders), and a case's opinions close a form of a dozen
		# pages. The other pages follow in the same order, if a label is still missing.
		pages = range(len(doc.pages) - 1, -1, -1)
		holding = label_pages(pdf, labels)
		for index in [*(i for i in pages if i in holding), *(i for i in pages if i not in holding)]:
			if len(places) == len(labels):
				break
			page = doc.pages[index]
			text = page.extract_text() or ""
			if not any(label in "".join(text.split()) for label in labels):
				continue
			for label in labels:
				if label in places:
					continue
				hits = page.search(label)
				if not hits:
					continue
				hit = hits[-1]
				if framed:
					x0, top, x1, bottom = _frame_around(page, hit)
					side = min(SEAL_SIDE, bottom - top - 4, (x1 - x0) / 2)
					right, low = x1 - 12, bottom - 4
				else:
					# the seal over the signer's name and the date, its caption (signer, time) under the date
					side = SEAL_SIDE
					x0, top = hit["x0"], hit["top"]
					x1, bottom = x0 + 2 * side, min(top + side + 34, page.height - 4)
					right, low = x0 + 24 + side, bottom
				places[label] = {
					"page": index,
					"block": (x0, page.height - bottom, x1, page.height - top),
					"box": (right - side, page.height - low, right, page.height - low + side),
				}
	missing = [label for label in labels if label not in places]
	if missing:
		frappe.throw(_("PDF 中找不到签章栏：{0}").format("、".join(missing)))
	return places


PDFTOTEXT_TIMEOUT = 30  # seconds; a form of a dozen pages takes ~20 ms


def label_pages(pdf: bytes, labels: list[str]) -> set[int]:
	"""The pages (from 0) whose text holds one of `labels`, as poppler's pdftotext reads them (pages end with a
	form feed); an empty set when pdftotext is missing or fails (seal_places then reads the pages in order)."""
	try:
		out = subprocess.run(
			["pdftotext", "-q", "-enc", "UTF-8", "-", "-"],
			input=pdf,
			capture_output=True,
			timeout=PDFTOTEXT_TIMEOUT,
			check=True,
		).stdout.decode("utf-8", "replace")
	except (OSError, subprocess.SubprocessError):
		return set()
	return {
		i for i, text in enumerate(out.split("\f")) if any(label in "".join(text.split()) for label in labels)
	}


def _frame_around(page, hit) -> tuple[float, float, float, float]:
	"""The smallest bordered frame (drawn edges) enclosing the label, top-origin (x0, top, x1, bottom)."""
	edges = page.edges
	h = [e for e in edges if abs(e["top"] - e["bottom"]) < 1.5 and e["x1"] - e["x0"] > 100]
	v = [e for e in edges if abs(e["x1"] - e["x0"]) < 1.5 and e["bottom"] - e["top"] > 20]
	above = [e for e in h if e["top"] <= hit["top"] + 0.5 and e["x0"] <= hit["x0"] <= e["x1"]]
	below = [e for e in h if e["top"] >= hit["bottom"] - 0.5 and e["x0"] <= hit["x0"] <= e["x1"]]
	left = [e for e in v if e["x0"] <= hit["x0"] + 0.5 and e["top"] <= hit["top"] <= e["bottom"]]
	right = [e for e in v if e["x0"] >= hit["x1"] - 0.5 and e["top"] <= hit["top"] <= e["bottom"]]
	if not (above and below and left and right):
		frappe.throw(_("申报书 PDF 中意见栏的边框无法识别"))
	top = max(e["top"] for e in above)
	bottom = min(e["top"] for e in below)
	x0 = max(e["x0"] for e in left)
	x1 = min(e["x0"] for e in right)
	return x0, top, x1, bottom


def run(application: str, doctype: str = APPLICATION) -> None:
	"""The RQ job (also run at once under the test runner, inside the co-signing or submitting call)."""
	kind = kind_of(doctype)
	row = frappe.db.get_value(
		doctype,
		application,
		["name", "round", "district", "sealed_form_status", "sealed_form_requested"],
		as_dict=True,
	)
	if not row or row.sealed_form_status != QUEUED:
		return
	requested = row.sealed_form_requested
	started = time.monotonic()
	savepoint = False
	try:
		opinions = agreed_opinions(application, row.round, doctype)
		# Certificates first (issued on first need), each kept once issued: a certificate is a fact of its own.
		signers = [certificate_for(row.district, o) for o in opinions]
		frappe.db.savepoint("case_seal")
		savepoint = True
		pdf, digest = render(application, opinions[-1].signer, doctype)
		places = seal_places(pdf, [kind.block_label(o.title) for o in opinions], kind.framed)
		for i, (o, cert_name) in enumerate(zip(opinions, signers, strict=True), start=1):
			key, cert, chain = certificates.signer_of(cert_name)
			place = places[kind.block_label(o.title)]
			subject = certificates.authority.common_name(cert)
			pdf = signing.sign(
				pdf,
				key,
				cert,
				chain,
				field_name=f"seal_{i}",
				page=place["page"],
				box=place["box"],
				seal_png=seal_image(subject),
				signer_label=subject,
				reason=_("{0}意见：{1}", lang=OUTPUT_LANG).format(o.title, o.opinion),
				signing_time=get_datetime(o.signed_at),
			)
	except Exception as exc:
		if savepoint:
			frappe.db.rollback(save_point="case_seal")
		message = frappe.utils.strip_html(str(exc)).strip() or type(exc).__name__
		frappe.clear_messages()
		frappe.log_error(
			title=_("电子签章失败：{0}").format(application),
			reference_doctype=doctype,
			reference_name=application,
		)
		store_failure(application, requested, message, doctype)
		return
	store(application, requested, pdf, digest, time.monotonic() - started, doctype)


def seal_image(subject: str, size_px: int = 300) -> bytes:
	"""The department's seal image, drawn once (0.25 s) and then read from the cache: every case of a district
	carries the same three seals, and each RQ job runs in a fresh process."""
	key = f"case_selection:seal_png:{hashlib.sha256(subject.encode()).hexdigest()}:{size_px}"
	png = frappe.cache.get_value(key)
	if not png:
		png = stamp.seal_png(subject, size_px=size_px)
		frappe.cache.set_value(key, png, expires_in_sec=SEAL_IMAGE_SECONDS)
	return png


def certificate_for(district: str, opinion) -> str:
	"""The department's certificate; one issuer at a time per department (a Redis lock), committed at once on
	the queue so that a second job sees it."""
	existing = certificates.active_for(district, opinion.role)
	if existing:
		return certificates.certificate_for(district, opinion.role, opinion.department)
	lock = frappe.cache.lock(
		frappe.cache.make_key(f"case_seal_cert:{district}:{opinion.role}"), timeout=60, blocking_timeout=30
	)
	with lock:
		name = certificates.certificate_for(district, opinion.role, opinion.department)
		if not frappe.flags.in_test:
			frappe.db.commit()  # background job: the new certificate is visible to the next job at once
	return name


def _lock_pending(application: str, requested, doctype: str = APPLICATION) -> bool:
	"""Under the document's row lock: whether it still waits for this very request."""
	kind_of(doctype)  # one of KINDS: the table name below is never the caller's text
	current = frappe.db.sql(
		f"select sealed_form_status, sealed_form_requested from `tab{doctype}` where name=%s for update",
		application,
		as_dict=True,
	)
	return bool(
		current
		and current[0].sealed_form_status == QUEUED
		and get_datetime(current[0].sealed_form_requested) == get_datetime(requested)
	)


def store(
	application: str, requested, pdf: bytes, digest: str, seconds: float, doctype: str = APPLICATION
) -> None:
	if not _lock_pending(application, requested, doctype):
		return  # a newer request came in meanwhile (its job, or the sweeper, seals that one)
	stamp_text = now_datetime().strftime("%Y%m%d%H%M%S")
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{kind_of(doctype).annex}_{application}_电子签章_{stamp_text}.pdf",
			"attached_to_doctype": doctype,
			"attached_to_name": application,
			"attached_to_field": FIELD,
			"is_private": 1,
			"content": pdf,
		}
	)
	with system_write():
		file.insert(ignore_permissions=True)
	values = {
		FIELD: file.file_url,
		"sealed_form_hash": digest,  # what a paper copy's QR code must carry to be this version
		"sealed_form_status": READY,
		"sealed_form_note": _("已由全部会签部门电子签章（用时 {0:.1f} 秒）").format(seconds),
	}
	if frappe.db.get_value(doctype, application, "sealed_form_hash") != digest:
		# a new version: the paper copies received of the one before are of that one (signing/paper.py)
		values["paper_copies_received"] = 0
		if doctype == APPLICATION:
			frappe.db.set_value(
				"Recommendation List Item",
				{"application": application},
				"paper_copies",
				0,
				update_modified=False,
			)
	frappe.db.set_value(doctype, application, values, update_modified=False)
	frappe.publish_realtime(
		"case_sealed_form", {"name": application, "status": READY}, doctype=doctype, docname=application
	)


def store_failure(application: str, requested, message: str, doctype: str = APPLICATION) -> None:
	if not _lock_pending(application, requested, doctype):
		return
	frappe.db.set_value(
		doctype,
		application,
		{
			"sealed_form_status": FAILED,
			"sealed_form_note": _("电子签章失败：{0}").format(message)[:ERROR_CHARS],
		},
		update_modified=False,
	)


# ─────────────────────────── verification ───────────────────────────


def sealed_files(application: str, doctype: str = APPLICATION) -> list[dict]:
	return frappe.get_all(
		"File",
		filters={
			"attached_to_doctype": doctype,
			"attached_to_name": application,
			"attached_to_field": FIELD,
		},
		fields=["name", "file_url", "file_name", "creation"],
		order_by="creation desc",
	)


def describe(results: list[dict]) -> list[dict]:
	"""pyHanko's results, with the department each certificate was issued to (by its serial)."""
	out = []
	for r in results:
		cert = frappe.db.get_value(
			certificates.DOCTYPE,
			{"subject_name": r["signer"], "is_authority": 0},
			["district", "department", "status", "revoked_at"],
			as_dict=True,
			order_by="creation desc",
		)
		out.append(
			{
				"field": r["field"],
				"department": (cert.department if cert else None) or r["signer"],
				"district": cert.district if cert else None,
				"signer": r["signer"],
				"signing_time": str(r["signing_time"]) if r["signing_time"] else None,
				"reason": r["reason"],
				"intact": r["intact"],
				"valid": r["valid"],
				"trusted": r["trusted"],
				"revoked": r["revoked"],
				"revoked_at": str(r["revoked_at"]) if r["revoked_at"] else None,
				"revocation_checked": r["revocation_checked"],
				"coverage": r["coverage"],
				"modification_level": r["modification_level"],
				"later_changes_allowed": bool(r["docmdp_ok"]),
				"bottom_line": r["bottom_line"],
				"summary": r["summary"],
			}
		)
	return out


def verify_pdf(pdf: bytes) -> list[dict]:
	return describe(signing.verify(pdf, certificates.trust_roots(), [certificates.crl()]))


@frappe.whitelist(methods=["GET"])
def verify_sealed_pdf(name: str, file: str | None = None, doctype: str = APPLICATION) -> dict:
	"""The sealed 附件1 of a case or 附件2 of a list (the newest, or `file`, an earlier one attached to it) as
	pyHanko validates it against the city's root and CRL: per signature, department, signer, signing time,
	intact / valid / trusted / revoked, and whether the later changes are allowed ones. For whoever may read
	the document."""

	if not isinstance(doctype, str):
		frappe.throw(_("「单据类型」须为文字。"), frappe.ValidationError)
	kind_of(doctype)
	doc = load(doctype, name)
	files = sealed_files(doc.name, doctype)
	if file is not None and not isinstance(file, str):
		frappe.throw(_("「文件」须为文字。"), frappe.ValidationError)
	chosen = next((f for f in files if file in (f.name, f.file_url)), None) if file else None
	if file and not chosen:
		raise frappe.DoesNotExistError(_("「文件」不是本申报书的电子签章文件。"))
	chosen = chosen or next((f for f in files if f.file_url == doc.get(FIELD)), None)
	if not chosen:
		return {
			"status": doc.get("sealed_form_status") or "",
			"note": doc.get("sealed_form_note") or "",
			"file": None,
			"signatures": [],
			"history": [],
		}
	content = frappe.get_doc("File", chosen.name).get_content()
	return {
		"status": doc.get("sealed_form_status") or "",
		"note": doc.get("sealed_form_note") or "",
		"file": chosen.file_url,
		"file_name": chosen.file_name,
		"signatures": verify_pdf(content),
		"history": [{"file": f.file_url, "created": str(f.creation)} for f in files],
		"root_certificate": "/api/method/case_selection.signing.certificates.root_certificate_pem",
		"validated_at": str(now_datetime().replace(microsecond=0)),
	}


__all__ = ["enqueue", "mark", "run", "sweep", "verify_sealed_pdf"]
