"""`make chaos` (scripts/chaos.sh): each fault while real work is in flight on the production stack, then the data
checked. Runs as root (it kills processes, restarts MariaDB and Redis, mounts a full filesystem); what it reads
and writes in the site runs as the bench user through chaos_data.py.

Faults:
1. gunicorn workers killed (SIGKILL, one every second) during a burst: the 41 × 3 officers sign at once and
   half the districts' leads send their lists; clients retry what got no answer, as a browser user would.
2. MariaDB restarted during the other half's list submissions and during a Data Import of 300 cases.
3. The RQ worker of the long queue killed (with its work horse) during a city summary and during a casebook.
4. Redis (the queue) flushed while a city summary and a casebook wait on it, then restarted.
5. A full disk: an attachment uploaded and a casebook written onto a filesystem with no room left.

The figures go to tests/benchmarks/results-<date>.md, section "Chaos".
"""

import argparse
import io
import json
import os
import random
import shlex
import signal
import subprocess
import threading
import time
from datetime import datetime

import requests

RETRY_FOR = 180  # seconds a client keeps retrying a request that got no answer or a 5xx
ROWS = 300  # Data Import rows
RESUME_WAIT = 240  # seconds an import has to resume by itself, the database back (sweeper: each minute)


def sh(cmd: str, check: bool = True) -> str:
	r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
	if check and r.returncode:
		raise RuntimeError(f"{cmd}: {r.returncode} {r.stderr[-500:]}")
	return r.stdout


class Run:
	def __init__(self, a):
		self.a = a
		self.url = a.url
		self.rows = []

	def data(self, *args) -> dict:
		"""chaos_data.py as the bench user; args are "CMD" or "--option value" (the value may hold spaces)."""
		words = []
		for arg in args:
			words.extend(arg.split(" ", 1) if arg.startswith("--") else [arg])
		cmd = " ".join(shlex.quote(w) for w in [*words, "--site", self.a.site])
		script = f"cd {self.a.bench}/sites && ../env/bin/python ../apps/case_selection/tests/chaos/chaos_data.py {cmd}"
		out = sh(f"runuser -u {self.a.bench_user} -- bash -c {shlex.quote(script)}")
		return json.loads(out.strip().splitlines()[-1])

	def row(self, fault, work, acknowledged, kept, half, recovery, note=""):
		self.rows.append((fault, work, acknowledged, kept, half, recovery, note))
		print(
			f"== {fault}: acknowledged {acknowledged}, kept {kept}, half-written {half}, recovery {recovery} {note}"
		)


class Client:
	"""A logged-in user whose requests are retried when they get no answer or a 5xx (the server died under
	them), until RETRY_FOR seconds have passed; a 4xx is an answer."""

	def __init__(self, url: str, user: str, password: str):
		self.url, self.user, self.password = url, user, password
		self.s = requests.Session()
		self.retries = 0
		self.post("/api/method/login", data={"usr": user, "pwd": password})

	def request(self, method: str, path: str, **kw) -> requests.Response:
		end = time.monotonic() + RETRY_FOR
		while True:
			try:
				r = self.s.request(method, f"{self.url}{path}", timeout=60, **kw)
				if r.status_code < 500 and not (r.status_code == 403 and "login" in path):
					return r
			except requests.RequestException:
				r = None
			if time.monotonic() > end:
				return r
			self.retries += 1
			time.sleep(0.5 + random.random())

	def post(self, path: str, **kw):
		return self.request("POST", path, **kw)

	def get(self, path: str, **kw):
		return self.request("GET", path, **kw)


def said(r: requests.Response) -> str:
	"""What the user reads of an answer: Frappe's messages, decoded."""
	try:
		body = r.json()
		messages = [json.loads(m).get("message", m) for m in json.loads(body.get("_server_messages") or "[]")]
		return " ".join(messages) or body.get("exception", "")
	except ValueError:
		return r.text


def pids(pattern: str) -> list[int]:
	"""Processes whose command line matches (pgrep itself, run without a shell, is never among them)."""
	out = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
	return [int(p) for p in out.split() if int(p) != os.getpid()]


