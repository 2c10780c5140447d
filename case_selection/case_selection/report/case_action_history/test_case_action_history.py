import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase

from case_selection.case_selection.report.case_action_history.case_action_history import execute
from case_selection.tests.factories import district_users, make_application, make_round


class TestCaseActionHistory(FrappeTestCase):
	def test_history_rows_follow_read_permission(self):
		frappe.set_user("Administrator")
		make_round()
		yz, wz = district_users("渝中区", "yz"), district_users("万州区", "wz")
		app = apply_workflow(make_application(seed=60), "Submit to District")

		frappe.set_user(yz["kj"])
		_cols, rows = execute({"reference_name": app.name})
		self.assertEqual(len(rows), 2)  # created, then submitted to the district
		self.assertEqual({r.reference_name for r in rows}, {app.name})
		self.assertTrue(all(r.actor_name for r in rows))

		frappe.set_user(wz["kj"])
		_cols, rows = execute({"reference_name": app.name})
		self.assertEqual(rows, [])
		frappe.set_user("Administrator")
