# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt

from case_selection.exceptions import ReviewError


class CaseReview(Document):
	def before_insert(self):
		self.fill_criteria()

	def validate(self):
		self.validate_scores()
		self.compute_total()

	def on_update(self):
		self.update_application_score()

	def fill_criteria(self):
		"""Criteria and weights come from the application's round, as the city configured them."""
		if self.scores:
			return
		round_name = frappe.db.get_value("Case Application", self.application, "round")
		for c in frappe.get_cached_doc("Selection Round", round_name).review_criteria:
			self.append("scores", {"criterion": c.criterion, "weight": c.weight})

	def validate_scores(self):
		scored = any(r.score for r in self.scores)
		for r in self.scores:
			if r.score is not None and not 0 <= flt(r.score) <= 100:
				frappe.throw(
					_("「得分」须在 0—100 之间（{0}：{1}）。").format(r.criterion, r.score), ReviewError
				)
		if scored and not self.no_conflict_declared:
			frappe.throw(
				_("「本人与该案例申报单位无利益冲突」须勾选后才能评分；如有利益冲突请申请回避。"), ReviewError
			)

	def compute_total(self):
		self.total_score = sum(flt(r.score) * flt(r.weight) / 100 for r in self.scores)
		self.status = "Scored" if any(r.score for r in self.scores) else "Assigned"

	def update_application_score(self):
		rows = frappe.get_all(
			"Case Review", filters={"application": self.application, "status": "Scored"}, pluck="total_score"
		)
		frappe.db.set_value(
			"Case Application",
			self.application,
			{"review_score": sum(rows) / len(rows) if rows else 0, "review_count": len(rows)},
			update_modified=False,
		)
