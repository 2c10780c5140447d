# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.workflow import is_transition_condition_satisfied
from frappe.utils import add_days, cint, getdate, nowdate

from case_selection.access import sealing
from case_selection.access.system_write import in_system_write, system_write
from case_selection.access.write_policy import enforce_create
from case_selection.checks.formats import count_chars, is_email, is_mobile, uscc_problem
from case_selection.constants import EVALUATION
from case_selection.cosign import rules
from case_selection.cosign.service import clear_opinions
from case_selection.exceptions import (
	ApplicationValidationError,
	CosignError,
	DeadlinePassedError,
	DuplicateApplicationError,
	PublicNoticeError,
)
from case_selection.overrides.file import scan_problem
from case_selection.workflow import definition as wf
from case_selection.workflow import states
from case_selection.workflow.action_log import log_action

CONTENT_LIMITS = {
	"background": "limit_background",
	"approach": "limit_approach",
	"innovation": "limit_innovation",
	"results": "limit_results",
	"promotion_value": "limit_promotion",
}
COSIGN_ACTIONS = {
	rules.AGREED: wf.COSIGN_AGREED,
	rules.DISAGREED: wf.COSIGN_DISAGREED,
	rules.RETURNED: wf.COSIGN_RETURNED,
}


class CaseApplication(Document):
	def validate(self):
		self.normalise()
		self.validate_required()
		self.validate_round_open()
		self.validate_uscc()
		self.validate_contact()
		self.validate_direction()
		self.validate_period()
		self.validate_finance_years()
		self.validate_word_limits()
		self.validate_duplicate()
		self.validate_scan()
		self.validate_declarations()
		if self.leaving_editable_state():
			self.validate_deadline()
		self.validate_public_notice_kept()

	def on_update(self):
		self.record_state_change()

	def on_trash(self):
		"""The case's evaluation and the history logged against it go with the case."""
		frappe.db.delete("Case Action Log", {"reference_doctype": EVALUATION, "reference_name": self.name})
		frappe.db.delete(EVALUATION, {"name": self.name})

	def check_permission(self, permtype="read", permlevel=None):
		"""A new case outside its creator's reach (another district, a round their department does not lead)
		is refused by the write policy first, naming the field, instead of Frappe's generic "insufficient
		permission": the same answer through the form, REST and Data Import."""
		if permtype == "create" and self.is_new():
			enforce_create(self)
		super().check_permission(permtype, permlevel)

	# Sealed by storage (access/sealing.py): the row holds the public state, the Case Evaluation the real one.

	def load_from_db(self):
		super().load_from_db()
		if sealing.sees_city_stage():
			sealing.overlay(self)
		return self

	def db_insert(self, *args, **kwargs):
		real = sealing.project(self, None)
		try:
			super().db_insert(*args, **kwargs)
		finally:
			self.workflow_state = real
		sealing.keep_real(self, real)

	def db_update(self):
		before = self.get_doc_before_save()
		real = sealing.project(self, before.workflow_state if before else None)
		try:
			super().db_update()
		finally:
			self.workflow_state = real
		sealing.keep_real(self, real)

	def save_version(self):
		"""A Version of the case records what its readers may know: the states as the row stores them."""
		before = self._doc_before_save
		real, old = self.workflow_state, before.workflow_state if before else None
		self.workflow_state = sealing.public_state_of(real, self.round)
		if before:
			before.workflow_state = sealing.public_state_of(old, before.round)
		try:
			return super().save_version()
		finally:
			self.workflow_state = real
			if before:
				before.workflow_state = old

	def __getstate__(self):
		"""A pickled case (Frappe's document cache, shared by every user) holds the public state only."""
		state = super().__getstate__()
		state["workflow_state"] = sealing.public_state_of(state.get("workflow_state"), state.get("round"))
		flags = state.get("flags")
		if flags:
			state["flags"] = frappe._dict(
				{k: v for k, v in flags.items() if k not in ("case_city_view", "case_evaluation")}
			)
		return state

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

	def validate_required(self):
		"""Every required field left empty, named in one message (a row of an import of paper forms may miss
		several); the checks that follow rely on these."""
		missing = [self.label(df.fieldname) for df in self.meta.fields if df.reqd and is_empty(self, df)]
		for table in self.meta.get_table_fields():
			child = frappe.get_meta(table.options)
			for row in self.get(table.fieldname) or []:
				missing += [
					_("「{0}」第 {1} 行的「{2}」").format(self.label(table.fieldname), row.idx, _(df.label))
					for df in child.fields
					if df.reqd and is_empty(row, df)
				]
		if missing:
			frappe.throw(
				_("请填写：{0}。").format(
					"、".join(m if m.startswith("「") else f"「{m}」" for m in missing)
				),
				ApplicationValidationError,
				title=_("申报书填写有误"),
			)

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
		problem = uscc_problem(self.uscc, self.label("uscc"))
		if problem:
			frappe.throw(problem, ApplicationValidationError, title=_("申报书填写有误"))

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
		domain, is_other = frappe.get_cached_value(
			"Selection Direction", self.direction, ["domain", "is_other"]
		)
		self.domain, self.is_other_mode = domain, is_other
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

	def validate_scan(self):
		"""盖章申报书扫描件: a PDF or an image (JPG, PNG) of reasonable size, by its content, not only its name."""
		before = self.get_doc_before_save()
		if not self.signed_form_scan or (before and before.signed_form_scan == self.signed_form_scan):
			return
		problem = scan_problem(self.signed_form_scan)
		if problem:
			self.refuse("signed_form_scan", problem)

	def leaving_editable_state(self) -> bool:
		"""Handed in: from a state the applicant may edit to one they may not (e.g. 草稿 → 已提交区县)."""
		before = self.get_doc_before_save()
		return bool(
			before
			and states.has(before.workflow_state, "applicant_editable")
			and not states.has(self.workflow_state, "applicant_editable")
		)

	def validate_declarations(self):
		"""The round's 申报承诺事项 (Selection Round.declarations), exactly those: each required one ticked before
		the case enters the state the row names, or before the applicant hands the case in when it names none."""
		before = self.get_doc_before_save()
		if not before or before.workflow_state == self.workflow_state:
			return
		handing_in = self.leaving_editable_state()
		for row in self.round_doc.declarations:
			due = row.required_at == self.workflow_state if row.required_at else handing_in
			if not row.required or not due or cint(self.get(row.fieldname)):
				continue
			if row.required_at:
				self.refuse(
					row.fieldname,
					_("须勾选确认（申报承诺）后，案例才能进入「{0}」。").format(
						states.label(row.required_at)
					),
				)
			self.refuse(row.fieldname, _("须勾选确认后才能提交（申报承诺）。"))

	def validate_deadline(self):
		deadline = self.round_doc.deadline_for(self.district)
		if getdate(nowdate()) > deadline:
			frappe.throw(
				_("已超过「{0}」的报送截止日期 {1}，不能提交。").format(self.district, deadline),
				DeadlinePassedError,
				title=_("已过截止日期"),
			)

	def validate_public_notice_kept(self):
		"""入选 only once the round's 公示 period is over (and no objection stands: the Workflow's condition)."""
		before = self.get_doc_before_save()
		if not before or before.workflow_state == self.workflow_state:
			return
		if states.final_result(self.workflow_state) != states.SELECTED:
			return
		end = sealing.city_value(self, "public_notice_end")
		if not states.has(before.workflow_state, "public_notice") or not end:
			return
		if getdate(nowdate()) < getdate(end):
			frappe.throw(
				_("公示期至 {0} 届满（{1} 起公示 {2} 天），期满后才能作出入选决定。").format(
					end,
					sealing.city_value(self, "public_notice_start"),
					self.round_doc.public_notice_days or 0,
				),
				PublicNoticeError,
				title=_("公示期未满"),
			)

	# Flow -----------------------------------------------------------------------------------------

	def record_state_change(self):
		before = self.get_doc_before_save()
		old = before.workflow_state if before else None
		new = self.workflow_state
		if old == new:
			return
		if states.has(new, "cosign_open") and not states.has(old, "cosign_open"):
			# A (re)submission, or a return by the city, starts a fresh round of signatures.
			clear_opinions(self.doctype, self.name)
			self.flags.case_opinions_cleared = True
			self.set_system_values({"cosign_status": rules.PENDING})
		if states.has(new, "public_notice") and not states.has(old, "public_notice"):
			start = getdate(nowdate())
			values = {
				"public_notice_start": start,
				"public_notice_end": add_days(start, cint(self.round_doc.public_notice_days)),
			}
			sealing.set_values(self, values)
			if self.flags.case_evaluation is not None:
				self.flags.case_evaluation.update(values)
		if old and states.has(old, "city_visible") and states.has(new, "cosign_open"):
			self.returned_by_city()
		log_action(self, transition_action(old, new) or "New Case", old, new)

	def set_system_values(self, values: dict):
		"""Fields only the system writes (co-signing result, 办理进度, the list link), set on the
		stored case and on this document. Unlike db_set it reloads nothing and runs no change hooks: nothing
		listens to these fields, and on deadline day every signature sets one."""
		frappe.db.set_value(self.doctype, self.name, values, update_modified=False)
		self.update(values)

	def returned_by_city(self):
		"""The city sent this case back: it leaves the list it came in (which must be signed and sent again)."""
		lst = self.recommendation_list
		self.set_system_values({"recommendation_list": None})
		if lst and frappe.db.exists("District Recommendation List", lst):
			frappe.get_doc("District Recommendation List", lst).case_returned(self)

	def assert_cosign_open(self):
		if not states.has(self.workflow_state, "cosign_open"):
			frappe.throw(
				_("申报书当前状态为「{0}」，不在区县会签阶段。").format(_(self.workflow_state)), CosignError
			)

	def apply_cosign_outcome(self, outcome: str):
		"""Moves the case along the Workflow's own transitions once the co-signing rule has decided."""
		if outcome == rules.PENDING:
			action = wf.START_COSIGNING
			if not any(t.action == action for t in wf.transitions_from(self.workflow_state)):
				# (the caller read the case under its row lock: a status already stored is not written again)
				if self.cosign_status != outcome:
					self.set_system_values({"cosign_status": outcome})
				return
		else:
			action = COSIGN_ACTIONS[outcome]
		self.cosign_status = outcome  # the move's condition reads it, and its save stores it
		self.advance(action)

	def advance(self, action: str):
		"""The system takes the Workflow transition named `action` from the current state, whichever role the
		Workflow allows it to (the system's own transitions are allowed to Administrator), if its condition
		holds. The caller has checked that the user may cause it (a department's signature, the lead's
		submission, the city's receipt); callers pass a document they loaded under the row lock.
		"""
		transition = next(
			(
				t
				for t in wf.transitions_from(self.workflow_state)
				if t.action == action and is_transition_condition_satisfied(t, self)
			),
			None,
		)
		if not transition:
			frappe.throw(
				_("当前状态「{0}」下不能执行「{1}」。").format(_(self.workflow_state), _(action)),
				frappe.model.workflow.WorkflowTransitionError,
			)
		# A move of state is all that changes: the content was validated when it was saved, its rows are as
		# stored, and the 签核历程 records the move, so the save skips what would only repeat that work (the
		# content's validation and link checks, a reload of the stored case and its rows, rewriting the
		# rows, a Version) — the co-signing path's cost on deadline day.
		self.flags.case_doc_before_save = frappe.get_doc(self.as_dict())
		self.workflow_state = transition.next_state
		self.flags.update(
			ignore_permissions=True,
			ignore_validate=True,
			ignore_links=True,
			case_system_transition=transition,
		)
		try:
			with system_write():
				self.save(ignore_version=True)
		finally:
			self.flags.update(
				ignore_validate=False,
				ignore_links=False,
				case_system_transition=None,
				case_doc_before_save=None,
			)

	def load_doc_before_save(self, *, raise_exception: bool = False):
		"""For a move the system takes (advance), the stored case is the one it loaded under the row lock."""
		before = self.flags.case_doc_before_save
		if before is not None:
			self._doc_before_save = before
			return
		return super().load_doc_before_save(raise_exception=raise_exception)

	def _set_defaults(self):
		"""Frappe's (Document._set_defaults), with a table's new-row defaults worked out only when the table has a
		new row: Frappe builds them for each of the case's tables on every save (~3 ms a save of the form), and
		uses them only on new rows."""
		if self.flags.case_system_transition or frappe.flags.in_import:
			return  # a move of state adds no row to the case's tables, so no new row needs its defaults
		if self.is_new():
			self.update_if_missing(frappe.new_doc(self.doctype, as_dict=True))
		for df in self.meta.get_table_fields():
			value = self.get(df.fieldname)
			new_rows = [d for d in value if d.is_new()] if isinstance(value, list) else []
			if new_rows:
				defaults = frappe.new_doc(df.options, parent_doc=self, parentfield=df.fieldname, as_dict=True)
				for d in new_rows:
					d.update_if_missing(defaults)

	def update_children(self):
		if self.flags.case_system_transition:
			return  # a move of state changes no row of the case's tables
		return super().update_children()

	def validate_workflow(self):
		"""Frappe checks that the user's roles allow the move; a move the system took itself (advance) was
		chosen from the Workflow's own transitions above."""
		transition = self.flags.case_system_transition
		if transition and in_system_write() and self.workflow_state == transition.next_state:
			return
		return super().validate_workflow()

	def add_comment(self, comment_type="Comment", text=None, *args, **kwargs):
		"""Frappe's apply_workflow adds a "Workflow" comment naming the new state to the timeline, which
		every reader of the case sees, results included; the 签核历程 (Case Action Log) is the record."""
		if comment_type == "Workflow":
			return None
		return super().add_comment(comment_type, text, *args, **kwargs)


