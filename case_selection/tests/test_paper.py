"""Paper that matches the record (issue 21, parts 3–4): the QR code on every page of 附件1 / 附件2, the city's
intake of paper copies, and the verification page's methods. Real site, real PDFs, QR codes read back from the
rendered pages with zxing-cpp, every user acting over HTTP.
"""

import base64
import glob
import io
import subprocess
import tempfile
import threading
from urllib.parse import parse_qs, urlparse

import frappe
import pdfplumber
import requests
import zxingcpp
from frappe.tests.utils import FrappeTestCase
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from case_selection.access.system_write import system_write
from case_selection.demo.pipeline import attach_scan
from case_selection.export import layout
from case_selection.export.pdf import render_pdf
from case_selection.signing import certificates, qr, sealed_form
from case_selection.tests import flow
from case_selection.tests.factories import make_application, make_round, make_user
from case_selection.tests.http import URL, User, fresh, message

ROUND_YEAR = 2094
ROUND = str(ROUND_YEAR)
RECEIVE = "case_selection.signing.paper.receive"
LOOKUP = "case_selection.signing.verification.lookup"
CHECK_PDF = "case_selection.signing.verification.check_pdf"


def page_images(pdf: bytes, dpi: int = 300) -> list[Image.Image]:
	with tempfile.TemporaryDirectory() as tmp:
		path = f"{tmp}/doc.pdf"
		with open(path, "wb") as f:
			f.write(pdf)
		subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", path, f"{tmp}/page"], check=True)
		return [Image.open(p).convert("L") for p in sorted(glob.glob(f"{tmp}/page-*.png"))]


def qr_codes(pdf: bytes, dpi: int = 300) -> list[tuple[str, tuple[float, float, float, float]]]:
	"""Per page: the QR code's text as zxing-cpp reads it from the rendered page, and its box in mm from the
	page's top left (x0, top, x1, bottom)."""
	out = []
	for image in page_images(pdf, dpi):
		found = [b for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]
		assert len(found) == 1, f"{len(found)} QR codes on a page"
		p = found[0].position
		xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
		ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
		mm = 25.4 / dpi
		out.append((found[0].text, (min(xs) * mm, min(ys) * mm, max(xs) * mm, max(ys) * mm)))
	return out


def code_and_hash(text: str) -> tuple[str, str]:
	query = parse_qs(urlparse(text).query)
	return query["c"][0], query["h"][0]


