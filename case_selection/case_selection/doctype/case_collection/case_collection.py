# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document

from case_selection.export import casebook
from case_selection.jobs import service


class CaseCollection(Document):
	def validate(self):
		self.validate_cases_in_round()
		self.remove_duplicate_cases()

	def validate_cases_in_round(self):
		names = [row.application for row in self.cases]
		if not names:
			return
		rounds = dict(
			frappe.get_all(
				"Case Application", filters={"name": ["in", names]}, fields=["name", "round"], as_list=True
			)
		)
		wrong = [n for n in names if rounds.get(n) != self.round]
		if wrong:
			frappe.throw(
				_("案例 {0} 不属于遴选轮次 {1}").format(", ".join(wrong), self.round),
				casebook.CasebookError,
			)

	def remove_duplicate_cases(self):
		"""One chapter per case, ordered by direction then district (SPEC §5) whatever order rows came in."""
		seen, rows = set(), []
		for row in self.cases:
			if row.application not in seen:
				seen.add(row.application)
				rows.append(row)
		self.cases = casebook.sort_cases(rows)
		for i, row in enumerate(self.cases, start=1):
			row.idx = i

	@frappe.whitelist()
	def load_selected_cases(self):
		"""Replace the list with the round's selected cases, ordered by direction then district."""
		self.check_permission("write")
		casebook.load_selected(self)
		self.save()

	@frappe.whitelist()
	def generate(self):
		"""Compile the PDF in the background (queue "long", a Case Export Job); progress is published to
		the form, and the requester is notified with the file when it is done."""
		self.check_permission("write")
		return service.enqueue_casebook(self)
