"""Heavy work on RQ (`make load`): the casebook of 1,000 cases and the city summary of round 2025, each queued
over HTTP and run by the supervised RQ workers, timed by the job record (started → finished) and from the
click to the file; the city summary against a bare openpyxl write-only of the same rows in the same run.

    rq_figures.py --site SITE --url URL [--cases 1000] [--admin-password P] --out figures.json
"""

import argparse
import io
import json
import statistics
import time

import frappe
import requests
from frappe.utils import time_diff_in_seconds
from openpyxl import Workbook

from case_selection.export import excel

SUMMARY_RUNS = 3


def login(url, password):
	s = requests.Session()
	s.post(
		f"{url}/api/method/login", data={"usr": "Administrator", "pwd": password}, timeout=30
	).raise_for_status()
	return s


def wait(fetch, done, seconds):
	end = time.monotonic() + seconds
	while True:
		v = fetch()
		if done(v) or time.monotonic() > end:
			return v
		time.sleep(0.5)


def job_seconds(name):
	frappe.db.rollback()
	j = frappe.db.get_value(
		"Case Export Job", name, ["status", "started_at", "finished_at", "error"], as_dict=True
	)
	return j, (time_diff_in_seconds(j.finished_at, j.started_at) if j.finished_at and j.started_at else None)


def bare_write(rows, runs: int = 3) -> float:
	def once():
		t = time.perf_counter()
		wb = Workbook(write_only=True)
		ws = wb.create_sheet("s")
		for r in rows:
			ws.append([r.get(k) for k in r])
		wb.save(io.BytesIO())
		return time.perf_counter() - t

	return statistics.median(once() for _ in range(runs))


def drain(limit: float = 300) -> dict:
	"""Waits until the bench's RQ queues hold no job, queued or running: the jobs a load mix left behind (its
	notifications, e-mails, assignment syncs) would otherwise share the 2 CPUs with the jobs timed here. Right
	after the deadline-day mix, a casebook timed without this wait took 69 s instead of 38 s."""
	from frappe.utils.background_jobs import get_queues
	from rq.registry import StartedJobRegistry

	def pending():
		return sum(q.count + StartedJobRegistry(queue=q).count for q in get_queues())

	t0, first = time.monotonic(), pending()
	while pending() and time.monotonic() - t0 < limit:
		time.sleep(1)
	return {"jobs": first, "seconds": time.monotonic() - t0, "left": pending()}


def main():
	p = argparse.ArgumentParser()
	p.add_argument("--site", required=True)
	p.add_argument("--url", required=True)
	p.add_argument("--cases", type=int, default=1000)
	p.add_argument("--admin-password", default="admin")
	p.add_argument("--out", required=True)
	a = p.parse_args()
	frappe.init(site=a.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	s = login(a.url, a.admin_password)
	out = {"drained": drain()}

	# City summary of round 2025 on RQ vs a bare write-only of the same rows: three jobs one after another, a bare
	# write after each (the same moments), medians compared. One job alone, the first on a freshly restarted
	# worker, varied from 0.36× to 2.08× between runs.
	frappe.db.set_value("Case Export Job", {"status": ("in", ("Queued", "Running"))}, "status", "Failed")
	frappe.db.commit()
	rows = excel.summary_rows("2025")
	jobs, bares = [], []
	for _ in range(SUMMARY_RUNS):
		t0 = time.perf_counter()
		r = s.post(
			f"{a.url}/api/method/case_selection.api.exports.enqueue_city_summary",
			data={"round": "2025"},
			timeout=60,
		)
		r.raise_for_status()
		name = r.json()["message"]["job"]
		wait(lambda name=name: job_seconds(name)[0].status, lambda st: st in ("Completed", "Failed"), 600)
		wall = time.perf_counter() - t0
		job, seconds = job_seconds(name)
		jobs.append(
			{"job": name, "status": job.status, "job_s": seconds, "click_to_file_s": wall, "error": job.error}
		)
		bares.append(bare_write(rows, runs=1))
	done = [j for j in jobs if j["status"] == "Completed" and j["job_s"] is not None]
	out["summary"] = {
		"jobs": jobs,
		"status": "Completed" if len(done) == len(jobs) else "Failed",
		"rows": len(rows),
		"job_s": statistics.median(j["job_s"] for j in done) if done else None,
		"click_to_file_s": statistics.median(j["click_to_file_s"] for j in jobs),
		"bare_s": statistics.median(bares),
		"bare_runs": bares,
		"error": next((j["error"] for j in jobs if j["error"]), None),
	}

	# Casebook of N cases of round 2025 (direction then district order), on the long queue.
	names = frappe.get_all(
		"Case Application",
		filters={"round": "2025", "name": ("<", "CA-2025-90001")},
		pluck="name",
		order_by="name asc",
		limit=a.cases,
	)
	coll = frappe.get_doc(
		{"doctype": "Case Collection", "round": "2025", "title": f"负载测试案例集（{len(names)} 例）"}
	)
	for n in names:
		coll.append("cases", {"application": n})
	coll.insert()
	frappe.db.commit()
	t0 = time.perf_counter()
	r = s.post(
		f"{a.url}/api/method/run_doc_method",
		data={"dt": "Case Collection", "dn": coll.name, "method": "generate"},
		timeout=120,
	)
	r.raise_for_status()
	job_name = r.json()["message"]["job"]
	wait(lambda: job_seconds(job_name)[0].status, lambda st: st in ("Completed", "Failed"), 1800)
	wall = time.perf_counter() - t0
	job, seconds = job_seconds(job_name)
	pages = frappe.db.get_value("Case Collection", coll.name, "page_count")
	out["casebook"] = {
		"job": job_name,
		"status": job.status,
		"cases": len(names),
		"pages": pages,
		"job_s": seconds,
		"click_to_file_s": wall,
		"error": (job.error or "")[:300],
	}
	with open(a.out, "w") as fh:
		json.dump(out, fh, ensure_ascii=False, default=str)
	print(json.dumps(out, ensure_ascii=False, default=str))
	frappe.destroy()


if __name__ == "__main__":
	main()
