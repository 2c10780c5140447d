"""Orchestration of the background exports (see the package docstring).

Life of a job: `enqueue_*` (web request, after the caller's permission check) inserts a `Case Export Job`
in Queued and puts `run` on an RQ queue after the commit; `run` (RQ worker, as the requesting user, so
every read keeps that user's permissions) takes the per-round lock, renders, attaches the file, and marks
the job Completed or Failed with the reason; either way the requester gets a Desk notification.

Two jobs of the same kind for the same round never run at once:
- at enqueue time an active city summary of the round is reused, and a casebook already being generated for
  the same collection is refused;
- at run time a Redis lock keyed by site, kind and round serialises jobs that still meet (two requests in
  the same instant, several workers); it expires by itself if a worker dies, so a crash never leaves a round
  locked for good. Redis is the same server every app server and worker of the bench already shares.
"""

import threading
from contextlib import contextmanager

import frappe
from frappe import _
from frappe.utils import now_datetime, time_diff_in_seconds
from frappe.utils.background_jobs import get_job

from case_selection.access.system_write import system_write
from case_selection.export import casebook, excel
from case_selection.jobs import recovery
from case_selection.jobs.liveness import STALE_AFTER, rq_alive
from case_selection.notifications import publication
from case_selection.signing import sealed_form

CITY_SUMMARY = "City Summary"
CASEBOOK = "Casebook"
ACTIVE = ("Queued", "Running")
QUEUE = {CITY_SUMMARY: "long", CASEBOOK: "long"}
JOB_TIMEOUT = 1800  # seconds; RQ stops a job after this and the job records the timeout as its reason
LOCK_WAIT = 600  # seconds a job waits for another job of the same round before giving up (retryable)
LOCK_TTL = 90  # seconds the round's lock outlives its last renewal (a killed worker renews nothing)
ERROR_CHARS = 4000
MAX_ATTEMPTS = 3  # runs of one export the sweeper starts before it marks the export failed


class ExportJobError(frappe.ValidationError):
	pass


class RoundBusyError(ExportJobError):
	pass


def rq_job_id(job_name: str) -> str:
	return f"case_export::{job_name}"


# ─────────────────────────── enqueue (web request) ───────────────────────────


def active_job(job_type: str, round_name: str | None, exclude: str | None = None, **filters) -> str | None:
	"""The Queued/Running job of this kind and round (and `filters`), if its RQ job is really still there. A
	job whose worker died (killed, machine restarted) is marked Failed here, so it no longer blocks."""
	filters.update({"job_type": job_type, "round": round_name or "", "status": ("in", ACTIVE)})
	if exclude:
		filters["name"] = ("!=", exclude)
	for name in frappe.get_all("Case Export Job", filters=filters, pluck="name", order_by="creation asc"):
		job = frappe.get_doc("Case Export Job", name)
		if not is_stale(job):
			return name
		mark_failed(job, _("后台工作进程中断，任务未完成（可重试）"))
	return None


def is_stale(job) -> bool:
	"""Active in the table but not alive in RQ: gone from it (Redis restarted or flushed), failed there without
	reaching the job's own handler (the work horse killed), or started by a worker that stopped beating (the
	worker killed). A job queued moments ago is not stale: its RQ job is created only once the request that
	queued it commits."""
	if rq_alive(rq_job_id(job.name)):
		return False
	if job.status == "Queued" and job.queued_at:
		return time_diff_in_seconds(now_datetime(), job.queued_at) > STALE_AFTER
	return True


