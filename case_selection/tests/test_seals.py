"""Seals wired into the app (issue 21, 附件1): certificates as data, the sealed 附件1 made on RQ once co-signing
is agreed, its verification, and who may reach what. Real site, real HTTP where a user acts.

The co-signing over HTTP runs on the served site (not under the test runner): its sealing job goes to RQ's
"long" queue, and the test runs that job as a worker would (tests/jobs.py). Were it lost, the test runs the
same job in-process after a wait, which stores the result only if the case still waits for that request (so
never twice).
"""

import io
import json
import os
import re
import time

import frappe
import pdfplumber
import requests
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime
from frappe.utils.background_jobs import get_job
from frappe.utils.password import get_decrypted_password

from case_selection.access.system_write import system_write
from case_selection.signing import certificates, sealed_form
from case_selection.signing import pdf as signing
from case_selection.tests import flow
from case_selection.tests.factories import make_round, make_user
from case_selection.tests.http import URL, User, fresh, message
from case_selection.tests.jobs import run_job

ROUND_YEAR = 2093
ROUND = str(ROUND_YEAR)
AGREE = "同意推荐"
YZ = {
	"jx": ("经信", "区县经信部门意见", "重庆市渝中区经济和信息化委员会"),
	"kj": ("科技", "区县科技部门意见", "重庆市渝中区科学技术局"),
	"jy": ("教育", "区县教育部门意见", "重庆市渝中区教育委员会"),
}
ORDER = ("kj", "jx", "jy")  # not the form's order: the seals follow the order of signing
WORKER_WAIT = 45  # seconds a worker of the site gets to finish a seal it took


def admin_session() -> requests.Session:
	s = requests.Session()
	r = s.post(
		f"{URL}/api/method/login",
		data={"usr": "Administrator", "pwd": os.environ.get("ADMIN_PASSWORD", "admin")},
		timeout=30,
	)
	r.raise_for_status()
	return s


def blocks(pdf: bytes) -> dict[str, tuple]:
	"""Per opinion label: (page, its bordered frame: between the nearest border lines above and below it, PDF
	points bottom-origin). wkhtmltopdf draws each border as its own thin rectangle."""
	found = {}
	with pdfplumber.open(io.BytesIO(pdf)) as doc:
		for index, page in enumerate(doc.pages):
			lines = [r for r in page.rects if r["bottom"] - r["top"] < 2 and r["x1"] - r["x0"] > 200]
			for _dept, label, _name in YZ.values():
				for hit in page.search(label):
					above = [
						r for r in lines if r["bottom"] <= hit["top"] and r["x0"] <= hit["x0"] <= r["x1"]
					]
					below = [
						r for r in lines if r["top"] >= hit["bottom"] and r["x0"] <= hit["x0"] <= r["x1"]
					]
					if not (above and below):
						continue  # text in no frame (a label's words typed into the narrative)
					top = max(above, key=lambda r: r["top"])
					bottom = min(below, key=lambda r: r["top"])
					found[label] = (
						index,
						(top["x0"], page.height - bottom["top"], top["x1"], page.height - top["bottom"]),
					)
	return found


def widgets(pdf: bytes) -> dict[str, tuple]:
	"""Signature field → (page, widget rect bottom-origin)."""
	out = {}
	with pdfplumber.open(io.BytesIO(pdf)) as doc:
		for index, page in enumerate(doc.pages):
			for a in page.annots:
				if a["data"].get("FT") and a["data"]["FT"].name == "Sig":
					rect = (a["x0"], page.height - a["bottom"], a["x1"], page.height - a["top"])
					out[a["data"]["T"].decode()] = (index, rect)
	return out


def page_texts(pdf: bytes) -> list[str]:
	"""Each page's text as pdfplumber reads it, without white space."""
	with pdfplumber.open(io.BytesIO(pdf)) as doc:
		return ["".join((page.extract_text() or "").split()) for page in doc.pages]


