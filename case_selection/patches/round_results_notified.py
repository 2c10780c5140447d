"""Selection Round.results_notified_on records that every message of a round's publication went out (the
sweeper, jobs.service.sweep, queues the messages again for a published round without it). Rounds published
before the field existed were told when they were published."""

import frappe

from case_selection.constants import PUBLISHED


def execute():
	for r in frappe.get_all(
		"Selection Round",
		filters={"status": PUBLISHED, "results_notified_on": ("is", "not set")},
		fields=["name", "modified"],
	):
		frappe.db.set_value(
			"Selection Round", r.name, "results_notified_on", r.modified, update_modified=False
		)
