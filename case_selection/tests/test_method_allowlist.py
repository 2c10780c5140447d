"""The allow-list of platform methods (allowlist.py), over HTTP against the served test site.

The census imports every module of every installed app, lists every whitelisted function, and calls each one
that is not on the list as a user of every kind the list applies to: each must be refused with 403 by the
allow-list before Frappe runs it. A method Frappe adds in a later release is refused the day it appears, and
an entry of the list that no longer names a method fails here. Every other way Frappe dispatches a call (the
`cmd` field, /api/v2, run_doc_method, document methods) is tried the same way.
"""

import importlib
import json
import pkgutil
from concurrent.futures import ThreadPoolExecutor

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.access import allowlist
from case_selection.tests.factories import make_user
from case_selection.tests.http import URL, User, message

REFUSAL = "案例遴选的用户只能使用系统为其开放的功能"
SKIPPED_MODULE_PARTS = (".tests", ".test_", ".patches.", ".demo", "_test", ".commands", "boilerplate")


def whitelisted_methods() -> set[str]:
	"""Dotted names of every module-level whitelisted function of every installed app."""
	for app in frappe.get_installed_apps():
		package = importlib.import_module(app)
		for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
			if any(part in info.name for part in SKIPPED_MODULE_PARTS):
				continue
			try:
				importlib.import_module(info.name)
			except Exception:
				continue  # a module that cannot be imported cannot be called either
	names = set()
	for fn in frappe.whitelisted:
		if "." not in fn.__qualname__:
			names.add(f"{fn.__module__}.{fn.__qualname__}")
	return names


