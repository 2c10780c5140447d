"""Frappe's after-save hooks as the app installs them (case_selection/overrides/save_hooks.py): installed before each
request and job; the energy-point setting the same as Frappe's answer after each change an admin can make and
asked of no database on a save; the attached-file lookups skipped on a move of state only, and a file put in a
case's Attach field by a save still attached to it."""

import frappe
from frappe.core.doctype.file import utils as file_utils
from frappe.model.workflow import apply_workflow
from frappe.social.doctype.energy_point_rule import energy_point_rule
from frappe.tests.utils import FrappeTestCase

from case_selection.api.cosigning import cosign
from case_selection.overrides import save_hooks
from case_selection.tests.factories import district_users, make_application, make_round
from case_selection.tests.flow import as_user

SETTINGS = save_hooks.SETTINGS


class QueryLog:
	"""Every statement frappe.db runs inside the block, with its arguments."""

	def __enter__(self):
		self.queries = []
		self.sql = sql = frappe.db.__class__.sql

		def logged(db, query, *args, **kw):
			self.queries.append((str(query), repr(args) + repr(kw)))
			return sql(db, query, *args, **kw)

		frappe.db.__class__.sql = logged
		return self

	def __exit__(self, *exc):
		frappe.db.__class__.sql = self.sql

	def naming(self, *words) -> list[str]:
		return [q for q, a in self.queries if all(w in q + a for w in words)]


class TestSaveHooks(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		make_round()
		self.was = frappe.db.get_single_value(SETTINGS, "enabled", cache=False)
		save_hooks.install()

	def tearDown(self):
		frappe.db.set_single_value(SETTINGS, "enabled", self.was)
		save_hooks.install()

	def test_installed_before_every_request_and_job(self):
		for hook in ("before_request", "before_job"):
			save_hooks.uninstall()
			self.assertIs(
				energy_point_rule.is_energy_point_enabled, save_hooks.ORIGINAL["is_energy_point_enabled"]
			)
			self.assertIs(
				file_utils.attach_files_to_document, save_hooks.ORIGINAL["attach_files_to_document"]
			)
			for method in frappe.get_hooks(hook, app_name="case_selection"):
				frappe.call(method, method="frappe.ping") if hook == "before_job" else frappe.call(method)
			self.assertIs(energy_point_rule.is_energy_point_enabled, save_hooks.is_energy_point_enabled, hook)
			# Frappe looks a doc event's handler up by its dotted path at each save: that path gives ours
			handler = frappe.get_attr("frappe.core.doctype.file.utils.attach_files_to_document")
			self.assertIs(handler, save_hooks.attach_files_to_document, hook)

	def test_energy_points_the_same_answer_as_frappe_after_each_change(self):
		"""Saved in Desk, set with set_single_value: the next question sees it, as Frappe's own answer does."""
		for how, value in (("save", 1), ("set_value", 0), ("set_value", 1), ("save", 0)):
			if how == "save":
				doc = frappe.get_doc(SETTINGS)
				doc.enabled = value
				doc.save()
			else:
				frappe.db.set_single_value(SETTINGS, "enabled", value)
			frappe.db.value_cache.pop(SETTINGS, None)  # Frappe's own answer, not its request cache
			self.assertEqual(save_hooks.ORIGINAL["is_energy_point_enabled"](), bool(value), (how, value))
			self.assertIs(save_hooks.is_energy_point_enabled(), bool(value), (how, value))

	def test_a_save_asks_the_database_nothing_about_energy_points(self):
		case = make_application(seed=91)
		frappe.get_cached_doc(SETTINGS)  # in the cache, as on a running site
		frappe.db.value_cache.pop(SETTINGS, None)  # a new request's: Frappe's per-request cache is empty
		with QueryLog() as log:
			case.keywords = "能量点；缓存"
			case.save()
		self.assertTrue(log.naming("`tabCase Application`"))  # the save ran
		self.assertEqual(log.naming("tabSingles", SETTINGS), [])

	def test_attached_files_on_a_save_and_not_on_a_move(self):
		yz = district_users("渝中区", "svh")
		case = make_application(seed=92)
		url = self.private_file("证明材料-svh.pdf")
		# A save of the content that puts a file in an Attach field: Frappe's lookups run and attach the file.
		field = next(df.fieldname for df in case.meta.fields if df.fieldtype == "Attach")
		case.set(field, url)
		with QueryLog() as log:
			case.save()
		self.assertTrue(log.naming("`tabFile`", url))
		self.assertEqual(
			frappe.db.get_value("File", {"file_url": url}, ["attached_to_doctype", "attached_to_name"]),
			("Case Application", case.name),
		)
		case = apply_workflow(frappe.get_doc("Case Application", case.name), "Submit to District")
		# A signature that moves the case: no lookup of the case's files, the file still attached to it.
		with QueryLog() as log:
			out = as_user(yz["jx"], cosign, "Case Application", case.name, "同意推荐")
		self.assertEqual(out["state"], "District Co-signing")  # it moved
		self.assertTrue(log.naming("UPDATE `tabCase Application`"))
		self.assertEqual(log.naming("`tabFile`"), [])
		self.assertEqual(frappe.db.get_value("File", {"file_url": url}, "attached_to_name"), case.name)

	def private_file(self, file_name: str) -> str:
		"""An uploaded private file not yet attached to anything (as an upload before the form is saved)."""
		doc = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": file_name,
				"is_private": 1,
				"content": b"%PDF-1.4\n" + file_name.encode() * 20,
			}
		).insert(ignore_permissions=True)
		return doc.file_url


class TestCaseDefaults(FrappeTestCase):
	"""CaseApplication._set_defaults works out a table's new-row defaults only when the table has a new row: the
	case and its rows come out of it as they come out of Frappe's Document._set_defaults."""

	def setUp(self):
		frappe.set_user("Administrator")
		make_round(2026)

	def tearDown(self):
		frappe.db.rollback()

	def both_ways(self, doc):
		from frappe.model.document import Document  # deferred: Frappe's own, to compare with

		ours, frappes = frappe.copy_doc(doc, ignore_no_copy=True), frappe.copy_doc(doc, ignore_no_copy=True)
		for copy in (ours, frappes):
			copy.name, copy.flags.case_system_transition = doc.name, None
			for table in ("partners", "indicators", "evidence", "finance_years"):
				for old, row in zip(doc.get(table), copy.get(table), strict=True):
					row.name, row.__islocal = old.name, old.get("__islocal")
			copy.__islocal = doc.get("__islocal")
		ours._set_defaults()
		Document._set_defaults(frappes)
		self.assertEqual(ours.as_dict(convert_dates_to_str=True), frappes.as_dict(convert_dates_to_str=True))

	def test_the_same_as_frappe(self):
		new = frappe.new_doc("Case Application")
		new.update({"case_title": "默认值测试"})
		new.append("partners", {"unit_name": "合作单位甲"})
		self.both_ways(new)
		saved = make_application(case_title="默认值测试 已保存")
		self.both_ways(saved)  # no new row
		saved.append("partners", {"unit_name": "合作单位乙"})
		self.both_ways(saved)  # a new row on a saved case
