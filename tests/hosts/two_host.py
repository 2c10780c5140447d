"""The two-host rehearsal (`make two-host`, scripts/two_host.sh): figures, not a test.

Two app hosts on one machine (host 1: the main bench on 127.0.0.1; host 2: a second bench on 127.0.0.2 whose
sites folder is the first one's) serve the same site against the same MariaDB and Redis. Run from the bench's
sites folder with the bench's Python:

    two_host.py prepare --site SITE --out data.json        # 41 × 3 officers and their cases (make load's data)
    two_host.py burst   --site SITE --data data.json --url URL1 --url URL2 --out burst.json
    two_host.py drain   --site SITE --out drain.json       # the burst's jobs run, counted per worker
    two_host.py verify  --site SITE --burst burst.json --out verify.json
    two_host.py job     --site SITE --data data.json --url URL --expect LABEL --out job.json
    two_host.py report  --dir RUN --results FILE --commit C

burst: one thread per officer, all released at once by a barrier, officer i on URL i mod 2 (the three departments
of a district meet on the same case from both hosts); each officer's session, made on its host, is first used
once on the other host. verify: every acknowledged signature is stored exactly once, every case is in the state
its signatures make. job: the city summary queued by a request to URL (a city user's click) and the RQ worker
that ran it (RQ keeps the worker's name on the job), which must be a worker of host LABEL.
"""

import argparse
import json
import os
import sys
import threading
import time

import frappe
import requests
from frappe.utils.background_jobs import get_job, get_queue_list, get_queues, get_redis_conn
from rq import Worker
from rq.registry import StartedJobRegistry

from case_selection.jobs import service
from case_selection.signing import sealed_form

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "load"))

import load_data as ld

COSIGN = "/api/method/case_selection.api.cosigning.cosign"
HEADING = "## Two hosts (`make two-host`)"
RECOMMENDED = "Recommended"


def dump(path: str, value) -> None:
	with open(path, "w") as fh:
		json.dump(value, fh, ensure_ascii=False, indent=1)


def cmd_prepare(a):
	ld.connect(a.site)
	frappe.local.conf.throttle_user_limit = 1000  # this process only: Frappe allows 60 new users an hour
	undone = ld.reset_pools()  # the previous rehearsal's signatures go, its cases are Submitted again
	districts = frappe.get_all("Case District", order_by="sort_order asc", pluck="name")
	officers, missing = [], []
	for i, district in enumerate(districts):
		case = frappe.get_all(
			"Case Application",
			filters={
				"round": ld.ROUND,
				"district": district,
				"workflow_state": "Submitted",
				"name": ("<", "CA-2025-90001"),
			},
			pluck="name",
			order_by="name asc",
			limit=1,
		)
		if not case:
			missing.append(district)
			continue
		for key, role in ld.DEPARTMENTS.items():
			user = ld.user(f"load.{key}.{i:02d}@load.local", [role], district)
			officers.append({"district": district, "user": user, "case": case[0]})
	city = ld.user("load.city.00@load.local", ["City Case Manager"])
	frappe.db.commit()
	if missing:
		sys.exit(
			f"no Submitted case of round {ld.ROUND} in {missing[:3]}: seed the site first (bench_flow.py seed)"
		)
	dump(a.out, {"password": ld.PASSWORD, "round": ld.ROUND, "officers": officers, "city": city})
	print(
		f"prepared: {len(officers)} officers on {len(districts)} cases; put back from the last run: {undone}"
	)
	frappe.destroy()


def session(url: str, site: str, user: str, password: str) -> requests.Session:
	s = requests.Session()
	s.headers["Host"] = site  # the site by its name, whichever address the host listens on
	r = s.post(f"{url}/api/method/login", data={"usr": user, "pwd": password}, timeout=300)
	r.raise_for_status()
	return s


