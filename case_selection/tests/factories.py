"""Test data factories: each is safe to call twice (it reuses or replaces what it made before)."""

import frappe
from frappe.utils import add_days, nowdate

from case_selection.access import sealing
from case_selection.access.actors import expert_role
from case_selection.access.system_write import system_write
from case_selection.checks.formats import uscc_check_char
from case_selection.constants import DECLARATIONS
from case_selection.setup.master_data import DEFAULT_DECLARATIONS
from case_selection.setup.users import ensure_expert, ensure_user
from case_selection.workflow.definition import LIST_WORKFLOW_NAME, WORKFLOW_NAME

TEST_ROUND = "2098"
PASSWORD = "Test@Case2025"


def valid_uscc(seed: int) -> str:
	first17 = f"91500000{seed:09d}"
	return first17 + uscc_check_char(first17)


def make_round(year: int = 2098, new: bool = False, **kw):
	"""An open round whose deadline is in the future (the 2025 round's has passed). Its lists are submitted
	without stamped scans unless the test asks for them (scan_required=1: test_paper.py).

	new: the round made afresh as an admin creates it in Desk (the record of that year deleted first, only the
	given values and the form's defaults), to test what a new round starts with and what its form refuses."""
	name = str(year)
	if new:
		if frappe.db.exists("Selection Round", name):
			frappe.delete_doc("Selection Round", name, force=True)
		values = {
			"doctype": "Selection Round",
			"year": year,
			"round_title": f"{year}年推动科技创新和产业创新深度融合优秀案例遴选",
			"open_date": f"{year}-03-01",
			"district_deadline": f"{year}-04-30",
		}
		return frappe.get_doc({**values, **kw}).insert()
	kw.setdefault("scan_required", 0)
	if frappe.db.exists("Selection Round", name):
		doc = frappe.get_doc("Selection Round", name)
		doc.update(
			{
				"status": "Open",
				"district_deadline": add_days(nowdate(), 30),
				"default_quota": 0,
				# an earlier run's publication: its messages counted as sent would be skipped when published again
				"published_on": None,
				"results_notified": 0,
				"results_notified_on": None,
				**kw,
			}
		)
		if "district_settings" not in kw:
			doc.district_settings = []
		if "declarations" not in kw:  # the notice's seven, whatever an earlier test left
			doc.set("declarations", [dict(d) for d in DEFAULT_DECLARATIONS])
		with system_write():  # a test resets its round, whatever state an earlier test left it in
			doc.save(ignore_permissions=True)
		return doc
	return frappe.get_doc(
		{
			"doctype": "Selection Round",
			"year": year,
			"round_title": f"{year}年测试遴选",
			"status": "Open",
			"open_date": add_days(nowdate(), -30),
			"district_deadline": add_days(nowdate(), 30),
			**kw,
		}
	).insert(ignore_permissions=True)


def make_user(email: str, roles: list[str], district: str | None = None) -> str:
	"""A user of the case roles; an expert also gets a record in the library (a unit of its own, no district),
	which the conflict check needs before any review is assigned."""
	user = ensure_user(email, email.split("@")[0], roles, PASSWORD, district)
	if expert_role() in roles:
		ensure_expert(user, f"评审专家测试单位（{email.split('@')[0]}）")
	return user


def district_users(district: str, tag: str) -> dict[str, str]:
	"""The three co-signing officers of a district (tag keeps districts' users apart)."""
	return {
		"jx": make_user(f"jx.{tag}@test.local", ["District Economy Officer"], district),
		"kj": make_user(f"kj.{tag}@test.local", ["District Science Officer"], district),
		"jy": make_user(f"jy.{tag}@test.local", ["District Education Officer"], district),
	}


def application_values(**kw) -> dict:
	seed = kw.pop("seed", 1)
	values = {
		"doctype": "Case Application",
		"case_title": f"测试案例{seed}",
		"round": TEST_ROUND,
		"district": "渝中区",
		"direction": "产业关键技术攻关",
		"unit_name": f"重庆测试科技有限公司{seed}",
		"uscc": valid_uscc(seed),
		"unit_type": "企业",
		"contact_person": "张三",
		"contact_mobile": "13800138000",
		"contact_email": "zhangsan@example.com",
		"background": "行业痛点描述。",
		"approach": "主要做法描述。",
		"innovation": "创新点描述。",
		"results": "实施成效描述。",
		"promotion_value": "推广价值描述。",
		**dict.fromkeys(DECLARATIONS, 1),
	}
	values.update(kw)
	return values


