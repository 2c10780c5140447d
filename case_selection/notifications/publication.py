"""Telling everyone when a round's results are published: each applicant their case's result, each district's
officers that the round is out. One Notification per case can be hundreds of emails, so it runs on the RQ
queue after the publication is committed (the results are visible the moment the round is published; the
messages follow within seconds)."""

import frappe

from case_selection.deadlines import DOCTYPE as DEADLINE
from case_selection.deadlines import name_of
from case_selection.notifications import RESULT_PUBLISHED, RESULTS_PUBLISHED, fire
from case_selection.workflows import states

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


def notify_round(round_name: str):
	"""The RQ job: runs as the city user who published."""
	cases = frappe.get_all(
		"Case Application",
		filters={"round": round_name, "workflow_state": ("in", states.final_states() or [""])},
		fields=["name", "district"],
		order_by="name asc",
	)
	for case in cases:
		fire("Case Application", case.name, RESULT_PUBLISHED)
	for district in sorted({c.district for c in cases}):
		name = name_of(round_name, district)
		if frappe.db.exists(DEADLINE, name):
			fire(DEADLINE, name, RESULTS_PUBLISHED)