class TestPaper(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_round(ROUND_YEAR, paper_copies=5)
		cls.yz = flow.District("渝中区", "yz")
		cls.wz = flow.District("万州区", "wz")
		cls.city = flow.City("paper")
		cls.owner = make_user("owner.paper@test.local", ["Case Applicant"])
		certificates.ensure_root()
		cls.clear_lists()  # an earlier run's
		cls.seed = 960000 + int(frappe.utils.now_datetime().timestamp()) % 30000

		# A case printed by its applicant before co-signing (an early paper), then co-signed and sealed.
		cls.name = cls.new_case()
		cls.early = flow.as_user(
			cls.owner, lambda: render_pdf(frappe.get_doc("Case Application", cls.name), "附件1 申报书")
		)
		cls.yz.sign("Case Application", cls.name)  # under the test runner the sealing job runs at once
		frappe.db.commit()
		cls.row = frappe.db.get_value(
			"Case Application",
			cls.name,
			[
				"sealed_form",
				"sealed_form_status",
				"sealed_form_note",
				"verification_code",
				"sealed_form_hash",
			],
			as_dict=True,
		)
		assert cls.row.sealed_form_status == sealed_form.READY, cls.row.sealed_form_note
		cls.sealed = frappe.get_doc("File", {"file_url": cls.row.sealed_form}).get_content()
		cls.sealed_qr = qr_codes(cls.sealed)
		cls.early_qr = qr_codes(cls.early)

	def make_list(self, names: list[str]) -> str:
		"""The district's list of this round (one per district and round): an earlier test's is removed first,
		and this one after the test."""
		self.clear_lists()
		lst = self.yz.make_list(ROUND, names)
		frappe.db.commit()
		self.addCleanup(self.clear_lists)
		return lst

	@staticmethod
	def clear_lists():
		frappe.db.commit()  # what the test did so far stays (a signature's last step is committed by its caller)
		with system_write():
			for lst in frappe.get_all("District Recommendation List", {"round": ROUND}, pluck="name"):
				frappe.delete_doc("District Recommendation List", lst, force=True, ignore_permissions=True)
		frappe.db.commit()

	@classmethod
	def new_case(cls) -> str:
		cls.seed += 1
		name = flow.submitted(cls.owner, cls.seed, round=ROUND, district="渝中区")
		frappe.db.commit()
		return name

	# ─────────────────────────── the QR code on paper ───────────────────────────

	def test_every_page_carries_the_code_and_the_hash_of_its_version(self):
		self.assertGreaterEqual(len(self.sealed_qr), 2)
		texts = {text for text, _box in self.sealed_qr}
		self.assertEqual(len(texts), 1, "every page: the same document, the same version")
		code, digest = code_and_hash(texts.pop())
		self.assertEqual(code, self.row.verification_code)
		self.assertEqual(digest, self.row.sealed_form_hash)
		self.assertRegex(digest, r"^[0-9a-f]{64}$")
		# The paper printed before co-signing: the same code, another version.
		early = {text for text, _box in self.early_qr}
		self.assertEqual(len(early), 1)
		early_code, early_hash = code_and_hash(early.pop())
		self.assertEqual(early_code, code)
		self.assertNotEqual(early_hash, digest)
		# Outside the type area (GB/T 9704 margins), in the lower right corner; the code printed under it.
		page = layout.PORTRAIT
		for _text, (x0, top, x1, bottom) in self.sealed_qr:
			self.assertGreater(top, page.height - page.bottom - 0.5)
			self.assertLess(bottom, page.height - 3)
			self.assertAlmostEqual(x1, page.width - page.right, delta=1.5)
			self.assertGreater(x1 - x0, 15)
		with pdfplumber.open(io.BytesIO(self.sealed)) as doc:
			for p in doc.pages:
				self.assertIn(qr.shown(code), p.extract_text())
		# The signatures still hold over the stamped pages.
		results = sealed_form.verify_pdf(self.sealed)
		self.assertEqual(len(results), 3)
		self.assertTrue(all(r["intact"] and r["trusted"] and r["bottom_line"] for r in results))

	def test_a_list_page_carries_its_own_code(self):
		lst = self.make_list([self.name])
		pdf = flow.as_user(
			self.yz.lead,
			lambda: render_pdf(frappe.get_doc("District Recommendation List", lst), "附件2 区县推荐案例名单"),
		)
		found = qr_codes(pdf)
		code, _digest = code_and_hash(found[0][0])
		self.assertEqual(code, qr.code_for("District Recommendation List", lst))
		self.assertNotEqual(code, self.row.verification_code)
		page = layout.LANDSCAPE
		for _text, (_x0, top, x1, _bottom) in found:
			self.assertGreater(top, page.height - page.bottom - 0.5)
			self.assertAlmostEqual(x1, page.width - page.right, delta=1.5)

	# ─────────────────────────── the city's intake ───────────────────────────

	def test_intake_counts_copies_of_the_current_version_and_flags_a_stale_one(self):
		name = self.new_case()
		early = flow.as_user(
			self.owner, lambda: render_pdf(frappe.get_doc("Case Application", name), "附件1 申报书")
		)
		self.yz.sign("Case Application", name)
		lst = self.make_list([name])
		fresh()
		sealed = frappe.get_doc(
			"File", {"file_url": frappe.db.get_value("Case Application", name, "sealed_form")}
		).get_content()
		current_scan = qr_codes(sealed)[-1][0]
		stale_scan = qr_codes(early)[0][0]
		clerk = User(self.city.manager)
		numbers = []
		for i in range(1, 6):
			body = clerk.ok(clerk.call(RECEIVE, scan=current_scan)).json()["message"]
			self.assertEqual((body["status"], body["received"], body["required"]), ("Received", i, 5))
			self.assertEqual(body["complete"], i == 5)
			numbers.append(body["copy_number"])
		self.assertEqual(numbers, [1, 2, 3, 4, 5])
		body = clerk.ok(clerk.call(RECEIVE, scan=stale_scan)).json()["message"]
		self.assertEqual((body["status"], body["received"], body["copy_number"]), ("Stale", 5, 0))
		self.assertIn("版本过期", body["note"])
		# The code typed by hand (dashes, lower case) with the hash: the same document.
		code, digest = code_and_hash(current_scan)
		body = clerk.ok(clerk.call(RECEIVE, scan=f"{qr.shown(code).lower()} {digest}")).json()["message"]
		self.assertEqual((body["status"], body["received"]), ("Received", 6))

		fresh()
		self.assertEqual(frappe.db.get_value("Case Application", name, "paper_copies_received"), 6)
		copies = frappe.get_all(
			"Paper Copy",
			filters={"reference_doctype": "Case Application", "reference_name": name},
			fields=["status", "copy_number", "received_by", "scanned_hash", "sealed_hash"],
			order_by="creation asc",
		)
		self.assertEqual([c.status for c in copies], ["Received"] * 5 + ["Stale", "Received"])
		self.assertTrue(all(c.received_by == self.city.manager for c in copies))
		self.assertEqual(copies[5].scanned_hash, code_and_hash(stale_scan)[1])
		# The district list shows the case's count; the district reads it, a district save keeps it.
		self.assertEqual(
			frappe.db.get_value(
				"Recommendation List Item", {"parent": lst, "application": name}, "paper_copies"
			),
			6,
		)
		lead = User(self.yz.lead)
		items = lead.doc("District Recommendation List", lst)["items"]
		self.assertEqual([r["paper_copies"] for r in items], [6])
		items[0]["paper_copies"] = 99
		items[0]["remarks"] = "纸质材料已寄出"
		lead.ok(lead.put("District Recommendation List", lst, {"items": items}))
		fresh()
		self.assertEqual(
			frappe.db.get_value(
				"Recommendation List Item", {"parent": lst, "application": name}, "paper_copies"
			),
			6,
		)

	def test_a_new_sealed_version_after_a_way_back_starts_the_count_again(self):
		name = self.new_case()
		self.yz.sign("Case Application", name)
		frappe.db.commit()
		fresh()
		first = qr.payload(frappe.get_doc("Case Application", name))
		clerk = User(self.city.manager)
		for _i in range(2):
			clerk.ok(clerk.call(RECEIVE, scan=first))
		# The district sends the case back; the applicant changes it; it is signed and sealed again.
		fresh()  # what the served site committed (the count), as a new request would read it
		flow.act(self.yz.lead, "Case Application", name, "Return for Revision")
		flow.as_user(
			self.owner,
			lambda: frappe.get_doc("Case Application", name).update({"keywords": "按区县意见修改"}).save(),
		)
		flow.act(self.owner, "Case Application", name, "Resubmit")
		self.yz.sign("Case Application", name)
		frappe.db.commit()
		fresh()
		row = frappe.db.get_value(
			"Case Application",
			name,
			["sealed_form_hash", "paper_copies_received", "sealed_form_status"],
			as_dict=True,
		)
		self.assertEqual(row.sealed_form_status, sealed_form.READY)
		self.assertNotEqual(row.sealed_form_hash, code_and_hash(first)[1])
		self.assertEqual(row.paper_copies_received, 0, "the two copies were of the version before")
		self.assertEqual(
			len(sealed_form.sealed_files(name)), 2, "the earlier sealed PDF stays in the history"
		)
		body = clerk.ok(clerk.call(RECEIVE, scan=first)).json()["message"]
		self.assertEqual((body["status"], body["received"]), ("Stale", 0))
		current = qr_codes(
			frappe.get_doc(
				"File", {"file_url": frappe.db.get_value("Case Application", name, "sealed_form")}
			).get_content()
		)[0][0]
		body = clerk.ok(clerk.call(RECEIVE, scan=current)).json()["message"]
		self.assertEqual((body["status"], body["received"]), ("Received", 1))

	def test_two_clerks_at_the_same_second_both_count(self):
		name = self.new_case()
		self.yz.sign("Case Application", name)
		frappe.db.commit()
		fresh()
		scan = qr.payload(frappe.get_doc("Case Application", name))
		self.assertEqual(
			code_and_hash(scan)[1], frappe.db.get_value("Case Application", name, "sealed_form_hash")
		)
		second = make_user("city.paper2@test.local", ["City Case Manager"])
		frappe.db.commit()
		clerks = [User(self.city.manager), User(second)]
		barrier = threading.Barrier(len(clerks))  # each round of scans starts at the same moment
		answers = []

		def scan_three(clerk):
			for _i in range(3):
				barrier.wait()
				answers.append(clerk.call(RECEIVE, scan=scan))

		threads = [threading.Thread(target=scan_three, args=(c,)) for c in clerks]
		for t in threads:
			t.start()
		for t in threads:
			t.join()
		self.assertEqual([r.status_code for r in answers], [200] * 6, [message(r) for r in answers])
		self.assertEqual(sorted(r.json()["message"]["copy_number"] for r in answers), [1, 2, 3, 4, 5, 6])
		fresh()
		self.assertEqual(frappe.db.get_value("Case Application", name, "paper_copies_received"), 6)

	def test_only_the_city_receives_and_bad_scans_are_refused_by_name(self):
		scan = self.sealed_qr[0][0]
		for user in (self.yz.lead, self.owner, self.wz.lead):
			r = User(user).call(RECEIVE, scan=scan)
			self.assertEqual(r.status_code, 403, user)
		self.assertEqual(requests.post(f"{URL}/api/method/{RECEIVE}", data={"scan": scan}).status_code, 403)
		clerk = User(self.city.manager)
		before = frappe.db.count("Paper Copy")
		code, digest = code_and_hash(scan)
		for bad, status, words in (
			("", 417, "scan"),  # the allow-list's check: a required argument missing
			("not a code", 417, "扫描内容"),
			(code, 417, "文件摘要"),  # the code alone: a paper copy is counted by its version
			(f"{code} {'x' * 64}", 417, "文件摘要"),
			("ZZZZZZZZZZZZ " + digest, 404, "验证码"),
			(f"{URL}/app/seal-verify?c={code}&h=<img src=x onerror=alert(1)>", 417, "文件摘要"),
			("y" * 3000, 417, "扫描内容"),
		):
			r = clerk.call(RECEIVE, scan=bad)
			self.assertEqual(r.status_code, status, (bad[:40], message(r)[:200]))
			self.assertIn(words, message(r))
		for bad in ({"scan": [scan]}, {"scan": {"c": code}}, {"scan": 7}):
			r = clerk.s.post(f"{URL}/api/method/{RECEIVE}", json=bad, timeout=30)
			self.assertEqual(r.status_code, 417, (bad, message(r)[:200]))
		fresh()
		self.assertEqual(frappe.db.count("Paper Copy"), before)
		# A case not yet sealed has no code to scan: its own QR (printed now) is refused, not counted.
		name = self.new_case()
		unsealed = qr.payload(frappe.get_doc("Case Application", name))
		r = clerk.call(RECEIVE, scan=unsealed)
		self.assertEqual(r.status_code, 404, message(r))

	def test_paper_copies_are_the_citys_and_written_by_the_intake_only(self):
		clerk = User(self.city.manager)
		clerk.ok(clerk.call(RECEIVE, scan=self.sealed_qr[0][0]))
		fresh()
		copy = frappe.get_all("Paper Copy", filters={"reference_name": self.name}, pluck="name", limit=1)[0]
		for user in (self.yz.lead, self.owner):
			u = User(user)
			self.assertIn(u.get(f"/api/resource/Paper Copy/{copy}").status_code, {403, 404}, user)
			rows = u.get("/api/resource/Paper Copy", fields='["name"]').json().get("data", [])
			self.assertEqual(rows, [], user)
		self.assertEqual(clerk.get(f"/api/resource/Paper Copy/{copy}").status_code, 200)
		r = clerk.put("Paper Copy", copy, {"status": "Stale"})
		self.assertEqual(r.status_code, 403, message(r))
		r = clerk.s.post(
			f"{URL}/api/resource/Paper Copy",
			json={"reference_doctype": "Case Application", "reference_name": self.name, "status": "Received"},
			timeout=30,
		)
		self.assertEqual(r.status_code, 403, message(r))
		# The count on the case is the system's: a district's or the city's PUT does not move it.
		r = User(self.yz.lead).put("Case Application", self.name, {"paper_copies_received": 5})
		self.assertIn(r.status_code, {403, 417}, message(r))

	# ─────────────────────────── the stamped scan ───────────────────────────

	def test_a_list_waits_for_every_stamped_scan_where_the_round_asks(self):
		with_scan = make_application(
			as_user=self.owner, seed=self.seed + 500, round=ROUND, district="渝中区"
		).name
		flow.as_user(self.owner, attach_scan, with_scan)
		flow.act(self.owner, "Case Application", with_scan, "Submit to District")
		without = self.new_case()
		for name in (with_scan, without):
			self.yz.sign("Case Application", name)
		lst = self.make_list([with_scan, without])
		self.yz.sign("District Recommendation List", lst)
		make_round(ROUND_YEAR, paper_copies=5, scan_required=1)
		frappe.db.commit()
		self.addCleanup(lambda: (make_round(ROUND_YEAR, paper_copies=5), frappe.db.commit()))
		lead = User(self.yz.lead)
		r = lead.call("case_selection.api.lists.submit_list", name=lst)
		self.assertEqual(r.status_code, 417, message(r))
		title = frappe.db.get_value("Case Application", without, "case_title")
		self.assertIn("第 2 行", message(r))
		self.assertIn(title, message(r))
		self.assertIn("盖章申报书扫描件", message(r))
		fresh()
		self.assertEqual(frappe.db.get_value("District Recommendation List", lst, "status"), "Co-signing")
		self.assertNotEqual(
			frappe.db.get_value("Case Application", with_scan, "workflow_state"), "Submitted to City"
		)
		# Not required by the round: the same list goes.
		make_round(ROUND_YEAR, paper_copies=5, scan_required=0)
		frappe.db.commit()
		lead.ok(lead.call("case_selection.api.lists.submit_list", name=lst))
		fresh()
		self.assertEqual(
			frappe.db.get_value("District Recommendation List", lst, "status"), "Submitted to City"
		)

	# ─────────────────────────── the verification page ───────────────────────────

	def test_lookup_by_code_for_whoever_holds_the_paper(self):
		scan = self.sealed_qr[0][0]
		outsider = User(self.wz.lead)
		body = outsider.ok(outsider.call(LOOKUP, http="GET", scan=scan)).json()["message"]
		self.assertEqual(body["name"], self.name)
		self.assertEqual(body["version"], "current")
		self.assertEqual(len(body["signatures"]), 3)
		self.assertTrue(all(s["intact"] and s["trusted"] and not s["revoked"] for s in body["signatures"]))
		self.assertIsNone(body["file"], "the sealed file's address only to its readers")
		reader = User(self.yz.users["kj"])
		body = reader.ok(reader.call(LOOKUP, http="GET", scan=scan)).json()["message"]
		self.assertEqual(body["file"], self.row.sealed_form)
		body = reader.ok(reader.call(LOOKUP, http="GET", scan=self.early_qr[0][0])).json()["message"]
		self.assertEqual(body["version"], "stale")
		code, _digest = code_and_hash(scan)
		body = reader.ok(reader.call(LOOKUP, http="GET", scan=qr.shown(code))).json()["message"]
		self.assertIsNone(body["version"])
		self.assertEqual(requests.get(f"{URL}/api/method/{LOOKUP}", params={"scan": scan}).status_code, 403)
		self.assertEqual(reader.call(LOOKUP, http="GET", scan="ZZZZ-ZZZZ-ZZZZ").status_code, 404)

	def test_a_dropped_pdf_is_validated_by_pyhanko(self):
		user = User(self.wz.lead)
		pdf = base64.b64encode(self.sealed).decode()
		body = user.ok(user.call(CHECK_PDF, pdf=f"data:application/pdf;base64,{pdf}")).json()["message"]
		self.assertEqual(len(body["signatures"]), 3)
		self.assertTrue(all(s["bottom_line"] for s in body["signatures"]))
		self.assertEqual(body["code"], qr.shown(self.row.verification_code))
		self.assertEqual(body["document"]["name"], self.name)
		self.assertTrue(body["same_as_current"])
		# An incremental update appended after the seals (new text on the first page): caught by the
		# modification analysis though each signature's own bytes are intact.
		writer = IncrementalPdfFileWriter(io.BytesIO(self.sealed))
		text = b"BT /F1 24 Tf 100 300 Td (NOT RECOMMENDED) Tj ET"
		writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=text)))
		out = io.BytesIO()
		writer.write(out)
		body = user.ok(user.call(CHECK_PDF, pdf=base64.b64encode(out.getvalue()).decode())).json()["message"]
		self.assertFalse(body["same_as_current"])
		self.assertFalse(all(s["bottom_line"] for s in body["signatures"]), body["signatures"])
		# The early print: no signature, its document named.
		body = user.ok(user.call(CHECK_PDF, pdf=base64.b64encode(self.early).decode())).json()["message"]
		self.assertEqual(body["signatures"], [])
		self.assertEqual(body["document"]["name"], self.name)
		for bad in (
			"",
			"%%%",
			base64.b64encode(b"hello").decode(),
			base64.b64encode(b"%PDF-1.7 broken").decode(),
		):
			r = user.call(CHECK_PDF, pdf=bad)
			self.assertEqual(r.status_code, 417, (bad[:20], message(r)[:200]))
			self.assertIn("PDF 文件" if bad else "pdf", message(r))
		self.assertEqual(requests.post(f"{URL}/api/method/{CHECK_PDF}", data={"pdf": pdf}).status_code, 403)

	def test_the_pages_open_for_their_roles_only(self):
		def getpage(user, page):
			return User(user).call("frappe.desk.desk_page.getpage", name=page)

		self.assertEqual(getpage(self.owner, "seal-verify").status_code, 200)
		self.assertEqual(getpage(self.city.manager, "paper-intake").status_code, 200)
		self.assertEqual(getpage(self.yz.lead, "paper-intake").status_code, 403)
		for page in ("permission-manager", "backups", "print", "setup-wizard", "user-profile"):
			self.assertEqual(getpage(self.yz.lead, page).status_code, 403, page)
		for page in ("seal-verify", "paper-intake", "permission-manager"):
			r = requests.post(
				f"{URL}/api/method/frappe.desk.desk_page.getpage", data={"name": page}, timeout=30
			)
			self.assertEqual(r.status_code, 403, f"Guest: {page}")
		r = User(self.yz.lead).call("frappe.desk.desk_page.get", name="seal-verify")
		self.assertEqual(r.status_code, 403, "the other door to a page: not on the allow-list")
