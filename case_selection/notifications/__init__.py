"""Notifications as data: Frappe Notification records (Desk → Notification), installed once and then the
admins' to edit (subject, message, channel, recipients, on/off), like the Workflow.

The app decides *when* something happened and *who may read it*; the records decide what is said and how
(system notification in Desk, and an email in the Email Queue). The moments are documents' methods, which
Frappe's Notification can listen to ("Method" event, `run_method`):

- `on_cosign_requested` (Case Application, District Recommendation List): co-signing opened, or opened again
  (submitted, returned by the city, a list assembled or changed);
- `on_returned_for_revision` (Case Application): back to the applicant to revise;
- `on_submitted_to_city` (District Recommendation List): the district's list reached the city;
- `on_result_published` (Case Application) and `on_results_published` (District Deadline): the round's
  results were published (a background job, see publication.py);
plus the platform's own events: a new Case Review (the expert), and "Days Before" the date
`District Deadline.remind_on` (the reminder, from Frappe's daily scheduler).

Recipients are never "every user of a role" where that role spans districts (Frappe's "receiver by role" would
tell every district): co-signing requests go to the document's assignees (Frappe assignments the system
keeps, assignments.py), a district's reminders to the officers the system lists on its District Deadline, the
applicant by the document's owner, the expert by the review's expert; only the city, whose users may all read
every list at the city, is addressed by role.
"""

import frappe

from case_selection.overrides import notification_log
from case_selection.workflow.action_log import state_label

COSIGN_REQUESTED = "on_cosign_requested"
RETURNED_FOR_REVISION = "on_returned_for_revision"
SUBMITTED_TO_CITY = "on_submitted_to_city"
RESULT_PUBLISHED = "on_result_published"
RESULTS_PUBLISHED = "on_results_published"


def fire(doctype: str, name: str, event: str):
	"""Tells Frappe's Notifications listening to `event` that it happened. In a web request this rides in the
	request's one background job, after its commit (overrides/notification_log.py): a Notification's email is
	composed there (its template rendered, styles inlined, a Communication and an Email Queue row written:
	about 130 ms of a submission's 240 ms when it was done in the request), not while the submitter waits.
	In a job, or under the test runner, at once."""
	if notification_log.deferring():
		notification_log.defer(FIRE_NOW, doctype=doctype, name=name, event=event)
	else:
		fire_now(doctype, name, event)


def fire_now(doctype: str, name: str, event: str):
	"""Runs `event` on a fresh copy of the document: Frappe's Notifications listening to it send (Frappe reloads
	the document before sending, so they read what is stored)."""
	frappe.get_doc(doctype, name).run_method(event)


FIRE_NOW = f"{__name__}.fire_now"


def case_state_label(state: str | None) -> str:
	"""Jinja (hooks.jinja): a case's state in words for the messages — the name an admin gave it in the settings,
	else its Chinese translation, whatever language the sending process runs in."""

	return state_label(state, "Case Application")