def gunicorn_workers() -> list[int]:
	all_ = set(pids("gunicorn.*frappe.app:application"))
	return [p for p in all_ if int(sh(f"ps -o ppid= -p {p}", check=False).strip() or 0) in all_]


def kill_tree(pid: int):
	for child in pids_children(pid):
		kill_tree(child)
	try:
		os.kill(pid, signal.SIGKILL)
	except ProcessLookupError:
		pass


def pids_children(pid: int) -> list[int]:
	return [int(p) for p in sh(f"pgrep -P {pid}", check=False).split()]


def wait_up(url: str, seconds: int = 300) -> float:
	t0 = time.monotonic()
	while time.monotonic() - t0 < seconds:
		try:
			if requests.get(f"{url}/api/method/ping", timeout=5).status_code == 200:
				return time.monotonic() - t0
		except requests.RequestException:
			pass
		time.sleep(0.5)
	raise RuntimeError(f"{url} not back within {seconds} s")


def in_threads(fns) -> list:
	out = [None] * len(fns)

	def run(i, fn):
		out[i] = fn()

	threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	return out


# ─────────────────────────── 1 and 2: signatures and lists ───────────────────────────


def message_of(r) -> str:
	try:
		body = r.json()
	except ValueError:
		return r.text
	return body.get("exception") or body.get("_server_messages") or ""


def sign(client: Client, case: str, ack: dict):
	r = client.post(
		"/api/method/case_selection.api.cosigning.cosign",
		data={"doctype": "Case Application", "name": case, "opinion": "同意推荐", "remarks": ""},
	)
	if r is not None and r.status_code == 200:
		ack["opinions"].append([case, client.user])
	return r


def submit(client: Client, lst: str, ack: dict):
	r = client.post("/api/method/case_selection.api.lists.submit_list", data={"name": lst})
	if r is not None and r.status_code == 200:
		ack["lists"].append(lst)
	return r