def make_application(as_user: str | None = None, **kw):
	"""A Draft application; an existing one with the same round, unit and title is deleted first.

	With as_user the application is created by that user (through permissions), else by the test runner.
	"""
	values = application_values(**kw)
	for name in frappe.get_all(
		"Case Application",
		filters={
			"round": values["round"],
			"unit_name": values["unit_name"],
			"case_title": values["case_title"],
		},
		pluck="name",
	):
		delete_application(name)
	if not as_user:
		return frappe.get_doc(values).insert(ignore_permissions=True)
	previous = frappe.session.user
	frappe.set_user(as_user)
	try:
		return frappe.get_doc(values).insert()
	finally:
		frappe.set_user(previous)


def delete_application(name: str):
	"""Test clean-up: removes a case and everything hanging on it, past the write policy."""
	with system_write():
		for lst in frappe.get_all("Recommendation List Item", filters={"application": name}, pluck="parent"):
			frappe.delete_doc("District Recommendation List", lst, force=True, ignore_permissions=True)
		for dt in ("Case Cosign Opinion", "Case Action Log"):
			frappe.db.delete(dt, {"reference_doctype": "Case Application", "reference_name": name})
		frappe.db.delete("Case Action Log", {"reference_doctype": "Case Evaluation", "reference_name": name})
		frappe.db.delete("Case Evaluation", {"name": name})
		frappe.db.delete("Case Review", {"application": name})
		frappe.db.delete("Case Objection", {"application": name})
		frappe.delete_doc("Case Application", name, force=True, ignore_permissions=True)


def put_state(name: str, state: str, case_values: dict | None = None, **city_values):
	"""Test set-up past the Workflow: a case stored in `state`, as the app stores it (access/sealing.py): the case's
	row with the public state and its own values, its evaluation with the real state and the city's values."""

	round_name = frappe.db.get_value("Case Application", name, "round")
	public = sealing.public_state_of(state, round_name)
	frappe.db.set_value(
		"Case Application",
		name,
		{
			"workflow_state": public,
			"at_city": int(sealing.states.has(public, "city_visible")),
			**(case_values or {}),
		},
		update_modified=False,
	)
	with system_write():
		sealing.set_values(name, {"workflow_state": state, **city_values})


def clear_round(round_name: str):
	"""Test clean-up: every case and district list of a round the test keeps to itself."""
	with system_write():
		for lst in frappe.get_all("District Recommendation List", {"round": round_name}, pluck="name"):
			frappe.delete_doc("District Recommendation List", lst, force=True, ignore_permissions=True)
		for name in frappe.get_all("Case Application", {"round": round_name}, pluck="name"):
			delete_application(name)
	frappe.db.commit()


def as_new(row: dict) -> dict:
	"""A child row as a new row of the same table: without its name, parent, timestamps and position."""
	return {k: v for k, v in row.items() if k not in ("name", "parent", "creation", "modified", "idx")}


def configuration() -> dict:
	"""What the configuration tests change, as it stands: both Workflows and Case Selection Settings."""
	return {
		"workflows": {
			name: frappe.get_doc("Workflow", name).as_dict() for name in (WORKFLOW_NAME, LIST_WORKFLOW_NAME)
		},
		"settings": frappe.get_single("Case Selection Settings").as_dict(),
	}


def restore_configuration(before: dict):
	"""Both Workflows' states and transitions and the settings' tables as `configuration()` read them (rows as new
	rows: the ones with these names may have been replaced by the test)."""
	for name, workflow_before in before["workflows"].items():
		workflow = frappe.get_doc("Workflow", name)
		for table in ("transitions", "states"):
			workflow.set(table, [as_new(r) for r in workflow_before[table]])
		workflow.save(ignore_permissions=True)
	settings = frappe.get_single("Case Selection Settings")
	for table in ("states", "list_states", "city_roles"):
		settings.set(table, [as_new(r) for r in before["settings"][table]])
	with system_write():
		settings.save(ignore_permissions=True)