def cmd_burst(a):
	data = json.load(open(a.data))
	officers, urls = data["officers"], a.url
	released: list[float] = []
	barrier = threading.Barrier(len(officers), action=lambda: released.append(time.perf_counter()))
	results: list[dict] = [{} for _ in officers]

	def officer(i: int, o: dict):
		url, other = urls[i % len(urls)], urls[(i + 1) % len(urls)]
		res = results[i]
		res.update(user=o["user"], case=o["case"], host=i % len(urls) + 1, status=0)
		s = None
		try:
			s = session(url, a.site, o["user"], data["password"])
			# the session is kept in MariaDB and Redis, not in the host that made it
			r = requests.get(
				f"{other}/api/method/frappe.auth.get_logged_user",
				headers={"Host": a.site},
				cookies={"sid": s.cookies.get("sid")},
				timeout=300,
			)
			res["session_on_other_host"] = r.status_code == 200 and r.json().get("message") == o["user"]
		except Exception as e:  # reported as this officer's result, the others go on
			res["error"] = f"login: {type(e).__name__}: {str(e)[:160]}"
		try:
			barrier.wait(timeout=900)
		except threading.BrokenBarrierError:
			res["error"] = res.get("error") or "barrier broken"
			return
		if s is None:
			return
		t = time.perf_counter()
		try:
			r = s.post(
				f"{url}{COSIGN}",
				data={"doctype": "Case Application", "name": o["case"], "opinion": "同意推荐", "remarks": ""},
				timeout=600,
			)
			res["status"] = r.status_code
			if r.status_code != 200:
				res["error"] = r.text[:200]
		except requests.RequestException as e:
			res["error"] = f"{type(e).__name__}: {str(e)[:160]}"
		res["ms"] = (time.perf_counter() - t) * 1000
		res["done"] = time.perf_counter()

	threads = [threading.Thread(target=officer, args=(i, o)) for i, o in enumerate(officers)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	start = released[0] if released else time.perf_counter()
	seconds = max((r.get("done", start) for r in results), default=start) - start
	for r in results:
		r.pop("done", None)
	out = {
		"urls": urls,
		"seconds": seconds,
		"results": results,
		"opinions": [[r["case"], r["user"]] for r in results if r["status"] == 200],
	}
	dump(a.out, out)
	ok = sum(1 for r in results if r["status"] == 200)
	print(f"burst: {len(results)} signatures sent, {ok} acknowledged, {seconds:.1f} s")


def rq_jobs_done(limit: float) -> dict:
	"""Waits until the site's queues (its bench_id's) hold no job, queued or running."""

	def pending():
		return sum(q.count + StartedJobRegistry(queue=q).count for q in get_queues())

	t0, first = time.monotonic(), pending()
	while pending() and time.monotonic() - t0 < limit:
		time.sleep(1)
	return {"jobs_waiting": first, "seconds": round(time.monotonic() - t0, 1), "left": pending()}


def workers() -> list[dict]:
	"""The RQ workers alive on the site's queues: name (host label first), pid, jobs done and failed."""
	mine = set(get_queue_list(None, build_queue_name=True))
	return sorted(
		(
			{
				"name": w.name,
				"pid": w.pid,
				"hostname": w.hostname,
				"queues": sorted(w.queue_names()),
				"jobs_done": w.successful_job_count,
				"jobs_failed": w.failed_job_count,
			}
			for w in Worker.all(connection=get_redis_conn())
			if mine & set(w.queue_names())
		),
		key=lambda w: w["name"],
	)


def cmd_drain(a):
	ld.connect(a.site)
	out = rq_jobs_done(a.limit)
	out["workers"] = workers()
	dump(a.out, out)
	print(json.dumps(out, ensure_ascii=False))
	frappe.destroy()


def cmd_verify(a):
	ld.connect(a.site)
	burst = json.load(open(a.burst))
	cases = sorted({r["case"] for r in burst["results"]})
	rows = frappe.db.sql(
		"""select reference_name, owner, department, opinion from `tabCase Cosign Opinion`
		where reference_doctype = 'Case Application' and reference_name in %(cases)s and owner like 'load.%%'""",
		{"cases": cases},
		as_dict=True,
	)
	stored: dict[tuple, int] = {}
	per_department: dict[tuple, int] = {}
	by_case: dict[str, int] = {}
	for r in rows:
		stored[(r.reference_name, r.owner)] = stored.get((r.reference_name, r.owner), 0) + 1
		key = (r.reference_name, r.department)
		per_department[key] = per_department.get(key, 0) + 1
		by_case[r.reference_name] = by_case.get(r.reference_name, 0) + 1
	acked = [tuple(k) for k in burst["opinions"]]
	states = dict(
		frappe.get_all(
			"Case Application",
			filters={"name": ("in", cases)},
			fields=["name", "workflow_state"],
			as_list=True,
		)
	)
	seals = frappe.get_all(
		"Case Application",
		filters={"name": ("in", cases)},
		fields=["name", "sealed_form_status"],
	)
	sealed_by: dict[str, int] = {}
	for s in seals:
		if states.get(s.name) != RECOMMENDED:
			continue  # no seal asked for
		job = get_job(sealed_form.job_id(s.name))  # RQ keeps a finished job (and its worker) for 10 minutes
		who = (job.worker_name if job is not None else None) or "?"
		sealed_by[who.split(".")[0]] = sealed_by.get(who.split(".")[0], 0) + 1
	result = {
		"sent": len(burst["results"]),
		"acknowledged": len(acked),
		"stored": len(rows),
		"acknowledged_missing": [k for k in acked if k not in stored],
		"duplicates": [list(k) + [n] for k, n in stored.items() if n > 1]
		+ [list(k) + [n] for k, n in per_department.items() if n > 1],
		"status_5xx": sum(1 for r in burst["results"] if r["status"] >= 500),
		"not_answered": sum(1 for r in burst["results"] if r["status"] == 0),
		"refused_4xx": sum(1 for r in burst["results"] if 400 <= r["status"] < 500),
		"cases": len(cases),
		"cases_recommended": sum(1 for c in cases if states.get(c) == RECOMMENDED),
		"wrong_state": [
			[c, by_case.get(c, 0), states.get(c)]
			for c in cases
			if (by_case.get(c, 0) == 3) != (states.get(c) == RECOMMENDED)
		],
		"sessions_on_other_host": sum(1 for r in burst["results"] if r.get("session_on_other_host")),
		"seals_ready": sum(
			1
			for s in seals
			if s.sealed_form_status == sealed_form.READY and states.get(s.name) == RECOMMENDED
		),
		"seals_by_host": sealed_by,
		"p50_ms": percentile([r["ms"] for r in burst["results"] if "ms" in r], 50),
		"p95_ms": percentile([r["ms"] for r in burst["results"] if "ms" in r], 95),
		"by_host": {
			str(h): sum(1 for r in burst["results"] if r["host"] == h and r["status"] == 200)
			for h in sorted({r["host"] for r in burst["results"]})
		},
		"errors": sorted({r["error"][:120] for r in burst["results"] if r.get("error")})[:5],
	}
	dump(a.out, result)
	print(json.dumps(result, ensure_ascii=False))
	frappe.destroy()


def percentile(values: list[float], p: int) -> float | None:
	if not values:
		return None
	values = sorted(values)
	return round(values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))], 1)


