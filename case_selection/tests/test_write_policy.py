"""The write policy and the attacks of issue 7, one by one, over HTTP against the served test site.

Each attack is refused with 403/417 and leaves the stored record as it was; the same user's legitimate
change goes through, so each refusal is the policy's and not a broken door.
"""

import os

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection import demo
from case_selection.access.write_policy import describe
from case_selection.tests import flow
from case_selection.tests.factories import (
	clear_round,
	make_application,
	make_round,
	make_user,
)
from case_selection.tests.http import URL, fresh, login, message

ROUND_YEAR = 2093
ROUND = str(ROUND_YEAR)
REFUSED = {403, 417}


def put(s, doctype, name, values):
	return s.put(f"{URL}/api/resource/{doctype}/{name}", json=values, timeout=60)


def set_value(s, doctype, name, field, value):
	return s.post(
		f"{URL}/api/method/frappe.client.set_value",
		data={"doctype": doctype, "name": name, "fieldname": field, "value": value},
		timeout=60,
	)


def upload(s, doctype, name, filename: str, content: bytes, private=1):
	r = s.post(
		f"{URL}/api/method/upload_file",
		files={"file": (filename, content)},
		data={"doctype": doctype, "docname": name, "is_private": private},
		timeout=60,
	)
	r.raise_for_status()
	return r.json()["message"]["file_url"]


