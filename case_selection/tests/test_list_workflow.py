"""The district list on a Workflow of its own (issue 23, item 4), end to end over HTTP.

A System Manager adds a step through REST only, no code: a state 区县审核 between 草稿 and 会签中, taken by the
district's lead department, with its meaning row (the district may edit it and sign in it; signing in 草稿 is
closed). Then the district officers and a city user drive a list through it with the app's normal calls:
草稿 → 区县审核 (the Workflow action) → 会签中 (the first signature) → 已报送待受理 (the lead's submission) →
市级已受理 (the city's receipt); every state is read back from the database, the 签核历程 shows the step, and the
doors that would skip a step (a PUT of the state, a signature before the review) are refused with a 417. The
submission's condition is data too: a clause the System Manager adds to it refuses the lead's call until removed.
"""

import json

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.access.system_write import system_write
from case_selection.tests.factories import (
	as_new,
	clear_round,
	configuration,
	make_application,
	make_round,
	make_user,
	restore_configuration,
)
from case_selection.tests.flow import District, act
from case_selection.tests.http import (
	REFUSED,
	REVIEW_ACTION,
	REVIEW_STEP,
	URL,
	User,
	add_list_review_step,
	fresh,
	message,
	post_doc,
)
from case_selection.workflow import definition
from case_selection.workflow.definition import LIST_WORKFLOW_NAME

LIST = "District Recommendation List"
ROUND = "2086"
STEP, STEP_ACTION = REVIEW_STEP, REVIEW_ACTION


