# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.workflow import WorkflowPermissionError, is_transition_condition_satisfied
from frappe.utils import cint, getdate, now_datetime, nowdate

from case_selection.access.actors import actor
from case_selection.access.system_write import system_write
from case_selection.cosign import rules
from case_selection.cosign.service import clear_opinions, opinions_of
from case_selection.exceptions import (
	CosignError,
	QuotaExceededError,
	RecommendationListError,
)
from case_selection.signing import sealed_form
from case_selection.workflow import definition as wf
from case_selection.workflow import list_moves as moves
from case_selection.workflow.action_log import log_action
from case_selection.workflow.list_moves import COSIGN_OUTCOME, RECEIPT, RETURN, SUBMISSION, means

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
		self.status = self.status or wf.initial_state(wf.LIST)
		self.validate_items()
		self.validate_quota()
		self.refresh_conditions()
		self.reset_cosign_when_changed()
		self.check_move()

	def before_save(self):
		self.prepare_move()

	def on_update(self):
		self.record_state_change()

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

	def refresh_conditions(self):
		"""The facts the Workflow's conditions read (doc.within_deadline, doc.within_quota), as of now."""
		self.within_quota = int(self.quota_kept())
		self.within_deadline = int(getdate(nowdate()) <= self.round_doc.deadline_for(self.district))

	def quota_kept(self) -> bool:
		"""What validate_quota checks, as a fact (the round's quota may have changed since the list was saved)."""
		quota = self.round_doc.quota_for(self.district)  # None: no limit; 0: none allowed
		return quota is None or len(self.items) <= quota

	def reset_cosign_when_changed(self):
		"""Signatures were given to a particular list; any change to it must be signed again (the Workflow's
		co-signing transition whose condition then holds, by default 会签中 → 草稿, is taken)."""
		before = self.get_doc_before_save()
		if before and before.signed_content() != self.signed_content():
			clear_opinions(self.doctype, self.name)
			self.cosign_status = rules.PENDING
			self.signed_departments = 0
			if before.status == self.status:
				self.take(moves.find(self, COSIGN_OUTCOME))

	# The Workflow ---------------------------------------------------------------------------------------

	def take(self, transition) -> bool:
		"""Moves this list along a system transition (chosen by list_moves.find), stored by the save that
		follows."""
		if not transition:
			return False
		self.status = transition.next_state
		self.flags.list_system_transition = transition
		return True

	def stored_status(self) -> str | None:
		before = self.get_doc_before_save()
		return before.status if before else None

	def check_move(self):
		"""Every door (REST PUT of the status, frappe.model.workflow.apply_workflow, Desk, the app's calls)
		moves the list only along a transition of the Workflow that the user's roles allow (the system's:
		Administrator, taken by the app's code), and only when its condition holds on the list as it now
		stands; otherwise a 417 naming what is missing."""
		old, new = self.stored_status(), self.status
		if self.is_new():
			if new != wf.initial_state(wf.LIST):
				frappe.throw(
					_("新建的推荐名单「状态」须为「{0}」，不能直接设为「{1}」。").format(
						_(wf.initial_state(wf.LIST)), _(new)
					),
					WorkflowPermissionError,
				)
			return
		if old == new:
			return
		# A system move the app's code chose (take): flags are never set from a request's data, and the code
		# that took it checked who causes it (a signature, the lead's submission, the city's decision, a change
		# to the list that voids its signatures).
		chosen = self.flags.list_system_transition
		if chosen and chosen.allowed == wf.SYSTEM_ROLE and (chosen.state, chosen.next_state) == (old, new):
			self.flags.list_move = chosen
			return
		steps = [t for t in wf.transitions_from(old, wf.LIST) if t.next_state == new]
		roles = set(frappe.get_roles())
		mine = [t for t in steps if t.allowed in roles]
		if not mine:
			frappe.throw(
				_(
					"「状态」不能由您从「{0}」改为「{1}」：工作流「{2}」中没有您的角色可以执行的这一步。"
				).format(_(old), _(new), _(wf.LIST_WORKFLOW_NAME)),
				WorkflowPermissionError,
			)
		move = next((t for t in mine if is_transition_condition_satisfied(t, self)), None)
		if not move:
			moves.refuse(self, mine[0])
		self.flags.list_move = move

	def validate_workflow(self):
		"""check_move (in validate) has judged the move on the list as it now stands; Frappe's own check would
		judge the conditions on the list as it was stored."""
		if self.flags.list_move or (not self.is_new() and self.stored_status() == self.status):
			return
		return super().validate_workflow()

	def prepare_move(self):
		"""What a move stores with the list, whichever door it came through."""
		move = self.flags.list_move
		if not move:
			return
		old, new = move.state, move.next_state
		if means(new, "awaiting_city") and not means(old, "awaiting_city"):
			self.validate_ready()
			self.submitted_at = now_datetime()
			self.submitted_by = frappe.session.user
			sealed_form.mark(self)  # the sealed 附件2, stored with this save and made on the queue
		elif means(old, "awaiting_city") and means(new, "district_editable"):
			self.cosign_status = rules.PENDING
			self.signed_departments = 0
			clear_opinions(self.doctype, self.name)
		elif means(old, "awaiting_city") and not means(new, "awaiting_city"):
			self.received_at = now_datetime()

	def record_state_change(self):
		"""The list's cases follow it to the city and back; the 签核历程 records the step."""
		move = self.flags.list_move
		self.flags.list_move = self.flags.list_system_transition = None
		if not move:
			return
		old, new = move.state, move.next_state
		if means(new, "awaiting_city") and not means(old, "awaiting_city"):
			self.move_cases(wf.SUBMIT_TO_CITY, {"recommendation_list": self.name})
			log_action(self, move.action, old, new)
			sealed_form.enqueue(self.name, self.doctype)
		elif means(old, "awaiting_city") and means(new, "district_editable"):
			self.move_cases(wf.RETURN_TO_DISTRICT, {"city_remark": self.city_remark or ""})
			log_action(self, "City Returned the List", old, new, self.city_remark or "")
		elif means(old, "awaiting_city") and not means(new, "awaiting_city"):
			self.move_cases(wf.RECEIVE)
			log_action(self, "City Received the List", old, new)
		elif move.allowed != wf.SYSTEM_ROLE:
			log_action(self, move.action, old, new)  # a step of the district's own (an admin's, in Desk)

	def move_cases(self, action: str, values: dict | None = None):
		"""Takes the case workflow's `action` for each case of the list that can take it (a case received and
		under review since an earlier submission of this list stays where it is)."""
		for row in self.items:
			app = frappe.get_doc("Case Application", row.application)
			if not wf.has_action(app.workflow_state, action):
				continue
			if values:
				app.set_system_values(values)
			app.advance(action)

	def case_returned(self, app):
		"""The city sent one of its cases back: the list is the district's again, to be signed and sent anew."""
		old = self.status
		clear_opinions(self.doctype, self.name)
		values = {"cosign_status": rules.PENDING, "signed_departments": 0}
		back = moves.return_state(old)
		if back:
			values["status"] = back
		self.db_set(values, update_modified=False)
		if back:
			log_action(
				self,
				"City Returned a Case: {0}",
				old,
				back,
				app.city_remark or "",
				args=(app.case_title,),
			)

	# Co-signing ----------------------------------------------------------------------------------

	def assert_cosign_open(self):
		if not means(self.status, "cosign_open") or not self.items:
			frappe.throw(_("名单当前状态为「{0}」或尚无案例，不能会签。").format(_(self.status)), CosignError)

	def apply_cosign_outcome(self, outcome: str):
		"""The co-signing rule has decided (or not yet): the outcome and the number of departments that signed
		are stored, and the Workflow's co-signing transition whose condition now holds is taken, if any."""
		self.cosign_status = outcome
		self.signed_departments = len(opinions_of(self.doctype, self.name))
		transition = moves.find(self, COSIGN_OUTCOME)
		values = {"cosign_status": outcome, "signed_departments": self.signed_departments}
		if transition:
			values["status"] = transition.next_state
		self.db_set(values, update_modified=False)

	# Submission and city receipt ---------------------------------------------------------------

	def submit_to_city(self):
		self.check_permission("write")
		if not (actor().is_lead(self.round, self.district) or actor().admin):
			lead = self.round_doc.lead_cosign_role()
			frappe.throw(_("只有本区县的{0}可以报送推荐名单。").format(_(lead)), frappe.PermissionError)
		if means(self.status, "awaiting_city") and self.submitted_by == frappe.session.user:
			return  # the same submission again (a retry whose answer was lost): the list was sent once
		self.refresh_conditions()
		if not self.take(moves.find(self, SUBMISSION)):
			moves.refuse(self, moves.candidate(self, SUBMISSION))
		with system_write():
			self.save()

	def receive(self):
		self._city_decision(RECEIPT, _("名单当前状态为「{0}」，不能受理。"))

	def return_to_district(self, reason: str):
		if not (reason or "").strip():
			frappe.throw(_("「市级意见/退回原因」不能为空。"), RecommendationListError)
		self.city_remark = reason
		self._city_decision(RETURN, _("名单当前状态为「{0}」，不能退回。"))

	def _city_decision(self, kind: str, refused: str):
		"""`kind` is the Workflow step taken (list_moves.RECEIPT or RETURN), `refused` the message when the list
		is not waiting for the city."""
		if not actor().manages_city:
			frappe.throw(_("只有市级管理部门可以受理或退回推荐名单。"), frappe.PermissionError)
		if not self.take(moves.find(self, kind)):
			frappe.throw(refused.format(_(self.status)), RecommendationListError)
		with system_write():
			self.save()
