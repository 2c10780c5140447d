"""Turns the figures of `make load` into tests/benchmarks/results-<date>.md (section "Load"): per request p50/p95
and errors from Locust's CSV, the stock list in the same run as the baseline, the integrity checks, RQ figures.

    report.py --dir RUN_DIR --out results.md --users N --seconds S --commit C
    report.py capacity --dir RUN_DIR --out results.md --commit C   (make capacity: section "Capacity")
"""

import argparse
import csv
import json
import os
import platform
import sys
from datetime import datetime

TARGET_RATIO = 3.0
STOCK = "stock list: ToDo report view"


def stats(path):
	rows = {}
	with open(path) as fh:
		for r in csv.DictReader(fh):
			if r["Name"] == "Aggregated":
				rows["__all__"] = r
			else:
				rows[r["Name"]] = r
	return rows


def num(v):
	try:
		return float(v)
	except (TypeError, ValueError):
		return 0.0


def failures_of(path) -> list[dict]:
	if not os.path.exists(path):
		return []
	with open(path) as fh:
		return list(csv.DictReader(fh))


def mix_section(name, rows, verify, users, seconds, think="think time 5–15 s", failures=()):
	total = rows.get("__all__", {})
	stock = num(rows.get(STOCK, {}).get("95%"))
	lines = [
		f"### {name}: {users} users, {seconds} s, {think}",
		"",
		f"Requests {int(num(total.get('Request Count')))}, errors {int(num(total.get('Failure Count')))}, "
		f"{num(total.get('Requests/s')):.1f} req/s. "
		+ (f"Baseline: `{STOCK}` p95 {stock:.0f} ms." if stock else "No stock-list users in this mix."),
		"",
		"| request | n | p50 ms | p95 ms | p95 ÷ stock list p95 | errors |",
		"| --- | ---: | ---: | ---: | ---: | ---: |",
	]
	worst = 0.0
	for label, r in sorted((k, v) for k, v in rows.items() if k != "__all__"):
		p95 = num(r["95%"])
		ratio = p95 / stock if stock else 0
		judged = label.startswith(("list:", "form:"))
		if judged:
			worst = max(worst, ratio)
		mark = (" ✔" if ratio <= TARGET_RATIO else " ✘") if judged else ""
		shown = f"{ratio:.2f}×{mark}" if stock else "—"
		lines.append(
			f"| {label} | {int(num(r['Request Count']))} | {num(r['50%']):.0f} | {p95:.0f} | {shown} | {int(num(r['Failure Count']))} |"
		)
	if failures:
		lines += ["", "Errors as Locust recorded them:", ""]
		lines += [f"- {f['Name']}: {f['Error']} × {f['Occurrences']}" for f in failures]
	if verify:
		lines += [
			"",
			f"Integrity after the run: {verify['opinions_acknowledged']} opinions acknowledged, {verify['opinions_in_db']} in the database "
			f"({verify['cases_signed']} cases signed, {verify['cases_recommended']} with all three now Recommended); "
			f"{verify['attachments_acknowledged']} attachments acknowledged, {verify['attachments_lost']} lost. "
			+ (
				f"{verify['reviews_acknowledged']} expert scores acknowledged, {verify['reviews_in_db']} in the database "
				f"as saved; {verify['moved_acknowledged']} cases moved by bulk 开始评审, {verify['moved_in_db']} now "
				"市级评审中. "
				if verify.get("reviews_acknowledged") or verify.get("moved_acknowledged")
				else ""
			)
			+ ("Problems: " + "; ".join(verify["problems"]) if verify["problems"] else "No problem found."),
		]
		if verify.get("requests_resent"):
			lines.append(
				f"{verify['requests_resent']} request(s) met a keep-alive connection nginx closed that instant (idle "
				"for its 15 s) and were sent again on a new connection, as a browser does; they are not counted as errors."
			)
	lines.append("")
	return lines, worst, int(num(total.get("Failure Count")))


CAPACITY = "## Capacity (`make capacity`)"
CAPACITY_P95_MS = 2000
CAPACITY_SHARE = 0.8  # issue 20: the app's mix holds ≥ 80 % of the users the stock-only mix holds
CAPACITY_MIXES = (
	("deadline", "Deadline day (the app's mix)"),
	("stock", "Stock-only mix (ToDo list, report view, form)"),
)


CPU_KINDS = ("web", "jobs", "db", "redis")  # the locustfile's split of the server's CPU time


def held(steps: list[dict]) -> int:
	"""The most users of a step whose p95 was ≤ 2 s, every smaller step too (0: not even the first)."""
	users = 0
	for s in steps:
		if s["p95_ms"] is None or s["p95_ms"] > CAPACITY_P95_MS:
			break
		users = s["users"]
	return users


