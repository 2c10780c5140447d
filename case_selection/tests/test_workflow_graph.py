"""No dead ends, and no move by the wrong role (issue 8), on the live Workflow read from the database.

The graph test proves that from every state that is not a final result, the transitions the Workflow holds
lead to a final result. The HTTP test puts a case in each state, with every condition of the transitions
leaving it made true, and tries each transition as a user of every case role: the roles the Workflow allows
move the case, every other role is refused — so a refusal is the role's, not a false condition's.
"""

import json
from collections import defaultdict

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, nowdate

from case_selection.access import actors, sealing
from case_selection.access.system_write import system_write
from case_selection.tests.factories import (
	delete_application,
	make_application,
	make_round,
	make_user,
	put_state,
)
from case_selection.tests.http import REFUSED, User, fresh, message
from case_selection.workflow import states
from case_selection.workflow.definition import WORKFLOW_NAME

ROUND_YEAR = 2090
ROUND = str(ROUND_YEAR)
SYSTEM_ROLE = "Administrator"


def live_workflow():
	return frappe.get_doc("Workflow", WORKFLOW_NAME)


class TestWorkflowGraph(FrappeTestCase):
	def test_from_every_state_a_final_result_can_be_reached(self):
		workflow = live_workflow()
		finals = set(states.final_states())
		self.assertTrue(finals, "no state is marked as a final result in Case Selection Settings")
		graph = defaultdict(set)
		for t in workflow.transitions:
			graph[t.state].add(t.next_state)
			self.assertTrue(frappe.db.exists("Role", t.allowed), f"{t.action}: no role {t.allowed}")
		all_states = {s.state for s in workflow.states}
		for state in all_states - finals:
			seen, todo = {state}, [state]
			while todo:
				for nxt in graph[todo.pop()]:
					if nxt not in seen:
						seen.add(nxt)
						todo.append(nxt)
			self.assertTrue(seen & finals, f"「{state}」 is a dead end: it reaches only {sorted(seen)}")
		for state in finals:
			self.assertIn(state, all_states)

	def test_every_state_has_a_classification(self):
		classified = {r.state for r in frappe.get_single("Case Selection Settings").states}
		missing = {s.state for s in live_workflow().states} - classified
		self.assertEqual(missing, set(), "states without a row in Case Selection Settings → 状态分类")


class TestTransitionsByRole(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_round(ROUND_YEAR, public_notice_days=0)
		cls.users = {}
		for role in cls.case_roles():
			email = "graph." + role.lower().replace(" ", "-") + "@test.local"
			district = "渝中区" if role in actors.district_roles() else None
			cls.users[role] = make_user(email, [role], district)
		cls.applicant = cls.users[actors.applicant_role()]
		cls.case = make_application(as_user=cls.applicant, seed=900, round=ROUND).name
		cls.list = cls.make_list()
		frappe.db.commit()
		cls.sessions = {role: User(user) for role, user in cls.users.items()}

	@classmethod
	def tearDownClass(cls):
		fresh()
		with system_write():
			delete_application(cls.case)
			frappe.delete_doc("District Recommendation List", cls.list, force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	@staticmethod
	def case_roles() -> list[str]:
		city = actors.city_roles().all
		return sorted({actors.applicant_role(), actors.expert_role(), *city, *actors.district_roles()})

	@classmethod
	def make_list(cls) -> str:
		doc = frappe.get_doc(
			{"doctype": "District Recommendation List", "round": ROUND, "district": "渝中区"}
		)
		with system_write():
			doc.insert(ignore_permissions=True)
		return doc.name

	def put_in_state(self, state: str, action: str):
		"""The case in `state`, with what every condition of the transitions leaving it asks for."""
		cosign = {
			"Co-sign Agreed": "Agreed",
			"Co-sign Disagreed": "Disagreed",
			"Co-sign Returned": "Returned",
		}
		list_status = {"Submit to City": "Submitted to City", "Receive": "Received"}.get(
			action, "City Returned"
		)
		with_list = action in ("Submit to City", "Receive") or (
			action == "Return to District" and state == "Submitted to City"
		)
		fresh()
		put_state(
			self.case,
			state,
			{
				"cosign_status": cosign.get(action, "Pending"),
				"city_remark": "退回理由",
				"recommendation_list": self.list if with_list else None,
			},
			formal_check="通过",
			public_notice_end=add_days(nowdate(), -1),
		)
		frappe.db.set_value(
			"District Recommendation List", self.list, "status", list_status, update_modified=False
		)
		frappe.db.commit()

	def test_each_transition_moves_for_its_roles_and_is_refused_to_the_others(self):
		workflow = live_workflow()
		by_move = defaultdict(set)
		for t in workflow.transitions:
			by_move[(t.state, t.action, t.next_state)].add(t.allowed)
		expert = self.users[actors.expert_role()]
		# the expert may read the case (an assignment), so a refusal is the role's, not a hidden case
		with system_write():
			frappe.get_doc({"doctype": "Case Review", "application": self.case, "expert": expert}).insert(
				ignore_permissions=True
			)
		frappe.db.commit()
		problems = []
		checked = 0
		for (state, action, next_state), allowed in sorted(by_move.items()):
			for role, session in self.sessions.items():
				self.put_in_state(state, action)
				r = session.act("Case Application", self.case, action)
				fresh()
				moved = sealing.real_state(self.case) == next_state
				checked += 1
				if r.status_code >= 500:
					problems.append(f"{role}: {state} —{action}→ answered {r.status_code}")
				elif role in allowed and not (r.status_code == 200 and moved):
					problems.append(
						f"{role} may take {state} —{action}→ but got {r.status_code} {message(r)[:120]}"
					)
				elif role not in allowed and (r.status_code not in REFUSED or moved):
					problems.append(f"{role} may not take {state} —{action}→ but got {r.status_code}")
		self.assertGreater(checked, 100)
		self.assertEqual(problems, [], "\n".join(problems))
		system_moves = [m for m, roles in by_move.items() if roles == {SYSTEM_ROLE}]
		self.assertGreaterEqual(len(system_moves), 8, json.dumps(system_moves, ensure_ascii=False))