def is_empty(doc, df) -> bool:
	value = doc.get(df.fieldname)
	return value is None or (isinstance(value, str) and not value.strip())


def on_doctype_update():
	# The duplicate check of every save looks up (round, unit, title); without this index it scans the table.
	frappe.db.add_index("Case Application", ["round", "unit_name", "case_title"], "round_unit_title")
	# A district's list, newest first, reads its first page straight from this index. With an index on
	# district alone MariaDB preferred walking the creation index backwards, which for a district whose
	# cases are old meant thousands of row lookups (a 440 ms list page in the benchmark).
	frappe.db.add_index("Case Application", ["district", "creation"], "district_creation")
	# The city's list, newest first: its row rule is at_city = 1 (sealing.project keeps it), which this index
	# serves in order, whatever the number of past rounds (a list of states would sort every row at the city).
	frappe.db.add_index("Case Application", ["at_city", "creation"], "at_city_creation")
	# An applicant's own cases, newest first.
	frappe.db.add_index("Case Application", ["owner", "creation"], "owner_creation")
	# Desk opens the list on the current round (case_selection.js sets the default filter of every DocType with a
	# round): with the round second, each of these reads the round's rows only — its first page in order, its
	# count and group-by counts without touching the past rounds — so their cost does not grow with the years.
	frappe.db.add_index("Case Application", ["round", "creation"], "round_creation")
	frappe.db.add_index("Case Application", ["district", "round", "creation"], "district_round_creation")
	frappe.db.add_index("Case Application", ["at_city", "round", "creation"], "at_city_round_creation")


def transition_action(old: str | None, new: str) -> str | None:
	if not old:
		return None
	workflow = frappe.get_cached_doc("Workflow", wf.WORKFLOW_NAME)
	return next((t.action for t in workflow.transitions if t.state == old and t.next_state == new), None)
