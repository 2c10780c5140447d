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

	def test_a_department_name_a_seal_cannot_carry_is_refused_on_save(self):
		"""The seal certificate's common name is the department's full name, at most 64 characters (RFC 5280): a
		longer one typed in Desk is refused with the row named, and nothing of the change is kept."""
		admin = make_user("districts.admin@test.local", ["System Manager"])
		frappe.db.commit()
		district = "渝中区"
		before = frappe.get_doc("Case District", district)
		rows = [
			{"role": r.role, "department": r.department, "official_name": r.official_name}
			for r in before.department_names
		]
		self.assertTrue(rows)
		rows[0]["official_name"] = "重庆市" + "很" * 62  # 65 characters
		r = User(admin).s.put(
			f"{URL}/api/resource/Case District/{district}", json={"department_names": rows}, timeout=30
		)
		self.assertEqual(r.status_code, 417, message(r)[:300])
		self.assertIn("部门全称", message(r))
		self.assertIn("64", message(r))
		frappe.db.rollback()
		after = frappe.get_doc("Case District", district)
		self.assertEqual(
			[x.official_name for x in after.department_names],
			[x.official_name for x in before.department_names],
		)
		rows[0]["official_name"] = "重庆市" + "很" * 61  # 64 characters: allowed
		r = User(admin).s.put(
			f"{URL}/api/resource/Case District/{district}", json={"department_names": rows}, timeout=30
		)
		try:
			self.assertEqual(r.status_code, 200, message(r)[:300])
		finally:
			frappe.db.rollback()  # a fresh snapshot: the request's save is committed
			restored = frappe.get_doc("Case District", district)
			for row, old in zip(restored.department_names, before.department_names, strict=False):
				row.official_name = old.official_name
			restored.save(ignore_permissions=True)
			frappe.db.commit()
