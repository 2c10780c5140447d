"""Views that open on the current round, and the row rules that make their cost independent of the years (issue 20).

Over HTTP against the served test site, with a case of an older round and one of the current round in the same
district: the lists' default (boot's round DocTypes), the co-signing opinions carrying the round of their document,
the 签核历程 report on one round (a document's own history whatever its round), the district's card counting the
current round only, the assigned-to group-by count as a subquery (with Desk's own `_assign like` filter), and the
district officer's opinion rows narrowed by their district column without it deciding anything: an opinion row
planted with the officer's district on another district's case stays hidden at every door.
"""

import json

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, nowdate

from case_selection.access.system_write import system_write
from case_selection.overrides import filters as filter_checks
from case_selection.setup.boot import boot_session
from case_selection.tests import flow
from case_selection.tests.factories import delete_application, make_round
from case_selection.tests.http import User
from case_selection.workspaces import current_round

OLD, NOW = "2063", "2064"
CASE, OPINION = "Case Application", "Case Cosign Opinion"
MARK = "跨区县标记-7d3f"


def clean():
	frappe.set_user("Administrator")
	with system_write():
		for name in frappe.get_all(CASE, {"round": ("in", (OLD, NOW))}, pluck="name"):
			delete_application(name)
		frappe.db.delete(OPINION, {"remarks": MARK})
	frappe.db.commit()


