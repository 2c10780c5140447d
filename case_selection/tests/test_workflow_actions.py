"""Frappe's Workflow Action hook reading the cached Workflow (case_selection/overrides/workflow_action.py): the same
answers as Frappe's own lookups, an edit of the Workflow in Desk seen at once, and no workflow rows read from
the database on a move."""

import frappe
from frappe.model.workflow import apply_workflow, get_workflow_name
from frappe.tests.utils import FrappeTestCase
from frappe.workflow.doctype.workflow_action import workflow_action as frappe_workflow_action

from case_selection.api.cosigning import cosign
from case_selection.overrides import workflow_action
from case_selection.tests.factories import district_users, make_application, make_round, make_user
from case_selection.tests.flow import as_user

OURS = workflow_action.REPLACEMENTS
FRAPPE = workflow_action.ORIGINAL


def transition_rows(transitions) -> list[tuple]:
	return sorted(tuple(t.get(f) for f in workflow_action.TRANSITION_FIELDS) for t in transitions)


class TestWorkflowActions(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		for method in frappe.get_hooks("before_request", app_name="case_selection"):
			frappe.call(method)  # as Frappe does before each request: the cases below move as in a request
		make_round()
		self.yz = district_users("渝中区", "wfa")
		self.applicant = make_user("applicant.wfa@test.local", ["Case Applicant"])
		self.workflow = get_workflow_name("Case Application")
		self.states = [s.state for s in frappe.get_doc("Workflow", self.workflow).states]

	def tearDown(self):
		workflow_action.install()
		self.set_optional({}, restore=True)
		frappe.set_user("Administrator")

	def set_optional(self, values: dict, restore=False):
		"""Saves the Workflow as an admin does in Desk, with the given states' 可选状态 set (restore: all 1, as
		shipped)."""
		doc = frappe.get_doc("Workflow", self.workflow)
		for row in doc.states:
			row.is_optional_state = 1 if restore else values.get(row.state, row.is_optional_state)
		doc.save(ignore_permissions=True)

	def test_every_request_and_job_uses_the_cached_workflow(self):
		"""The lookups are put in place by hooks.py before each request and each job (run here as Frappe runs
		those hooks), not by importing a controller."""
		for hook in ("before_request", "before_job"):
			workflow_action.uninstall()
			for name, fn in FRAPPE.items():
				self.assertIs(getattr(frappe_workflow_action, name), fn, name)
			for method in frappe.get_hooks(hook, app_name="case_selection"):
				frappe.call(method, method="frappe.ping") if hook == "before_job" else frappe.call(method)
			for name, fn in OURS.items():
				self.assertIs(getattr(frappe_workflow_action, name), fn, (hook, name))

	def test_the_same_answers_as_frappe(self):
		self.set_optional({"Returned": 0, "Recommended": 0})
		case = apply_workflow(make_application(seed=72), "Submit to District")
		for state in [*self.states, "无此状态"]:
			self.assertEqual(
				OURS["get_state_optional_field_value"](self.workflow, state),
				FRAPPE["get_state_optional_field_value"](self.workflow, state),
				state,
			)
			for cosign_status in ("Pending", "Agreed", "Returned"):
				case.cosign_status = cosign_status  # the transitions' conditions read it
				self.assertEqual(
					transition_rows(OURS["get_next_possible_transitions"](self.workflow, state, case)),
					transition_rows(FRAPPE["get_next_possible_transitions"](self.workflow, state, case)),
					(state, cosign_status),
				)
			for user in ("Administrator", self.yz["jx"], self.yz["jy"], self.applicant):
				self.assertEqual(
					OURS["get_allowed_roles"](user, self.workflow, state),
					FRAPPE["get_allowed_roles"](user, self.workflow, state),
					(state, user),
				)
		# Whether the case's state has its Workflow Action: yes for the submitted case (退回修改 is required, so
		# the submission made one), no for a draft, nor for the submitted case seen in another state.
		draft = make_application(seed=77)
		for doc, expected in ((case, True), (draft, False)):
			self.assertIs(OURS["is_workflow_action_already_created"](doc), expected, doc.workflow_state)
			self.assertEqual(bool(FRAPPE["is_workflow_action_already_created"](doc)), expected)
		case.workflow_state = "Received"
		self.assertIs(OURS["is_workflow_action_already_created"](case), False)
		self.assertFalse(FRAPPE["is_workflow_action_already_created"](case))
		case.workflow_state = "Submitted"
		# Not trivially equal: the states made required above have transitions that lead on.
		self.assertTrue(OURS["get_next_possible_transitions"](self.workflow, "Submitted", case))
		self.assertEqual(
			OURS["get_allowed_roles"](self.yz["jx"], self.workflow, "Returned"), {"District Economy Officer"}
		)

	def workflow_actions_after_submit(self, seed) -> list[tuple]:
		case = make_application(seed=seed, as_user=self.applicant)
		as_user(self.applicant, apply_workflow, case, "Submit to District")
		rows = frappe.get_all(
			"Workflow Action",
			filters={"reference_doctype": "Case Application", "reference_name": case.name},
			fields=["name", "workflow_state", "status"],
		)
		return sorted(
			(
				r.workflow_state,
				r.status,
				tuple(
					sorted(frappe.get_all("Workflow Action Permitted Role", {"parent": r.name}, pluck="role"))
				),
			)
			for r in rows
		)

	def test_a_workflow_edit_in_desk_is_seen_by_the_next_move(self):
		# As shipped, every state is optional: a submission makes no Workflow Action.
		self.assertEqual(self.workflow_actions_after_submit(73), [])
		# An admin makes 退回修改 required: the next submission asks the economy officer (who may return it),
		# exactly as Frappe's own lookups do.
		self.set_optional({"Returned": 0})
		ours = self.workflow_actions_after_submit(74)
		self.assertEqual(ours, [("Submitted", "Open", ("District Economy Officer",))])
		workflow_action.uninstall()
		self.assertEqual(self.workflow_actions_after_submit(75), ours)

	def test_a_move_reads_no_workflow_rows(self):
		case = apply_workflow(make_application(seed=76), "Submit to District")
		# The Workflow in Redis, as on a running site (a commit first: the tearDown's save clears it on commit).
		frappe.db.commit()
		frappe.get_cached_doc("Workflow", self.workflow)
		queries = []
		sql = frappe.db.__class__.sql

		def logged(db, query, *args, **kw):
			queries.append(str(query))
			return sql(db, query, *args, **kw)

		frappe.db.__class__.sql = logged
		try:
			out = as_user(self.yz["jx"], cosign, "Case Application", case.name, "同意推荐")
		finally:
			frappe.db.__class__.sql = sql
		self.assertEqual(out["state"], "District Co-signing")  # the signature moved the case
		self.assertTrue(any("`tabWorkflow Action`" in q for q in queries))  # Frappe's hook ran
		read = [q for q in queries if "`tabWorkflow Transition`" in q or "`tabWorkflow Document State`" in q]
		self.assertEqual(read, [])