class TestListWorkflowInDesk(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.before = configuration()
		make_round(int(ROUND))
		clear_round(ROUND)
		cls.district = District("渝中区", "lwf")
		cls.sysman = make_user("sysman.lwf@test.local", ["System Manager"])
		cls.city = make_user("city.lwf@test.local", ["City Case Manager"])
		cls.cases = []
		for seed in (61, 62):
			app = make_application(round=ROUND, seed=seed)
			act(cls.district.lead, "Case Application", app.name, "Submit to District")
			cls.district.sign("Case Application", app.name)
			cls.cases.append(app.name)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		fresh()
		restore_configuration(cls.before)
		definition.record_defaults(definition.shipped_defaults(flow=definition.LIST), definition.LIST)
		clear_round(ROUND)
		frappe.db.commit()
		super().tearDownClass()

	def status(self, name: str) -> str:
		fresh()
		return frappe.db.get_value(LIST, name, "status")

	def set_submission_condition(self, admin: User, extra: str, condition: str | None = None) -> str:
		"""The condition of 会签中 → 已报送市级, as shipped plus `extra` (or `condition`); returns the shipped one."""
		workflow = admin.doc("Workflow", LIST_WORKFLOW_NAME)
		row = next(
			t
			for t in workflow["transitions"]
			if t["state"] == "Co-signing" and t["next_state"] == "Submitted to City"
		)
		shipped = row["condition"]
		row["condition"] = (condition if condition is not None else shipped) + extra
		admin.ok(admin.put("Workflow", LIST_WORKFLOW_NAME, {"transitions": workflow["transitions"]}))
		return shipped

	def test_a_step_added_in_desk_is_taken_by_the_apps_normal_calls(self):
		admin = User(self.sysman)
		add_list_review_step(admin)
		lead, kj, jy = (User(self.district.users[k]) for k in ("jx", "kj", "jy"))
		city = User(self.city)

		r = lead.ok(
			post_doc(
				lead,
				LIST,
				{"round": ROUND, "district": "渝中区", "items": [{"application": n} for n in self.cases]},
			)
		)
		name = r.json()["data"]["name"]
		self.assertEqual(self.status(name), "Draft")

		# 草稿 is no longer open to signatures: the review comes first
		r = kj.call("case_selection.api.cosigning.cosign", doctype=LIST, name=name, opinion="同意推荐")
		self.assertIn(r.status_code, REFUSED, message(r))
		self.assertIn("不能会签", message(r))
		# and no door skips a step: a PUT of the state is refused, naming the state field
		for target in ("Co-signing", STEP, "Submitted to City"):
			r = kj.put(LIST, name, {"status": target})
			self.assertIn(r.status_code, REFUSED, message(r))
		r = lead.put(LIST, name, {"status": "Co-signing"})
		self.assertEqual(r.status_code, 417, message(r))
		self.assertIn("「状态」不能由您从「草稿」改为「会签中」", message(r))
		self.assertEqual(self.status(name), "Draft")

		# the lead's step, as Desk's Workflow button takes it
		lead.ok(lead.act(LIST, name, STEP_ACTION))
		self.assertEqual(self.status(name), STEP)

		# the first signature opens 会签中 (the system's transition from a state open to signatures)
		for u in (lead, kj, jy):
			u.ok(u.call("case_selection.api.cosigning.cosign", doctype=LIST, name=name, opinion="同意推荐"))
			self.assertEqual(self.status(name), "Co-signing")
		self.assertEqual(frappe.db.get_value(LIST, name, "cosign_status"), "Agreed")
		self.assertEqual(frappe.db.get_value(LIST, name, "signed_departments"), 3)

		# only the system takes the submission: a PUT of the state by the lead is refused even now
		r = lead.put(LIST, name, {"status": "Submitted to City"})
		self.assertEqual(r.status_code, 417, message(r))
		self.assertEqual(self.status(name), "Co-signing")
		# the submission's condition is data: a System Manager adds a clause, and the lead's call is refused
		submission = self.set_submission_condition(admin, " and doc.signed_departments >= 4")
		r = lead.call("case_selection.api.lists.submit_list", name=name)
		self.assertEqual(r.status_code, 417, message(r))
		self.assertIn("doc.signed_departments >= 4", message(r))
		self.assertEqual(self.status(name), "Co-signing")
		self.set_submission_condition(admin, "", submission)
		lead.ok(lead.call("case_selection.api.lists.submit_list", name=name))
		self.assertEqual(self.status(name), "Submitted to City")
		fresh()
		for case in self.cases:
			self.assertEqual(
				frappe.db.get_value("Case Application", case, "workflow_state"), "Submitted to City"
			)
		# a retry of the same submission changes nothing
		lead.ok(lead.call("case_selection.api.lists.submit_list", name=name))
		self.assertEqual(self.status(name), "Submitted to City")

		city.ok(city.call("case_selection.api.lists.receive_list", name=name))
		self.assertEqual(self.status(name), "Received")
		fresh()
		for case in self.cases:
			self.assertEqual(frappe.db.get_value("Case Application", case, "workflow_state"), "Received")

		steps = frappe.get_all(
			"Case Action Log",
			filters={"reference_doctype": LIST, "reference_name": name, "from_state": ("is", "set")},
			fields=["action", "from_state", "to_state"],
			order_by="creation asc",
		)
		self.assertEqual(
			[(s.action, s.from_state, s.to_state) for s in steps],
			[
				(STEP_ACTION, "Draft", STEP),
				("Submit to City", "Co-signing", "Submitted to City"),
				("City Received the List", "Submitted to City", "Received"),
			],
		)

	def test_an_upgrade_merges_into_the_admins_list_workflow(self):
		"""The list's Workflow is upgraded as the case's (definition.sync_workflow): what a release adds or
		changes arrives where the site kept the old default; what the admin changed stays."""
		flow = definition.LIST
		new = definition.shipped_defaults(flow=flow)
		key = ("Submitted to City", "Receive")
		submit = ("Co-signing", "Submit to City")
		returned = ("City Returned", "Submit to City")
		# the previous release: no 受理 step yet, an older submission condition, 已受理 not yet visible to the city
		old = {
			"transitions": [
				{**t, "condition": "doc.cosign_status == 'Agreed'"}
				if (t["state"], t["action"]) in (submit, returned)
				else t
				for t in new["transitions"]
				if (t["state"], t["action"]) != key
			],
			"states": new["states"],
			"state_classes": {**new["state_classes"], "Received": {}},
		}
		workflow = frappe.get_doc("Workflow", LIST_WORKFLOW_NAME)
		workflow.transitions = [t for t in workflow.transitions if (t.state, t.action) != key]
		for t in workflow.transitions:
			if (t.state, t.action) == submit:
				t.condition = "doc.cosign_status == 'Agreed'"  # as the old release shipped it
			if (t.state, t.action) == returned:
				t.condition = "doc.cosign_status == 'Agreed' and doc.contact_person"  # the admin's
		workflow.save(ignore_permissions=True)
		settings = frappe.get_single("Case Selection Settings")
		for row in settings.list_states:
			if row.state == "Received":
				row.city_visible = 0
		with system_write():
			settings.save(ignore_permissions=True)

		definition.sync_workflow(old, flow)

		live = {(t.state, t.action): t for t in frappe.get_doc("Workflow", LIST_WORKFLOW_NAME).transitions}
		self.assertEqual(live[key].next_state, "Received")  # added by the release
		self.assertIn("doc.within_deadline", live[submit].condition)  # changed by it, untouched here
		self.assertIn("doc.contact_person", live[returned].condition)  # the admin's, kept
		row = next(
			r for r in frappe.get_single("Case Selection Settings").list_states if r.state == "Received"
		)
		self.assertEqual(row.city_visible, 1)
		self.assertEqual(
			json.loads(frappe.db.get_single_value("Case Selection Settings", "list_shipped_defaults")), new
		)
		again = definition.sync_workflow(flow=flow)
		self.assertEqual(again["transitions"], {"added_or_changed": 0, "removed": 0})