def cmd_job(a):
	"""The city summary queued through one host, run by a worker of the other one."""
	data = json.load(open(a.data))
	s = session(a.url, a.site, data["city"], data["password"])
	t0 = time.monotonic()
	r = s.post(
		f"{a.url}/api/method/case_selection.api.exports.enqueue_city_summary",
		data={"round": data["round"]},
		timeout=300,
	)
	r.raise_for_status()
	name = r.json()["message"]["job"]
	ld.connect(a.site)
	job = None
	while time.monotonic() - t0 < a.limit:
		frappe.db.rollback()  # a fresh snapshot: the worker commits in its own process
		job = frappe.db.get_value(
			"Case Export Job", name, ["status", "started_at", "finished_at", "error"], as_dict=True
		)
		if job.status in ("Completed", "Failed"):
			break
		time.sleep(0.5)
	rq = get_job(service.rq_job_id(name))
	worker = (rq.worker_name if rq is not None else None) or ""
	alive = {w["name"]: w for w in workers()}
	out = {
		"queued_via": a.url,
		"job": name,
		"status": job.status if job else None,
		"error": (job.error or "")[:200] if job else "",
		"seconds": round(time.monotonic() - t0, 1),
		"worker": worker,
		"worker_pid": alive.get(worker, {}).get("pid"),
		"workers_alive": sorted(alive),
		"ran_on_expected_host": worker.split(".")[0] == a.expect,
	}
	dump(a.out, out)
	print(json.dumps(out, ensure_ascii=False))
	frappe.destroy()


