# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.workflow import get_transitions
from frappe.utils import getdate, nowdate

from case_selection import workflows as wf
from case_selection.cosign import rules
from case_selection.cosign.service import clear_opinions
from case_selection.exceptions import (
	ApplicationValidationError,
	CosignError,
	DeadlinePassedError,
	DuplicateApplicationError,
)
from case_selection.history import log_action
from case_selection.validation import count_chars, is_email, is_mobile, uscc_problem

CONTENT_LIMITS = {
	"background": "limit_background",
	"approach": "limit_approach",
	"innovation": "limit_innovation",
	"results": "limit_results",
	"promotion_value": "limit_promotion",
}
# 四、申报承诺: the conditions of notice 二(一)(三), in its order, each a check box worded as on the print.
DECLARATIONS = (
	"decl_legal_person",
	"decl_finance",
	"decl_no_bad_record",
	"decl_truthful",
	"decl_political",
	"decl_no_secret",
	"decl_ip_clear",
)
# Filled in by the co-signing and review code only (through db_set), never by a user's save.
SYSTEM_FIELDS = ("cosign_status", "recommendation_list", "review_score", "review_count")
# The city's own entries on a case.
CITY_FIELDS = ("formal_check", "formal_check_remark", "city_remark")
CITY_EDITORS = ("City Case Manager", "System Manager")
# What the district and the city add after the applicant is done; everything else is the applicant's text.
PROCESS_FIELDS = {
	"workflow_state",
	"cosign_status",
	"recommendation_list",
	"formal_check",
	"formal_check_remark",
	"review_score",
	"review_count",
	"city_remark",
	"modified",
	"modified_by",
}
COSIGN_ACTIONS = {
	rules.AGREED: "Co-sign Agreed",
	rules.DISAGREED: "Co-sign Disagreed",
	rules.RETURNED: "Co-sign Returned",
}


