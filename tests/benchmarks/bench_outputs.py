"""Benchmark of the official outputs (SPEC §6, issue 4). Not a test: it prints figures measured in one run.

Run as the bench user from the bench's `sites` folder, on a site of its own (never the test site), while
that site is served with its assets (Frappe's "Standard" print format fetches print.bundle.css over HTTP):

    ../env/bin/gunicorn -b 127.0.0.1:8013 -w 2 --daemon 'frappe.app:application_with_statics()'
    ../env/bin/python ../apps/case_selection/tests/benchmarks/bench_outputs.py --site case-bench.localhost

The first run seeds 41 districts × 250 = 10,250 Case Application rows in bulk (db.bulk_insert).
"""

import argparse
import io
import json
import os
import statistics
import sys
import time

import frappe

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import seed_data as sd

BENCH_ROUND = 2096
PER_DISTRICT = 250
PARAGRAPH = (
	"围绕产业关键技术需求，联合高校和科研机构组建攻关团队，设立攻关课题，开展产学研联合攻关，"
	"突破了高端装备核心部件的设计、制造与检测关键技术，形成自主知识产权体系，成果已推广应用。"
)
STATES = ("Recommended", "Submitted to City", "Received", "Under Review", "Shortlisted", "Selected")


def median_of(runs: int, fn, *args, **kw):
	"""Median seconds of `runs` calls, and the last result."""
	times, result = [], None
	for _ in range(runs):
		seconds, result = timed(fn, *args, **kw)
		times.append(seconds)
	return statistics.median(times), result


def timed(fn, *args, **kw):
	start = time.perf_counter()
	result = fn(*args, **kw)
	return time.perf_counter() - start, result


def seed():
	from case_selection.access import sealing
	from case_selection.tests.factories import make_round
	from case_selection.tests.output_data import uscc
	from case_selection.workflow import states

	round_name = str(BENCH_ROUND)
	if not frappe.db.exists("Selection Round", round_name):
		make_round(BENCH_ROUND)
	have = frappe.db.count("Case Application", {"round": round_name})
	if have >= 41 * PER_DISTRICT:
		return round_name
	districts = frappe.get_all("Case District", pluck="name", order_by="sort_order")
	directions = frappe.get_all("Selection Direction", fields=["name", "domain"], filters={"is_other": 0})
	now = frappe.utils.now()
	fields = [
		"name",
		"creation",
		"modified",
		"owner",
		"modified_by",
		"docstatus",
		"idx",
		"round",
		"district",
		"direction",
		"domain",
		"case_title",
		"unit_name",
		"uscc",
		"unit_type",
		"contact_person",
		"contact_mobile",
		"contact_email",
		"keywords",
		"background",
		"approach",
		"innovation",
		"results",
		"promotion_value",
		"workflow_state",
		"at_city",
		"cosign_status",
	]
	rows, evaluations = [], []
	n = 0
	for district in districts:
		for k in range(PER_DISTRICT):
			n += 1
			direction = directions[n % len(directions)]
			rows.append(
				(
					f"BENCH-{BENCH_ROUND}-{n:05d}",
					now,
					now,
					"Administrator",
					"Administrator",
					0,
					0,
					round_name,
					district,
					direction.name,
					direction.domain,
					f"{district}推动科技创新和产业创新深度融合案例{k + 1}",
					f"重庆基准测试科技有限公司{n}",
					uscc(900000 + n),
					"企业",
					"张三",
					"13800138000",
					"bench@example.com",
					"关键技术；成果转化",
					"\n".join([PARAGRAPH] * 2),
					"\n".join([PARAGRAPH] * 5),
					"\n".join([PARAGRAPH] * 2),
					"\n".join([PARAGRAPH] * 3),
					PARAGRAPH,
					sealing.public_state_of(STATES[n % len(STATES)], round_name),
					int(states.has(STATES[n % len(STATES)], "city_visible")),
					"Agreed",
				)
			)
			# the city's record of the case (access/sealing.py): its real state and the experts' average
			name = f"BENCH-{BENCH_ROUND}-{n:05d}"
			evaluations.append(
				(name, now, now, "Administrator", "Administrator", 0, 0, name, round_name, district)
				+ (rows[-1][11], STATES[n % len(STATES)], 80 + (n % 200) / 10, 3)
			)
	frappe.db.delete("Case Application", {"round": round_name})
	frappe.db.delete("Case Evaluation", {"round": round_name})
	frappe.db.bulk_insert("Case Application", fields, rows, chunk_size=2000)
	frappe.db.bulk_insert(
		"Case Evaluation",
		[*fields[:7], "application", "round", "district", "case_title", "workflow_state", "review_score"]
		+ ["review_count"],
		evaluations,
		chunk_size=2000,
	)
	frappe.db.commit()  # benchmark data on the benchmark's own site
	return round_name


def bench_annex1(runs: int) -> dict:
	from case_selection.export.pdf import render_pdf
	from case_selection.tests import output_data as od

	app = od.make_output_application("基准测试：附件1 申报书", seed=880)
	od.add_opinions("Case Application", app.name, app.district)
	frappe.db.commit()  # the print view reads the opinions through the same connection; kept for reruns
	cold, warm, standard = [], [], []
	render_pdf(app, "附件1 申报书")  # warm caches (templates, fonts) for both
	frappe.get_print("Case Application", app.name, "Standard", as_pdf=True)
	for _ in range(runs):
		# cold: the document as rendered for the first time (the PDF cache holds no entry for its HTML)
		frappe.cache.delete_keys("case_selection:pdf:")
		cold.append(timed(render_pdf, app, "附件1 申报书")[0])
		# warm: unchanged since, served from the PDF cache
		warm.append(timed(render_pdf, app, "附件1 申报书")[0])
		standard.append(timed(frappe.get_print, "Case Application", app.name, "Standard", as_pdf=True)[0])
	return {
		"annex1_median_s": statistics.median(cold),
		"annex1_warm_median_s": statistics.median(warm),
		"standard_median_s": statistics.median(standard),
	}