def sweep():
	"""Scheduler, every minute: the exports the app owes its users are recovered from the database, not from
	Redis (RQ keeps its queue there without persistence). An active Case Export Job that is no longer alive in
	RQ is queued again, up to MAX_ATTEMPTS runs, then marked failed with the reason; a published round whose
	results have not all been told gets its notification job again (it resumes where it stopped); a case whose
	sealed 附件1 is still Queued with no job alive gets its sealing job again (signing.sealed_form); Frappe's
	notification and import jobs that failed because the database was away run again (jobs.recovery)."""

	for name in frappe.get_all(
		"Case Export Job", filters={"status": ("in", ACTIVE)}, pluck="name", order_by="creation asc"
	):
		job = frappe.get_doc("Case Export Job", name)
		if not is_stale(job):
			continue
		if (job.attempts or 0) >= MAX_ATTEMPTS:
			mark_failed(job, _("后台工作进程中断 {0} 次，任务未完成（可重试）").format(job.attempts))
			continue
		job.db_set(
			{
				"status": "Queued",
				"progress_note": _("后台工作进程中断，已重新排队"),
				"queued_at": now_datetime(),
			}
		)
		put_on_queue(job)
		frappe.db.commit()  # scheduler job: each recovered export is queued once this commits
	publication.sweep()
	sealed_form.sweep()
	recovery.requeue_outage_failures()


def new_job(job_type: str, round_name: str | None, **values):
	job = frappe.get_doc(
		{
			"doctype": "Case Export Job",
			"job_type": job_type,
			"round": round_name,
			"status": "Queued",
			"progress": 0,
			"queued_at": now_datetime(),
			**values,
		}
	)
	# Users cannot create jobs (write policy: the system's); the callers checked the export permission.
	with system_write():
		job.insert(ignore_permissions=True)
	return job


def put_on_queue(job) -> None:
	"""Queue the job's run. The caller found it new or no longer alive in RQ: what RQ still holds under its id
	(a failed run, or a run "started" by a dead worker, which RQ would later mark failed) is dropped first, or
	the deduplicating enqueue would see it and queue nothing."""
	stale = get_job(rq_job_id(job.name))
	if stale is not None:
		stale.delete()
	frappe.enqueue(
		"case_selection.jobs.service.run",
		queue=QUEUE[job.job_type],
		timeout=JOB_TIMEOUT,
		job_id=rq_job_id(job.name),
		deduplicate=True,
		enqueue_after_commit=True,
		at_front=True,  # ahead of the seals waiting on the same queue (signing.sealed_form)
		export_job=job.name,  # not job_name: frappe.enqueue keeps that one for RQ's job description
	)


def enqueue_city_summary(round_name: str | None) -> dict:
	"""Queue the city summary of a round (the caller checked the city role). An active job of the same round
	is returned instead of a second one."""
	existing = active_job(CITY_SUMMARY, round_name)
	if existing:
		return {"job": existing, "already_running": True}
	job = new_job(CITY_SUMMARY, round_name)
	put_on_queue(job)
	return {"job": job.name, "already_running": False}


def enqueue_casebook(collection) -> dict:
	"""Queue the casebook of a Case Collection (the caller checked write permission on it). Another
	collection of the same round may be queued meanwhile: it waits for the round's lock when it runs."""
	if active_job(CASEBOOK, collection.round, case_collection=collection.name):
		frappe.throw(_("案例集正在生成，请稍候"), casebook.CasebookError)
	if not collection.cases:
		casebook.load_selected(collection)
	if not collection.cases:
		frappe.throw(_("遴选轮次 {0} 还没有入选案例").format(collection.round), casebook.CasebookError)
	collection.save()  # the cases the user chose go through the write policy; the status is the system's
	with system_write():
		collection.db_set({"status": "Queued", "error": None})
	job = new_job(CASEBOOK, collection.round, case_collection=collection.name)
	put_on_queue(job)
	return {"queued": True, "job": job.name}


def retry(job) -> dict:
	"""Queue a failed job again (or one whose worker died); the reason of the last failure stays in the
	Error Log."""
	if job.status in ACTIVE and not is_stale(job):
		frappe.throw(_("任务仍在运行，无需重试"), ExportJobError)
	if job.status == "Completed":
		frappe.throw(_("任务已完成，无需重试"), ExportJobError)
	same = {"case_collection": job.case_collection} if job.job_type == CASEBOOK else {}
	busy = active_job(job.job_type, job.round, exclude=job.name, **same)
	if busy:
		frappe.throw(_("同一导出已有任务在运行（{0}），请待其完成").format(busy), RoundBusyError)
	if job.job_type == CASEBOOK:
		collection = frappe.get_doc("Case Collection", job.case_collection)
		collection.check_permission("write")
		collection.db_set({"status": "Queued", "error": None})
	job.db_set(
		{"status": "Queued", "progress": 0, "progress_note": "", "error": None, "queued_at": now_datetime()}
	)
	put_on_queue(job)
	return {"job": job.name}