class TestWritePolicy(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_round(ROUND_YEAR)
		cls.yz = flow.District("渝中区", "yz")
		cls.wz = flow.District("万州区", "wz")
		cls.city = flow.City("policy")
		cls.owner = make_user("owner.policy@test.local", ["Case Applicant"])
		cls.other = make_user("other.policy@test.local", ["Case Applicant"])
		cls.expert = make_user("expert.policy@test.local", ["Case Expert"])
		# A 万州区 draft entered by its district, a 渝中区 draft of an applicant, a case under review.
		cls.wz_draft = make_application(as_user=cls.wz.lead, seed=950, round=ROUND, district="万州区").name
		cls.draft = make_application(as_user=cls.owner, seed=951, round=ROUND).name
		cls.other_draft = make_application(as_user=cls.other, seed=952, round=ROUND).name
		cls.reviewed = flow.submitted(cls.owner, 953, round=ROUND)
		cls.lst = flow.to_city(cls.yz, cls.city, ROUND, [cls.reviewed])
		cls.city.to_review(cls.reviewed)
		cls.review = cls.city.assign(cls.reviewed, cls.expert)
		flow.score(cls.review, cls.expert)
		wz_case = flow.submitted(cls.wz.lead, 954, round=ROUND, district="万州区")
		cls.wz.sign("Case Application", wz_case)
		cls.wz_list = cls.wz.make_list(ROUND, [wz_case])
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		fresh()
		clear_round(ROUND)
		super().tearDownClass()

	def stored(self, doctype, name, field):
		frappe.db.rollback()
		return frappe.db.get_value(doctype, name, field)

	def assertRefused(self, r, what=""):
		self.assertIn(r.status_code, REFUSED, f"{what}: {r.status_code} {r.text[:400]}")

	# Moving records between districts ------------------------------------------------------------------------

	def test_an_officer_cannot_pull_another_districts_case_or_list(self):
		s = login(self.yz.lead)
		self.assertEqual(s.get(f"{URL}/api/resource/Case Application/{self.wz_draft}").status_code, 403)
		self.assertRefused(put(s, "Case Application", self.wz_draft, {"district": "渝中区"}), "PUT district")
		self.assertRefused(set_value(s, "Case Application", self.wz_draft, "district", "渝中区"), "set_value")
		self.assertEqual(self.stored("Case Application", self.wz_draft, "district"), "万州区")
		self.assertRefused(put(s, "District Recommendation List", self.wz_list, {"district": "渝中区"}))
		self.assertRefused(put(s, "District Recommendation List", self.wz_list, {"items": []}))
		self.assertEqual(self.stored("District Recommendation List", self.wz_list, "district"), "万州区")
		self.assertEqual(frappe.db.count("Recommendation List Item", {"parent": self.wz_list}), 1)

	def test_district_round_and_owner_are_fixed_once_set(self):
		owner, lead = login(self.owner), login(self.yz.lead)
		for field, value in (("district", "万州区"), ("round", "2098")):
			r = put(owner, "Case Application", self.draft, {field: value})
			self.assertRefused(r, field)
			self.assertIn("创建后不能修改", message(r))
		self.assertRefused(put(owner, "Case Application", self.draft, {"owner": self.other}), "owner")
		self.assertRefused(put(self.wz_session(), "Case Application", self.wz_draft, {"district": "渝中区"}))
		self.assertEqual(self.stored("Case Application", self.draft, "owner"), self.owner)
		# the same users' own text goes through while the case is a draft
		r = put(owner, "Case Application", self.draft, {"keywords": "申报单位修改"})
		self.assertEqual(r.status_code, 200, r.text[:300])
		r = put(lead, "Case Application", self.draft, {"keywords": "区县代为修改"})
		self.assertEqual(r.status_code, 200, r.text[:300])

	def wz_session(self):
		return login(self.wz.lead)

	def test_submitted_text_is_frozen_and_results_cannot_be_typed_in(self):
		owner = login(self.owner)
		status_before = self.stored("Case Application", self.draft, "cosign_status")
		r = put(owner, "Case Application", self.reviewed, {"case_title": "改名"})
		self.assertRefused(r)
		self.assertIn("案例名称", message(r))
		for field, value in (
			("cosign_status", "Agreed"),
			("recommendation_list", self.lst),
		):
			self.assertRefused(put(owner, "Case Application", self.draft, {field: value}), field)
		# the city's entries are the city's record, not the case's (access/sealing.py)
		for field, value in (("review_score", 100), ("formal_check", "通过"), ("workflow_state", "Selected")):
			self.assertRefused(put(owner, "Case Evaluation", self.reviewed, {field: value}), field)
		self.assertRefused(
			put(login(self.yz.lead), "Case Application", self.reviewed, {"case_title": "改名"})
		)
		self.assertRefused(put(login(self.yz.users["kj"]), "Case Application", self.draft, {"keywords": "x"}))
		self.assertRefused(
			put(login(self.city.manager), "Case Application", self.reviewed, {"unit_name": "改了"}), "city"
		)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Case Application", self.draft, "cosign_status"), status_before)
		self.assertNotEqual(frappe.db.get_value("Case Application", self.reviewed, "case_title"), "改名")

	# Experts -------------------------------------------------------------------------------------------------

	def test_an_expert_cannot_rig_scores_or_switch_the_case(self):
		s = login(self.expert)
		review = s.get(f"{URL}/api/resource/Case Review/{self.review}").json()["data"]
		total = review["total_score"]
		rigged = [dict(row, weight=100) for row in review["scores"]]
		r = put(s, "Case Review", self.review, {"scores": rigged})
		self.assertRefused(r, "weights")
		self.assertIn("权重", message(r))
		self.assertRefused(put(s, "Case Review", self.review, {"total_score": 100}), "total")
		self.assertRefused(put(s, "Case Review", self.review, {"application": self.other_draft}), "case")
		self.assertRefused(put(s, "Case Review", self.review, {"expert": self.other}), "expert")
		extra = [*review["scores"], {"criterion": "额外加分", "weight": 50, "score": 100}]
		self.assertRefused(put(s, "Case Review", self.review, {"scores": extra}), "extra row")
		self.assertEqual(s.get(f"{URL}/api/resource/Case Application/{self.other_draft}").status_code, 403)
		frappe.db.rollback()
		self.assertAlmostEqual(frappe.db.get_value("Case Review", self.review, "total_score"), total)
		self.assertEqual(frappe.db.get_value("Case Review", self.review, "application"), self.reviewed)
		# their own score, while the case is under review, goes through; the total uses the round's weights
		scores = [dict(row, score=50) for row in review["scores"]]
		r = put(s, "Case Review", self.review, {"scores": scores})
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertAlmostEqual(r.json()["data"]["total_score"], 50.0)
		self.assertAlmostEqual(self.stored("Case Evaluation", self.reviewed, "review_score"), 50.0)

	# Attachments ---------------------------------------------------------------------------------------------

	def test_attachment_fields_take_only_files_of_this_document(self):
		other = login(self.other)
		secret = upload(other, "Case Application", self.other_draft, "营业执照-other.txt", b"other's secret")
		owner = login(self.owner)
		frappe.db.rollback()  # see what the server committed
		before = frappe.db.count("File", {"file_url": secret})
		for value in (
			secret,
			'<img src=x onerror="alert(1)">',
			"javascript:alert(1)",
			"http://169.254.169.254/latest/meta-data/",
			"/private/files/../../site_config.json",
		):
			r = put(owner, "Case Application", self.draft, {"signed_form_scan": value})
			self.assertRefused(r, value)
			self.assertIn("盖章申报书扫描件", message(r))
		r = put(owner, "Case Application", self.draft, {"evidence": [{"title": "借用", "file": secret}]})
		self.assertRefused(r, "evidence row")
		# a File record of one's own pointing at the other's file: refused at the File door too
		r = owner.post(f"{URL}/api/resource/File", json={"file_url": secret, "is_private": 1})
		self.assertRefused(r, "File with another's URL")
		r = owner.post(f"{URL}/api/method/upload_file", data={"file_url": secret, "is_private": 1})
		self.assertRefused(r, "upload_file with another's URL")
		self.assertEqual(owner.get(f"{URL}{secret}").status_code, 403)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("File", {"file_url": secret}), before)
		self.assertFalse(frappe.db.get_value("Case Application", self.draft, "signed_form_scan"))
		# the applicant's own upload for this case is accepted
		# a text file is not a scan: refused by name, by its content as well as its name
		text = upload(owner, "Case Application", self.draft, "盖章申报书-mine.txt", b"mine")
		renamed = upload(owner, "Case Application", self.draft, "盖章申报书-fake.pdf", b"not a pdf " * 20)
		for value in (text, renamed):
			r = put(owner, "Case Application", self.draft, {"signed_form_scan": value})
			self.assertEqual(r.status_code, 417, r.text[:300])
			self.assertIn("盖章申报书扫描件", message(r))
		mine = upload(
			owner, "Case Application", self.draft, "盖章申报书-mine.pdf", b"%PDF-1.4\n" + b"%" * 200
		)
		r = put(owner, "Case Application", self.draft, {"signed_form_scan": mine})
		self.assertEqual(r.status_code, 200, r.text[:300])
		# and no file can be added to a case the user may not change
		r = owner.post(
			f"{URL}/api/method/upload_file",
			files={"file": ("x.txt", b"x")},
			data={"doctype": "Case Application", "docname": self.reviewed, "is_private": 1},
		)
		self.assertRefused(r, "upload to a submitted case")

	def test_a_seal_is_a_file_of_the_signer_not_a_url(self):
		case = flow.submitted(self.owner, 955, round=ROUND)
		frappe.db.commit()
		other = login(self.other)
		secret = upload(other, "Case Application", self.other_draft, "公章-other.png", b"\x89PNG other")
		kj = login(self.yz.users["kj"])
		for seal in (secret, "http://127.0.0.1:9/seal.png", "<svg onload=alert(1)>"):
			r = kj.post(
				f"{URL}/api/method/case_selection.api.cosigning.cosign",
				data={"doctype": "Case Application", "name": case, "opinion": "同意推荐", "seal": seal},
			)
			self.assertRefused(r, seal)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Case Cosign Opinion", {"reference_name": case}), 0)
		seal = kj.post(
			f"{URL}/api/method/upload_file",
			files={"file": ("公章-kj.png", b"\x89PNG kj")},
			data={"is_private": 1},
		).json()["message"]["file_url"]
		r = kj.post(
			f"{URL}/api/method/case_selection.api.cosigning.cosign",
			data={"doctype": "Case Application", "name": case, "opinion": "同意推荐", "seal": seal},
		)
		self.assertEqual(r.status_code, 200, r.text[:300])

	# The city's records point only at cases that reached the city ------------------------------------------------

	def test_objections_and_casebooks_need_a_case_at_the_city(self):
		s = login(self.city.manager)
		r = s.post(f"{URL}/api/resource/Case Objection", json={"application": self.draft, "content": "x"})
		self.assertRefused(r, "objection on a draft")
		r = s.post(
			f"{URL}/api/resource/Case Collection",
			json={"round": ROUND, "title": "案例集", "cases": [{"application": self.draft}]},
		)
		self.assertRefused(r, "casebook with a draft")
		self.assertNotIn(frappe.db.get_value("Case Application", self.draft, "case_title"), r.text)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Case Objection", {"application": self.draft}), 0)

	def test_only_publish_results_publishes_a_round(self):
		s = login(self.city.manager)
		self.assertRefused(put(s, "Selection Round", ROUND, {"status": "Published"}))
		self.assertEqual(self.stored("Selection Round", ROUND, "status"), "Open")
		r = put(s, "Selection Round", ROUND, {"paper_copies": 6})
		self.assertEqual(r.status_code, 200, r.text[:300])

	def test_history_and_opinions_are_written_by_the_system_only(self):
		log = frappe.db.get_value("Case Action Log", {"reference_name": self.reviewed}, "name")
		opinion = frappe.db.get_value("Case Cosign Opinion", {"reference_name": self.reviewed}, "name")
		for user in (self.yz.lead, self.city.manager):
			s = login(user)
			self.assertRefused(put(s, "Case Action Log", log, {"remark": "改写历史"}), user)
			self.assertRefused(put(s, "Case Cosign Opinion", opinion, {"opinion": "不同意"}), user)
			self.assertRefused(s.delete(f"{URL}/api/resource/Case Action Log/{log}"), user)
		r = login(self.yz.lead).post(
			f"{URL}/api/resource/Case Cosign Opinion",
			json={
				"reference_doctype": "Case Application",
				"reference_name": self.draft,
				"department": "教育",
				"opinion": "同意推荐",
			},
		)
		self.assertRefused(r, "forged opinion")
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Case Cosign Opinion", {"reference_name": self.draft}), 0)

	# The policy, documented --------------------------------------------------------------------------------------

	def test_readme_shows_the_policy_as_declared(self):
		readme = os.path.join(frappe.get_app_path("case_selection"), "..", "README.md")
		with open(readme, encoding="utf-8") as f:
			text = f.read()
		table = describe()
		self.assertIn("<!-- write policy", text)
		self.assertTrue(
			table in text,
			"README's write-policy table differs from write_policy.POLICY: regenerate it with "
			"`bench --site SITE execute case_selection.access.write_policy.describe`",
		)


class TestDemoUsers(FrappeTestCase):
	def test_no_case_user_of_the_demo_holds_system_manager(self):

		self.assertEqual(demo.DEMO_USERS[0][2], ["System Manager"])
		demo.ensure_users()
		for email, _name, _roles, _district in demo.DEMO_USERS[1:]:
			self.assertNotIn("System Manager", frappe.get_roles(email), email)
		# a System Manager that Frappe hands out unasked is taken away again
		user = make_user("sm.trap@test.local", ["Case Applicant"])
		frappe.get_doc("User", user).add_roles("System Manager")
		make_user("sm.trap@test.local", ["Case Applicant"])
		self.assertNotIn("System Manager", frappe.get_roles(user))
