"""The role workspaces (issue 11) over HTTP against the served test site: each role lands on its own workspace;
its cards count what that user may read, and open a list showing exactly that many rows; districts and
applicants count and chart by the state they may know (nothing sealed shows before publication), the city by the
real one; Frappe's chart and card endpoints on the app's DocTypes answer each asker for themselves.

Counts are compared before and after the test builds its cases, so whatever else the site holds (the demo, other
tests) does not change what is asserted.
"""

import json

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, nowdate

from case_selection.access.system_write import system_write
from case_selection.tests import flow
from case_selection.tests.factories import delete_application, make_application, make_round, make_user
from case_selection.tests.http import User
from case_selection.workspaces import current_round

ROUND_YEAR = 2082
ROUND = str(ROUND_YEAR)
CARDS = "case_selection.workspaces.cards."
CHARTS = "case_selection.workspaces.charts."
CASE, LIST = "Case Application", "District Recommendation List"


def clean():
	frappe.set_user("Administrator")
	with system_write():
		for name in frappe.get_all(CASE, {"round": ROUND}, pluck="name"):
			delete_application(name)
		for name in frappe.get_all(LIST, {"round": ROUND}, pluck="name"):
			frappe.delete_doc(LIST, name, force=True, ignore_permissions=True)
		frappe.db.delete(
			"Dashboard Chart", {"name": ("in", ("测试：申报书按区县", "测试：申报书按状态", "测试：评审分"))}
		)
	frappe.db.commit()


