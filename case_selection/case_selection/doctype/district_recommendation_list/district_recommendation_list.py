# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, getdate, now_datetime, nowdate

from case_selection.access.actors import actor
from case_selection.access.system_write import system_write
from case_selection.cosign import rules
from case_selection.cosign.service import clear_opinions
from case_selection.exceptions import (
	CosignError,
	DeadlinePassedError,
	QuotaExceededError,
	RecommendationListError,
)
from case_selection.signing import sealed_form
from case_selection.workflow import definition as wf
from case_selection.workflow.action_log import log_action

DRAFT, COSIGNING, SUBMITTED, RECEIVED, RETURNED = (
	wf.LIST_DRAFT,
	wf.LIST_COSIGNING,
	wf.LIST_SUBMITTED,
	wf.LIST_RECEIVED,
	wf.LIST_RETURNED,
)
ITEM_FIELDS = ("case_title", "unit_name", "unit_type", "direction", "contact_person", "contact_mobile")


class DistrictRecommendationList(Document):
	def before_insert(self):
		if frappe.db.exists("District Recommendation List", {"round": self.round, "district": self.district}):
			frappe.throw(
				_("「{0}」在本轮（{1}）已有推荐名单，每个区县每轮只能报送一份。").format(
					self.district, self.round
				),
				RecommendationListError,
			)

	def after_insert(self):
		"""A new list has no signatures and no history yet, whatever an older list of the same name left."""
		self.on_trash()

	def on_trash(self):
		"""A list may be deleted only while a draft (write policy); its signatures and history go with it, so
		a new list of the district (which takes the same name) starts clean."""
		with system_write():
			clear_opinions(self.doctype, self.name)
			frappe.db.delete(
				"Case Action Log", {"reference_doctype": self.doctype, "reference_name": self.name}
			)

	def validate(self):
		self.validate_items()
		self.validate_quota()
		self.reset_cosign_when_changed()

	@property
	def round_doc(self):
		return frappe.get_cached_doc("Selection Round", self.round)

	def signed_content(self):
		"""What the departments' signatures are given to: the rows in their order, and the list's facts."""
		rows = [(r.application, r.remarks or "") for r in self.items]
		return rows, self.contact_person or "", self.contact_phone or "", str(self.list_date or "")

	def validate_items(self):
		names = [r.application for r in self.items]
		dupes = {n for n in names if names.count(n) > 1}
		if dupes:
			frappe.throw(
				_("「推荐案例名单」中申报书重复：{0}。").format("、".join(dupes)), RecommendationListError
			)
		facts = (
			{
				a.name: a
				for a in frappe.get_all(
					"Case Application",
					filters={"name": ("in", names)},
					fields=[
						"name",
						"round",
						"district",
						"workflow_state",
						"recommendation_list",
						"paper_copies_received",
						*ITEM_FIELDS,
					],
				)
			}
			if names
			else {}
		)
		before = self.get_doc_before_save()
		kept = {r.application for r in before.items} if before else set()
		for i, row in enumerate(self.items, start=1):
			app = facts.get(row.application)
			if not app or app.round != self.round or app.district != self.district:
				frappe.throw(
					_("「推荐案例名单」第 {0} 行：{1} 不是{2}本轮的申报书。").format(
						i, row.application, self.district
					),
					RecommendationListError,
				)
			# A case already in the list may be on its way back (returned by the city, signed again); a case
			# added now must be one the district recommended and has not sent with another list.
			if row.application not in kept and not self.listable(app):
				frappe.throw(
					_(
						"「推荐案例名单」第 {0} 行：「{1}」状态为「{2}」，只有区县已推荐的案例才能列入名单。"
					).format(i, app.case_title, _(app.workflow_state)),
					RecommendationListError,
				)
			row.rank = i
			row.update({f: app.get(f) for f in ITEM_FIELDS if f != "contact_mobile"})
			row.contact_phone = app.contact_mobile
			row.paper_copies = (
				app.paper_copies_received or 0
			)  # the city's intake counts them (signing/paper.py)

	def listable(self, app) -> bool:
		return app.recommendation_list == self.name or (
			not app.recommendation_list and wf.has_action(app.workflow_state, wf.SUBMIT_TO_CITY)
		)

	def validate_ready(self):
		"""At submission every case is recommended again, or already at the city from this list."""
		scan_required = cint(self.round_doc.scan_required)
		for i, row in enumerate(self.items, start=1):
			app = frappe.db.get_value(
				"Case Application",
				row.application,
				["case_title", "workflow_state", "recommendation_list", "signed_form_scan"],
				as_dict=True,
			)
			if not self.listable(app):
				frappe.throw(
					_("「推荐案例名单」第 {0} 行：「{1}」状态为「{2}」，须经区县会签推荐后才能报送。").format(
						i, app.case_title, _(app.workflow_state)
					),
					RecommendationListError,
				)
			if scan_required and not app.signed_form_scan:
				frappe.throw(
					_(
						"「推荐案例名单」第 {0} 行：「{1}」尚未上传「盖章申报书扫描件」，本轮要求报送名单前上传。"
					).format(i, app.case_title),
					RecommendationListError,
				)

	def validate_quota(self):
		quota = self.round_doc.quota_for(self.district)  # None: no limit; 0: none allowed
		if quota is not None and len(self.items) > quota:
			frappe.throw(
				_("「推荐案例名单」共 {0} 个案例，超过{1}的推荐名额 {2} 个。").format(
					len(self.items), self.district, quota
				),
				QuotaExceededError,
			)

	def reset_cosign_when_changed(self):
		"""Signatures were given to a particular list; any change to it must be signed again."""
		before = self.get_doc_before_save()
		if before and before.signed_content() != self.signed_content():
			clear_opinions(self.doctype, self.name)
			self.cosign_status = rules.PENDING
			if self.status == COSIGNING:
				self.status = DRAFT

	def case_returned(self, app):
		"""The city sent one of its cases back: the list is the district's again, to be signed and sent anew."""
		old = self.status
		clear_opinions(self.doctype, self.name)
		values = {"cosign_status": rules.PENDING}
		if old in (SUBMITTED, RECEIVED):
			values["status"] = RETURNED
		self.db_set(values, update_modified=False)
		if values.get("status"):
			log_action(
				self,
				"City Returned a Case: {0}",
				old,
				RETURNED,
				app.city_remark or "",
				args=(app.case_title,),
			)

	# Co-signing ----------------------------------------------------------------------------------

	def assert_cosign_open(self):
		if self.status not in (DRAFT, COSIGNING, RETURNED) or not self.items:
			frappe.throw(_("名单当前状态为「{0}」或尚无案例，不能会签。").format(_(self.status)), CosignError)

	def apply_cosign_outcome(self, outcome: str):
		status = COSIGNING if outcome in (rules.PENDING, rules.AGREED) else DRAFT
		self.db_set({"cosign_status": outcome, "status": status}, update_modified=False)

	# Submission and city receipt ---------------------------------------------------------------

	def submit_to_city(self):
		self.check_permission("write")
		if not (actor().is_lead(self.round, self.district) or actor().admin):
			lead = self.round_doc.lead_cosign_role()
			frappe.throw(_("只有本区县的{0}可以报送推荐名单。").format(_(lead)), frappe.PermissionError)
		if self.status == SUBMITTED and self.submitted_by == frappe.session.user:
			return  # the same submission again (a retry whose answer was lost): the list was sent once
		if self.status not in (COSIGNING, RETURNED) or self.cosign_status != rules.AGREED:
			frappe.throw(
				_("名单须经全部会签部门同意后才能报送（当前会签结果：{0}）。").format(
					_(self.cosign_status or "Pending")
				),
				CosignError,
			)
		deadline = self.round_doc.deadline_for(self.district)
		if getdate(nowdate()) > deadline:
			frappe.throw(
				_("已超过「{0}」的报送截止日期 {1}，不能报送。").format(self.district, deadline),
				DeadlinePassedError,
			)
		self.validate_quota()
		self.validate_ready()
		old = self.status
		self.status = SUBMITTED
		self.submitted_at = now_datetime()
		self.submitted_by = frappe.session.user
		sealed_form.mark(self)  # the sealed 附件2, stored with this save and made on the queue
		with system_write():
			self.save()
		for row in self.items:
			app = frappe.get_doc("Case Application", row.application)
			if not wf.has_action(app.workflow_state, wf.SUBMIT_TO_CITY):
				continue  # already at the city from an earlier submission of this list
			app.set_system_values({"recommendation_list": self.name})
			app.advance(wf.SUBMIT_TO_CITY)
		log_action(self, wf.SUBMIT_TO_CITY, old, SUBMITTED)
		sealed_form.enqueue(self.name, self.doctype)

	def receive(self):
		self._city_decision(
			RECEIVED, wf.RECEIVE, "City Received the List", _("名单当前状态为「{0}」，不能受理。")
		)

	def return_to_district(self, reason: str):
		if not (reason or "").strip():
			frappe.throw(_("「市级意见/退回原因」不能为空。"), RecommendationListError)
		self.city_remark = reason
		self._city_decision(
			RETURNED,
			wf.RETURN_TO_DISTRICT,
			"City Returned the List",
			_("名单当前状态为「{0}」，不能退回。"),
			reason,
		)

	def _city_decision(self, status: str, action: str, logged: str, refused: str, remark: str = ""):
		"""`action` moves the list's cases, `logged` is the list's own history key, `refused` the message when
		the list is not waiting for the city."""
		if not actor().manages_city:
			frappe.throw(_("只有市级管理部门可以受理或退回推荐名单。"), frappe.PermissionError)
		if self.status != SUBMITTED:
			frappe.throw(refused.format(_(self.status)), RecommendationListError)
		old = self.status
		self.status = status
		if status == RETURNED:
			self.cosign_status = rules.PENDING
			clear_opinions(self.doctype, self.name)
		if status == RECEIVED:
			self.received_at = now_datetime()
		with system_write():
			self.save()
		for row in self.items:
			app = frappe.get_doc("Case Application", row.application)
			if not wf.has_action(app.workflow_state, action):
				continue  # received and under review since an earlier submission of this list
			if status == RETURNED:
				app.set_system_values({"city_remark": remark})
			app.advance(action)
		log_action(self, logged, old, status, remark)