def capacity_section(run_dir: str, commit: str, url: str = "", workers: str = "") -> str:
	lines = [
		CAPACITY,
		"",
		f"Run {datetime.now():%Y-%m-%d %H:%M}, commit {commit}. Machine: {os.cpu_count()} CPUs, {platform.platform()}. "
		f"Target {url or 'the make prod stack'}"
		+ (f" (gunicorn {workers} workers)" if workers else "")
		+ ". "
		"Users stepped up, each step held for its time with the mix's think time (5–15 s); a step's first seconds, "
		"while its new users log in, are left out. CPU-ms per request: CPU time of the server's processes "
		"(gunicorn, RQ workers and their work horses, MariaDB, Redis; /proc) over the step ÷ its requests, and "
		"split by process: web (gunicorn), jobs (RQ workers at Frappe's niceness 10, with what they run), db, redis. "
		"Times are client-side (Locust on the same machine).",
		"",
	]
	found = {}
	for mix, title in CAPACITY_MIXES:
		path = os.path.join(run_dir, f"capacity_{mix}.json")
		if not os.path.exists(path):
			continue
		with open(path) as fh:
			data = json.load(fh)
		steps = data["steps"]
		found[mix] = (held(steps), steps)
		lines += [
			f"### {title}: steps of {data['step_seconds']:.0f} s",
			"",
			"| users | requests | req/s | req/s per user | p50 ms | p95 ms | errors | CPU-ms per request | "
			"of it web / jobs / db / redis | p95 ≤ 2 s |",
			"| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
		]
		for s in steps:
			ok = s["p95_ms"] is not None and s["p95_ms"] <= CAPACITY_P95_MS
			cpu = s["cpu_ms_per_request"]
			kinds = s.get("cpu_ms_per_request_by_kind") or {}
			split = " / ".join(f"{kinds.get(k, 0):.1f}" for k in CPU_KINDS) if kinds else ""
			lines.append(
				f"| {s['users']} | {s['requests']} | {s['rps']:.1f} | {s['rps'] / s['users']:.3f} | "
				f"{s['p50_ms'] or 0:.0f} | {s['p95_ms'] or 0:.0f} | {s['errors']} | "
				f"{'' if cpu is None else f'{cpu:.1f}'} | {split} | {'✔' if ok else '✘'} |"
			)
		lines += ["", f"Users held at p95 ≤ 2 s: **{found[mix][0]}**.", ""]
	if "deadline" in found and "stock" in found:
		app, stock = found["deadline"][0], found["stock"][0]
		share = app / stock if stock else 0
		lines += [
			"### Summary",
			"",
			f"- Users held at p95 ≤ 2 s: the app's deadline-day mix {app}, the stock-only mix {stock}: "
			f"{share:.0%} of the stock mix (target ≥ {CAPACITY_SHARE:.0%}) {'✔' if share >= CAPACITY_SHARE else '✘'}.",
			"",
		]
	text = "\n".join(lines) + "\n"
	return text


def replace_section(out: str, title: str, text: str):
	"""`text` in place of the section `title` of `out` (appended if it has none); the other sections stay."""
	old = (
		open(out).read()
		if os.path.exists(out)
		else f"# case_selection benchmark — {datetime.now():%Y-%m-%d}\n\n"
	)
	if title in old:
		start = old.index(title)
		end = old.find("\n## ", start)
		rest = old[end:] if end != -1 else ""
		old = old[:start].rstrip() + "\n\n" + text + rest
	else:
		old = old.rstrip() + "\n\n" + text
	with open(out, "w") as fh:
		fh.write(old)


def capacity_main(argv):
	p = argparse.ArgumentParser(prog="report.py capacity")
	p.add_argument("--dir", required=True)
	p.add_argument("--out", required=True)
	p.add_argument("--commit", default="")
	p.add_argument("--url", default="")
	p.add_argument("--workers", default="")
	a = p.parse_args(argv)
	text = capacity_section(a.dir, a.commit, a.url, a.workers)
	replace_section(a.out, CAPACITY, text)
	print(text)