def bench_summary(round_name: str) -> dict:
	from frappe.desk import reportview
	from openpyxl import Workbook, load_workbook

	from case_selection.export import excel

	total, content = median_of(3, excel.city_summary_xlsx, round_name)
	query, rows = median_of(3, excel.summary_rows, round_name)
	styled_write, _c = median_of(3, excel.city_summary_xlsx, round_name, rows)
	keys = [
		"district",
		"case_title",
		"unit_name",
		"uscc",
		"unit_type",
		"direction",
		"contact_person",
		"contact_mobile",
		"workflow_state",
		"review_score",
		"review_count",
		"name",
	]

	def bare():
		wb = Workbook(write_only=True)
		ws = wb.create_sheet()
		for i, r in enumerate(rows, start=1):
			ws.append([i, *(r.get(k) for k in keys)])
		out = io.BytesIO()
		wb.save(out)
		return out.getvalue()

	bare_write, _b = median_of(3, bare)

	def builtin():
		frappe.local.form_dict = frappe._dict(
			doctype="Case Application",
			file_format_type="Excel",
			# the case's own columns (the city's average and count are in Case Evaluation, access/sealing.py)
			fields=json.dumps([f"`tabCase Application`.`{k}`" for k in keys if not k.startswith("review_")]),
			filters=json.dumps(
				[
					["Case Application", "round", "=", round_name],
					["Case Application", "workflow_state", "in", sorted({r["workflow_state"] for r in rows})],
				]
			),
			order_by="`tabCase Application`.`district` asc",
		)
		reportview.export_query()
		return frappe.response.filecontent

	builtin_total, builtin_file = median_of(3, builtin)
	builtin_rows = (
		sum(1 for _r in load_workbook(io.BytesIO(builtin_file), read_only=True).active.iter_rows()) - 1
	)
	return {
		"rows": len(rows),
		"ours_total_s": total,
		"ours_query_s": query,
		"ours_styled_write_s": styled_write,
		"bare_openpyxl_write_s": bare_write,
		"builtin_export_s": builtin_total,
		"builtin_rows": builtin_rows,
		"xlsx_bytes": len(content),
	}


def bench_casebook(round_name: str, cases: int) -> dict:
	from case_selection.export import casebook

	names = frappe.get_all(
		"Case Evaluation",  # the real states: the round is not published, its cases' rows read 市级评审中
		filters={"round": round_name, "workflow_state": "Selected"},
		pluck="name",
		order_by="name",
		limit=cases,
	)
	doc = frappe.get_doc({"doctype": "Case Collection", "round": round_name, "title": "基准测试优秀案例集"})
	for n in names:
		doc.append("cases", {"application": n})
	doc.insert()
	seconds, pdf = timed(casebook.generate, doc)
	frappe.db.commit()  # keep the generated file for inspection
	return {"cases": len(names), "casebook_s": seconds, "pages": doc.page_count, "pdf_bytes": len(pdf)}


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", required=True)
	parser.add_argument("--runs", type=int, default=10)
	parser.add_argument("--cases", type=int, default=100)
	args = parser.parse_args()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		seconds, round_name = timed(seed)
		print(
			f"seed: {frappe.db.count('Case Application', {'round': round_name})} applications ({seconds:.1f} s)"
		)
		a = bench_annex1(args.runs)
		print(
			f"附件1 PDF median over {args.runs}: cold {a['annex1_median_s']:.3f} s, warm (unchanged, PDF cache) "
			f"{a['annex1_warm_median_s']:.4f} s; Frappe 'Standard' PDF of the same document: "
			f"{a['standard_median_s']:.3f} s; ratio cold {a['annex1_median_s'] / a['standard_median_s']:.2f}, "
			f"warm {a['annex1_warm_median_s'] / a['standard_median_s']:.3f}"
		)
		s = bench_summary(round_name)
		print(
			f"city summary xlsx, {s['rows']} rows (medians of 3): ours {s['ours_total_s']:.3f} s in all "
			f"(query {s['ours_query_s']:.3f} s + styled write {s['ours_styled_write_s']:.3f} s); "
			f"bare openpyxl write-only {s['bare_openpyxl_write_s']:.3f} s; "
			f"Frappe Report View export {s['builtin_export_s']:.3f} s ({s['builtin_rows']} rows)"
		)
		print(
			f"  ratios: styled write / bare write {s['ours_styled_write_s'] / s['bare_openpyxl_write_s']:.2f}; "
			f"ours in all / bare write {s['ours_total_s'] / s['bare_openpyxl_write_s']:.2f}; "
			f"ours in all / built-in export {s['ours_total_s'] / s['builtin_export_s']:.2f}"
		)
		c = bench_casebook(round_name, args.cases)
		print(f"casebook: {c['cases']} cases, {c['pages']} pages, {c['casebook_s']:.1f} s")
		# Its round's cases removed and the round closed: the lists of the next `make bench-report` measure the
		# data set they name (seed_data.retire_other_rounds does the same after an interrupted run).
		sd.retire_other_rounds()
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
