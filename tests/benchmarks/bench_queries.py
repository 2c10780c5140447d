"""What Desk asks of the database for every role's default views, measured in-process (issue 20): figures, not a test.

For each role (district officer, city manager, applicant, administrator) and each view Desk opens — a list's first
page with the filters and sort Desk sends (the current round where the app sets it as the default), its count (as
Desk asks it: at most 1,001), the sidebar's group-by counts, link search, the workspace's number cards and charts, the
city's reports — this runs the whitelisted method the request would reach, as that user, and records the time
(median of --runs) and the SQL it ran; the costliest SELECT is EXPLAINed: rows MariaDB expects to read, and whether
it sorts them all (filesort) or builds a temporary table.

    ../env/bin/python ../apps/case_selection/tests/benchmarks/bench_queries.py --site SITE [--json OUT] [--runs 7]

`bench_flow.py measure` prints its table at each size; run at 10,000 and at 100,000 cases (`bench_flow.py seed
--cases N`), the growth of each row shows whether a view's cost depends on the years stored.
"""

import argparse
import json
import os
import statistics
import sys
import time

import frappe

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import seed_data as sd

APPLICATION = "Case Application"
STD = (
	"name",
	"owner",
	"creation",
	"modified",
	"modified_by",
	"_user_tags",
	"_comments",
	"_assign",
	"_liked_by",
)


def desk_fields(doctype: str) -> list[str]:
	"""The columns Desk's list view asks for: standard ones, the title, the list-view fields, the workflow state."""
	meta = frappe.get_meta(doctype)
	names = [*STD, "docstatus"]
	if meta.title_field:
		names.append(meta.title_field)
	names += [df.fieldname for df in meta.fields if df.in_list_view]
	if meta.has_field("workflow_state"):
		names.append("workflow_state")
	return [f"`tab{doctype}`.`{f}`" for f in dict.fromkeys(names)]


def default_filters(doctype: str, round_name: str | None) -> list:
	"""The filters Desk's list opens with (listview_settings.filters): the current round where the DocType has one."""
	if round_name and frappe.get_meta(doctype).has_field("round"):
		return [[doctype, "round", "=", round_name]]
	return []


def whitelisted(method: str):
	"""The function a request to `method` reaches (the app's overrides first, as Frappe resolves them)."""
	override = frappe.get_hooks("override_whitelisted_methods", {}).get(method)
	return frappe.get_attr(override[-1] if override else method)


def call(method: str, **params):
	frappe.local.form_dict = frappe._dict(params)
	return frappe.call(whitelisted(method), **params)


def list_view(doctype: str, filters: list):
	meta = frappe.get_meta(doctype)
	return lambda: call(
		"frappe.desk.reportview.get",
		doctype=doctype,
		fields=json.dumps(desk_fields(doctype)),
		filters=json.dumps(filters),
		order_by=f"`tab{doctype}`.`{meta.sort_field or 'modified'}` {meta.sort_order or 'desc'}",
		start=0,
		page_length=20,
		view="List",
		group_by="",
		with_comment_count=1,
	)


def count_view(doctype: str, filters: list, limit: int = 1001):
	return lambda: call(
		"frappe.desk.reportview.get_count",
		doctype=doctype,
		filters=json.dumps(filters),
		fields="[]",
		distinct="false",
		limit=limit,
	)


def group_by(doctype: str, filters: list, field: str):
	return lambda: call(
		"frappe.desk.listview.get_group_by_count",
		doctype=doctype,
		current_filters=json.dumps(filters),
		field=field,
	)


def link_search(doctype: str, txt: str):
	return lambda: call("frappe.desk.search.search_link", doctype=doctype, txt=txt, page_length=10)


def card(method: str):
	return lambda: call(f"case_selection.workspaces.cards.{method}")


def chart(method: str):
	return lambda: call(f"case_selection.workspaces.charts.{method}", filters="{}")


def report(name: str, filters: dict):
	return lambda: call(
		"frappe.desk.query_report.run",
		report_name=name,
		filters=json.dumps(filters),
		ignore_prepared_report=1,
	)


def views(round_name: str) -> dict[str, list[tuple[str, object]]]:
	"""Per role: (label, call) of what its Desk opens."""
	ca = default_filters(APPLICATION, round_name)
	out = {}
	for role in ("district", "city", "applicant", "admin"):
		rows = [
			(f"{APPLICATION} list", list_view(APPLICATION, ca)),
			(f"{APPLICATION} report view", list_view(APPLICATION, ca)),
			(f"{APPLICATION} count", count_view(APPLICATION, ca)),
			(f"{APPLICATION} group by assigned to", group_by(APPLICATION, ca, "assigned_to")),
			(f"{APPLICATION} group by owner", group_by(APPLICATION, ca, "owner")),
			(f"{APPLICATION} group by state", group_by(APPLICATION, ca, "workflow_state")),
			(f"{APPLICATION} link search (empty)", link_search(APPLICATION, "")),
			(f"{APPLICATION} link search 科技", link_search(APPLICATION, "科技")),
		]
		doctypes = {
			"district": ("District Recommendation List", "Case Cosign Opinion", "Case Action Log"),
			"city": (
				"Case Evaluation",
				"District Recommendation List",
				"Case Cosign Opinion",
				"Case Action Log",
			),
			"applicant": (),
			"admin": ("Case Evaluation", "Case Cosign Opinion", "Case Action Log"),
		}[role]
		for dt in doctypes:
			f = default_filters(dt, round_name)
			rows += [(f"{dt} list", list_view(dt, f)), (f"{dt} count", count_view(dt, f))]
		cards = {
			"district": ("cases_to_sign", "lists_to_sign", "recommended_to_send", "days_to_deadline"),
			"city": (
				"lists_to_receive",
				"received_to_review",
				"under_review",
				"in_public_notice",
				"review_progress",
				"districts_submitted",
			),
			"applicant": ("my_drafts", "my_returned", "my_in_progress", "my_results", "days_to_deadline"),
			"admin": (),
		}[role]
		rows += [(f"card {c}", card(c)) for c in cards]
		charts = {
			"district": ("cases_by_state", "cases_by_direction"),
			"city": ("cases_by_state", "cases_by_direction", "review_progress", "district_lists"),
			"applicant": (),
			"admin": (),
		}[role]
		rows += [(f"chart {c}", chart(c)) for c in charts]
		if role == "city":
			rows += [
				("report District Submission Progress", report("District Submission Progress", {})),
				("report Case Action History", report("Case Action History", {})),
				("report Expert Review Load", report("Expert Review Load", {})),
			]
		out[role] = rows
	return out