class CaseApplication(Document):
	def validate(self):
		self.normalise()
		self.validate_round_open()
		self.validate_uscc()
		self.validate_contact()
		self.validate_direction()
		self.validate_period()
		self.validate_finance_years()
		self.validate_word_limits()
		self.validate_duplicate()
		self.validate_locked()
		self.validate_process_fields()
		if self.leaving_editable_state():
			self.validate_declarations()
			self.validate_deadline()

	def on_update(self):
		self.record_state_change()

	# Validation steps ----------------------------------------------------------------------------

	def label(self, fieldname: str) -> str:
		return _(self.meta.get_label(fieldname))

	def refuse(self, fieldname: str, message: str, exc=ApplicationValidationError):
		frappe.throw(_("「{0}」{1}").format(self.label(fieldname), message), exc, title=_("申报书填写有误"))

	def normalise(self):
		for field in ("uscc", "contact_mobile", "contact_email", "unit_name", "case_title"):
			if self.get(field):
				self.set(field, self.get(field).strip())
		if self.uscc:
			self.uscc = self.uscc.upper()

	@property
	def round_doc(self):
		return frappe.get_cached_doc("Selection Round", self.round)

	def validate_round_open(self):
		if self.is_new() and self.round_doc.status != "Open":
			self.refuse(
				"round",
				_("「{0}」当前不在申报期（状态：{1}），不能新建申报书。").format(
					self.round_doc.round_title, _(self.round_doc.status)
				),
			)

	def validate_uscc(self):
		problem = uscc_problem(self.uscc)
		if problem:
			self.refuse("uscc", _(problem) + _("：{0}").format(self.uscc))

	def validate_contact(self):
		if not is_mobile(self.contact_mobile):
			self.refuse(
				"contact_mobile", _("应为11位手机号码（当前为「{0}」）。").format(self.contact_mobile)
			)
		if self.contact_email and not is_email(self.contact_email):
			self.refuse("contact_email", _("格式不正确（当前为「{0}」）。").format(self.contact_email))

	def validate_direction(self):
		if self.direction not in self.round_doc.allowed_directions():
			self.refuse(
				"direction", _("「{0}」不在本轮（{1}）的遴选方向中。").format(self.direction, self.round)
			)
		is_other = frappe.get_cached_value("Selection Direction", self.direction, "is_other")
		self.is_other_mode = is_other
		if is_other and not (self.other_mode_description or "").strip():
			self.refuse("other_mode_description", _("选择「其他创新模式」时须描述该模式。"))

	def validate_period(self):
		if self.implementation_start and self.implementation_end:
			if getdate(self.implementation_end) < getdate(self.implementation_start):
				self.refuse("implementation_end", _("不得早于实施开始时间。"))

	def validate_finance_years(self):
		for row in self.finance_years:
			if (row.revenue or 0) < 0 or (row.rd_spend or 0) < 0:
				frappe.throw(
					_("「近三年营业收入与研发投入」第 {0} 行：金额不能为负数。").format(row.idx),
					ApplicationValidationError,
				)

	def validate_word_limits(self):
		for field, limit_field in CONTENT_LIMITS.items():
			limit = self.round_doc.get(limit_field) or 0
			used = count_chars(self.get(field))
			if limit and used > limit:
				self.refuse(field, _("超过字数限制：{0} 字，本轮限 {1} 字。").format(used, limit))

	def validate_duplicate(self):
		other = frappe.db.get_value(
			"Case Application",
			{
				"round": self.round,
				"unit_name": self.unit_name,
				"case_title": self.case_title,
				"name": ("!=", self.name or ""),
			},
		)
		if other:
			self.refuse(
				"case_title",
				_("重复申报：{0} 在本轮已申报同名案例（{1}）。").format(self.unit_name, other),
				DuplicateApplicationError,
			)

	def validate_locked(self):
		"""Once it leaves the applicant, the text is frozen: only the process fields may change."""
		before = self.get_doc_before_save()
		if not before or before.workflow_state in wf.EDITABLE_STATES:
			return
		for df in self.meta.fields:
			if df.fieldname in PROCESS_FIELDS or df.fieldtype in ("Section Break", "Column Break", "HTML"):
				continue
			if df.fieldtype == "Table":
				changed = [r.as_dict(no_default_fields=True) for r in self.get(df.fieldname)] != [
					r.as_dict(no_default_fields=True) for r in before.get(df.fieldname)
				]
			else:
				changed = self.get(df.fieldname) != before.get(df.fieldname) and (
					self.get(df.fieldname) or before.get(df.fieldname)
				)
			if changed:
				frappe.throw(
					_("申报书当前状态为「{0}」，「{1}」不能修改；如需修改请退回后再改。").format(
						_(before.workflow_state), self.label(df.fieldname)
					),
					ApplicationValidationError,
				)

	def validate_process_fields(self):
		"""The co-signing result, the list link and review scores cannot be typed in, through any door."""
		before = self.get_doc_before_save()

		def changed(field):
			old = before.get(field) if before else self.meta.get_field(field).default
			return (self.get(field) or None) != (old or None)

		for field in SYSTEM_FIELDS:
			if changed(field):
				self.refuse(field, _("由系统根据会签、报送和评审结果填写，不能直接修改。"))
		if not set(CITY_EDITORS) & set(frappe.get_roles()):
			for field in CITY_FIELDS:
				if changed(field):
					self.refuse(field, _("只能由市经济信息委填写。"))

	def leaving_editable_state(self) -> bool:
		before = self.get_doc_before_save()
		return bool(
			before and before.workflow_state in wf.EDITABLE_STATES and self.workflow_state == wf.SUBMITTED
		)

	def validate_declarations(self):
		for field in DECLARATIONS:
			if not self.get(field):
				self.refuse(field, _("须勾选确认后才能提交（申报承诺）。"))

	def validate_deadline(self):
		deadline = self.round_doc.deadline_for(self.district)
		if getdate(nowdate()) > deadline:
			frappe.throw(
				_("已超过「{0}」的报送截止日期 {1}，不能提交。").format(self.district, deadline),
				DeadlinePassedError,
				title=_("已过截止日期"),
			)

	# Flow -----------------------------------------------------------------------------------------

	def record_state_change(self):
		before = self.get_doc_before_save()
		old = before.workflow_state if before else None
		if old == self.workflow_state:
			return
		if self.workflow_state == wf.SUBMITTED:
			# A (re)submission starts a fresh round of signatures.
			clear_opinions(self.doctype, self.name)
			self.db_set("cosign_status", rules.PENDING, update_modified=False)
		log_action(self, transition_action(old, self.workflow_state) or _("新建"), old, self.workflow_state)

	def assert_cosign_open(self):
		if self.workflow_state not in wf.COSIGN_OPEN_STATES:
			frappe.throw(
				_("申报书当前状态为「{0}」，不在区县会签阶段。").format(_(self.workflow_state)), CosignError
			)

	def apply_cosign_outcome(self, outcome: str):
		"""Moves the case along the Workflow's own transitions once the co-signing rule has decided."""
		self.db_set("cosign_status", outcome, update_modified=False)
		if outcome == rules.PENDING:
			if self.workflow_state == wf.SUBMITTED:
				self.advance("Start Co-signing")
			return
		self.advance(COSIGN_ACTIONS[outcome])

	def advance(self, action: str):
		"""Takes the Workflow transition named `action`, as the current user's roles and its condition allow.

		Unlike apply_workflow it does not need write permission: 科技 and 教育 only sign, and their right to
		sign was checked by the co-signing service before this is called. Callers pass a document they loaded
		under the row lock, so it is current.
		"""
		transition = next((t for t in get_transitions(self) if t.action == action), None)
		if not transition:
			frappe.throw(
				_("当前状态「{0}」下不能执行「{1}」。").format(_(self.workflow_state), _(action)),
				frappe.model.workflow.WorkflowTransitionError,
			)
		self.workflow_state = transition.next_state
		self.flags.ignore_permissions = True
		self.save()


def on_doctype_update():
	# The duplicate check of every save looks up (round, unit, title); without this index it scans the table.
	frappe.db.add_index("Case Application", ["round", "unit_name", "case_title"], "round_unit_title")
	# A district's list, newest first, reads its first page straight from this index. With an index on
	# district alone MariaDB preferred walking the creation index backwards, which for a district whose
	# cases are old meant thousands of row lookups (a 440 ms list page in the benchmark).
	frappe.db.add_index("Case Application", ["district", "creation"], "district_creation")


def transition_action(old: str | None, new: str) -> str | None:
	if not old:
		return None
	workflow = frappe.get_cached_doc("Workflow", wf.WORKFLOW_NAME)
	return next((t.action for t in workflow.transitions if t.state == old and t.next_state == new), None)