def main():
	if len(sys.argv) > 1 and sys.argv[1] == "capacity":
		return capacity_main(sys.argv[2:])
	p = argparse.ArgumentParser()
	p.add_argument("--dir", required=True)
	p.add_argument("--out", required=True)
	p.add_argument("--users", type=int, required=True)
	p.add_argument("--seconds", type=int, required=True)
	p.add_argument("--commit", default="")
	p.add_argument("--workers", default="")
	a = p.parse_args()
	lines = [
		"## Load (`make load`)",
		"",
		f"Run {datetime.now():%Y-%m-%d %H:%M}, commit {a.commit}. Machine: {os.cpu_count()} CPUs, {platform.platform()}. "
		f"Stack: nginx → gunicorn ({a.workers} workers) → MariaDB, RQ workers under supervisor, Locust on the same machine "
		"(it shares the 2 CPUs). Data: SPEC §6's 10,250 applications. Times are client-side, ms.",
		"",
	]
	summary = []
	for mix, title in (
		("deadline", "Deadline day"),
		("review", "City review day"),
		("burst", "41 × 3 officers signing in the same minute"),
	):
		path = os.path.join(a.dir, f"{mix}_stats.csv")
		if not os.path.exists(path):
			continue
		verify = None
		vpath = os.path.join(a.dir, f"{mix}_verify.json")
		if os.path.exists(vpath):
			with open(vpath) as fh:
				verify = json.load(fh)
		users = {"burst": 123}.get(mix, a.users)
		seconds = 60 if mix == "burst" else a.seconds
		think = "no think time (each officer signs once)" if mix == "burst" else "think time 5–15 s"
		failures = failures_of(os.path.join(a.dir, f"{mix}_failures.csv"))
		section, worst, errors = mix_section(title, stats(path), verify, users, seconds, think, failures)
		lines += section
		summary.append((title, worst, errors, verify))
	rq = os.path.join(a.dir, "rq.json")
	if os.path.exists(rq):
		with open(rq) as fh:
			f = json.load(fh)
		s, c = f["summary"], f["casebook"]
		ratio = (s["job_s"] or 0) / s["bare_s"] if s["bare_s"] else 0
		runs = ""
		if s.get("jobs"):  # several jobs, each followed by a bare write: medians, and every run listed
			runs = "; medians of {}: jobs {} s, bare writes {} s".format(
				len(s["jobs"]),
				" / ".join(f"{j['job_s'] or 0:.2f}" for j in s["jobs"]),
				" / ".join(f"{b:.2f}" for b in s["bare_runs"]),
			)
		lines += [
			"### Heavy work on RQ (queued over HTTP, run by the supervised long worker)",
			"",
			"| job | size | job (started → finished) | click → file | baseline | ratio | target |",
			"| --- | --- | ---: | ---: | ---: | ---: | --- |",
			f"| city summary xlsx, round 2025 ({s['status']}{runs}) | {s['rows']:,} recommended rows | {s['job_s'] or 0:.2f} s | "
			f"{s['click_to_file_s']:.2f} s | bare openpyxl write-only of the same rows {s['bare_s']:.2f} s | "
			f"{ratio:.2f}× {'✔' if ratio <= 1.5 else '✘'} | ≤ 1.5× |",
			f"| casebook ({c['status']}) | {c['cases']:,} cases, {c['pages']} pages | {c['job_s'] or 0:.1f} s | {c['click_to_file_s']:.1f} s | | | ≤ 60 s "
			f"{'✔' if (c['job_s'] or 999) <= 60 else '✘'} |",
			"",
		]
		if f.get("drained"):
			d = f["drained"]
			lines += [
				f"Timed on idle workers: {d['jobs']} job(s) left in the queues by the mixes were waited for first "
				f"({d['seconds']:.0f} s; {d['left']} still there when timing began).",
				"",
			]
	lines += ["### Summary", ""]
	for title, worst, errors, verify in summary:
		lost = verify and (
			verify["attachments_lost"]
			or verify["opinions_in_db"] < verify["opinions_acknowledged"]
			or verify["problems"]
		)
		lines.append(
			f"- {title}: {errors} errors"
			+ (
				f"; worst list/form p95 {worst:.2f}× the stock list p95 (target ≤ {TARGET_RATIO:.0f}×)"
				if worst
				else ""
			)
			+ (f"; integrity {'FAILED' if lost else 'ok'}" if verify else "")
		)
	text = "\n".join(lines) + "\n"
	old = (
		open(a.out).read()
		if os.path.exists(a.out)
		else f"# case_selection benchmark — {datetime.now():%Y-%m-%d}\n\n"
	)
	rest = ""
	if "## Load (`make load`)" in old:  # this section is replaced; the ones after it (outputs) stay
		start = old.index("## Load (`make load`)")
		end = old.find("\n## ", start)
		rest = old[end:] if end != -1 else ""
		old = old[:start]
	with open(a.out, "w") as fh:
		fh.write(old.rstrip() + "\n\n" + text + rest)
	print(text)


if __name__ == "__main__":
	main()
