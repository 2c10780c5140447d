"""frappe.share.get_shared as the app installs it (case_selection/overrides/shares.py): installed before each request
and job, and the same names as Frappe's own for every user, DocType, set of rights and limit, with shares planted
for one user, for everyone, with different rights, on two DocTypes."""

import frappe
from frappe import share
from frappe.tests.utils import FrappeTestCase

from case_selection.overrides import shares
from case_selection.tests.factories import make_user

RIGHTS = (None, ["read"], ["write"], ["share"], ["submit"], ["read", "write"], ["write", "share"])


class TestShares(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		shares.install()
		self.a = make_user("share.a@test.local", ["Case Applicant"])
		self.b = make_user("share.b@test.local", ["Case Applicant"])
		self.notes = [
			frappe.get_doc({"doctype": "Note", "title": f"共享测试 {i}", "public": 0}).insert().name
			for i in range(4)
		]
		self.todo = frappe.get_doc({"doctype": "ToDo", "description": "共享测试"}).insert().name
		plant = [
			("Note", self.notes[0], self.a, {"read": 1}),
			("Note", self.notes[1], self.a, {"read": 1, "write": 1}),
			("Note", self.notes[2], None, {"read": 1}),  # everyone
			("Note", self.notes[3], self.b, {"read": 1, "write": 1, "share": 1}),
			("Note", self.notes[3], self.a, {"write": 1}),  # write (DocShare adds read)
			("ToDo", self.todo, self.a, {"read": 1, "share": 1}),
		]
		for doctype, name, user, rights in plant:
			frappe.get_doc(
				{
					"doctype": "DocShare",
					"share_doctype": doctype,
					"share_name": name,
					"user": user,
					"everyone": 0 if user else 1,
					**{r: rights.get(r, 0) for r in shares.RIGHTS},
				}
			).insert(ignore_permissions=True)

	def tearDown(self):
		shares.install()
		frappe.set_user("Administrator")

	def test_installed_before_every_request_and_job(self):
		for hook in ("before_request", "before_job"):
			shares.uninstall()
			self.assertIs(share.get_shared, shares.ORIGINAL)
			for method in frappe.get_hooks(hook, app_name="case_selection"):
				frappe.call(method, method="frappe.ping") if hook == "before_job" else frappe.call(method)
			self.assertIs(frappe.share.get_shared, shares.get_shared, hook)

	def test_the_same_names_as_frappe(self):
		compared = 0
		for doctype in ("Note", "ToDo", "Case Application"):
			for user in (self.a, self.b, "Guest", "Administrator", None):
				frappe.set_user(user or self.b)  # None: the session's user
				for rights in RIGHTS:
					frappe_names = sorted(shares.ORIGINAL(doctype, user, rights))
					self.assertEqual(
						sorted(shares.get_shared(doctype, user, rights)),
						frappe_names,
						(doctype, user, rights),
					)
					limited = shares.get_shared(doctype, user, rights, limit=1)
					self.assertEqual(len(limited), min(1, len(frappe_names)), (doctype, user, rights))
					self.assertTrue(set(limited) <= set(frappe_names))
					compared += bool(frappe_names)
				frappe.set_user("Administrator")
		self.assertGreaterEqual(compared, 12)  # not only empty answers

		# What was planted is told apart: A reads all four (2 shared with everyone; DocShare gives the write share
		# of 3 read too), writes 1 and 3; B reads 2 and 3.
		# (of this test's notes: each setUp plants its own, and an everyone-share of an earlier one is seen too)
		def mine(names):
			return sorted(set(names) & set(self.notes))

		self.assertEqual(mine(shares.get_shared("Note", self.a)), sorted(self.notes))
		self.assertEqual(mine(shares.get_shared("Note", self.a, ["write"])), sorted(self.notes[1::2]))
		self.assertEqual(mine(shares.get_shared("Note", self.b)), sorted(self.notes[2:]))
		self.assertEqual(shares.get_shared("Note", "Guest"), [])

	def test_extra_filters_go_to_frappe(self):
		filters = [["share_name", "=", self.notes[1]]]
		self.assertEqual(shares.get_shared("Note", self.a, filters=filters), [self.notes[1]])
		self.assertEqual(shares.get_shared("Note", self.a, ["write"], filters=filters), [self.notes[1]])
