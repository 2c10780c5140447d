# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt

from case_selection.access import sealing
from case_selection.access.actors import expert_role
from case_selection.exceptions import ReviewError
from case_selection.review import blind, service


class CaseReview(Document):
	def validate(self):
		self.validate_expert()
		if self.is_new():
			service.refuse_conflicts(self)  # in the library, no conflict with the case (review/service.py)
		blind.fill(self)  # a blind round's review carries the case without who applied (review/blind.py)
		self.fill_criteria()
		self.validate_recusal()
		self.validate_scores()
		self.compute_total()

	def on_update(self):
		self.update_application_score()

	@property
	def round_criteria(self) -> list:
		round_name = frappe.db.get_value("Case Application", self.application, "round")
		return list(frappe.get_cached_doc("Selection Round", round_name).review_criteria)

	def validate_expert(self):
		if self.is_new() and expert_role() not in frappe.get_roles(self.expert):
			frappe.throw(_("「评审专家」{0} 没有评审专家角色。").format(self.expert), ReviewError)

	def fill_criteria(self):
		"""Criteria and weights come from the application's round, as the city configured them; the write
		policy lets nobody add, remove or reweigh a row afterwards."""
		if not self.is_new():
			return
		self.scores = []
		for c in self.round_criteria:
			self.append("scores", {"criterion": c.criterion, "weight": c.weight})

	def validate_recusal(self):
		"""An expert who recuses says why and scores nothing; the review then counts in no average, count or
		comparison (status Recused). Withdrawing the recusal (unticking) makes the review scoreable again."""
		if not self.recused:
			self.recusal_reason = None
			return
		if not (self.recusal_reason or "").strip():
			frappe.throw(_("「回避理由」不能为空：申请回避须写明理由。"), ReviewError)
		if any(r.score for r in self.scores):
			frappe.throw(_("已勾选「申请回避」，不能再填写「得分」；请先清空评分。"), ReviewError)

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
		"""The weighted total, with the weights of the round's criteria (never a row's own copy)."""
		weights = {c.criterion: flt(c.weight) for c in self.round_criteria}
		self.total_score = sum(flt(r.score) * weights.get(r.criterion, 0) / 100 for r in self.scores)
		if self.recused:
			self.status = "Recused"
		else:
			self.status = "Scored" if any(r.score for r in self.scores) else "Assigned"

	def update_application_score(self):
		rows = frappe.get_all(
			"Case Review", filters={"application": self.application, "status": "Scored"}, pluck="total_score"
		)
		# The average is the city's: it is stored on the case's evaluation (access/sealing.py), never on the case.
		sealing.set_values(
			self.application,
			{"review_score": sum(rows) / len(rows) if rows else 0, "review_count": len(rows)},
		)
