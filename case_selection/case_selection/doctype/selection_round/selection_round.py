# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, cstr, flt, getdate

from case_selection.exceptions import RoundConfigError
from case_selection.export.columns import validate_round_columns
from case_selection.setup.grants import reserved_roles
from case_selection.setup.master_data import default_round_tables
from case_selection.workflow.definition import WORKFLOW_NAME

WORD_LIMIT_FIELDS = (
	"limit_background",
	"limit_approach",
	"limit_innovation",
	"limit_results",
	"limit_promotion",
)


def workflow_states() -> set[str]:
	workflow = frappe.get_cached_doc("Workflow", WORKFLOW_NAME)
	return {r.state for r in workflow.states}


def _label(doc: Document, fieldname: str) -> str:
	return _(doc.meta.get_label(fieldname))


class SelectionRound(Document):
	def before_insert(self):
		self.fill_default_tables()

	def validate(self):
		self.validate_dates()
		self.validate_quotas()
		self.validate_word_limits()
		self.validate_district_settings()
		self.validate_cosign_departments()
		self.validate_review_weights()
		self.validate_declarations()
		validate_round_columns(self)  # 导出列设置 (export/columns.py)

	def fill_default_tables(self):
		"""A round created in Desk starts with every direction, the three co-signers and five criteria."""

		for table, rows in default_round_tables().items():
			if not self.get(table):
				self.set(table, rows)

	def validate_dates(self):
		if (
			self.open_date
			and self.district_deadline
			and getdate(self.district_deadline) < getdate(self.open_date)
		):
			frappe.throw(
				_("「{0}」（{1}）不得早于「{2}」（{3}）。").format(
					_label(self, "district_deadline"),
					self.district_deadline,
					_label(self, "open_date"),
					self.open_date,
				),
				RoundConfigError,
				title=_("遴选轮次设置有误"),
			)

	def validate_quotas(self):
		if (self.default_quota or 0) < 0:
			frappe.throw(
				_("「{0}」不能为负数（当前为 {1}）；0 表示不限名额。").format(
					_label(self, "default_quota"), self.default_quota
				),
				RoundConfigError,
				title=_("遴选轮次设置有误"),
			)
		for field in ("paper_copies", "public_notice_days", "reminder_days"):
			if (self.get(field) or 0) < 0:
				frappe.throw(
					_("「{0}」不能为负数。").format(_label(self, field)),
					RoundConfigError,
					title=_("遴选轮次设置有误"),
				)

	def validate_word_limits(self):
		for field in WORD_LIMIT_FIELDS:
			if (self.get(field) or 0) < 0:
				frappe.throw(
					_("字数限制「{0}」不能为负数。").format(_label(self, field)),
					RoundConfigError,
					title=_("遴选轮次设置有误"),
				)

	def validate_district_settings(self):
		seen = set()
		for row in self.district_settings:
			if row.district in seen:
				frappe.throw(
					_("「区县名额与延期」第 {0} 行：区县「{1}」重复。").format(row.idx, row.district),
					RoundConfigError,
				)
			seen.add(row.district)
			quota = cstr(row.quota).strip()
			if quota and not quota.isdecimal():
				frappe.throw(
					_(
						"「区县名额与延期」第 {0} 行（{1}）：「推荐名额」须为 0 或正整数（当前为「{2}」）；留空则按本轮默认名额。"
					).format(row.idx, row.district, quota),
					RoundConfigError,
				)
			row.quota = str(int(quota)) if quota else None
			if row.extended_deadline and self.district_deadline:
				if getdate(row.extended_deadline) < getdate(self.district_deadline):
					frappe.throw(
						_(
							"「区县名额与延期」第 {0} 行（{1}）：「延期截止日期」不得早于区县报送截止日期 {2}。"
						).format(row.idx, row.district, self.district_deadline),
						RoundConfigError,
					)

	def validate_cosign_departments(self):
		if not self.cosign_departments:
			frappe.throw(_("「会签部门」至少需要一个部门。"), RoundConfigError)
		roles = [d.role for d in self.cosign_departments]

		reserved = [r for r in roles if r in reserved_roles()]
		if reserved:
			frappe.throw(
				_("「会签部门」的「对应角色」不能是{0}：它不是区县的部门角色。").format(
					"、".join(_(r) for r in reserved)
				),
				RoundConfigError,
			)
		if len(set(roles)) != len(roles):
			frappe.throw(_("「会签部门」中同一角色只能出现一次。"), RoundConfigError)
		if sum(1 for d in self.cosign_departments if d.is_lead) != 1:
			frappe.throw(_("「会签部门」须指定且只指定一个牵头部门（负责报送推荐名单）。"), RoundConfigError)

	def validate_review_weights(self):
		if not self.review_criteria:
			return
		for row in self.review_criteria:
			if flt(row.weight) < 0:
				frappe.throw(
					_("「评审指标及权重」第 {0} 行（{1}）：权重不能为负数。").format(row.idx, row.criterion),
					RoundConfigError,
				)
		total = sum(flt(r.weight) for r in self.review_criteria)
		if abs(total - 100) > 0.001:
			frappe.throw(
				_("「评审指标及权重」的权重合计须为 100（当前为 {0}）。").format(total), RoundConfigError
			)

	def validate_declarations(self):
		"""Each 申报承诺事项 names a check box of the application form (one an admin added with Customize Form
		included), once; the state it is due at, if any, is one of the case workflow's."""
		meta = frappe.get_meta("Case Application")
		checks = [df.fieldname for df in meta.fields if df.fieldtype == "Check"]
		seen = set()
		for row in self.declarations:
			row.fieldname = (row.fieldname or "").strip()
			df = meta.get_field(row.fieldname)
			if not df or df.fieldtype != "Check":
				frappe.throw(
					_(
						"「申报承诺事项」第 {0} 行：「勾选项字段」{1} 不是案例申报书的勾选项字段（可选：{2}）。"
					).format(row.idx, row.fieldname or "（空）", "、".join(checks)),
					RoundConfigError,
				)
			if row.fieldname in seen:
				frappe.throw(
					_("「申报承诺事项」第 {0} 行：勾选项字段 {1} 重复。").format(row.idx, row.fieldname),
					RoundConfigError,
				)
			seen.add(row.fieldname)
			if row.required_at and row.required_at not in workflow_states():
				frappe.throw(
					_("「申报承诺事项」第 {0} 行：「须勾选的环节」{1} 不是案例流程中的状态。").format(
						row.idx, row.required_at
					),
					RoundConfigError,
				)

	# Facts the flow asks of a round -------------------------------------------------------------

	def district_setting(self, district: str):
		return next((r for r in self.district_settings if r.district == district), None)

	def deadline_for(self, district: str):
		"""The district's deadline: its extension when it has one, else the round's."""
		row = self.district_setting(district)
		if row and row.extended_deadline:
			return getdate(row.extended_deadline)
		return getdate(self.district_deadline)

	def quota_for(self, district: str) -> int | None:
		"""Recommended cases a district may send, None for no limit: the district's own quota when its row
		gives one (0: none allowed), else the round's (0 there means no limit, as its label says)."""
		row = self.district_setting(district)
		if row and cstr(row.quota).strip() != "":
			return cint(row.quota)
		return cint(self.default_quota) or None

	def allowed_directions(self) -> set[str]:
		return {r.direction for r in self.directions}

	def lead_cosign_role(self) -> str:
		return next(d.role for d in self.cosign_departments if d.is_lead)
