"""Trust by construction (issue 18), over HTTP against the served test site: text stays text on every text field
and row, rows belong to their parent, a File record's identity is fixed, an import reads only its creator's
upload, the Standard format is a System Manager's, and the PDF renderer reaches no host.
"""

import http.server
import os
import threading

import frappe
import pdfkit
from frappe.desk.form.document_follow import get_message
from frappe.tests.utils import FrappeTestCase
from frappe.utils.pdf import get_pdf

from case_selection.access.system_write import system_write
from case_selection.checks import text_rules
from case_selection.export import sandbox
from case_selection.tests import flow
from case_selection.tests.factories import (
	TEST_ROUND,
	application_values,
	clear_round,
	delete_application,
	make_application,
	make_round,
	make_user,
)
from case_selection.tests.http import URL, User, fresh, message

PAYLOADS = (
	'<img src=x onerror="alert(1)">',
	"&lt;svg onload=alert(1)&gt;",
	"正文</textarea><script>1</script>",
)


class TestTrust(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_round(int(TEST_ROUND))
		cls.owner = make_user("trust.owner@test.local", ["Case Applicant"])
		cls.other = make_user("trust.other@test.local", ["Case Applicant"])
		cls.admin = make_user("trust.admin@test.local", ["System Manager"])
		cls.yz = flow.District("渝中区", "trust")
		cls.mine = make_application(as_user=cls.owner, seed=870, case_title="信任-本单位").name
		cls.theirs = make_application(
			as_user=cls.other,
			seed=871,
			case_title="信任-他单位",
			indicators=[{"indicator": "他单位指标", "value": "9", "unit": "项"}],
			partners=[{"partner_name": "他单位伙伴", "partner_type": "企业"}],
		).name
		frappe.db.commit()
		cls.s_owner = User(cls.owner)
		cls.s_other = User(cls.other)

	# Text stays text ---------------------------------------------------------------------------------------

	def test_every_text_field_and_row_refuses_markup(self):
		"""Every Data/Small Text/Text field of the case the applicant may write, and every text column of its
		tables, refuses each payload with 417 naming the field; the stored case keeps its text."""
		meta = frappe.get_meta("Case Application")
		before = self.s_owner.doc("Case Application", self.mine)
		tried = 0
		for df in meta.fields:
			if df.fieldtype not in text_rules.TEXT_TYPES or df.fieldname == "city_remark":
				continue
			for payload in PAYLOADS:
				r = self.s_owner.put("Case Application", self.mine, {df.fieldname: payload})
				self.assertIn(r.status_code, (403, 417), f"{df.fieldname}: {r.status_code}")
				if r.status_code == 417:
					self.assertIn(df.label, message(r), df.fieldname)
				tried += 1
		for table in meta.get_table_fields():
			child = frappe.get_meta(table.options)
			for cdf in child.fields:
				if cdf.fieldtype not in text_rules.TEXT_TYPES:
					continue
				row = {
					cdf.fieldname: PAYLOADS[0]
				}  # checked before Frappe asks for the row's required columns
				r = self.s_owner.put("Case Application", self.mine, {table.fieldname: [row]})
				self.assertEqual(r.status_code, 417, f"{table.fieldname}.{cdf.fieldname}: {message(r)[:200]}")
				self.assertIn(cdf.label, message(r))
				tried += 1
		self.assertGreater(tried, 40)
		after = self.s_owner.doc("Case Application", self.mine)
		self.assertEqual(
			{k: after.get(k) for k in before if k != "modified"},
			{k: before.get(k) for k in before if k != "modified"},
		)

	def test_plain_less_than_is_text(self):
		r = self.s_owner.put("Case Application", self.mine, {"keywords": "增长率<5%, a < b"})
		self.assertEqual(r.status_code, 200, message(r))

	def test_cosign_remark_is_text_of_bounded_length(self):
		fresh()
		name = flow.submitted(self.owner, 872, case_title="信任-会签")
		frappe.db.commit()
		kj = User(self.yz.users["kj"])
		for remark, field in ((PAYLOADS[0], "意见说明"), ("长" * 200_000, "最多 2000")):
			r = kj.call(
				"case_selection.api.cosigning.cosign",
				doctype="Case Application",
				name=name,
				opinion="退回",
				remarks=remark,
			)
			self.assertEqual(r.status_code, 417, message(r)[:300])
			self.assertIn(field, message(r))
		fresh()
		self.assertFalse(frappe.db.exists("Case Cosign Opinion", {"reference_name": name}))
		self.assertFalse(
			frappe.db.exists("Case Action Log", {"reference_name": name, "remark": ("like", "%<img%")})
		)
		for bad in ({"a": 1}, "", "不存在的案例"):
			r = kj.call(
				"case_selection.api.cosigning.cosign",
				doctype="Case Application",
				name=bad,
				opinion="同意推荐",
			)
			self.assertIn(r.status_code, (403, 404, 417), f"{bad!r}: {r.status_code} {message(r)[:200]}")

	def test_follow_digests_of_a_case_name_no_sealed_state(self):
		"""Frappe follows the documents a user creates when their settings say so, and mails them the version
		diffs (outside every door). A case's versions hold only the state its row holds (access/sealing.py): the
		applicant's digest shows the case reaching 市级评审中 (the control: the digest works) and nothing of the
		city's sealed steps after it."""

		fresh()
		year = 2081
		make_round(year)
		clear_round(str(year))  # what an interrupted run left
		frappe.db.set_value("User", self.owner, {"document_follow_notify": 1, "follow_created_documents": 1})
		frappe.db.commit()
		try:
			values = application_values(seed=873, case_title="信任-关注873", round=str(year))
			r = User(self.owner).s.post(f"{URL}/api/resource/Case Application", json=values, timeout=30)
			self.assertEqual(r.status_code, 200, message(r)[:300])
			fresh()
			name = r.json()["data"]["name"]
		finally:
			frappe.db.set_value(
				"User", self.owner, {"document_follow_notify": 0, "follow_created_documents": 0}
			)
			frappe.db.commit()
		self.assertTrue(frappe.db.exists("Document Follow", {"ref_docname": name, "user": self.owner}))
		try:
			city = flow.City("trust")
			flow.act(self.owner, "Case Application", name, "Submit to District")
			flow.to_city(self.yz, city, str(year), [name])
			frappe.db.commit()
			# The city's steps over HTTP: the test runner itself writes no Version (Frappe skips them in tests).
			u = User(city.manager)
			u.ok(u.put("Case Evaluation", name, {"formal_check": "通过"}))
			for action in ("Start Review", "Shortlist", "Start Public Notice"):
				u.ok(u.act("Case Application", name, action))
			fresh()
			digest = frappe.as_json(get_message(name, "Case Application", "Hourly", self.owner))
			self.assertIn("Under Review", digest)
			for word in (
				"Shortlisted",
				"In Public Notice",
				"拟入选",
				"公示中",
				"formal_check",
				"review_score",
			):
				self.assertNotIn(word, digest, word)
		finally:
			fresh()
			clear_round(str(year))

	def test_a_row_of_another_case_cannot_be_moved_into_mine(self):
		fresh()
		foreign = frappe.get_doc("Case Application", self.theirs)
		for table, field in (("indicators", "indicator"), ("partners", "partner_name")):
			row = foreign.get(table)[0]
			r = self.s_owner.put(
				"Case Application", self.mine, {table: [{"name": row.name, field: "被改写"}]}
			)
			self.assertEqual(r.status_code, 403, f"{table}: {r.status_code} {message(r)[:200]}")
			fresh()
			stored = frappe.db.get_value(row.doctype, row.name, ["parent", field], as_dict=True)
			self.assertEqual((stored.parent, stored[field]), (self.theirs, row.get(field)))

	# Files ----------------------------------------------------------------------------------------------------

	def _upload(self, session: User, name: str, private: int = 1, content: str | None = None) -> dict:
		r = session.s.post(
			f"{URL}/api/method/upload_file",
			files={"file": (name, (content or f"{name} 机密内容").encode())},
			data={"is_private": private},
			timeout=30,
		)
		self.assertEqual(r.status_code, 200, message(r))
		return r.json()["message"]

	def test_a_file_record_keeps_its_identity_and_takes_only_its_own_file(self):
		tag = frappe.generate_hash(length=6)
		victim = self._upload(self.s_other, f"victim-{tag}.txt")
		mine = self._upload(self.s_owner, f"mine-{tag}.txt")
		for change in (
			{"file_url": victim["file_url"]},
			{"is_private": 0},
			{"attached_to_doctype": "Case Application", "attached_to_name": self.theirs},
		):
			r = self.s_owner.put("File", mine["name"], change)
			self.assertEqual(r.status_code, 403, f"{change}: {r.status_code} {message(r)[:200]}")
		r = self.s_owner.get(victim["file_url"])
		self.assertEqual(r.status_code, 403)
		# A record of my own naming the victim's file cannot be made (I cannot read it), and deleting mine
		# leaves the victim's file on disk.
		r = self.s_owner.call(
			"frappe.client.insert", doc={"doctype": "File", "file_url": victim["file_url"], "is_private": 1}
		)
		self.assertEqual(r.status_code, 403, message(r)[:200])
		r = self.s_owner.s.delete(f"{URL}/api/resource/File/{mine['name']}", timeout=30)
		self.assertIn(r.status_code, (200, 202), message(r)[:200])
		path = frappe.get_site_path("private", "files", os.path.basename(victim["file_url"]))
		self.assertTrue(os.path.exists(path))
		self.assertEqual(self.s_other.get(victim["file_url"]).status_code, 200)

	def test_an_import_reads_only_its_creators_upload(self):
		lead = User(self.yz.lead)
		tag = frappe.generate_hash(length=6)
		victim = self._upload(self.s_other, f"import-victim-{tag}.csv")
		# The control: the lead's own upload is accepted.
		own = self._upload(lead, f"import-own-{tag}.csv", content="案例名称,单位名称\n测试案例,测试单位\n")
		for upload, status in ((victim, 403), (own, 200)):
			r = lead.call(
				"frappe.client.insert",
				doc={
					"doctype": "Data Import",
					"reference_doctype": "Case Application",
					"import_type": "Insert New Records",
					"import_file": upload["file_url"],
				},
			)
			self.assertEqual(r.status_code, status, message(r)[:300])

	# Printing ---------------------------------------------------------------------------------------------------

	def test_standard_format_is_a_system_managers(self):
		formats = ["Standard"] + (
			[None] if not frappe.get_meta("Case Application").default_print_format else []
		)
		for fmt in formats:
			params = {"doctype": "Case Application", "name": self.mine}
			if fmt:
				params["format"] = fmt
			r = self.s_owner.get("/api/method/frappe.utils.print_format.download_pdf", **params)
			self.assertEqual(r.status_code, 403, f"download_pdf {fmt}: {r.status_code}")
			r = self.s_owner.get("/printview", **params)
			self.assertEqual(r.status_code, 403, f"printview {fmt}: {r.status_code}")
		r = self.s_owner.call(
			"frappe.www.printview.get_html_and_style",
			doc="Case Application",
			name=self.mine,
			print_format="Standard",
		)
		self.assertEqual(r.status_code, 403)
		r = self.s_owner.get(
			"/api/method/frappe.utils.print_format.download_pdf",
			doctype="Case Application",
			name=self.mine,
			format="附件1 申报书",
		)
		self.assertEqual(r.status_code, 200, message(r)[:300])
		self.assertTrue(r.content.startswith(b"%PDF"))

	def test_the_renderer_reaches_no_host(self):
		"""A page served on loopback, named by an image, a style sheet and an iframe in HTML printed through
		Frappe's get_pdf (the path of every PDF of the site): not one request reaches it, and the PDF is made."""
		hits = []

		class Handler(http.server.BaseHTTPRequestHandler):
			def do_GET(self):
				hits.append(self.path)
				self.send_response(200)
				self.end_headers()

			def log_message(self, *args):
				pass

		server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		port = server.server_address[1]
		threading.Thread(target=server.serve_forever, daemon=True).start()
		try:
			sandbox.install()

			html = (
				f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/a.css"></head><body>正文'
				f'<img src="http://127.0.0.1:{port}/b.png"><iframe src="http://127.0.0.1:{port}/c"></iframe>'
				f'<img src="http://localhost:{port}/d.png"></body></html>'
			)
			pdf = get_pdf(html)
			self.assertTrue(pdf.startswith(b"%PDF"))
			self.assertEqual(hits, [])
			# The control: the same page fetched without the sandbox reaches the server.

			pdfkit.PDFKit(html, "string", options={"quiet": ""}).to_pdf()
			self.assertTrue(hits)
		finally:
			server.shutdown()

	def test_text_rule_itself(self):
		for bad in ("<a href=x>", "x<img", "&lt;b&gt;", "&#60;i", "&#x3C;p", "<!-- x -->", "</x", "<?php"):
			self.assertTrue(text_rules.markup_in(bad), bad)
		for good in ("增长率<5%", "a < b", "1<2", "《重庆日报》", "AT&T", "&lt; 5"):
			self.assertFalse(text_rules.markup_in(good), good)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		with system_write():
			for name in frappe.get_all("Case Application", {"case_title": ("like", "信任-%")}, pluck="name"):
				delete_application(name)
		frappe.db.commit()
		super().tearDownClass()
