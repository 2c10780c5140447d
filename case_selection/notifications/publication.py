"""Telling everyone when a round's results are published: each applicant their case's result, each district's
officers that the round is out. One Notification per case can be hundreds of emails, so it runs on the RQ
queue after the publication is committed (the results are visible the moment the round is published; the
messages follow within seconds)."""

import frappe
from frappe.utils import now_datetime, time_diff_in_seconds
from frappe.utils.background_jobs import get_job

from case_selection.constants import DEADLINE, PUBLISHED
from case_selection.jobs.liveness import STALE_AFTER, rq_alive
from case_selection.notifications import RESULT_PUBLISHED, RESULTS_PUBLISHED, fire
from case_selection.workflow import states
from case_selection.workflow.deadlines import name_of

JOB = "case_selection.notifications.publication.notify_round"


def job_id(round_name: str) -> str:
	return f"case_publication::{round_name}"


def enqueue(round_name: str):
	frappe.enqueue(
		JOB,
		queue="long",
		timeout=1800,
		job_id=job_id(round_name),
		deduplicate=True,
		enqueue_after_commit=True,
		now=frappe.flags.in_test,  # as Frappe's own notification jobs: at once under the test runner
		round_name=round_name,
	)


def told(round_name: str) -> list[tuple[str, str]]:
	"""What a round's publication tells, in a fixed order: each decided case (its applicant), then each district
	with a decided case (its officers)."""
	cases = frappe.get_all(
		"Case Application",
		filters={"round": round_name, "workflow_state": ("in", states.final_states() or [""])},
		fields=["name", "district"],
		order_by="name asc",
	)
	items = [("Case Application", c.name) for c in cases]
	for district in sorted({c.district for c in cases}):
		name = name_of(round_name, district)
		if frappe.db.exists(DEADLINE, name):
			items.append((DEADLINE, name))
	return items


def notify_round(round_name: str):
	"""The RQ job: runs as the city user who published. Each message is committed with the count of messages
	sent (Selection Round.results_notified), so a job cut off (worker killed, database or Redis restarted)
	resumes after the last message it committed when the sweeper (jobs.service.sweep) queues it again: nobody
	is told twice, nobody is missed."""
	done = frappe.db.get_value("Selection Round", round_name, "results_notified") or 0
	items = told(round_name)
	for i, (doctype, name) in enumerate(items):
		if i < done:
			continue
		fire(doctype, name, RESULT_PUBLISHED if doctype == "Case Application" else RESULTS_PUBLISHED)
		frappe.db.set_value("Selection Round", round_name, "results_notified", i + 1, update_modified=False)
		frappe.db.commit()  # background job: this message and the count that says it went out, together
	frappe.db.set_value(
		"Selection Round", round_name, "results_notified_on", now_datetime(), update_modified=False
	)
	frappe.db.commit()


def sweep():
	"""jobs.service.sweep: a published round whose results are not all told, with no job alive to tell them
	(Redis flushed or restarted, the worker killed), gets its job again."""

	for r in frappe.get_all(
		"Selection Round",
		filters={"status": PUBLISHED, "results_notified_on": ("is", "not set")},
		fields=["name", "modified"],
	):
		if rq_alive(job_id(r.name)) or time_diff_in_seconds(now_datetime(), r.modified) < STALE_AFTER:
			continue
		stale = get_job(job_id(r.name))
		if stale is not None:
			stale.delete()
		enqueue(r.name)
