"""No fixed-size list of people in a row: a district with 500 officers (issue 19). Its District Deadline record
names them all (it held 1,000 characters, about 40 officers, and the next officer's User Permission answered
500), its reminders reach exactly them, and the last officers' access is granted over HTTP with 200."""

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.access.system_write import system_write
from case_selection.tests.factories import TEST_ROUND, make_round, make_user
from case_selection.tests.http import URL, User, message
from case_selection.workflow import deadlines

DISTRICT = "测试大区"
N = 500
OVER_HTTP = 3  # the last officers' User Permissions, granted by an administrator over REST
ROLE = "District Economy Officer"


def officer(i: int) -> str:
	return f"officer{i:03d}.many@test.local"


class TestManyOfficers(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_round(int(TEST_ROUND))
		if not frappe.db.exists("Case District", DISTRICT):
			with system_write():
				frappe.get_doc(
					{"doctype": "Case District", "district_name": DISTRICT, "sort_order": 98}
				).insert(ignore_permissions=True)
		frappe.db.delete("User Permission", {"allow": "Case District", "for_value": DISTRICT})
		# The officers as rows written at once (a User saved through Frappe costs a tenth of a second and more):
		# users with the lead department's role and a User Permission on the district, all but the last few,
		# whose access an administrator grants over REST below.
		now = frappe.utils.now()
		missing = [officer(i) for i in range(N) if not frappe.db.exists("User", officer(i))]
		base = {"creation": now, "modified": now, "owner": "Administrator", "modified_by": "Administrator"}
		frappe.db.bulk_insert(
			"User",
			["name", "email", "first_name", "full_name", "enabled", "user_type", "send_welcome_email", *base],
			[(u, u, u.split(".")[0], u.split(".")[0], 1, "System User", 0, *base.values()) for u in missing],
		)
		# Roles of users left by an earlier run are checked too: uninstalling the app takes its roles away.
		roleless = [
			officer(i)
			for i in range(N)
			if not frappe.db.exists("Has Role", {"parent": officer(i), "role": ROLE, "parenttype": "User"})
		]
		frappe.db.bulk_insert(
			"Has Role",
			["name", "parent", "parenttype", "parentfield", "role", "idx", *base],
			[
				(frappe.generate_hash(length=12), u, "User", "roles", ROLE, 1, *base.values())
				for u in roleless
			],
		)
		frappe.db.bulk_insert(
			"User Permission",
			["name", "user", "allow", "for_value", "apply_to_all_doctypes", *base],
			[
				(frappe.generate_hash(length=12), officer(i), "Case District", DISTRICT, 1, *base.values())
				for i in range(N - OVER_HTTP)
			],
		)
		for u in roleless:
			frappe.cache.hdel("roles", u)  # Frappe keeps each user's roles in Redis
		deadlines.refresh_officers([DISTRICT])
		cls.admin = make_user("many.admin@test.local", ["System Manager"])
		cls.neighbour = make_user("many.neighbour@test.local", ["District Economy Officer"], "渝中区")
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.db.delete("User Permission", {"allow": "Case District", "for_value": DISTRICT})
		frappe.db.delete("District Deadline", {"district": DISTRICT})
		frappe.db.delete("Case District", {"name": DISTRICT})
		frappe.db.commit()
		super().tearDownClass()

	def test_500_officers_are_granted_named_and_reminded(self):
		admin = User(self.admin)
		for i in range(N - OVER_HTTP, N):
			r = admin.s.post(
				f"{URL}/api/resource/User Permission",
				json={"user": officer(i), "allow": "Case District", "for_value": DISTRICT},
				timeout=60,
			)
			self.assertEqual(r.status_code, 200, message(r)[:300])
		frappe.db.rollback()  # what the server committed
		record = frappe.get_doc("District Deadline", deadlines.name_of(TEST_ROUND, DISTRICT))
		named = set(filter(None, (record.officers or "").split(",")))
		self.assertEqual(named, {officer(i) for i in range(N)})
		self.assertNotIn(self.neighbour, named)
		# The deadline reminder (Frappe's Notification on this record) goes to exactly them.
		reminder = frappe.get_doc("Notification", "报送截止提醒")
		recipients, _cc, _bcc = reminder.get_list_of_recipients(record, {"doc": record})
		self.assertEqual(set(recipients), named)
		# The last officer, granted over HTTP, acts for the district.
		self.assertTrue(frappe.has_permission("District Deadline", "read", record, user=officer(N - 1)))