class Recorder:
	"""Every SQL statement a call runs, with its time (frappe.db.sql wrapped for the measured call only)."""

	def __init__(self):
		self.queries: list[tuple[float, str]] = []

	def __enter__(self):
		db = frappe.db
		self.original = db.sql

		def sql(query, *args, **kwargs):
			t = time.perf_counter()
			result = self.original(query, *args, **kwargs)
			self.queries.append((time.perf_counter() - t, db.last_query or str(query)))
			return result

		db.sql = sql
		return self

	def __exit__(self, *exc):
		frappe.db.sql = self.original


def explain(query: str) -> dict:
	"""EXPLAIN of one SELECT: the most rows MariaDB expects to read from one table of it, and how it sorts."""
	rows = frappe.db.sql(f"explain {query}", as_dict=True)
	expected, extra, keys = 0, set(), []
	for r in rows:
		expected = max(expected, int(r.get("rows") or 0))
		extra |= {e.strip() for e in (r.get("Extra") or "").split(";") if e.strip()}
		keys.append(f"{r.get('table')}:{r.get('key') or 'ALL'}")
	return {
		"rows": expected,
		"filesort": any("filesort" in e for e in extra),
		"temporary": any("temporary" in e for e in extra),
		"keys": " ".join(keys),
	}


def measure(fn, runs: int) -> dict:
	fn()  # warm: caches, meta
	times, rec = [], None
	for _ in range(runs):
		with Recorder() as r:
			t = time.perf_counter()
			fn()
			times.append((time.perf_counter() - t) * 1000)
		rec = r
		frappe.db.rollback()
	selects = [(t, q) for t, q in rec.queries if q.lstrip().lower().startswith("select")]
	worst = max(selects, default=(0, ""), key=lambda x: x[0])
	plan = explain(worst[1]) if worst[1] else {"rows": 0, "filesort": False, "temporary": False, "keys": ""}
	return {"ms": statistics.median(times), "queries": len(rec.queries), **plan, "sql": worst[1][:600]}


def run(runs: int) -> dict:
	from case_selection.workspaces import current_round

	users = sd.ensure_users()
	users["applicant"] = sd.ensure_applicant()
	users["admin"] = "Administrator"
	frappe.db.commit()
	round_name = current_round()
	out = {"round": round_name, "cases": frappe.db.count(APPLICATION), "views": {}}
	for role, rows in views(round_name).items():
		for label, fn in rows:
			frappe.set_user(users[role])
			try:
				out["views"][f"{role}: {label}"] = measure(fn, runs)
			except Exception as e:
				out["views"][f"{role}: {label}"] = {"error": repr(e)[:300]}
			finally:
				frappe.set_user("Administrator")
	return out


def table(results: list[dict]) -> str:
	"""One row per view; per size: ms, queries, expected rows of the costliest SELECT, sort; growth of the time."""
	heads = " | ".join(f"{r['cases']:,} cases: ms · rows read · sort" for r in results)
	lines = [
		f"| role: view | {heads} | growth |",
		"| --- | " + " | ".join("---:" for _ in results) + " | ---: |",
	]
	for key in results[0]["views"]:
		cells = []
		for r in results:
			v = r["views"].get(key, {})
			if "error" in v:
				cells.append(f"error {v['error'][:60]}")
				continue
			sort = "filesort" if v["filesort"] else ("temporary" if v["temporary"] else "index")
			cells.append(f"{v['ms']:.1f} · {v['rows']:,} · {sort}")
		first, last = results[0]["views"].get(key, {}), results[-1]["views"].get(key, {})
		growth = f"{last['ms'] / first['ms']:.2f}×" if "ms" in first and "ms" in last and first["ms"] else ""
		lines.append(f"| {key} | {' | '.join(cells)} | {growth} |")
	return "\n".join(lines)


def main():
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--runs", type=int, default=7)
	parser.add_argument("--json", default="", help="write the figures here")
	parser.add_argument("--compare", nargs="*", default=[], help="earlier --json files: print one table")
	args = parser.parse_args()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	result = run(args.runs)
	if args.json:
		with open(args.json, "w", encoding="utf-8") as f:
			json.dump(result, f, ensure_ascii=False, indent=1)
	earlier = [json.load(open(p, encoding="utf-8")) for p in args.compare]
	print(table([*earlier, result]))
	frappe.destroy()


if __name__ == "__main__":
	main()
