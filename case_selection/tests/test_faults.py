"""Faults survived (issue 19), the parts a request can show: a client that retries a signature whose answer it
never got (its worker killed, the connection cut after the commit) signs once; an upload that meets a full disk
is a clear refusal that leaves nothing behind. The faults of whole processes (kill -9, restarts) are run by
`make chaos` on the production stack."""

import os
import uuid

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.exceptions import StorageFullError
from case_selection.tests import flow
from case_selection.tests.factories import (
	TEST_ROUND,
	delete_application,
	make_application,
	make_round,
	make_user,
)
from case_selection.tests.http import User, fresh

CASE = "Case Application"
COSIGN = "case_selection.api.cosigning.cosign"


class TestRetriedSignatures(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_round(int(TEST_ROUND))
		cls.yz = flow.District("渝中区", "yz")
		owner = make_user("owner.seal@test.local", ["Case Applicant"])
		cls.name = flow.submitted(owner, 9301, case_title="重试测试")
		frappe.db.commit()
		cls.users = {k: User(u) for k, u in cls.yz.users.items()}

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		delete_application(cls.name)
		frappe.db.commit()
		super().tearDownClass()

	def sign(self, key: str, opinion: str = flow.AGREE, remarks: str = ""):
		return self.users[key].call(COSIGN, doctype=CASE, name=self.name, opinion=opinion, remarks=remarks)

	def facts(self) -> tuple:
		"""Everything a signature writes: the opinions, the 签核历程, the state, the co-signing requests."""
		fresh()
		opinions = frappe.get_all(
			"Case Cosign Opinion",
			filters={"reference_doctype": CASE, "reference_name": self.name},
			fields=["department", "opinion", "remarks", "signer", "modified"],
			order_by="department",
		)
		history = frappe.db.count("Case Action Log", {"reference_doctype": CASE, "reference_name": self.name})
		case = frappe.db.get_value(
			CASE, self.name, ["workflow_state", "cosign_status", "_assign"], as_dict=True
		)
		todos = frappe.get_all(
			"ToDo", filters={"reference_name": self.name}, fields=["allocated_to", "status"], order_by="name"
		)
		return opinions, history, case, todos

	def test_a_retried_signature_is_recorded_once(self):
		ok = self.users["jx"].ok
		first = ok(self.sign("jx")).json()["message"]
		before = self.facts()
		self.assertEqual(len(before[0]), 1)
		again = ok(self.sign("jx")).json()["message"]
		self.assertEqual(again, first)
		self.assertEqual(self.facts(), before)

		# A changed signature is a new act, not a retry: it is recorded and logged.
		ok(self.sign("jx", remarks="补充：示范带动作用明显"))
		changed = self.facts()
		self.assertEqual(changed[1], before[1] + 1)
		self.assertEqual(changed[0][0].remarks, "补充：示范带动作用明显")

		# The last signature moves the case on; its retry answers what it did and changes nothing.
		ok(self.sign("kj"))
		last = ok(self.sign("jy")).json()["message"]
		after = self.facts()
		self.assertEqual(after[2].cosign_status, last["cosign_status"])
		self.assertNotEqual(after[2].workflow_state, before[2].workflow_state)
		self.assertEqual(len(after[0]), 3)
		self.assertEqual(ok(self.sign("jy")).json()["message"], last)
		self.assertEqual(self.facts(), after)

		# Anything else from that department now is refused: co-signing is over.
		refused = self.sign("jy", "不同意推荐", "重新考虑")
		self.assertEqual(refused.status_code, 417, refused.text[:300])
		self.assertEqual(self.facts(), after)


class TestRetriedListSubmission(FrappeTestCase):
	def test_a_list_sent_again_by_its_lead_is_sent_once(self):
		frappe.set_user("Administrator")
		make_round(int(TEST_ROUND))
		yz = flow.District("渝中区", "yz")
		owner = make_user("owner.seal@test.local", ["Case Applicant"])
		name = flow.submitted(owner, 9303, case_title="名单重试测试")
		self.addCleanup(lambda: (delete_application(name), frappe.db.commit()))
		yz.sign(CASE, name)
		lst = yz.make_list(TEST_ROUND, [name])
		yz.sign("District Recommendation List", lst)
		frappe.db.commit()
		lead = User(yz.lead)

		def send():
			return lead.ok(lead.call("case_selection.api.lists.submit_list", name=lst)).json()["message"]

		def facts():
			fresh()
			return (
				frappe.db.get_value("District Recommendation List", lst, ["status", "submitted_at"]),
				frappe.db.get_value(CASE, name, "workflow_state"),
				frappe.db.count(
					"Case Action Log",
					{"reference_doctype": "District Recommendation List", "reference_name": lst},
				),
				frappe.db.count("Case Action Log", {"reference_doctype": CASE, "reference_name": name}),
			)

		first = send()
		after = facts()
		self.assertEqual(after[1], "Submitted to City")
		self.assertEqual(send(), first)
		self.assertEqual(facts(), after)


class TestFullDisk(FrappeTestCase):
	def test_a_file_meeting_a_full_disk_is_a_clear_refusal_that_keeps_nothing(self):
		"""The kernel's own full device (/dev/full answers every write with ENOSPC) stands where an upload's file
		goes, as a full disk would. Frappe picks a free name for an upload, so the file is written through its
		own save_file with the name kept (overwrite); `make chaos` fills a real filesystem over HTTP."""
		frappe.set_user("Administrator")
		make_round(int(TEST_ROUND))
		owner = make_user("owner.seal@test.local", ["Case Applicant"])
		name = make_application(as_user=owner, seed=9302, case_title="磁盘已满测试").name
		frappe.db.commit()
		self.addCleanup(lambda: (delete_application(name), frappe.db.commit()))
		file_name = f"scan-{uuid.uuid4().hex[:8]}.pdf"
		path = frappe.get_site_path("private", "files", file_name)
		content = f"%PDF-1.4 stamped scan {file_name}".encode() * 100  # its own: no earlier file to share
		os.symlink("/dev/full", path)
		self.addCleanup(lambda: os.path.lexists(path) and os.remove(path))

		def upload():
			return frappe.get_doc(
				{
					"doctype": "File",
					"file_name": file_name,
					"is_private": 1,
					"attached_to_doctype": CASE,
					"attached_to_name": name,
					"attached_to_field": "signed_form_scan",
					"content": content,
				}
			).save_file(content=content, overwrite=True)

		frappe.set_user(owner)
		with self.assertRaises(StorageFullError) as refused:
			upload()
		self.assertIn("存储空间已满", str(refused.exception))
		self.assertIn("盖章申报书扫描件", str(refused.exception))
		self.assertEqual(refused.exception.http_status_code, 417)  # what the request answers
		self.assertTrue(os.path.islink(path))  # the device stays; nothing else was written in its place

		# Where the disk has room, the same file is written whole.
		os.remove(path)
		saved = upload()
		self.assertEqual(saved["file_name"], file_name)
		with open(path, "rb") as f:
			self.assertEqual(f.read(), content)