class TestMethodAllowList(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.users = {
			"applicant": make_user("allow.applicant@test.local", ["Case Applicant"]),
			"district": make_user("allow.jx@test.local", ["District Economy Officer"], "渝中区"),
			"city": make_user("allow.city@test.local", ["City Case Manager"]),
			"expert": make_user("allow.expert@test.local", ["Case Expert"]),
			"no_role": make_user("allow.none@test.local", []),
		}
		cls.admin = make_user("allow.admin@test.local", ["System Manager"])
		frappe.db.commit()
		cls.sessions = {kind: User(user) for kind, user in cls.users.items()}
		cls.methods = whitelisted_methods()

	def test_census_every_method_is_allowed_or_refused(self):
		"""Every whitelisted method: on the list (and the list names only real methods), or refused with 403 to
		every kind of user the list applies to."""
		hooks = frappe.get_hooks("override_whitelisted_methods")
		special = {"login", "logout", "upload_file", "ping"}
		stale = [m for m in allowlist.ALLOWED if m not in self.methods | special and m not in hooks]
		self.assertEqual(stale, [], "allow-list entries that name no whitelisted method")
		self.assertTrue(all(reason.strip() for reason in allowlist.ALLOWED.values()))

		refused = sorted(m for m in self.methods if not allowlist.is_allowed("method", m))
		self.assertGreater(len(refused), 300, "the census found too few methods to be a census")
		self.assertIn("frappe.desk.form.utils.get_next", refused)
		self.assertIn("frappe.utils.global_search.search", refused)

		def call(args):
			kind, method = args
			r = self.sessions[kind].s.post(f"{URL}/api/method/{method}", data={}, timeout=60)
			return kind, method, r.status_code, message(r)

		jobs = [(kind, m) for m in refused for kind in ("applicant", "district")] + [
			(kind, m) for m in refused[::7] for kind in ("city", "expert", "no_role")
		]
		with ThreadPoolExecutor(max_workers=4) as pool:
			results = list(pool.map(call, jobs))
		wrong = [(k, m, s) for k, m, s, text in results if s != 403 or REFUSAL not in text]
		self.assertEqual(wrong, [], "methods not refused by the allow-list")

	def test_every_dispatch_path_is_covered(self):
		applicant = self.sessions["applicant"]
		method = "frappe.desk.form.utils.get_next"
		paths = [
			("post", "/", {"cmd": method}),
			("post", f"/api/v1/method/{method}", {}),
			("post", f"/api/v2/method/{method}", {}),
			("get", f"/api/method/{method}/extra", {}),
			("post", "/api/v2/method/User/get_timezones", {}),
			(
				"post",
				"/api/method/run_doc_method",
				{"dt": "User", "dn": self.users["applicant"], "method": "get_social_login_userid"},
			),
			(
				"post",
				"/api/v2/method/run_doc_method",
				{
					"document": json.dumps({"doctype": "User", "name": self.users["applicant"]}),
					"method": "get_social_login_userid",
				},
			),
			(
				"post",
				f"/api/resource/User/{self.users['applicant']}",
				{"run_method": "get_social_login_userid"},
			),
			("post", f"/api/v2/document/User/{self.users['applicant']}/method/get_social_login_userid", {}),
			("get", "/api/v2/doctype/Case Application/count", {}),
			("get", "/api/v2/doctype/Case Application/meta", {}),
		]
		for verb, path, data in paths:
			r = getattr(applicant.s, verb)(
				f"{URL}{path}",
				data=data if verb == "post" else None,
				params=data if verb == "get" else None,
				timeout=30,
			)
			self.assertEqual(r.status_code, 403, f"{verb} {path}: {r.status_code} {message(r)[:200]}")

	def test_allowed_methods_pass_and_managers_keep_frappe(self):
		applicant = self.sessions["applicant"]
		r = applicant.call("frappe.desk.reportview.get", doctype="Case Application", fields=["name"])
		self.assertEqual(r.status_code, 200, message(r))
		r = applicant.call(
			"case_selection.api.review.list_experts"
		)  # the app's own: its own refusal, not the list's
		self.assertEqual(r.status_code, 403)
		self.assertNotIn(REFUSAL, message(r))
		# The list sidebar counts tags; no other column (the real state, the city's score) is counted.
		for stats, status in ((["_user_tags"], 200), (["workflow_state"], 417), (["owner"], 417)):
			r = applicant.call(
				"frappe.desk.reportview.get_sidebar_stats",
				doctype="Case Application",
				stats=stats,
				filters=[],
			)
			self.assertEqual(r.status_code, status, f"{stats}: {message(r)[:200]}")
		admin = User(self.admin)
		r = admin.call("frappe.desk.form.utils.get_next", doctype="ToDo", value="x", prev=0)
		self.assertNotIn(REFUSAL, message(r))

	def test_get_value_takes_plain_field_names_only(self):
		district = self.sessions["district"]
		for fieldname in (
			"workflow_state as x",
			"`workflow_state`",
			'["name", "owner as s"]',
			'{"a": 1}',
		):
			r = district.call(
				"frappe.client.get_value", doctype="Case District", fieldname=fieldname, filters="渝中区"
			)
			self.assertEqual(r.status_code, 417, f"{fieldname}: {r.status_code} {message(r)[:200]}")
		r = district.call(
			"frappe.client.get_value", doctype="Case District", fieldname="name", filters="渝中区"
		)
		self.assertEqual(r.status_code, 200, message(r))

	def test_a_doctype_is_named_as_it_is(self):
		"""A DocType named in another case or with a trailing space is no DocType (404) at every door that takes
		one, not a 500 from Frappe's table lookups (MariaDB's comparison ignores both)."""
		district = self.sessions["district"]
		for name in ("case application", "CASE APPLICATION", "Case Application ", "Case District\t"):
			for method, extra in (
				("frappe.client.get_count", {}),
				("frappe.desk.reportview.get_count", {}),
				("frappe.desk.reportview.get", {"fields": '["name"]'}),
			):
				r = district.call(method, doctype=name, **extra)
				self.assertEqual(r.status_code, 404, f"{method} {name!r}: {r.status_code} {message(r)[:200]}")
		self.assertEqual(
			district.call("frappe.client.get_count", doctype="Case Application").status_code, 200
		)