class TestWorkspaces(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		clean()
		# The test's round is the current one (workspaces.current_round: the open round opened last), which the
		# district's and the city's cards count; back to an ordinary test round afterwards.
		make_round(ROUND_YEAR, public_notice_days=0, open_date=add_days(nowdate(), 2))
		assert current_round() == ROUND
		cls.yz = flow.District("渝中区", "yz")
		cls.wz = flow.District("万州区", "wz")
		cls.city = flow.City("ws")
		cls.owner = make_user("owner.ws@test.local", ["Case Applicant"])
		cls.expert = make_user("expert.ws@test.local", ["Case Expert"])
		frappe.db.commit()
		cls.users = {
			"owner": cls.owner,
			"jx": cls.yz.users["jx"],
			"kj": cls.yz.users["kj"],
			"jy": cls.yz.users["jy"],
			"wz_kj": cls.wz.users["kj"],
			"city": cls.city.manager,
			"expert": cls.expert,
		}
		cls.http = {key: User(user) for key, user in cls.users.items()}

	@classmethod
	def tearDownClass(cls):
		clean()
		frappe.db.set_value("Selection Round", ROUND, "open_date", add_days(nowdate(), -30))
		frappe.db.commit()
		super().tearDownClass()

	def card(self, key: str, method: str) -> dict:
		return self.http[key].ok(self.http[key].call(CARDS + method)).json()["message"]

	def rows_of(self, key: str, result: dict) -> int:
		"""The rows of the list a card opens, read through REST as the same user with the card's filters."""
		_view, doctype = result["route"]
		filters = [
			[doctype, field, *value] if isinstance(value, list) else [doctype, field, "=", value]
			for field, value in result["route_options"].items()
		]
		r = self.http[key].get(
			f"/api/resource/{doctype}", filters=json.dumps(filters), limit_page_length=0, fields='["name"]'
		)
		return len(self.http[key].ok(r).json()["data"])

	def build(self):
		"""渝中区: a draft, a return, a case awaiting every department, one 科技 signed; three at the city (one
		in 公示, one selected — both sealed —, one under review with its score). 万州区: one awaiting signatures."""
		names = {}
		names["draft"] = make_application(
			as_user=self.owner, seed=8201, round=ROUND, case_title="工作台：草稿"
		).name
		names["returned"] = flow.submitted(self.owner, 8202, round=ROUND, case_title="工作台：退回")
		self.yz.sign(CASE, names["returned"], keys=("jy",), opinion="退回", remark="请补充材料")
		names["submitted"] = flow.submitted(self.owner, 8203, round=ROUND, case_title="工作台：已提交")
		names["signed"] = flow.submitted(self.owner, 8204, round=ROUND, case_title="工作台：科技已签")
		self.yz.sign(CASE, names["signed"], keys=("kj",))
		at_city = [
			flow.submitted(self.owner, 8205 + i, round=ROUND, case_title=f"工作台：市级{i}") for i in range(3)
		]
		flow.to_city(self.yz, self.city, ROUND, at_city)
		for name in at_city:
			self.city.to_review(name)
		flow.score(self.city.assign(at_city[2], self.expert), self.expert)
		self.city.act(at_city[0], "Shortlist")
		self.city.act(at_city[0], "Start Public Notice")
		self.city.act(at_city[1], "Shortlist")
		self.city.act(at_city[1], "Start Public Notice")
		self.city.act(at_city[1], "Select")
		names["notice"], names["selected"], names["review"] = at_city
		names["wz"] = flow.submitted(
			self.owner, 8208, round=ROUND, district="万州区", case_title="工作台：万州"
		)
		frappe.db.commit()
		return names

	def test_cards_count_what_each_user_may_read(self):
		watched = {
			"owner": ("my_drafts", "my_returned", "my_in_progress", "my_results"),
			"jx": (
				"cases_to_sign",
				"lists_to_sign",
				"recommended_to_send",
				"under_review",
				"in_public_notice",
			),
			"kj": ("cases_to_sign", "under_review", "in_public_notice"),
			"jy": ("cases_to_sign",),
			"wz_kj": ("cases_to_sign", "under_review"),
			"city": ("lists_to_receive", "received_to_review", "under_review", "in_public_notice"),
			"expert": ("reviews_to_score", "reviews_scored"),
		}
		before = {(k, m): self.card(k, m)["value"] for k, methods in watched.items() for m in methods}
		self.build()
		after = {(k, m): self.card(k, m) for k, methods in watched.items() for m in methods}
		delta = {key: after[key]["value"] - before[key] for key in after}
		expected = {
			("owner", "my_drafts"): 1,
			("owner", "my_returned"): 1,
			# handed in and not published: two in co-signing, three at the city, one in 万州区
			("owner", "my_in_progress"): 6,
			("owner", "my_results"): 0,  # the selected case is sealed until publication
			("jx", "cases_to_sign"): 2,
			("kj", "cases_to_sign"): 1,  # 科技 signed one of the two
			("jy", "cases_to_sign"): 2,
			("wz_kj", "cases_to_sign"): 1,  # its own district's case, not 渝中区's
			("jx", "lists_to_sign"): 0,  # the list went to the city
			("jx", "recommended_to_send"): 0,
			# the district sees 市级评审中 for all three at the city; the city sees one under review, one in 公示
			("jx", "under_review"): 3,
			("kj", "under_review"): 3,
			("jx", "in_public_notice"): 0,
			("kj", "in_public_notice"): 0,
			("wz_kj", "under_review"): 0,
			("city", "under_review"): 1,
			("city", "in_public_notice"): 1,
			("city", "lists_to_receive"): 0,
			("city", "received_to_review"): 0,
			("expert", "reviews_to_score"): 0,
			("expert", "reviews_scored"): 1,
		}
		self.assertEqual(delta, expected)
		# Every card opens a list with exactly as many rows as it counts, for the same user.
		for (key, method), result in after.items():
			self.assertEqual(self.rows_of(key, result), result["value"], f"{key} {method}")

	def test_charts_show_the_state_each_user_may_know(self):
		if not frappe.db.exists(CASE, {"round": ROUND, "case_title": "工作台：草稿"}):
			self.build()
		filters = json.dumps({"round": ROUND})

		def chart(key):
			r = self.http[key].call(CHARTS + "cases_by_state", chart_name="申报书办理进度", filters=filters)
			data = self.http[key].ok(r).json()["message"]
			return dict(zip(data["labels"], data["datasets"][0]["values"], strict=True))

		district = {"草稿": 1, "退回修改": 1, "已提交区县": 1, "区县会签中": 1, "市级评审中": 3}
		self.assertEqual(chart("kj"), district)
		self.assertEqual(chart("owner"), {**district, "已提交区县": 2})  # and the 万州区 case
		self.assertEqual(chart("city"), {"市级评审中": 1, "公示中": 1, "入选": 1})
		self.assertEqual(chart("wz_kj"), {"已提交区县": 1})
		r = self.http["city"].call(
			CHARTS + "district_lists", chart_name="区县推荐名单报送情况", filters=filters
		)
		data = self.http["city"].ok(r).json()["message"]
		lists = dict(zip(data["labels"], data["datasets"][0]["values"], strict=True))
		self.assertEqual(lists["市级已受理"], 1)
		self.assertEqual(sum(lists.values()), frappe.db.count("Case District"))

	def test_frappes_chart_and_card_endpoints_answer_each_asker(self):
		if not frappe.db.exists(CASE, {"round": ROUND, "case_title": "工作台：草稿"}):
			self.build()
		kj, city, wz = self.http["kj"], self.http["city"], self.http["wz_kj"]
		group_by = {
			"document_type": CASE,
			"chart_type": "Group By",
			"group_by_type": "Count",
			"group_by_based_on": "workflow_state",
			"filters_json": "[]",
		}
		flt = json.dumps([[CASE, "round", "=", ROUND]])
		door = "frappe.desk.doctype.dashboard_chart.dashboard_chart.get"
		# A chart described by the caller is the chart makers' (Desk asks for saved charts by name): a Heatmap
		# would read any table without row rules, a description could carry any filter.
		heatmap = {"document_type": CASE, "type": "Heatmap", "chart_type": "Count", "based_on": "creation"}
		for described in (group_by, heatmap, {**heatmap, "document_type": "Recommendation List Item"}):
			for u in (kj, wz, city):
				r = u.call(door, chart=json.dumps(described), filters=flt)
				self.assertEqual(r.status_code, 403, (u.user, described))
		# A saved chart on the state, asked by a district: the state it may know, with the caller's filters
		# and with the chart's own (Frappe falls back on them when none are given).
		for name, column in (("测试：申报书按状态", "workflow_state"),):
			frappe.get_doc(
				{
					"doctype": "Dashboard Chart",
					"chart_name": name,
					"chart_type": "Group By",
					"document_type": CASE,
					"group_by_based_on": column,
					"group_by_type": "Count",
					"type": "Bar",
					"is_public": 1,
					"filters_json": json.dumps(
						[[CASE, "round", "=", ROUND], [CASE, "workflow_state", "!=", ""]]
					),
				}
			).insert(ignore_permissions=True)
		frappe.db.commit()
		for args in ({"filters": flt}, {}):
			labels = kj.ok(kj.call(door, chart_name="测试：申报书按状态", **args)).json()["message"]["labels"]
			self.assertIn("Under Review", labels, args)
			self.assertFalse({"Selected", "In Public Notice", "Shortlisted"} & set(labels), labels)
		# The city's real states are not in the cases' rows (access/sealing.py): a generic chart on the cases shows the
		# city what it shows everyone; the city's own charts and cards read its evaluations.
		labels = city.ok(city.call(door, chart_name="测试：申报书按状态")).json()["message"]["labels"]
		self.assertIn("Under Review", labels)
		self.assertFalse({"Selected", "In Public Notice", "Shortlisted"} & set(labels), labels)
		card = {"document_type": CASE, "function": "Sum", "aggregate_function_based_on": "review_score"}
		r = kj.call(
			"frappe.desk.doctype.number_card.number_card.get_result", doc=json.dumps(card), filters=flt
		)
		self.assertEqual(r.status_code, 403)
		# A stored chart: Frappe would keep the first asker's result for everybody; each gets their own.
		frappe.get_doc(
			{
				"doctype": "Dashboard Chart",
				"chart_name": "测试：申报书按区县",
				"chart_type": "Group By",
				"document_type": CASE,
				"group_by_based_on": "district",
				"group_by_type": "Count",
				"type": "Bar",
				"is_public": 1,
				"filters_json": json.dumps([[CASE, "round", "=", ROUND]]),
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		seen = {}
		for key, u in (("city", city), ("kj", kj), ("wz_kj", wz)):
			data = u.ok(u.call(door, chart_name="测试：申报书按区县")).json()["message"]
			seen[key] = dict(zip(data["labels"], data["datasets"][0]["values"], strict=True)) if data else {}
		self.assertEqual(seen["city"], {"渝中区": 3})
		self.assertEqual(seen["kj"], {"渝中区": 7})  # the district reads its drafts too
		self.assertEqual(seen["wz_kj"], {"万州区": 1})

	def test_each_role_lands_on_its_own_workspace(self):
		demo = {
			"owner": "申报单位工作台",
			"kj": "区县工作台",
			"city": "市级工作台",
			"expert": "专家工作台",
		}
		for key, workspace in demo.items():
			u = self.http[key]
			pages = u.ok(u.call("frappe.desk.desktop.get_workspace_sidebar_items", "GET")).json()["message"]
			names = [p["name"] for p in pages["pages"]]
			self.assertEqual(names[0], workspace, key)
			others = set(demo.values()) - {workspace}
			self.assertFalse(others & set(names), f"{key} sees {others & set(names)}")
			page = u.ok(
				u.call(
					"frappe.desk.desktop.get_desktop_page",
					page=json.dumps({"name": workspace, "title": workspace, "public": 1}),
				)
			).json()["message"]
			self.assertTrue(page["number_cards"]["items"], key)
