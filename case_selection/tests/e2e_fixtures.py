"""Data for the browser tests in tests/e2e, made through the app's own controllers and committed.

`bench --site SITE execute case_selection.tests.e2e_fixtures.prepare` prints JSON the tests read: the demo (its
users land on their workspaces with something to do) and, beside it, a round of the browser tests' own in which
the demo users take one case from the applicant to publication, each through their part of Desk.
"""

import os

import frappe
from frappe.model.workflow import apply_workflow

from case_selection import demo
from case_selection.access.system_write import system_write
from case_selection.demo import complete_setup
from case_selection.export.pdf import render_pdf
from case_selection.signing import sealed_form
from case_selection.tests import flow
from case_selection.tests import output_data as od
from case_selection.tests.factories import (
	PASSWORD,
	TEST_ROUND,
	delete_application,
	district_users,
	make_application,
	make_round,
	make_user,
)

PAPER_YEAR = 2082
PAPER_DIR = "/tmp/case-e2e-paper"
ROLES_YEAR = 2081
ROLES_ROUND = str(ROLES_YEAR)
ROLES_TITLE = "浏览器测试：从申报到发布"


def prepare() -> dict:
	complete_setup()
	make_round()
	yz, wz = district_users("渝中区", "e2e-yz"), district_users("万州区", "e2e-wz")
	for name in frappe.get_all(
		"Case Application", {"round": TEST_ROUND, "case_title": ("like", "浏览器测试案例%")}, pluck="name"
	):
		delete_application(name)  # an earlier run's, whatever its title became
	app = make_application(seed=70, case_title="浏览器测试案例")
	# Markup stored before the text rule existed: Desk must still show it as text (tests/e2e/test_desk.py).
	od.store_legacy_text(app, "case_title", "浏览器测试案例<b>粗体</b>")
	app = apply_workflow(app, "Submit to District")
	# A draft of an applicant of its own, for text typed in the browser (tests/e2e/test_text.py).
	writer = make_user("text.applicant@test.local", ["Case Applicant"])
	for name in frappe.get_all("Case Application", {"round": TEST_ROUND, "owner": writer}, pluck="name"):
		delete_application(name)
	draft = make_application(as_user=writer, seed=73, case_title="文本测试草稿")
	# 渝中区's 教育 officer opens the case list as a user who never has (tests/e2e/test_desk.py: it opens on the
	# current round); an earlier run's saved list settings would win over that default.
	forget_list_settings(yz["jy"], "Case Application")
	frappe.db.commit()
	demo.load()
	return {
		"application": app.name,
		"text": {"user": writer, "draft": draft.name, "title": draft.case_title},
		"yz": yz,
		"wz": wz,
		"password": PASSWORD,
		"roles": prepare_roles(),
		"paper": prepare_paper(),
	}


def forget_list_settings(user: str, doctype: str):
	"""The user's saved list and report view settings of `doctype` (filters, sort), in the database and Redis."""
	frappe.db.sql("delete from `__UserSettings` where `user` = %s and `doctype` = %s", (user, doctype))
	frappe.cache.hdel("_user_settings", f"{doctype}::{user}")


def prepare_roles() -> dict:
	"""A round of its own (publication needs every case of a round decided; the demo's open round keeps its
	cases under way), emptied and reopened, with the demo applicant's draft."""
	with system_write():
		for name in frappe.get_all("Case Collection", {"round": ROLES_ROUND}, pluck="name"):
			frappe.delete_doc("Case Collection", name, force=True, ignore_permissions=True)
		for name in frappe.get_all("District Recommendation List", {"round": ROLES_ROUND}, pluck="name"):
			frappe.delete_doc("District Recommendation List", name, force=True, ignore_permissions=True)
		for name in frappe.get_all("Case Application", {"round": ROLES_ROUND}, pluck="name"):
			delete_application(name)
	# The current round (the open round opened last, workspaces.current_round): the district's and the city's
	# cards count it and every list opens on it, as they would the real round of the year.
	make_round(
		ROLES_YEAR,
		public_notice_days=0,
		round_title=f"{ROLES_YEAR}年浏览器测试遴选",
		open_date=frappe.utils.nowdate(),
	)
	people = demo.people()
	case = make_application(
		as_user=people["applicant"],
		seed=2081,
		round=ROLES_ROUND,
		district=demo.DEMO_DISTRICT,
		case_title=ROLES_TITLE,
	)
	frappe.db.commit()
	return {
		"round": ROLES_ROUND,
		"case": case.name,
		"title": ROLES_TITLE,
		"district": demo.DEMO_DISTRICT,
		"password": demo.DEMO_PASSWORD,
		"applicant": people["applicant"],
		"officers": people["districts"][demo.DEMO_DISTRICT],
		"city": people["city"],
		"reviewer": people["reviewer"],
		"expert": people["experts"][0],
	}


def prepare_paper() -> dict:
	"""A case of a round of its own, printed by its applicant before co-signing (a paper that goes stale), then
	co-signed and sealed (the sealing job run here, as a worker would); both PDFs written for the browser test
	of the city's intake desk (tests/e2e/test_paper.py), which reads their QR codes."""

	round_name = str(PAPER_YEAR)
	with system_write():
		for name in frappe.get_all("Case Application", {"round": round_name}, pluck="name"):
			frappe.db.delete("Paper Copy", {"reference_name": name})
			delete_application(name)
	make_round(PAPER_YEAR, paper_copies=5, round_title=f"{PAPER_YEAR}年浏览器测试遴选（纸质材料）")
	owner = make_user("owner.e2e-paper@test.local", ["Case Applicant"])
	clerk = make_user("city.e2e-paper@test.local", ["City Case Manager"])
	district = flow.District("渝中区", "e2e-yz")
	name = flow.submitted(owner, 2082, round=round_name, district="渝中区", case_title="纸质材料签收测试案例")
	early = flow.as_user(owner, lambda: render_pdf(frappe.get_doc("Case Application", name), "附件1 申报书"))
	district.sign("Case Application", name)
	frappe.db.commit()
	sealed_form.run(name)  # the job the last signature queued
	frappe.db.commit()
	url = frappe.db.get_value("Case Application", name, "sealed_form")
	sealed = frappe.get_doc("File", {"file_url": url}).get_content()
	os.makedirs(PAPER_DIR, exist_ok=True)
	paths = {"sealed": f"{PAPER_DIR}/sealed.pdf", "early": f"{PAPER_DIR}/early.pdf"}
	for key, content in (("sealed", sealed), ("early", early)):
		with open(paths[key], "wb") as f:
			f.write(content)
		os.chmod(paths[key], 0o644)
	return {
		"case": name,
		"title": "纸质材料签收测试案例",
		"clerk": clerk,
		"officer": district.users["kj"],
		"password": PASSWORD,
		**paths,
	}