# ─────────────────────────── run (RQ worker) ───────────────────────────


def round_lock(job):
	"""The round's lock lives LOCK_TTL seconds unless its holder renews it (kept_alive): a worker killed with
	SIGKILL stops renewing, and the next job of the round runs LOCK_TTL seconds later, not after the job's
	whole timeout."""
	key = frappe.cache.make_key(f"case_export_lock:{job.job_type}:{job.round or ''}")
	# not thread-local: kept_alive renews it from its own thread
	return frappe.cache.lock(key, timeout=LOCK_TTL, blocking_timeout=LOCK_WAIT, thread_local=False)


@contextmanager
def kept_alive(lock):
	"""Renews `lock` every LOCK_TTL / 3 seconds from a thread while the job runs (a render may take minutes
	between two steps)."""
	stop = threading.Event()

	def renew():
		while not stop.wait(LOCK_TTL / 3):
			try:
				lock.reacquire()
			except Exception:  # lost meanwhile (Redis restarted): the job finishes; its round is unlocked
				return

	thread = threading.Thread(target=renew, daemon=True, name="case-export-lock")
	thread.start()
	try:
		yield
	finally:
		stop.set()
		thread.join(timeout=5)


def run(export_job: str):
	"""The RQ entry point. Commits are explicit: this is a background job, and each step must be visible
	to the user's Desk (and survive a later failure) as it happens."""
	job = frappe.get_doc("Case Export Job", export_job)
	frappe.set_user_lang(job.owner)  # RQ starts in the system default; the file and messages speak the user's
	if job.status not in ACTIVE:
		return  # retried or finished meanwhile
	lock = round_lock(job)
	if not lock.acquire():
		mark_failed(
			job, _("同一轮次的另一项导出任务运行超过 {0} 秒，本任务未运行（可重试）").format(LOCK_WAIT)
		)
		return
	try:
		with kept_alive(lock):
			run_locked(job)
	finally:
		try:
			lock.release()
		except Exception:  # the lock expired (a job longer than its timeout): nothing left to release
			pass


def run_locked(job):
	"""The export itself, under its round's lock."""
	job.reload()
	if job.status not in ACTIVE:
		return  # the same job ran meanwhile (a second RQ execution waited for the lock)
	set_progress(
		job, 5, _("开始"), status="Running", started_at=now_datetime(), attempts=(job.attempts or 0) + 1
	)
	try:
		file_url = RUNNERS[job.job_type](job)
	except Exception as exc:
		frappe.db.rollback()
		reason = failure_reason(exc)
		frappe.log_error(
			title=_("后台导出失败：{0}").format(job.name),
			reference_doctype=job.doctype,
			reference_name=job.name,
		)
		job.reload()
		mark_failed(job, reason)
		return
	job.reload()
	set_progress(
		job, 100, _("完成"), status="Completed", file=file_url, finished_at=now_datetime(), error=None
	)
	notify(job, _("{0}已生成").format(_(job.job_type)), file_url)
	collection_done(job, "Generated", None)


def set_progress(job, percent: float, note: str, **values):
	job.db_set({"progress": percent, "progress_note": note, **values}, notify=True)
	frappe.db.commit()  # background job: the Desk form and list show each step as it happens
	frappe.publish_progress(
		percent, title=_(job.job_type), doctype=job.doctype, docname=job.name, description=note
	)


