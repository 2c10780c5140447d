"""Data for the browser tests in tests/e2e, made through the app's own controllers and committed.

`bench --site SITE execute case_selection.tests.e2e_fixtures.prepare` prints JSON the tests read.
"""

import frappe
from frappe.model.workflow import apply_workflow

from case_selection.demo import complete_setup
from case_selection.tests.factories import PASSWORD, district_users, make_application, make_round


def prepare() -> dict:
	complete_setup()
	make_round()
	yz, wz = district_users("渝中区", "e2e-yz"), district_users("万州区", "e2e-wz")
	app = make_application(seed=70, case_title="浏览器测试案例<b>粗体</b>")
	app = apply_workflow(app, "Submit to District")
	frappe.db.commit()
	return {"application": app.name, "yz": yz, "wz": wz, "password": PASSWORD}
