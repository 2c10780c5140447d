"""Malformed arguments, concurrent tags and deadlock victims, over HTTP against the served test site.

The hunts call every method the app's users may call (the allow-list's platform methods and every whitelisted
method of the app) with two dozen malformed values in every argument the method takes — broken and scalar
JSON, lists of the wrong things, NUL, a lone surrogate, 3,000 characters, markup, paths — once as they come and
once beside a real DocType, as a district officer and as an applicant, and every REST document route of both
versions the same way: a refusal is a 403, 404 or 417, never a 5xx. (Found by them, before the argument shapes
of access/allowlist.py and the REST check of guards.py: 8,909 answers of 500 from 29 methods and 4,208 from the
REST routes — JSONDecodeError, TypeError, AttributeError, ImportError, MariaDB's "data too long" and "illegal
double".)

Tags: eight users' requests at the same second, the same new tag on eight records, and eight new tags on one
record, keep every tag (Frappe's own lost seven of eight tags of one record without an error, and answered 409
to seven of the eight makers of one tag). A request MariaDB chooses as a deadlock victim runs again
(overrides/retry.py): tried in-process with a real write rolled back.
"""

import inspect
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.access import allowlist
from case_selection.overrides import retry
from case_selection.tests.factories import make_user
from case_selection.tests.http import URL, User, login, message

JUNK = [
	"",
	"[[[",
	"-1",
	"99999999999999999999",
	"abc",
	'{"a": {"b": 1}}',
	"x" * 3000,
	"null",
	"\x00",
	'["name", {"a": 1}]',
	"1e309",
	"true",
	"[]",
	"{}",
	'[["Case Application", "name", "in", [[1]]]]',
	"[1, 2, 3]",
	'"str"',
	"NaN",
	"0.5",
	"\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
	"../../etc/passwd",
	"<img src=x onerror=alert(1)>",
	"%",
	"a`b",
	"tabCase Application",
]
# Methods whose call would end the hunting session or change the hunter's password.
SPARED = ("password", "logout", "clear_cache", "reset")


def hunted_methods() -> dict[str, list[str]]:
	"""Every method the list's users may call, with the parameters each takes."""
	# deferred: imported at the top, its TestCase would run a second time as this module's
	from case_selection.tests.test_method_allowlist import whitelisted_methods

	names = set(allowlist.ALLOWED) | {m for m in whitelisted_methods() if m.startswith("case_selection.")}
	out = {}
	for m in sorted(names):
		if m in ("login", "logout", "upload_file", "ping") or m.startswith("case_selection.tests"):
			continue
		if any(word in m for word in SPARED):
			continue
		try:
			target = frappe.get_hooks("override_whitelisted_methods", {}).get(m, [m])[-1]
			fn = frappe.get_attr(target)
			fn = getattr(fn, "__wrapped__", fn)
			params = [p for p in inspect.signature(fn).parameters if p not in ("args", "kwargs")]
		except Exception:
			params = []
		out[m] = params
	return out