def fault_gunicorn(run: Run, data: dict, clients: dict):
	ack = {"opinions": [], "lists": []}
	districts = data["districts"]
	lists = {d: data["lists"][d] for d in districts[: len(districts) // 2]}
	stop, kills = threading.Event(), []

	def killer():
		while not stop.is_set():
			workers = gunicorn_workers()
			if workers:
				os.kill(random.choice(workers), signal.SIGKILL)
				kills.append(time.monotonic())
			time.sleep(1.0)

	work = [
		(lambda c=clients[(d, k)], case=data["pools"][d][0]: sign(c, case, ack))
		for d in districts
		for k in ("jx", "kj", "jy")
	] + [(lambda c=clients[(d, "jx")], lst=info["list"]: submit(c, lst, ack)) for d, info in lists.items()]
	random.shuffle(work)
	t = threading.Thread(target=killer)
	t.start()
	answers = in_threads(work)
	stop.set()
	t.join()
	recovery = wait_up(run.url)
	with open(f"{run.a.out}/ack_gunicorn.json", "w") as fh:
		json.dump(ack, fh)
	signing = run.data("verify-signing", f"--ack {run.a.out}/ack_gunicorn.json")
	lists_data = {**data, "lists": lists}
	with open(f"{run.a.out}/lists_gunicorn.json", "w") as fh:
		json.dump(lists_data, fh, ensure_ascii=False)
	listed = run.data(
		"verify-lists", f"--ack {run.a.out}/ack_gunicorn.json", f"--data {run.a.out}/lists_gunicorn.json"
	)
	retries = sum(c.retries for c in clients.values())
	unanswered = sum(1 for r in answers if r is None or r.status_code != 200)
	why = {}  # the last answer of each request not answered 200: its status (none: no answer within RETRY_FOR)
	for r in answers:
		if r is None or r.status_code != 200:
			key = "none" if r is None else f"{r.status_code} {message_of(r)[:60]}"
			why[key] = why.get(key, 0) + 1
	run.row(
		f"kill -9 of gunicorn workers ({len(kills)} kills, one a second)",
		f"{len(work) - len(lists)} signatures (41 × 3 at once) + {len(lists)} list submissions",
		f"{len(ack['opinions'])} signatures, {len(ack['lists'])} lists",
		f"{signing['kept']} signatures ({signing['signed_twice']} twice), {listed['submitted']} lists",
		signing["half_written"] + listed["half_written"],
		f"{recovery:.1f} s",
		f"{retries} client retries; {unanswered} requests not answered 200"
		+ (f" ({why})" if why else "")
		+ (
			f"; problems: {signing['problems'] + listed['problems']}"
			if signing["problems"] or listed["problems"]
			else ""
		),
	)


def restart_mariadb() -> float:
	"""Shut MariaDB down and start it again; the seconds until it answers again."""
	t0 = time.monotonic()
	sh(f"mysqladmin -uroot -p'{os.environ['DB_ROOT_PASSWORD']}' -h127.0.0.1 shutdown", check=False)
	for _ in range(60):
		if subprocess.run("mysqladmin ping", shell=True, capture_output=True).returncode:
			break
		time.sleep(0.5)
	sh("service mariadb start >/dev/null 2>&1 || (mysqld_safe --user=mysql >/dev/null 2>&1 &)", check=False)
	for _ in range(120):
		if not subprocess.run("mysqladmin ping", shell=True, capture_output=True).returncode:
			return time.monotonic() - t0
		time.sleep(0.5)
	raise RuntimeError("MariaDB did not come back")


def import_workbook(client: Client, data: dict) -> bytes:
	from openpyxl import load_workbook

	r = client.get("/api/method/case_selection.overrides.data_import.template")
	r.raise_for_status()
	wb = load_workbook(io.BytesIO(r.content))
	ws = wb.worksheets[0]
	headers = [c.value for c in ws[1]]
	district = data["districts"][0]
	for i in range(ROWS):
		row = {
			"案例名称": f"故障演练导入{i:04d}",
			"遴选轮次": data["open_round"],
			"所属区县": district,
			"遴选方向": "产业关键技术攻关",
			"单位名称": f"重庆故障演练有限公司{i}",
			"统一社会信用代码": data["usccs"][i % len(data["usccs"])],
			"单位类型": "企业",
			"联系人": "李四",
			"手机": "13900139000",
			"电子邮箱": "lisi@example.com",
			"（一）案例背景与行业痛点": "行业痛点。",
			"（二）主要做法": "主要做法。",
			"（三）创新点": "创新点。",
			"（四）实施成效": "实施成效。",
			"（五）可复制性与推广价值": "推广价值。",
		}
		row.update(dict.fromkeys(data["declaration_labels"], 1))  # the template names them by their labels
		ws.append([row.get(h) for h in headers])
	out = io.BytesIO()
	wb.save(out)
	return out.getvalue()


def start_import(client: Client, content: bytes) -> str:
	r = client.s.post(
		f"{client.url}/api/resource/Data Import",
		json={"reference_doctype": "Case Application", "import_type": "Insert New Records"},
		timeout=60,
	)
	r.raise_for_status()
	name = r.json()["data"]["name"]
	r = client.s.post(
		f"{client.url}/api/method/upload_file",
		files={"file": ("故障演练导入.xlsx", content)},
		data={"doctype": "Data Import", "docname": name, "fieldname": "import_file", "is_private": 1},
		timeout=60,
	)
	r.raise_for_status()
	client.s.put(
		f"{client.url}/api/resource/Data Import/{name}", json={"import_file": r.json()["message"]["file_url"]}
	).raise_for_status()
	client.post(
		"/api/method/frappe.core.doctype.data_import.data_import.form_start_import",
		data={"data_import": name},
	).raise_for_status()
	return name


def import_done(client: Client, name: str) -> tuple[str, int]:
	r = client.get(f"/api/resource/Data Import/{name}")
	status = r.json()["data"]["status"] if r is not None and r.status_code == 200 else "?"
	r = client.post(
		"/api/method/frappe.core.doctype.data_import.data_import.get_import_logs", data={"data_import": name}
	)
	logs = r.json()["message"] if r is not None and r.status_code == 200 else []
	return status, sum(1 for log in logs if log.get("success"))


def fault_mariadb(run: Run, data: dict, clients: dict):
	ack = {"opinions": [], "lists": []}
	districts = data["districts"]
	lists = {d: data["lists"][d] for d in districts[len(districts) // 2 :]}
	lead = clients[(districts[0], "jx")]
	name = start_import(lead, import_workbook(lead, data))
	t0 = time.monotonic()
	while import_done(lead, name)[1] < ROWS // 5 and time.monotonic() - t0 < 300:
		time.sleep(0.5)
	before = import_done(lead, name)[1]
	work = [(lambda c=clients[(d, "jx")], lst=info["list"]: submit(c, lst, ack)) for d, info in lists.items()]
	down = []
	restarter = threading.Thread(target=lambda: (time.sleep(0.3), down.append(restart_mariadb())))
	restarter.start()
	in_threads(work)
	restarter.join()
	t_back = time.monotonic()
	recovery = wait_up(run.url)
	# The import: the job that died with the database is run again by the sweeper (jobs.recovery, every
	# minute) and resumes after the rows its log records; only if it has not finished by then does the user
	# press 重试, as they would.
	deadline = time.monotonic() + 600
	while import_done(lead, name)[1] < ROWS and time.monotonic() - t_back < RESUME_WAIT:
		time.sleep(2)
	cut = run.data("verify-import", f"--data-import {name}", f"--rows {ROWS}")
	by_itself = cut["imported"] >= ROWS
	if not by_itself:
		lead.post(
			"/api/method/frappe.core.doctype.data_import.data_import.form_start_import",
			data={"data_import": name},
		)
	while import_done(lead, name)[1] < ROWS and time.monotonic() < deadline:
		time.sleep(2)
	final = run.data("verify-import", f"--data-import {name}", f"--rows {ROWS}")
	outage = run.data("outage-jobs")
	lost = sum(outage["still_failed"].values())
	with open(f"{run.a.out}/ack_mariadb.json", "w") as fh:
		json.dump(ack, fh)
	with open(f"{run.a.out}/lists_mariadb.json", "w") as fh:
		json.dump({**data, "lists": lists}, fh, ensure_ascii=False)
	listed = run.data(
		"verify-lists", f"--ack {run.a.out}/ack_mariadb.json", f"--data {run.a.out}/lists_mariadb.json"
	)
	run.row(
		"MariaDB restarted",
		f"{len(lists)} list submissions; a Data Import of {ROWS} cases ({before} in when the database went down)",
		f"{len(ack['lists'])} lists; import rows logged as in: {cut['logged']} "
		f"({RESUME_WAIT} s after the restart)",
		f"{listed['submitted']} lists; {cut['imported']} rows in the table {RESUME_WAIT} s after the restart "
		+ ("(the import resumed by itself)" if by_itself else "(not resumed by itself)")
		+ f", {final['imported']} in the end{'' if by_itself else ' after 重试'} (status {final['status']})",
		listed["half_written"] + len(cut["problems"]) + len(final["problems"]) + lost,
		f"{(down[0] if down else 0) + recovery:.1f} s (database down and back, then the site answering)",
		"; ".join(
			listed["problems"]
			+ cut["problems"]
			+ final["problems"]
			+ [
				f"Frappe jobs that failed with the database away and were run again by the sweeper: "
				f"{outage['requeued'] or 'none'}; still failed (counted as lost): {outage['still_failed'] or 'none'}"
			]
		),
	)


# ─────────────────────────── 3, 4 and 5: background jobs and the disk ───────────────────────────


def job(admin: Client, name: str) -> dict:
	r = admin.get(f"/api/resource/Case Export Job/{name}")
	return r.json()["data"] if r is not None and r.status_code == 200 else {}


def queue_exports(run: Run, admin: Client) -> tuple[str, str]:
	coll = run.data("collection", f"--cases {run.a.casebook}")["collection"]
	r = admin.post("/api/method/case_selection.api.exports.enqueue_city_summary", data={"round": "2025"})
	r.raise_for_status()
	summary = r.json()["message"]["job"]
	r = admin.post(
		"/api/method/run_doc_method", data={"dt": "Case Collection", "dn": coll, "method": "generate"}
	)
	r.raise_for_status()
	return summary, r.json()["message"]["job"]


def wait_jobs(admin: Client, names, seconds: int) -> dict:
	end = time.monotonic() + seconds
	while time.monotonic() < end:
		states = {n: job(admin, n).get("status") for n in names}
		if all(s in ("Completed", "Failed") for s in states.values()):
			return states
		time.sleep(2)
	return {n: job(admin, n).get("status") for n in names}


def files_of(run: Run, names) -> tuple[int, int, list]:
	kept, half, notes = 0, 0, []
	for n in names:
		f = run.data("export-files", f"--job {n}")
		kept += f["whole"] if f["status"] == "Completed" and f["files"] == 1 else 0
		half += max(f["files"] - 1, 0) + (f["status"] == "Completed" and not f["whole"])
		notes.append(f"{n}: {f['status']} after {f['attempts']} runs, {f['files']} file(s)")
	return kept, half, notes


def long_worker() -> int | None:
	found = pids("worker --queue long") or pids("frappe.utils.bench_helper frappe worker.*long")
	return found[0] if found else None


def fault_rq_worker(run: Run, admin: Client):
	names = queue_exports(run, admin)
	t0 = time.monotonic()
	killed = 0
	for n in names:
		while job(admin, n).get("status") == "Queued" and time.monotonic() - t0 < 300:
			time.sleep(0.5)
		pid = long_worker()
		if pid and job(admin, n).get("status") == "Running":
			kill_tree(pid)
			killed += 1
			t_kill = time.monotonic()
			time.sleep(3)  # supervisor starts the worker again
	states = wait_jobs(admin, names, 900)
	recovery = time.monotonic() - t_kill if killed else 0
	kept, half, notes = files_of(run, names)
	run.row(
		f"RQ worker of the long queue killed with its work horse ({killed} kills)",
		"a city summary and a casebook running",
		"2 exports queued",
		f"{kept} exports completed with one whole file",
		half,
		f"{recovery:.0f} s (the sweeper queues a job again 150 s after its worker's last heartbeat)",
		"; ".join(notes) + f"; {states}",
	)


def fault_redis(run: Run, admin: Client):
	bench = os.path.basename(run.a.bench)
	sh(f"supervisorctl stop '{bench}-workers:'")
	names = queue_exports(run, admin)
	port = run.a.redis_queue_port
	sh(f"redis-cli -p {port} FLUSHALL")
	pid = pids(f"redis-server.*:{port}")
	for p in pid:
		os.kill(p, signal.SIGKILL)  # and restarted by supervisor, empty (no persistence)
	t0 = time.monotonic()
	time.sleep(2)
	sh(f"supervisorctl start '{bench}-workers:' '{bench}-redis:'", check=False)
	states = wait_jobs(admin, names, 900)
	recovery = time.monotonic() - t0
	kept, half, notes = files_of(run, names)
	run.row(
		"Redis (queue) flushed, killed and restarted empty",
		"a city summary and a casebook waiting in the queue",
		"2 exports queued",
		f"{kept} exports completed with one whole file",
		half,
		f"{recovery:.0f} s (the sweeper queues a job again 120 s after it was queued)",
		"; ".join(notes) + f"; {states}",
	)


def fault_disk(run: Run, admin: Client, data: dict):
	files_dir = f"{run.a.bench}/sites/{run.a.site}/private/files"
	sh(
		f"mount -t tmpfs -o size=2m,uid=$(id -u {run.a.bench_user}),gid=$(id -g {run.a.bench_user}) tmpfs '{files_dir}'"
	)
	try:
		sh(
			f"runuser -u {run.a.bench_user} -- dd if=/dev/zero of='{files_dir}/.filler' bs=64k 2>/dev/null",
			check=False,
		)
		owner = Client(run.url, data["draft"]["owner"], data["password"])
		case = data["draft"]["name"]
		file_name = f"chaos-scan-{int(time.time())}.pdf"
		r = owner.s.post(
			f"{run.url}/api/method/upload_file",
			files={"file": (file_name, b"%PDF-1.4 " + os.urandom(200_000))},
			data={
				"is_private": 1,
				"doctype": "Case Application",
				"docname": case,
				"fieldname": "signed_form_scan",
			},
			timeout=60,
		)
		upload = (r.status_code, said(r)[:200])
		left = run.data("upload-check", f"--case {case}", f"--file-name {file_name}")
		names = queue_exports(run, admin)
		states = wait_jobs(admin, names, 900)
		failed = {n: (job(admin, n).get("error") or "").split("\n")[0][:120] for n in names}
	finally:
		sh(f"umount '{files_dir}'", check=False)
	t0 = time.monotonic()
	for n in names:
		if states.get(n) == "Failed":
			admin.post(
				"/api/method/run_doc_method", data={"dt": "Case Export Job", "dn": n, "method": "retry"}
			)
	again = wait_jobs(admin, names, 900)
	recovery = time.monotonic() - t0
	kept, half, notes = files_of(run, names)
	half += left["file_records"] + bool(left["field"])
	run.row(
		"disk full (a 2 MB filesystem, filled, mounted on the site's private files)",
		"an attachment upload; a city summary and a casebook writing their files",
		f"upload answered {upload[0]}; exports {states}",
		f"{kept} exports completed with one whole file after space came back and 重试",
		half,
		f"{recovery:.0f} s from space back to files written",
		f"upload message: {upload[1]}; export errors: {failed}; after retry {again}; " + "; ".join(notes),
	)


def write_results(run: Run, started: float):
	path = run.a.results
	commit = run.a.commit
	lines = [
		"",
		f"## Chaos (`make chaos`, {datetime.now():%Y-%m-%d %H:%M}, commit {commit}, {time.monotonic() - started:.0f} s)",
		"",
		f"Site {run.a.site} behind nginx ({run.url}), the production stack of `make prod` (gunicorn, RQ workers and the "
		"scheduler under supervisor). Each fault runs while the work is in flight; clients retry what got no answer "
		"or a 5xx; then the database is read back (tests/chaos/chaos_data.py).",
		"",
		"| fault | work in flight | acknowledged | kept | half-written | recovery | notes |",
		"| --- | --- | --- | --- | ---: | --- | --- |",
	]
	for r in run.rows:
		lines.append("| " + " | ".join(str(x).replace("|", "/").replace("\n", " ") for x in r) + " |")
	old = (
		open(path).read()
		if os.path.exists(path)
		else f"# case_selection benchmark — {datetime.now():%Y-%m-%d}\n"
	)
	if "\n## Chaos" in old:
		start = old.index("\n## Chaos")
		end = old.find("\n## ", start + 1)
		old = old[:start] + (old[end:] if end != -1 else "")
	with open(path, "w") as fh:
		fh.write(old.rstrip("\n") + "\n" + "\n".join(lines) + "\n")
	print(f"written: {path}")


def main():
	p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	p.add_argument("--site", required=True)
	p.add_argument("--url", required=True)
	p.add_argument("--bench", required=True)
	p.add_argument("--bench-user", default="frappe")
	p.add_argument("--out", required=True)
	p.add_argument("--results", required=True)
	p.add_argument("--commit", default="n/a")
	p.add_argument("--casebook", type=int, default=200)
	p.add_argument("--redis-queue-port", default="11000")
	p.add_argument("--faults", default="gunicorn mariadb rq redis disk")
	p.add_argument("--prepare", type=int, default=1, help="0: reuse the data of the previous run (debugging)")
	a = p.parse_args()
	started = time.monotonic()
	run = Run(a)
	if a.prepare or not os.path.exists(f"{a.out}/data.json"):
		print(run.data("prepare", f"--out {a.out}/data.json"))
	with open(f"{a.out}/data.json") as fh:
		data = json.load(fh)
	admin = Client(a.url, "Administrator", os.environ["ADMIN_PASSWORD"])
	faults = a.faults.split()
	if {"gunicorn", "mariadb"} & set(faults):
		clients = {}
		for d in data["districts"]:
			for k, email in data["officers"][d].items():
				clients[(d, k)] = Client(a.url, email, data["password"])
		if "gunicorn" in faults:
			fault_gunicorn(run, data, clients)
		if "mariadb" in faults:
			fault_mariadb(run, data, clients)
	if "rq" in faults:
		fault_rq_worker(run, admin)
	if "redis" in faults:
		fault_redis(run, admin)
	if "disk" in faults:
		fault_disk(run, admin, data)
	write_results(run, started)
	bad = [r for r in run.rows if r[4]]
	print(json.dumps({"faults": len(run.rows), "with_half_written": len(bad)}))
	raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
	main()