def cmd_report(a):
	def load(name):
		path = os.path.join(a.dir, name)
		return json.load(open(path)) if os.path.exists(path) else {}

	v, d, before = load("verify.json"), load("drain.json"), load("drain_before.json")
	burst = load("burst.json")
	jobs = [load("job_1_to_2.json"), load("job_2_to_1.json")]
	hosts = load("hosts.json")
	verified = os.path.join(a.dir, "verify.json")
	ran = (
		time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(verified)))
		if os.path.exists(verified)
		else "?"
	)
	sent, seconds = v.get("sent") or 0, burst.get("seconds") or 0
	lines = [
		HEADING,
		"",
		f"Commit {a.commit}, {ran}; site `{hosts.get('site', '?')}`. Host 1: the main bench "
		f"(`{hosts.get('bench1', '?')}`), gunicorn on {hosts.get('url1', '?')}; host 2: a second bench "
		f"(`{hosts.get('bench2', '?')}`, its `sites` the first bench's), gunicorn on {hosts.get('url2', '?')}; "
		f"{hosts.get('gunicorn_workers', '?')} gunicorn workers and one RQ worker each (queues of the site's own "
		"bench_id), the same MariaDB and Redis.",
		"",
		"### 41 × 3 simultaneous signatures, officers alternating between the hosts",
		"",
		"| signatures sent | acknowledged (host 1 / host 2) | stored | acknowledged but missing | duplicates | 5xx | no answer | 4xx | seconds (barrier → last answer) | p50 / p95 ms |",
		"| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
		f"| {v.get('sent')} | {v.get('acknowledged')} ({v.get('by_host', {}).get('1')} / {v.get('by_host', {}).get('2')}) "
		f"| {v.get('stored')} | {len(v.get('acknowledged_missing', []))} | {len(v.get('duplicates', []))} "
		f"| {v.get('status_5xx')} | {v.get('not_answered')} | {v.get('refused_4xx')} | {burst.get('seconds', 0):.1f} "
		f"| {v.get('p50_ms')} / {v.get('p95_ms')} |",
		"",
		f"Cases: {v.get('cases')}, in 推荐 (three agreeing signatures) {v.get('cases_recommended')}, in a state its "
		f"signatures do not make {len(v.get('wrong_state', []))}. Sessions made on one host and used on the other: "
		f"{v.get('sessions_on_other_host')} of {v.get('sent')}. Sealed 附件1 of the cases in 推荐 (the jobs their last "
		f"signature queued on the long queue): {v.get('seals_ready')} of {v.get('cases_recommended')} ready, run by "
		+ ", ".join(f"{k}: {n}" for k, n in sorted(v.get("seals_by_host", {}).items()))
		+ f". After the burst the workers ran what it queued (seals, Frappe's notifications) in {d.get('seconds')} s"
		+ (f", {d.get('left')} jobs still waiting" if d.get("left") else "")
		+ "; jobs each worker had run by then: "
		+ ", ".join(
			f"`{w['name']}` {w['jobs_done']} done / {w['jobs_failed']} failed" for w in d.get("workers", [])
		)
		+ "."
		+ (
			f" Before the burst, {before['jobs_waiting']} jobs the officers' first creation had queued (their contacts "
			f"and avatars) were run, in {before['seconds']} s."
			if before.get("jobs_waiting")
			else ""
		),
		"",
		f"The signatures' latency is mostly waiting for a worker: {sent} requests arrive at once at "
		f"{2 * int(hosts.get('gunicorn_workers') or 0)} sync gunicorn workers (two hosts) on a 2-core machine, "
		f"{sent / seconds if seconds else 0:.1f} signatures a second from the release to the last answer.",
	]
	if v.get("errors"):
		lines += ["", "Errors: " + "; ".join(f"`{e}`" for e in v["errors"])]
	lines += [
		"",
		"### Jobs crossing hosts (the city summary, queued by a city user's request)",
		"",
		"| queued by a request to | RQ workers alive | run by (worker, pid) | job status | seconds (click → done) | on the other host |",
		"| --- | --- | --- | --- | ---: | --- |",
	]
	for j in jobs:
		if j:
			lines.append(
				f"| {j['queued_via']} | {', '.join(f'`{w}`' for w in j['workers_alive'])} | `{j['worker']}` "
				f"(pid {j['worker_pid']}) | {j['status']} | {j['seconds']} | {'yes' if j['ran_on_expected_host'] else '**no**'} |"
			)
	text = "\n".join(lines) + "\n"
	old = (
		open(a.results).read()
		if os.path.exists(a.results)
		else f"# case_selection benchmark — {time.strftime('%Y-%m-%d')}\n\n"
	)
	rest = ""
	if HEADING in old:  # only this section is replaced; the ones before and after it stay
		start = old.index(HEADING)
		end = old.find("\n## ", start)
		rest = old[end:] if end != -1 else ""
		old = old[:start]
	with open(a.results, "w") as fh:
		fh.write(old.rstrip() + "\n\n" + text + rest)
	print(text)


