"""The district list as data: a district an admin adds in Desk is ready at once in every open round."""

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.tests.factories import TEST_ROUND, make_round, make_user
from case_selection.tests.http import URL, User, message
from case_selection.workflow import deadlines

NEW_DISTRICT = "测试新区"


class TestDistrictAdded(FrappeTestCase):
	def test_a_district_added_over_rest_has_its_deadline_record_at_once(self):
		make_round(int(TEST_ROUND))
		admin = make_user("districts.admin@test.local", ["System Manager"])
		frappe.db.commit()
		r = User(admin).s.post(
			f"{URL}/api/resource/Case District",
			json={"district_name": NEW_DISTRICT, "sort_order": 99},
			timeout=30,
		)
		try:
			self.assertEqual(r.status_code, 200, message(r)[:300])
			frappe.db.rollback()
			record = frappe.db.get_value(
				"District Deadline",
				deadlines.name_of(TEST_ROUND, NEW_DISTRICT),
				["round", "district"],
				as_dict=True,
			)
			self.assertEqual((record.round, record.district), (TEST_ROUND, NEW_DISTRICT))
		finally:
			frappe.db.rollback()
			frappe.db.delete("District Deadline", {"district": NEW_DISTRICT})
			frappe.db.delete("Case District", {"name": NEW_DISTRICT})
			frappe.db.commit()
