# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe.model.document import Document

from case_selection.jobs import service


class CaseExportJob(Document):
	"""A background export (city summary xlsx or casebook): written by case_selection.jobs only."""

	@frappe.whitelist()
	def retry(self) -> dict:
		"""Queue a failed job again: whoever may read the job may ask for the same export once more."""
		self.check_permission("read")
		return service.retry(self)