class TestArgumentShapes(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.users = [
			make_user("shape.jx@test.local", ["District Economy Officer"], "渝中区"),
			make_user("shape.applicant@test.local", ["Case Applicant"]),
		]
		cls.tagger = make_user("shape.admin@test.local", ["System Manager"])
		frappe.db.commit()
		cls.methods = hunted_methods()

	def test_every_method_with_malformed_arguments_is_refused_not_a_500(self):
		sessions = {u: login(u) for u in self.users}

		def hunt(job):
			i, method = job
			s = sessions[self.users[i % len(self.users)]]
			params = self.methods[method] or ["doctype", "name", "filters", "doc"]
			found, sent = [], 0
			for doctype in (None, "Case Application"):
				for junk in JUNK:
					data = dict.fromkeys(params, junk)
					if doctype:
						for arg in ("doctype", "dt"):
							if arg in data:
								data[arg] = doctype
					r = s.post(f"{URL}/api/method/{method}", data=data, timeout=120)
					sent += 1
					if r.status_code >= 500:
						found.append(f"{method} {doctype} {junk[:20]!r}: {r.status_code} {message(r)[-160:]}")
			return found, sent

		failures, total = [], 0
		with ThreadPoolExecutor(max_workers=4) as pool:
			for found, sent in pool.map(hunt, enumerate(self.methods)):
				failures += found
				total += sent
		self.assertGreater(len(self.methods), 120, "the hunt found too few methods to be a hunt")
		self.assertGreater(total, 6000)
		self.assertEqual(failures, [], f"{len(failures)} of {total}:\n" + "\n".join(failures[:60]))

	def test_every_document_route_with_malformed_arguments_is_refused_not_a_500(self):
		"""REST's list, count, read, write and document-method routes of both versions: malformed list arguments,
		DocTypes and names in the path, bodies that are JSON but not one object. (A body that is not JSON at all
		with a JSON content type is Frappe's 500 before any app code runs: not tried.)"""
		list_args = (
			"fields",
			"filters",
			"or_filters",
			"order_by",
			"group_by",
			"limit_page_length",
			"limit_start",
		)
		list_args += ("limit", "as_dict", "parent", "expand")

		def routes(doctype: str, junk: str) -> list[tuple]:
			dt, bad = quote(doctype), quote(junk, safe="")
			out = [("GET", f"/api/resource/{dt}", {"params": dict.fromkeys(list_args, junk)})]
			for arg in list_args:
				out.append(("GET", f"/api/resource/{dt}", {"params": {arg: junk}}))
				out.append(("GET", f"/api/v2/document/{dt}", {"params": {arg: junk}}))
			out += [
				("GET", f"/api/v2/doctype/{dt}/count", {"params": {"filters": junk}}),
				("GET", f"/api/resource/{dt}/{bad}", {}),
				("GET", f"/api/v2/document/{dt}/{bad}", {}),
				("GET", f"/api/resource/{bad}", {}),
				("GET", f"/api/v2/doctype/{bad}/meta", {}),
				("POST", f"/api/resource/{dt}", {"data": {"data": junk}}),
				("PUT", f"/api/resource/{dt}/{bad}", {"json": {"case_title": junk}}),
				("POST", f"/api/v2/method/{dt}/{bad}", {"data": {"name": junk}}),
			]
			try:
				json.loads(junk)
			except ValueError:
				return out
			body = {"data": junk.encode(), "headers": {"Content-Type": "application/json"}}
			return out + [
				("POST", f"/api/resource/{dt}", body),
				("POST", f"/api/v2/document/{dt}", body),
				("PUT", f"/api/resource/{dt}/x", body),
				("PATCH", f"/api/v2/document/{dt}/x", body),
			]

		def hunt(job):
			user, doctype = job
			s, found, sent = login(user), [], 0
			for junk in JUNK:
				for method, path, kw in routes(doctype, junk):
					r = s.request(method, f"{URL}{path}", timeout=120, **kw)
					sent += 1
					if r.status_code >= 500:
						found.append(
							f"{method} {path[:70]} {str(kw)[:70]}: {r.status_code} {message(r)[-160:]}"
						)
			return found, sent

		jobs = [
			(u, dt) for u in self.users for dt in ("Case Application", "ToDo", "District Recommendation List")
		]
		failures, total = [], 0
		with ThreadPoolExecutor(max_workers=4) as pool:
			for found, sent in pool.map(hunt, jobs):
				failures += found
				total += sent
		self.assertGreater(total, 4000)
		self.assertEqual(failures, [], f"{len(failures)} of {total}:\n" + "\n".join(failures[:60]))

	def test_a_refusal_names_the_argument(self):
		u = User(self.users[0])
		cases = [
			("frappe.desk.form.save.savedocs", {"doc": "abc", "action": "Save"}, "doc"),
			(
				"frappe.desk.form.save.savedocs",
				{"doc": json.dumps({"doctype": "ToDo"}), "action": "X"},
				"action",
			),
			("frappe.client.get_count", {"doctype": "Case Application", "filters": "abc"}, "filters"),
			("frappe.client.get_count", {"doctype": "Case Application", "filters": "[1, 2]"}, "filters"),
			("frappe.client.get_value", {"doctype": "Case Application", "fieldname": "true"}, "fieldname"),
			("frappe.desk.doctype.tag.tag.add_tag", {"tag": "x" * 141, "dt": "ToDo", "dn": "x"}, "tag"),
			("frappe.desk.query_report.export_query", {"report_name": "没有这张报表"}, "report_name"),
			("frappe.desk.listview.set_list_settings", {"doctype": "ToDo", "values": "[1]"}, "values"),
		]
		for method, data, arg in cases:
			with self.subTest(method=method, arg=arg):
				r = u.call(method, **data)
				self.assertEqual(r.status_code, 417, message(r)[:300])
				self.assertIn(f"「{arg}」", message(r))
		for path, params, arg in (
			("/api/resource/Case Application", {"fields": '[["name"]]'}, "fields"),
			("/api/resource/Case Application", {"limit_page_length": "1e309"}, "limit_page_length"),
			("/api/resource/ToDo", {"filters": "abc"}, "filters"),
		):
			with self.subTest(path=path, arg=arg):
				r = u.get(path, **params)
				self.assertEqual(r.status_code, 417, message(r)[:300])
				self.assertIn(f"「{arg}」", message(r))
		self.assertEqual(u.get("/api/v2/document/ToDo", filters="abc").status_code, 417)
		r = u.get("/api/resource/没有这个类型")
		self.assertEqual(r.status_code, 404, message(r)[:300])
		r = u.s.post(f"{URL}/api/resource/ToDo", json=[{"description": "x"}], timeout=60)
		self.assertEqual(r.status_code, 417, message(r)[:300])
		# what Desk sends still passes the shapes
		r = u.call("frappe.client.get_count", doctype="Case Application", filters=json.dumps({"name": "x"}))
		self.assertEqual(r.status_code, 200, message(r)[:300])
		r = u.call("frappe.client.get_value", doctype="Selection Domain", fieldname='["name"]', filters="{}")
		self.assertNotEqual(r.status_code, 417, message(r)[:300])
		# the bell's events on every Desk page: `start` is a date there, not a page's first row
		r = u.call("frappe.desk.doctype.event.event.get_events", start="2026-12-01", end="2026-12-31")
		self.assertEqual(r.status_code, 200, message(r)[:300])
		r = u.call("frappe.desk.reportview.get", doctype="Case Application", fields='["name"]', start="0")
		self.assertEqual(r.status_code, 200, message(r)[:300])
		r = u.call("frappe.desk.reportview.get", doctype="Case Application", fields='["name"]', start="1e309")
		self.assertEqual(r.status_code, 417, message(r)[:300])

	def _todos(self, s, n: int) -> list[str]:
		names = []
		for i in range(n):
			r = s.post(f"{URL}/api/resource/ToDo", json={"description": f"标签并发 {i}"}, timeout=60)
			r.raise_for_status()
			names.append(r.json()["data"]["name"])
		return names

	def _at_once(self, s, calls: list[dict]) -> list[int]:
		barrier, codes = threading.Barrier(len(calls)), []

		def go(data):
			own = login(self.tagger)
			barrier.wait()
			r = own.post(f"{URL}/api/method/frappe.desk.doctype.tag.tag.add_tag", data=data, timeout=120)
			codes.append((r.status_code, message(r)[:200]))

		threads = [threading.Thread(target=go, args=(d,)) for d in calls]
		for t in threads:
			t.start()
		for t in threads:
			t.join()
		return codes

	def _tags_of(self, s, name: str) -> tuple[set, set]:
		doc = s.get(f"{URL}/api/resource/ToDo/{name}", timeout=60).json()["data"]
		links = frappe.get_all(
			"Tag Link", filters={"document_type": "ToDo", "document_name": name}, pluck="tag"
		)
		return {t for t in (doc.get("_user_tags") or "").split(",") if t}, set(links)

	def test_tags_added_at_the_same_second_are_all_kept(self):
		s = login(self.tagger)
		todos = self._todos(s, 8)
		tag = f"同时-{uuid.uuid4().hex[:6]}"
		codes = self._at_once(s, [{"tag": tag, "dt": "ToDo", "dn": t} for t in todos])
		self.assertEqual([c for c, _m in codes], [200] * 8, codes)
		frappe.db.rollback()  # a fresh snapshot: what the requests committed
		for t in todos:
			self.assertEqual(self._tags_of(s, t), ({tag}, {tag}))
		self.assertTrue(frappe.db.exists("Tag", tag))

		one = self._todos(s, 1)[0]
		tags = [f"同一条-{i}-{uuid.uuid4().hex[:4]}" for i in range(8)]
		codes = self._at_once(s, [{"tag": t, "dt": "ToDo", "dn": one} for t in tags])
		self.assertEqual([c for c, _m in codes], [200] * 8, codes)
		frappe.db.rollback()
		self.assertEqual(self._tags_of(s, one), (set(tags), set(tags)))

		r = s.post(
			f"{URL}/api/method/frappe.desk.doctype.tag.tag.remove_tag",
			data={"tag": tags[0], "dt": "ToDo", "dn": one},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, message(r))
		frappe.db.rollback()
		self.assertEqual(self._tags_of(s, one), (set(tags[1:]), set(tags[1:])))

		# for every caller, System Managers too: a tag too long for its table, and a record the caller may not write
		add = f"{URL}/api/method/frappe.desk.doctype.tag.tag.add_tag"
		r = s.post(add, data={"tag": "长" * 141, "dt": "ToDo", "dn": one}, timeout=60)
		self.assertEqual(r.status_code, 417, message(r)[:300])
		for markup in ("<img src=x onerror=alert(1)>", "&lt;script>x", "a</b"):
			r = s.post(add, data={"tag": markup, "dt": "ToDo", "dn": one}, timeout=60)
			self.assertEqual(r.status_code, 417, message(r)[:300])
			self.assertIn("「标签」", message(r))
		r = s.post(
			f"{URL}/api/method/frappe.desk.doctype.tag.tag.add_tags",
			data={"tags": json.dumps(["<svg onload=alert(1)>"]), "dt": "ToDo", "docs": json.dumps([one])},
			timeout=60,
		)
		self.assertEqual(r.status_code, 417, message(r)[:300])
		officer = login(self.users[0])
		r = officer.post(add, data={"tag": "外人", "dt": "ToDo", "dn": one}, timeout=60)
		self.assertIn(r.status_code, (403, 404), message(r)[:300])
		frappe.db.rollback()
		self.assertEqual(self._tags_of(s, one), (set(tags[1:]), set(tags[1:])))

	def test_a_deadlock_victim_runs_again_once_its_writes_are_rolled_back(self):
		marker = f"死锁重试-{uuid.uuid4().hex[:8]}"
		attempts = []

		def handle(request):
			attempts.append(1)
			frappe.get_doc({"doctype": "ToDo", "description": f"{marker} {len(attempts)}"}).insert(
				ignore_permissions=True
			)
			frappe.local.response["docs"].append(len(attempts))
			if len(attempts) < retry.RETRIES:
				raise frappe.QueryDeadlockError("chosen as the victim")
			return "answered"

		frappe.local.response = frappe._dict({"docs": []})
		self.assertEqual(retry.wrap(handle)(None), "answered")
		self.assertEqual(len(attempts), retry.RETRIES)
		kept = frappe.get_all("ToDo", filters={"description": ["like", f"{marker}%"]}, pluck="description")
		self.assertEqual(kept, [f"{marker} {retry.RETRIES}"], "only the last attempt's write is kept")
		self.assertEqual(frappe.local.response["docs"], [retry.RETRIES])

		attempts.clear()

		def always(request):
			attempts.append(1)
			raise frappe.QueryDeadlockError("always")

		with self.assertRaises(frappe.QueryDeadlockError):
			retry.wrap(always)(None)
		self.assertEqual(len(attempts), retry.RETRIES)
		frappe.db.rollback()
		# installed for the served site's requests (hooks.before_request)
		retry.install()
		retry.install()
		self.assertTrue(frappe.api.handle.case_selection_retry)
		self.assertFalse(getattr(frappe.api.handle.__wrapped__, "case_selection_retry", False))