def inside(inner, outer) -> bool:
	return inner[0] >= outer[0] and inner[1] >= outer[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


class TestSeals(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_round(ROUND_YEAR)
		cls.yz = flow.District("渝中区", "yz")
		cls.wz = flow.District("万州区", "wz")
		cls.city = flow.City("doors")  # City Case Manager
		cls.reviewer = make_user("reviewer.doors@test.local", ["City Reviewer"])
		cls.owner = make_user("owner.seal@test.local", ["Case Applicant"])
		cls.outsider = make_user("owner.doors@test.local", ["Case Applicant"])
		certificates.ensure_root()
		frappe.db.commit()
		cls.seed = 930000 + int(time.time()) % 50000

	def new_case(self) -> str:
		type(self).seed += 1
		name = flow.submitted(self.owner, self.seed, round=ROUND, district="渝中区")
		frappe.db.commit()
		return name

	def wait_sealed(self, name: str, doctype: str = "Case Application") -> dict:
		run_job(sealed_form.job_id(name, doctype))  # the RQ job, as a worker runs it (nothing if it has run)
		deadline = time.monotonic() + WORKER_WAIT
		while time.monotonic() < deadline:
			fresh()
			row = frappe.db.get_value(doctype, name, ["sealed_form_status", "sealed_form"], as_dict=True)
			if row.sealed_form_status != sealed_form.QUEUED:
				break
			time.sleep(1)
		if row.sealed_form_status == sealed_form.QUEUED:
			sealed_form.run(name, doctype)  # no worker took it: the same job, here
			frappe.db.commit()
		fresh()
		return frappe.db.get_value(
			doctype, name, ["sealed_form_status", "sealed_form", "sealed_form_note"], as_dict=True
		)

	@staticmethod
	def remove_list(name: str):
		frappe.db.commit()
		with system_write():
			frappe.delete_doc("District Recommendation List", name, force=True, ignore_permissions=True)
		frappe.db.commit()

	def sealed_pdf(self, name: str) -> bytes:
		url = frappe.db.get_value("Case Application", name, "sealed_form")
		return frappe.get_doc("File", {"file_url": url}).get_content()

	# ─────────────────────────── the sealed 附件1 ───────────────────────────

	def test_the_blocks_are_found_on_the_pages_pdftotext_names(self):
		"""seal_places reads first the pages poppler's pdftotext finds a label on (sealed_form.label_pages), the last
		first: on a form of many pages whose narrative also holds the labels' text, it reads only the block's page
		and places each seal in its department's block, as the blocks are found by reading every page."""
		labels = [label for _dept, label, _name in YZ.values()]
		type(self).seed += 1
		prose = "行业痛点与技术瓶颈描述，企业联合高校开展攻关。" * 25  # within each field's word limit
		name = flow.submitted(
			self.owner,
			self.seed,
			round=ROUND,
			district="渝中区",
			background=prose,
			approach=prose,
			innovation=prose,
			results=prose + "".join(labels),  # the labels' text typed into the narrative
			promotion_value=prose[:300],
		)
		pdf, _digest = sealed_form.render(name, self.yz.lead)
		found = blocks(pdf)  # every page read: the last hit of each label, the block
		planted = {i for i, text in enumerate(page_texts(pdf)) if any(label in text for label in labels)}
		self.assertGreater(len(planted), 1, "the label's text on the block's page and in the narrative")
		holding = sealed_form.label_pages(pdf, labels)
		self.assertEqual(holding, planted)
		read = []
		original = pdfplumber.page.Page.extract_text

		def counted(page, *args, **kwargs):
			read.append(page.page_number - 1)
			return original(page, *args, **kwargs)

		pdfplumber.page.Page.extract_text = counted
		try:
			places = sealed_form.seal_places(pdf, labels)
		finally:
			pdfplumber.page.Page.extract_text = original
		block_pages = {page for page, _box in found.values()}
		self.assertEqual(read, sorted(block_pages, reverse=True))
		for label in labels:
			page, block = found[label]
			self.assertEqual(places[label]["page"], page, label)
			self.assertTrue(inside(places[label]["box"], block), (label, places[label], block))
		frappe.db.rollback()

	def test_a_case_co_signed_over_http_is_sealed_by_the_three_departments(self):
		name = self.new_case()
		users = {key: User(self.yz.users[key]) for key in ORDER}
		for key in ORDER:
			r = users[key].ok(
				users[key].call(
					"case_selection.api.cosigning.cosign",
					doctype="Case Application",
					name=name,
					opinion=AGREE,
				)
			)
		self.assertEqual(r.json()["message"]["cosign_status"], "Agreed")
		row = self.wait_sealed(name)
		self.assertEqual(row.sealed_form_status, sealed_form.READY, row.sealed_form_note)
		file = frappe.get_doc("File", {"file_url": row.sealed_form})
		self.assertTrue(file.is_private)
		self.assertEqual((file.attached_to_doctype, file.attached_to_name), ("Case Application", name))
		pdf = file.get_content()

		# pyHanko, against the app's root and CRL: three signatures, in the order the departments signed.
		results = signing.verify(pdf, certificates.trust_roots(), [certificates.crl()])
		self.assertEqual([r["signer"] for r in results], [YZ[k][2] for k in ORDER])
		for r in results:
			self.assertTrue(r["intact"] and r["valid"] and r["trusted"] and r["bottom_line"], r)
			self.assertFalse(r["revoked"])
			self.assertTrue(r["revocation_checked"])
		self.assertEqual([r["reason"] for r in results], [f"{YZ[k][1]}：{AGREE}" for k in ORDER])
		opinions = frappe.get_all(
			"Case Cosign Opinion",
			filters={"reference_name": name},
			fields=["department", "signed_at"],
			order_by="signed_at asc",
		)
		self.assertEqual([o.department for o in opinions], [YZ[k][0] for k in ORDER])
		for r, o in zip(results, opinions, strict=True):
			self.assertEqual(r["signing_time"].replace(tzinfo=None), o.signed_at.replace(microsecond=0))

		# Each seal in its own opinion block.
		found, seals = blocks(pdf), widgets(pdf)
		self.assertEqual(len(seals), 3)
		for r in results:
			label = r["reason"].split("：")[0]
			page, block = found[label]
			self.assertEqual(seals[r["field"]][0], page)
			self.assertTrue(inside(seals[r["field"]][1], block), (label, seals[r["field"]], block))
			for other, (_p, other_block) in found.items():
				if other != label:
					self.assertFalse(inside(seals[r["field"]][1], other_block))

		# The case's readers read the PDF; another district's officer and an outsider are refused.
		for user in (self.yz.lead, self.owner):
			got = User(user).get(row.sealed_form)
			self.assertEqual(got.status_code, 200, user)
			self.assertEqual(got.content, pdf)
		for user in (self.wz.lead, self.outsider):
			got = User(user).get(row.sealed_form)
			self.assertEqual(got.status_code, 403, user)
			self.assertNotIn(b"%PDF", got.content[:20])

		# Verification over HTTP: for the case's readers only.
		v = users["jy"].ok(
			users["jy"].call("case_selection.signing.sealed_form.verify_sealed_pdf", http="GET", name=name)
		)
		body = v.json()["message"]
		self.assertEqual(body["file"], row.sealed_form)
		self.assertEqual([s["department"] for s in body["signatures"]], [YZ[k][0] for k in ORDER])
		self.assertEqual([s["signer"] for s in body["signatures"]], [YZ[k][2] for k in ORDER])
		for s in body["signatures"]:
			self.assertTrue(s["intact"] and s["valid"] and s["trusted"] and s["later_changes_allowed"], s)
			self.assertFalse(s["revoked"])
		for user in (self.wz.lead, self.outsider):
			got = User(user).call(
				"case_selection.signing.sealed_form.verify_sealed_pdf", http="GET", name=name
			)
			self.assertEqual(got.status_code, 403, user)
		got = User(self.yz.lead).call("case_selection.signing.sealed_form.verify_sealed_pdf", name=name)
		self.assertIn(got.status_code, {403, 405}, "GET only")

		# The root certificate, for anyone signed in, is the one the signatures chain to.
		pem = User(self.outsider).get("/api/method/case_selection.signing.certificates.root_certificate_pem")
		self.assertEqual(pem.status_code, 200)
		self.assertEqual(certificates.authority.cert_from_pem(pem.content), certificates.root_certificate())
		self.assertEqual(
			requests.get(
				f"{URL}/api/method/case_selection.signing.certificates.root_certificate_pem"
			).status_code,
			403,
		)

	# ─────────────────────────── the sealed 附件2 ───────────────────────────

	def test_a_list_submitted_over_http_is_sealed_by_the_three_departments(self):
		"""附件2: the list co-signed and submitted over HTTP; the sealed PDF carries the three departments'
		signatures in the order they signed, each seal over its own （盖章） cell, validated by pyHanko."""
		with system_write():  # a list of an earlier run of this test (one list per district and round)
			for lst in frappe.get_all(
				"District Recommendation List", {"round": ROUND, "district": "渝中区"}, pluck="name"
			):
				frappe.delete_doc("District Recommendation List", lst, force=True, ignore_permissions=True)
		cases = [self.new_case(), self.new_case()]
		for name in cases:
			self.yz.sign("Case Application", name)
		lst = self.yz.make_list(ROUND, cases, contact_person="李联系", contact_phone="13800138000")
		frappe.db.commit()
		self.addCleanup(
			self.remove_list, lst
		)  # one list per district and round: test_write_policy makes its own
		users = {key: User(self.yz.users[key]) for key in ORDER}
		for key in ORDER:
			users[key].ok(
				users[key].call(
					"case_selection.api.cosigning.cosign",
					doctype="District Recommendation List",
					name=lst,
					opinion=AGREE,
				)
			)
		fresh()
		self.assertFalse(frappe.db.get_value("District Recommendation List", lst, "sealed_form_status"))
		lead = User(self.yz.lead)
		lead.ok(lead.call("case_selection.api.lists.submit_list", name=lst))
		row = self.wait_sealed(lst, "District Recommendation List")
		self.assertEqual(row.sealed_form_status, sealed_form.READY, row.sealed_form_note)
		file = frappe.get_doc("File", {"file_url": row.sealed_form})
		self.assertTrue(file.is_private)
		self.assertTrue(file.file_name.startswith(f"附件2_{lst}_电子签章_"), file.file_name)
		self.assertEqual(
			(file.attached_to_doctype, file.attached_to_name), ("District Recommendation List", lst)
		)
		pdf = file.get_content()

		results = signing.verify(pdf, certificates.trust_roots(), [certificates.crl()])
		self.assertEqual([r["signer"] for r in results], [YZ[k][2] for k in ORDER])
		for r in results:
			self.assertTrue(r["intact"] and r["valid"] and r["trusted"] and r["bottom_line"], r)
			self.assertFalse(r["revoked"])
		self.assertEqual([r["reason"] for r in results], [f"{YZ[k][1]}：{AGREE}" for k in ORDER])

		# The list's content is in the signed PDF, and each seal stands over its own department's cell.
		seals = widgets(pdf)
		with pdfplumber.open(io.BytesIO(pdf)) as doc:
			text = "".join("".join((p.extract_text() or "").split()) for p in doc.pages)
			labels = {}
			for index, page in enumerate(doc.pages):
				for key, (_dept, label, _name) in YZ.items():
					title = label.removesuffix("意见")
					for hit in page.search(f"{title}（盖章）"):
						labels[key] = (index, hit["x0"], page.height - hit["top"])
		for name in cases:
			self.assertIn(frappe.db.get_value("Case Application", name, "case_title").replace(" ", ""), text)
		self.assertEqual(len(seals), 3)
		xs = sorted((labels[k][1], k) for k in YZ)
		for r, key in zip(results, ORDER, strict=True):
			page, rect = seals[r["field"]]
			self.assertEqual(page, labels[key][0])
			self.assertGreaterEqual(rect[0], labels[key][1], key)
			self.assertLessEqual(rect[3], labels[key][2] + 1, key)  # from the label down
			after = [x for x, k in xs if x > labels[key][1]]
			if after:
				self.assertLess(rect[2], min(after), key)  # not into the next department's cell

		# Readers of the list read and verify it; another district's officer is refused both.
		got = lead.get(row.sealed_form)
		self.assertEqual((got.status_code, got.content), (200, pdf))
		self.assertEqual(User(self.wz.lead).get(row.sealed_form).status_code, 403)
		v = lead.ok(
			lead.call(
				"case_selection.signing.sealed_form.verify_sealed_pdf",
				http="GET",
				doctype="District Recommendation List",
				name=lst,
			)
		).json()["message"]
		self.assertEqual([s["department"] for s in v["signatures"]], [YZ[k][0] for k in ORDER])
		self.assertTrue(all(s["intact"] and s["trusted"] and not s["revoked"] for s in v["signatures"]), v)
		for doctype in ("District Recommendation List", "Seal Certificate", "User"):
			got = User(self.wz.lead).call(
				"case_selection.signing.sealed_form.verify_sealed_pdf", http="GET", doctype=doctype, name=lst
			)
			self.assertEqual(got.status_code, 403, doctype)

		# One byte of the last signature's signed range changed: that signature no longer holds.
		changed = bytearray(pdf)
		at = list(re.finditer(rb"/M \(D(?:\\072|:)(\d)", pdf))[-1].start(1)
		changed[at] = ord("7") if changed[at] != ord("7") else ord("8")
		results = sealed_form.verify_pdf(bytes(changed))
		self.assertTrue(results[0]["intact"])
		self.assertFalse(results[-1]["intact"] or results[-1]["bottom_line"])

		# The same submission again (a retry) seals nothing twice.
		lead.ok(lead.call("case_selection.api.lists.submit_list", name=lst))
		fresh()
		self.assertEqual(len(sealed_form.sealed_files(lst, "District Recommendation List")), 1)

	def test_a_changed_byte_is_caught(self):
		name = self.new_case()
		self.yz.sign("Case Application", name)
		frappe.db.commit()
		pdf = bytearray(self.sealed_pdf(name))
		self.assertTrue(all(r["intact"] for r in sealed_form.verify_pdf(bytes(pdf))))
		# The last signature's signing date (/M, in its signed range): one digit changed.
		date = list(re.finditer(rb"/M \(D(?:\\072|:)(\d)", bytes(pdf)))[-1]
		at = date.start(1)
		pdf[at] = ord("7") if pdf[at] != ord("7") else ord("8")
		results = sealed_form.verify_pdf(bytes(pdf))
		self.assertTrue(results[0]["intact"])
		self.assertFalse(results[-1]["intact"])
		self.assertFalse(results[-1]["bottom_line"])

	def test_the_co_signing_request_only_enqueues(self):
		"""The last signature, over HTTP (the served site, not the test runner): the request stores the seal as
		queued and puts one job on RQ's long queue; the PDF is made by that job (a worker's, or run here as a
		worker would), once."""
		name = self.new_case()
		self.yz.sign("Case Application", name, keys=("jx", "kj"))
		frappe.db.commit()
		jy = User(self.yz.users["jy"])
		jy.ok(
			jy.call(
				"case_selection.api.cosigning.cosign", doctype="Case Application", name=name, opinion=AGREE
			)
		)
		job = get_job(sealed_form.job_id(name))
		self.assertIsNotNone(job, "the request queued the sealing job")
		self.assertTrue(job.origin.endswith(":long"), job.origin)  # Frappe prefixes the bench's queues
		self.assertEqual(job.kwargs["kwargs"]["application"], name)
		fresh()
		row = frappe.db.get_value(
			"Case Application", name, ["sealed_form_status", "sealed_form"], as_dict=True
		)
		if job.get_status() == "queued":  # no worker has taken it yet: the request made no PDF
			self.assertEqual((row.sealed_form_status, row.sealed_form), (sealed_form.QUEUED, None))
			self.assertFalse(sealed_form.sealed_files(name))
		sealed = self.wait_sealed(name)
		self.assertEqual(sealed.sealed_form_status, sealed_form.READY, sealed.sealed_form_note)
		self.assertEqual(len(sealed_form.sealed_files(name)), 1)
		# Run again (a retried job, the sweeper's): the request was served, nothing more is stored.
		sealed_form.run(name)
		self.assertEqual(len(sealed_form.sealed_files(name)), 1)

	def test_the_sweeper_queues_a_lost_seal_again(self):
		"""A seal still queued with no job alive in RQ (Redis flushed, the worker killed) is queued again by the
		minute sweeper once it has waited STALE_AFTER; a fresh one is left alone."""
		name = self.new_case()
		self.yz.sign("Case Application", name)  # under the test runner the job runs at once
		first = sealed_form.sealed_files(name)
		self.assertEqual(len(first), 1)
		# The same case asks again and its job is lost: queued in the table, nothing in RQ.
		frappe.db.set_value(
			"Case Application",
			name,
			{"sealed_form_status": sealed_form.QUEUED, "sealed_form_requested": now_datetime()},
		)
		stale = get_job(sealed_form.job_id(name))
		if stale is not None:
			stale.delete()
		sealed_form.sweep()  # queued moments ago: not yet stale
		self.assertEqual(
			frappe.db.get_value("Case Application", name, "sealed_form_status"), sealed_form.QUEUED
		)
		frappe.db.set_value(
			"Case Application", name, "sealed_form_requested", add_to_date(now_datetime(), seconds=-600)
		)
		sealed_form.sweep()
		row = frappe.db.get_value(
			"Case Application", name, ["sealed_form_status", "sealed_form"], as_dict=True
		)
		self.assertEqual(row.sealed_form_status, sealed_form.READY)
		self.assertEqual(len(sealed_form.sealed_files(name)), 2)  # a new one; the first stays (history)

	# ─────────────────────────── certificates ───────────────────────────

	def test_revoked_certificate_never_signs_again_and_shows_revoked(self):
		first = self.new_case()
		self.yz.sign("Case Application", first)
		frappe.db.commit()
		pdf = self.sealed_pdf(first)
		old = certificates.active_for("渝中区", "District Education Officer")
		self.assertTrue(old)
		self.assertEqual(frappe.db.get_value("Seal Certificate", old, "subject_name"), YZ["jy"][2])

		path = "case_selection.signing.certificates.revoke"
		for user in (self.reviewer, self.yz.lead):
			r = User(user).call(path, name=old, reason="测试吊销")
			self.assertEqual(r.status_code, 403, user)
		fresh()
		self.assertEqual(frappe.db.get_value("Seal Certificate", old, "status"), "Active")
		manager = User(self.city.manager)
		self.assertIn(manager.call(path, http="GET", name=old, reason="测试吊销").status_code, {403, 405})
		manager.ok(manager.call(path, name=old, reason="私钥可能泄露（测试）"))
		fresh()
		row = frappe.db.get_value(
			"Seal Certificate", old, ["status", "revoked_at", "revocation_reason", "revoked_by"], as_dict=True
		)
		self.assertEqual(
			(row.status, row.revocation_reason, row.revoked_by),
			("Revoked", "私钥可能泄露（测试）", self.city.manager),
		)
		self.assertTrue(row.revoked_at)
		time.sleep(1.1)

		results = {r["signer"]: r for r in sealed_form.verify_pdf(pdf)}
		self.assertTrue(results[YZ["jy"][2]]["revoked"])
		self.assertFalse(results[YZ["jy"][2]]["bottom_line"])
		self.assertTrue(results[YZ["jy"][2]]["intact"])
		for key in ("jx", "kj"):
			self.assertFalse(results[YZ[key][2]]["revoked"])
			self.assertTrue(results[YZ[key][2]]["trusted"])

		# The round requires a seal (会签须加盖电子印章, on by default): the department cannot co-sign the next
		# case until the city issues it a new certificate; the other departments can.
		second = self.new_case()
		self.yz.sign("Case Application", second, keys=("jx", "kj"))
		frappe.db.commit()
		education = User(self.yz.users["jy"])
		sign = {"doctype": "Case Application", "name": second, "opinion": AGREE}
		r = education.call("case_selection.api.cosigning.cosign", **sign)
		self.assertEqual(r.status_code, 417, message(r))
		self.assertIn("已吊销", message(r))
		fresh()
		self.assertFalse(
			frappe.db.exists("Case Cosign Opinion", {"reference_name": second, "department": "教育"})
		)
		# A round that does not require a seal takes the opinion; the sealed 附件1 then fails, saying why.
		make_round(ROUND_YEAR, seal_required=0)
		frappe.db.commit()
		third = self.new_case()
		self.yz.sign("Case Application", third, keys=("jx", "kj"))
		frappe.db.commit()
		education.ok(education.call("case_selection.api.cosigning.cosign", **{**sign, "name": third}))
		row = self.wait_sealed(third)
		self.assertEqual(row.sealed_form_status, sealed_form.FAILED)
		self.assertIn("已吊销", row.sealed_form_note)
		make_round(ROUND_YEAR, seal_required=1)
		frappe.db.commit()

		issue = "case_selection.signing.certificates.issue"
		department = {"district": "渝中区", "role": "District Education Officer"}
		for user in (self.reviewer, self.yz.lead, self.yz.users["jy"]):
			self.assertEqual(User(user).call(issue, **department).status_code, 403, user)
		for bad in (
			{"district": "不存在区", "role": "District Education Officer"},
			{"district": "渝中区", "role": "Nope"},
		):
			r = manager.call(issue, **bad)
			self.assertEqual(r.status_code, 417, message(r))
			self.assertTrue("「区县」" in message(r) or "「会签部门角色」" in message(r), message(r))
		issued = manager.ok(manager.call(issue, **department)).json()["message"]
		self.assertEqual(issued["subject"], YZ["jy"][2])
		r = manager.call(issue, **department)  # one valid certificate at a time
		self.assertEqual(r.status_code, 417, message(r))
		education.ok(education.call("case_selection.api.cosigning.cosign", **sign))
		self.wait_sealed(second)
		fresh()
		new = certificates.active_for("渝中区", "District Education Officer")
		self.assertEqual(new, issued["name"])
		self.assertNotEqual(new, old)
		results = {r["signer"]: r for r in sealed_form.verify_pdf(self.sealed_pdf(second))}
		self.assertEqual(len(results), 3)
		for r in results.values():
			self.assertTrue(r["trusted"] and not r["revoked"] and r["bottom_line"], r)
		with self.assertRaises(certificates.CertificateError):
			certificates.signer_of(old)

	def test_import_pkcs12_errors_name_the_field(self):
		key, cert = certificates.authority.issue(*certificates.root(), "重庆市渝中区科学技术局", "测试")
		p12 = certificates.authority.to_pkcs12(key, cert, [certificates.root_certificate()], b"p12-pass")
		manager = User(self.city.manager)

		def upload(content: bytes) -> str:
			r = manager.s.post(
				f"{URL}/api/method/upload_file",
				files={"file": ("seal.p12", content, "application/x-pkcs12")},
				data={"is_private": 1},
				timeout=60,
			)
			manager.ok(r)
			return r.json()["message"]["file_url"]

		path = "case_selection.signing.certificates.import_pkcs12"
		args = {"district": "渝中区", "role": "District Science Officer"}
		r = manager.call(path, file=upload(p12), password="wrong", **args)
		self.assertEqual(r.status_code, 417)
		self.assertIn("「证书密码」", json.dumps(r.json(), ensure_ascii=False))
		r = manager.call(path, file=upload(b"not a p12 file"), password="p12-pass", **args)
		self.assertEqual(r.status_code, 417)
		self.assertIn("「证书文件」", json.dumps(r.json(), ensure_ascii=False))
		self.assertEqual(User(self.yz.lead).call(path, file="x", password="y", **args).status_code, 403)
		url = upload(p12)
		done = manager.ok(manager.call(path, file=url, password="p12-pass", **args)).json()["message"]
		fresh()
		self.assertEqual(certificates.active_for("渝中区", "District Science Officer"), done["name"])
		self.assertEqual(frappe.db.get_value("Seal Certificate", done["name"], "source"), "Imported")
		self.assertFalse(frappe.db.exists("File", {"file_url": url}), "the uploaded key file is removed")
		if done["replaced"]:
			self.assertEqual(frappe.db.get_value("Seal Certificate", done["replaced"], "status"), "Revoked")

	def test_the_private_key_never_leaves(self):
		name = certificates.certificate_for("渝中区", "District Economy Officer", "经信")
		frappe.db.commit()
		pem = get_decrypted_password("Seal Certificate", name, "private_key")
		self.assertIn("PRIVATE KEY", pem)
		secret = next(line for line in pem.splitlines() if "PRIVATE KEY" not in line and len(line) > 20)
		self.assertNotIn(
			secret, json.dumps(frappe.db.get_value("Seal Certificate", name, "*", as_dict=True), default=str)
		)

		admin = admin_session()
		city = User(self.city.manager).s
		calls = [
			("GET", f"/api/resource/Seal Certificate/{name}", {}),
			(
				"GET",
				"/api/resource/Seal Certificate",
				{"fields": '["*"]', "filters": json.dumps({"name": name})},
			),
			("GET", "/api/method/frappe.client.get", {"doctype": "Seal Certificate", "name": name}),
			(
				"GET",
				"/api/method/frappe.client.get_value",
				{"doctype": "Seal Certificate", "filters": name, "fieldname": "private_key"},
			),
			(
				"GET",
				"/api/method/frappe.client.get_list",
				{"doctype": "Seal Certificate", "fields": '["*"]', "limit_page_length": 0},
			),
			(
				"POST",
				"/api/method/frappe.desk.reportview.get",
				{"doctype": "Seal Certificate", "fields": '["*"]', "filters": json.dumps({"name": name})},
			),
			(
				"GET",
				"/api/method/frappe.desk.form.load.getdoc",
				{"doctype": "Seal Certificate", "name": name},
			),
			(
				"GET",
				"/api/method/frappe.client.get_password",
				{"doctype": "Seal Certificate", "name": name, "fieldname": "private_key"},
			),
			(
				"POST",
				"/api/method/frappe.client.get_password",
				{"doctype": "Seal Certificate", "name": name, "fieldname": "private_key"},
			),
			(  # the DocType's name in another case (MariaDB compares names without case)
				"GET",
				"/api/method/frappe.client.get_password",
				{"doctype": "seal certificate", "name": name, "fieldname": "private_key"},
			),
		]
		seen = 0
		for who, s in (("Administrator", admin), ("city", city)):
			for method, path, params in calls:
				if method == "GET":
					r = s.get(f"{URL}{path}", params=params, timeout=60)
				else:
					r = s.post(f"{URL}{path}", data=params, timeout=60)
				self.assertLess(r.status_code, 500, (who, path, r.text[:300]))
				self.assertNotIn(secret, r.text, (who, path))
				self.assertNotIn("PRIVATE KEY", r.text, (who, path))
				if "get_password" in path:
					self.assertEqual(r.status_code, 403, (who, path))
				elif r.status_code == 200 and name in r.text:
					seen += 1
		self.assertGreaterEqual(seen, 8, "the certificate itself was read through the doors")
		# A district officer cannot read certificates at all.
		r = User(self.yz.lead).get(f"/api/resource/Seal Certificate/{name}")
		self.assertEqual(r.status_code, 403)

	def test_department_names_are_data_on_the_district(self):
		district = frappe.get_doc("Case District", "渝中区")
		names = {r.role: r.official_name for r in district.department_names}
		self.assertEqual(names["District Economy Officer"], "重庆市渝中区经济和信息化委员会")
		self.assertEqual(names["District Science Officer"], "重庆市渝中区科学技术局")
		self.assertEqual(names["District Education Officer"], "重庆市渝中区教育委员会")
		self.assertEqual(
			certificates.official_name("渝中区", "District Education Officer"), "重庆市渝中区教育委员会"
		)