def cmd_check(a):
	"""Fails when a signature was lost or doubled, a case is in the wrong state, a request got a 5xx or no
	answer, or a job did not run on the other host."""
	v = json.load(open(os.path.join(a.dir, "verify.json")))
	jobs = [json.load(open(os.path.join(a.dir, f))) for f in ("job_1_to_2.json", "job_2_to_1.json")]
	bad = [
		f"{k}: {v[k]}"
		for k in ("acknowledged_missing", "duplicates", "wrong_state", "status_5xx", "not_answered")
		if v[k]
	]
	if v["acknowledged"] != v["sent"]:
		bad.append(f"{v['sent'] - v['acknowledged']} signatures not acknowledged: {v['errors']}")
	for j in jobs:
		if j["status"] != "Completed" or not j["ran_on_expected_host"]:
			bad.append(f"job queued via {j['queued_via']}: {j['status']} by {j['worker'] or 'nobody'}")
	if bad:
		sys.exit("two-host rehearsal failed: " + "; ".join(bad))
	print("two-host rehearsal: every signature kept once, both jobs ran on the other host")


def main():
	p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	sub = p.add_subparsers(dest="cmd", required=True)
	c = sub.add_parser("prepare")
	c.add_argument("--site", required=True)
	c.add_argument("--out", required=True)
	c = sub.add_parser("burst")
	c.add_argument("--site", required=True)
	c.add_argument("--data", required=True)
	c.add_argument("--url", action="append", required=True)
	c.add_argument("--out", required=True)
	c = sub.add_parser("drain")
	c.add_argument("--site", required=True)
	c.add_argument("--limit", type=float, default=1800)
	c.add_argument("--out", required=True)
	c = sub.add_parser("verify")
	c.add_argument("--site", required=True)
	c.add_argument("--burst", required=True)
	c.add_argument("--out", required=True)
	c = sub.add_parser("job")
	c.add_argument("--site", required=True)
	c.add_argument("--data", required=True)
	c.add_argument("--url", required=True)
	c.add_argument("--expect", required=True)
	c.add_argument("--limit", type=float, default=600)
	c.add_argument("--out", required=True)
	c = sub.add_parser("report")
	c.add_argument("--dir", required=True)
	c.add_argument("--results", required=True)
	c.add_argument("--commit", required=True)
	c = sub.add_parser("check")
	c.add_argument("--dir", required=True)
	a = p.parse_args()
	{
		"prepare": cmd_prepare,
		"burst": cmd_burst,
		"drain": cmd_drain,
		"verify": cmd_verify,
		"job": cmd_job,
		"report": cmd_report,
		"check": cmd_check,
	}[a.cmd](a)


if __name__ == "__main__":
	main()
