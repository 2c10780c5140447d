"""Frappe's column check as the app installs it (case_selection/overrides/filters.py, sanitize_column): a column name
it passed once is not read through sqlparse again, a name it refuses is refused every time, through the list query
as through the check itself, the same answers as Frappe's own check for each name."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import data as frappe_data

from case_selection.overrides import filters

NAMES = (
	"name",
	"`tabToDo`.`status`",
	"ifnull(`tabToDo`.`status`, '')",
	"status",
	"name; drop table `tabToDo`",
	"(select name from tabUser)",
	"name, (select 1)",
	"ifnull(status, '') or 1=1",
	"ifnull(status, (select password from __Auth))",
	"name /*! , (select 1) */",
	"name -- ,(",
	"status' or '1",
)


def frappe_answer(name: str) -> bool:
	try:
		filters.ORIGINAL_SANITIZE(name)
	except frappe.DataError:
		return False
	return True


class TestColumnCheck(FrappeTestCase):
	def setUp(self):
		filters.install()
		filters.PASSED_COLUMNS.clear()
		self.reads = []
		original = filters.ORIGINAL_SANITIZE

		def counted(name):
			self.reads.append(name)
			return original(name)

		self.original, filters.ORIGINAL_SANITIZE = original, counted

	def tearDown(self):
		filters.ORIGINAL_SANITIZE = self.original
		frappe.db.rollback()

	def test_installed_before_every_request_and_job(self):
		for hook in ("before_request", "before_job"):
			frappe_data.sanitize_column = self.original
			for method in frappe.get_hooks(hook, app_name="case_selection"):
				frappe.call(method, method="frappe.ping") if hook == "before_job" else frappe.call(method)
			self.assertIs(frappe_data.sanitize_column, filters.sanitize_column, hook)

	def test_the_same_answers_as_frappe_and_a_refusal_every_time(self):
		expected = {name: frappe_answer(name) for name in NAMES}
		self.assertIn(False, expected.values())
		self.assertIn(True, expected.values())
		self.reads.clear()
		for attempt in range(3):
			for name in NAMES:
				if expected[name]:
					frappe_data.sanitize_column(name)
				else:
					with self.assertRaises(frappe.DataError, msg=(attempt, name)):
						frappe_data.sanitize_column(name)
		passed = [n for n in NAMES if expected[n]]
		refused = [n for n in NAMES if not expected[n]]
		# a passed name read once, a refused one each of the three times
		self.assertEqual(sorted(self.reads), sorted(passed + refused * 3))

	def test_through_the_list_query(self):
		frappe.set_user("Administrator")
		todo = frappe.get_doc({"doctype": "ToDo", "description": "列检查"}).insert()
		for _attempt in range(2):
			self.assertEqual(
				frappe.get_list("ToDo", filters=[["ToDo", "name", "=", todo.name]], pluck="name"), [todo.name]
			)
			with self.assertRaises(frappe.DataError):
				frappe.get_list("ToDo", filters=[["ToDo", "name, (select 1)", "=", "x"]], pluck="name")
		self.assertEqual(self.reads.count("name"), 1)
		self.assertEqual(self.reads.count("name, (select 1)"), 2)

	def test_bounded(self):
		for i in range(filters.PASSED_MAX + 10):
			frappe_data.sanitize_column(f"col{i}")
		self.assertLessEqual(len(filters.PASSED_COLUMNS), filters.PASSED_MAX)

	def test_the_list_query_keeps_its_signature(self):
		"""The list query's net (filters.execute) wraps Frappe's DatabaseQuery.execute with its signature: the
		allow-list reads the arguments a list request may carry from it (a wrapper without it dropped them all, and
		with them every filter of Desk's report view)."""
		import inspect  # deferred: only this test reads signatures

		from frappe.model.db_query import DatabaseQuery  # deferred: as above

		self.assertIs(DatabaseQuery.execute, filters.execute)
		names = set(inspect.signature(DatabaseQuery.execute).parameters)
		self.assertTrue({"filters", "or_filters", "order_by", "fields", "group_by"} <= names, names)

	def test_an_unknown_column_stays_the_database_error_frappe_handlers_expect(self):
		"""A list query naming a column the table does not have: a ValidationError (417 over HTTP) that is still
		MariaDB's error, so Frappe's own handlers around get_all (sitemap, tags …) that ask
		frappe.db.is_missing_column(e) see what they saw."""
		frappe.set_user("Administrator")
		for order_by in ("zzz desc", "`tabToDo`.`zzz` desc"):
			with self.assertRaises(frappe.ValidationError) as caught:
				frappe.get_all("ToDo", order_by=order_by)
			self.assertTrue(frappe.db.is_missing_column(caught.exception), order_by)
			self.assertIsInstance(caught.exception, frappe.db.OperationalError)
		with self.assertRaises(frappe.ValidationError) as caught:
			frappe.get_all("ToDo", order_by="tabToDo.name desc, , ")
		self.assertIsInstance(caught.exception, frappe.db.ProgrammingError)