class TestCurrentRound(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		clean()
		make_round(int(OLD), open_date=add_days(nowdate(), -400))
		# the open round opened last: the current one (a day ahead of any other test's or the browser tests')
		make_round(int(NOW), open_date=add_days(nowdate(), 1))
		cls.yz = flow.District("渝中区", "cry")
		cls.wz = flow.District("万州区", "crw")
		cls.old = flow.submitted(None, 7101, round=OLD, case_title="往年轮次：已推荐")
		cls.new = flow.submitted(None, 7102, round=NOW, case_title="本轮：已推荐")
		cls.foreign = flow.submitted(None, 7103, round=NOW, district="万州区", case_title="万州：本轮")
		for name in (cls.old, cls.new):
			cls.yz.sign(CASE, name)
		cls.wz.sign(CASE, cls.foreign)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		clean()
		for name in (OLD, NOW):
			frappe.db.set_value("Selection Round", name, "open_date", add_days(nowdate(), -30))
		frappe.db.commit()
		super().tearDownClass()

	def test_boot_names_the_round_doctypes_and_the_current_round(self):
		self.assertEqual(current_round(), NOW)
		boot = frappe._dict()
		frappe.set_user(self.yz.lead)
		try:
			boot_session(boot)  # what Desk's boot carries for this user (hooks.boot_session)
		finally:
			frappe.set_user("Administrator")
		boot = boot.case_selection
		self.assertEqual(boot["current_round"], NOW)
		for doctype in (CASE, OPINION, "Case Action Log", "District Recommendation List"):
			self.assertIn(doctype, boot["round_doctypes"])
		self.assertNotIn("Case Result Indicator", boot["round_doctypes"])  # a child table
		self.assertNotIn("Case Review", boot["round_doctypes"])  # no round field

	def test_opinions_carry_the_round_of_their_document(self):
		rounds = dict(
			frappe.get_all(
				OPINION,
				filters={"reference_name": ("in", (self.old, self.new))},
				fields=["reference_name", "round"],
				as_list=True,
			)
		)
		self.assertEqual(rounds, {self.old: OLD, self.new: NOW})
		self.assertEqual(
			frappe.db.count(
				OPINION, {"reference_name": ("in", (self.old, self.new)), "round": ("is", "not set")}
			),
			0,
		)

	def test_history_report_shows_one_round_unless_a_document_is_named(self):
		u = User(self.yz.lead)

		def names(filters: dict) -> set:
			r = u.call(
				"frappe.desk.query_report.run", "GET", report_name="Case Action History", filters=filters
			)
			return {
				row["reference_name"] for row in u.ok(r).json()["message"]["result"] if isinstance(row, dict)
			}

		default = names({})
		self.assertIn(self.new, default)
		self.assertNotIn(self.old, default)  # another round's history: not in the current round's report
		self.assertIn(self.old, names({"round": OLD}))
		self.assertNotIn(self.new, names({"round": OLD}))
		self.assertEqual(
			names({"reference_name": self.old}), {self.old}
		)  # a document's own, whatever its round
		self.assertNotIn(self.foreign, default)  # 万州区's: not the 渝中区 officer's

	def test_district_card_counts_the_current_round(self):
		u = User(self.yz.lead)
		card = u.ok(u.call("case_selection.workspaces.cards.recommended_to_send")).json()["message"]
		self.assertEqual(card["route_options"].get("round"), NOW)
		listed = u.ok(
			u.call(
				"frappe.desk.reportview.get",
				doctype=CASE,
				fields=json.dumps([f"`tab{CASE}`.`name`"]),
				filters=json.dumps(
					[
						[CASE, k, *(v if isinstance(v, list) else ["=", v])]
						for k, v in card["route_options"].items()
					]
				),
				start=0,
				page_length=500,
			)
		).json()["message"]
		names = {row[0] for row in listed.get("values", [])}
		self.assertIn(self.new, names)
		self.assertNotIn(self.old, names)
		self.assertEqual(card["value"], len(names))

	def test_assigned_to_counts_with_desks_own_filters(self):
		"""The group-by count behind the sidebar's 指派给 takes the filters Desk sends — a round and Frappe's own
		`_assign like %"user"%` — through the row rules, and counts the same rows the list shows."""
		frappe.db.set_value(CASE, self.new, "_assign", json.dumps([self.yz.users["kj"]]))
		frappe.db.commit()
		u = User(self.yz.lead)
		for filters in (
			[[CASE, "round", "=", NOW]],
			[[CASE, "round", "=", NOW], [CASE, "_assign", "like", f'%"{self.yz.users["kj"]}"%']],
		):
			r = u.call(
				"frappe.desk.listview.get_group_by_count",
				doctype=CASE,
				current_filters=json.dumps(filters),
				field="assigned_to",
			)
			counts = {row["name"]: row["count"] for row in u.ok(r).json()["message"]}
			self.assertIsInstance(counts, dict)
		# the 万州区 case's assignees are not counted for the 渝中区 officer
		wz_officer = self.wz.users["kj"]
		r = u.call(
			"frappe.desk.listview.get_group_by_count",
			doctype=CASE,
			current_filters=json.dumps([[CASE, "name", "=", self.foreign]]),
			field="assigned_to",
		)
		self.assertNotIn(wz_officer, {row["name"] for row in u.ok(r).json()["message"]})

	def test_a_district_column_decides_nothing(self):
		"""An opinion row on 万州区's case that says 渝中区 in its own district column (as a faulty import might):
		the 渝中区 officer's list, count, group-by and get of opinions never show it."""
		row = frappe.get_doc(
			{
				"doctype": OPINION,
				"reference_doctype": CASE,
				"reference_name": self.foreign,
				"district": "渝中区",
				"round": NOW,
				"department": "科技",
				"role": "District Science Officer",
				"opinion": "同意推荐",
				"remarks": MARK,
				"signer_name": "标记",
			}
		)
		row.db_insert()
		frappe.db.commit()
		u = User(self.yz.lead)
		filters = json.dumps([[OPINION, "round", "=", NOW]])
		listed = u.ok(
			u.call(
				"frappe.desk.reportview.get",
				doctype=OPINION,
				fields=json.dumps([f"`tab{OPINION}`.`name`", f"`tab{OPINION}`.`remarks`"]),
				filters=filters,
				start=0,
				page_length=500,
			)
		).json()["message"]
		self.assertNotIn(MARK, json.dumps(listed, ensure_ascii=False))
		own = {v[0] for v in listed.get("values", [])}
		mine = set(frappe.get_all(OPINION, {"reference_name": self.new}, pluck="name"))
		self.assertTrue(mine and mine <= own)  # the officer's own opinions of the round are listed
		count = u.ok(
			u.call(
				"frappe.desk.reportview.get_count", doctype=OPINION, filters=filters, fields="[]", limit=1001
			)
		).json()["message"]
		self.assertEqual(count, len(own))
		groups = u.ok(
			u.call(
				"frappe.desk.listview.get_group_by_count",
				doctype=OPINION,
				current_filters=json.dumps([[OPINION, "remarks", "=", MARK]]),
				field="owner",
			)
		).json()["message"]
		self.assertEqual(groups, [])
		self.assertIn(u.get(f"/api/resource/{OPINION}/{row.name}").status_code, (403, 404))

	def test_a_filter_field_that_is_not_a_column_is_refused_at_every_list_door(self):
		"""A filter on a name that is not a column of its DocType — unknown, table-qualified, back-quoted SQL, an
		ifnull of an unknown column, a child table's qualified column — through each door that lists, and an order
		by such a name: a 417, never the 500 MariaDB's "unknown column" became; the forms Frappe itself sends (a
		column, an ifnull of one, a qualified order) still list. A REST list sent a "doctype" argument: a 417."""
		u = User(self.wz.lead)
		hostile = [
			[CASE, "zzz", "=", "x"],
			[CASE, "tabCase Application.name", "=", "x"],
			[CASE, "`tabCase Application`.`name`", "=", "x"],
			[CASE, "ifnull(zzz, '')", "=", "x"],
			[CASE, "ifnull(`tabNo Such`.`name`, '')", "=", "x"],
			["Case Partner Unit", "tabCase Partner Unit.parent", "=", "x"],
		]
		for f in hostile:
			filters = json.dumps([f])
			answers = {
				"rest v1": u.get(f"/api/resource/{CASE}", filters=filters),
				"rest v2": u.get(f"/api/v2/document/{CASE}", filters=filters),
				"report view": u.call(
					"frappe.desk.reportview.get", doctype=CASE, fields='["name"]', filters=filters
				),
				"count": u.call("frappe.desk.reportview.get_count", doctype=CASE, filters=filters),
				"client count": u.call("frappe.client.get_count", doctype=CASE, filters=filters),
				"client value": u.call(
					"frappe.client.get_value", doctype=CASE, filters=filters, fieldname="name"
				),
				"group by owner": u.call(
					"frappe.desk.listview.get_group_by_count",
					doctype=CASE,
					current_filters=filters,
					field="owner",
				),
			}
			for door, r in answers.items():
				self.assertIn(r.status_code, (403, 417), f"{door} {f}: {r.status_code} {r.text[:200]}")
		rows = u.ok(u.get(f"/api/resource/{CASE}", filters=json.dumps([[CASE, "district", "=", "万州区"]])))
		self.assertIn(self.foreign, {row["name"] for row in rows.json()["data"]})  # 万州区's own case
		filter_checks.install()  # as before every request and job; Frappe's own code filters on an ifnull of a column
		for f in (
			[CASE, "ifnull(`district`,'')", "=", "万州区"],
			[CASE, "ifnull(`tabCase Application`.`district`, '')", "=", "万州区"],
		):
			self.assertIn(self.foreign, frappe.get_all(CASE, filters=[f], pluck="name"), f)
		# an order the table cannot give: the same (the list query's net: overrides/filters.execute)
		for order_by in ("zzz desc", "`tabCase Application`.`zzz` desc", "tabCase Application.name desc"):
			for door, r in {
				"rest": u.get(f"/api/resource/{CASE}", order_by=order_by),
				"report view": u.call(
					"frappe.desk.reportview.get", doctype=CASE, fields='["name"]', order_by=order_by
				),
			}.items():
				self.assertEqual(r.status_code, 417, f"{door} {order_by}: {r.status_code} {r.text[:200]}")
		rows = u.ok(u.get(f"/api/resource/{CASE}", order_by="`tabCase Application`.`modified` desc")).json()[
			"data"
		]
		self.assertIn(self.foreign, {row["name"] for row in rows})
		for path in (f"/api/resource/{CASE}", f"/api/v2/document/{CASE}"):
			r = u.get(path, doctype="ToDo")
			self.assertEqual(r.status_code, 417, f"{path}: {r.status_code} {r.text[:200]}")

	def test_a_filter_value_that_is_not_a_value_is_refused_at_every_list_door(self):
		"""An object, a list where one value goes or a number for `in`, sent as a filter's value through each door
		that lists (REST, Desk's list, count and group-by counts, the 签核历程 report): a 417 naming
		the field, never a 500; a proper `in` list still lists."""
		u = User(self.wz.lead)
		hostile = [{"a": 1}, ["=", {"x": 1}], [["nested"]], 123]
		for value in hostile:
			op = "in" if value == 123 else "="
			filters = json.dumps([[CASE, "round", op, value]])
			answers = {
				"rest": u.get(f"/api/resource/{CASE}", filters=filters),
				"report view": u.call(
					"frappe.desk.reportview.get", doctype=CASE, fields='["name"]', filters=filters
				),
				"count": u.call(
					"frappe.desk.reportview.get_count", doctype=CASE, filters=filters, fields="[]"
				),
				"group by owner": u.call(
					"frappe.desk.listview.get_group_by_count",
					doctype=CASE,
					current_filters=filters,
					field="owner",
				),
				"group by assigned": u.call(
					"frappe.desk.listview.get_group_by_count",
					doctype=CASE,
					current_filters=filters,
					field="assigned_to",
				),
				"history report": u.call(
					"frappe.desk.query_report.run",
					report_name="Case Action History",
					filters=json.dumps({"round": value}),
				),
			}
			if (
				value == 123
			):  # the report compares its round with `=`: a number there is a value (nothing listed)
				self.assertEqual(answers.pop("history report").status_code, 200)
			for door, r in answers.items():
				self.assertEqual(r.status_code, 417, f"{door} {value!r}: {r.status_code} {r.text[:200]}")
		listed = u.ok(
			u.get(f"/api/resource/{CASE}", filters=json.dumps([[CASE, "round", "in", [NOW, OLD]]]))
		).json()["data"]
		self.assertIn(self.foreign, {row["name"] for row in listed})
