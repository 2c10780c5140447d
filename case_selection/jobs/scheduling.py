"""The app's minute sweeper runs on the short queue, not behind the default queue's backlog.

Frappe puts every scheduled job that is not "Long" on the default queue. That is the queue a deadline day fills:
a burst of signatures and lists queues a notification job per assignment, a deletion queues its link clean-up,
and make chaos saw 427 jobs there while MariaDB came back — with the sweeper's own job queued behind them, so
the jobs it exists to recover (jobs/recovery.py, service.sweep) waited for minutes. Frappe chooses the queue in
`ScheduledJobType.get_queue_name`; this class (hooks.override_doctype_class) picks the short queue for the jobs
in SHORT, which both of `make prod`'s workers read (the short worker first) and `bench worker` reads first.
"""

from frappe.core.doctype.scheduled_job_type.scheduled_job_type import ScheduledJobType

SHORT = {"case_selection.jobs.service.sweep"}


class CaseScheduledJobType(ScheduledJobType):
	def get_queue_name(self):
		return "short" if self.method in SHORT else super().get_queue_name()
