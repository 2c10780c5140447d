# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document

from case_selection.access.actors import expert_role
from case_selection.checks.formats import uscc_problem
from case_selection.exceptions import ReviewError


class ReviewExpert(Document):
	"""An expert of the city's library: the affiliations the conflict check reads (review/conflicts.py) and the
	directions and capacity the balanced assignment reads (review/assignment.py)."""

	def validate(self):
		if expert_role() not in frappe.get_roles(self.user):
			frappe.throw(_("「专家账号」{0} 没有评审专家角色。").format(self.user), ReviewError)
		self.unit_name = (self.unit_name or "").strip()
		self.uscc = (self.uscc or "").strip().upper()
		self.check_uscc(_("工作单位统一社会信用代码"), self.uscc)
		for row in self.past_units:
			row.unit_name = (row.unit_name or "").strip()
			row.uscc = (row.uscc or "").strip().upper()
			self.check_uscc(_("曾任职单位第 {0} 行的统一社会信用代码").format(row.idx), row.uscc)
		seen = set()
		for row in self.directions:
			if row.direction in seen:
				frappe.throw(_("「擅长的遴选方向」重复：{0}。").format(row.direction), ReviewError)
			seen.add(row.direction)

	@staticmethod
	def check_uscc(label: str, code: str):
		if not code:
			return
		problem = uscc_problem(code, label)
		if problem:
			frappe.throw(problem, ReviewError)