def mark_failed(job, reason: str):
	job.db_set(
		{"status": "Failed", "error": reason[-ERROR_CHARS:], "finished_at": now_datetime()}, notify=True
	)
	if job.job_type == CASEBOOK and job.case_collection:
		frappe.db.set_value(
			"Case Collection", job.case_collection, {"status": "Failed", "error": reason[-2000:]}
		)
	frappe.db.commit()  # background job (or a stale job found by a request): the failure must persist
	notify(job, _("{0}生成失败：{1}").format(_(job.job_type), first_line(reason)), None)
	collection_done(job, "Failed", first_line(reason))


def collection_done(job, status: str, error: str | None):
	"""The Case Collection form reloads on this event (case_collection.js)."""
	if job.job_type == CASEBOOK and job.case_collection:
		frappe.publish_realtime(
			"case_collection_generated",
			{"name": job.case_collection, "status": status, "error": error},
			doctype="Case Collection",
			docname=job.case_collection,
		)


def failure_reason(exc: Exception) -> str:
	"""The message a user can act on first (frappe.throw's text, or the exception), then the traceback for
	the administrator."""
	message = frappe.utils.strip_html(str(exc)).strip() or type(exc).__name__
	frappe.clear_messages()
	return f"{message}\n\n{frappe.get_traceback(with_context=False)}"


def first_line(text: str) -> str:
	lines = [line for line in (text or "").splitlines() if line.strip()]
	return lines[0][:200] if lines else ""


def notify(job, subject: str, file_url: str | None):
	"""A Desk notification (the bell) to the requester, linking the job; the file link when there is one."""
	content = ""
	if file_url:
		content = f'<a href="{frappe.utils.escape_html(file_url)}">{_("下载文件")}</a>'
	frappe.get_doc(
		{
			"doctype": "Notification Log",
			"for_user": job.owner,
			"from_user": job.owner,
			"type": "Alert",
			"document_type": job.doctype,
			"document_name": job.name,
			"subject": frappe.utils.escape_html(subject),
			"email_content": content,
		}
	).insert(ignore_permissions=True)  # written by the system for the job's owner, about the owner's job
	frappe.db.commit()  # background job: the notification must outlive the job
	frappe.publish_realtime(
		"case_export_job",
		{
			"name": job.name,
			"status": job.status,
			"job_type": job.job_type,
			"file": file_url,
			"subject": subject,
		},
		user=job.owner,
		after_commit=False,
	)


# ─────────────────────────── the two exports ───────────────────────────


@frappe.read_only()
def read_city_summary(job) -> tuple[bytes, int]:
	"""Every query of the city summary (rows, districts' order, round title) goes to the read replica when
	the site has one (`read_from_replica`); without one it runs on the primary as before."""
	rows = excel.summary_rows(job.round or None)
	frappe.publish_progress(
		40, title=_(job.job_type), doctype=job.doctype, docname=job.name, description=_("生成 Excel")
	)
	return excel.city_summary_xlsx(job.round or None, rows), len(rows)


def run_city_summary(job) -> str:
	set_progress(job, 10, _("读取推荐案例"))
	content, count = read_city_summary(job)
	set_progress(job, 90, _("保存文件（{0} 项）").format(count))
	filename = _("推荐案例汇总表_{0}.xlsx").format(job.round or _("全部"))
	return save_file(job, filename, content)


def run_casebook(job) -> str:
	"""The casebook's own steps (casebook.generate) publish their progress to the Case Collection form."""
	collection = frappe.get_doc("Case Collection", job.case_collection)
	collection.db_set("status", "Generating", notify=True)
	set_progress(job, 10, _("排版案例集（进度见案例集表单）"))
	casebook.generate(collection, progress=True)
	frappe.db.commit()  # background job: the generated collection is kept even if the notification fails
	return collection.generated_file


def save_file(job, filename: str, content: bytes) -> str:
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": filename,
			"attached_to_doctype": job.doctype,
			"attached_to_name": job.name,
			"attached_to_field": "file",
			"is_private": 1,
			"content": content,
		}
	)
	# The job's owner may read the job (city role) but not write it; the file belongs to the job.
	with system_write():
		file.insert(ignore_permissions=True)
	return file.file_url


RUNNERS = {CITY_SUMMARY: run_city_summary, CASEBOOK: run_casebook}
