"""Read replica check (issue 12): the read-heavy endpoints read from the replica, writes never reach it.

Run by scripts/replica_check.sh from the bench's sites folder, once scripts/replica.sh has set the site up:

    check_replica.py prepare --site SITE
    check_replica.py run --site SITE --url URL --primary-port P --replica-port R --db-root-password X

`run` turns MariaDB's general query log on, on both servers, and then, over HTTP against the served site:
1. reads as a city user: the 签核历程 report (frappe.desk.query_report.run), the 入选单位查询 report and its
   REST endpoint, the Case Application list (Desk's report view), the city summary xlsx as a background job
   run by a real RQ worker, and the synchronous city summary download;
2. writes as Administrator: an edit of an application and a comment.
It counts, per server, the statements of the site's database user that touch the app's data tables, and
fails unless the reads issued none of them to the primary (and some to the replica) and the writes issued
none to the replica (while the replica still received them through replication).
"""

import argparse
import json
import re
import subprocess
import sys
import time

import pymysql
import requests

PASSWORD = "Replica@2025"
CITY = "replica-city@example.com"
DATA_TABLES = re.compile(r"`tab(Case Application|Case Action Log|Case Cosign Opinion|Case District)`")
WRITE = re.compile(r"^\s*(insert|update|delete|replace)\b", re.IGNORECASE)


def prepare(site: str):
	import frappe
	from frappe.utils.password import update_password

	from case_selection.tests import output_data as od
	from case_selection.tests.factories import make_user

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	app = od.make_output_application("只读副本测试案例", district="万州区", seed=801)
	od.set_state(app.name, "Submitted to City")
	draft = od.make_output_application("只读副本测试草稿", district="万州区", seed=802)  # editable
	od.set_state(draft.name, "Draft")
	update_password(make_user(CITY, ["City Case Manager"]), PASSWORD)
	selected = published_selected_case()
	frappe.db.commit()
	print(
		json.dumps(
			{
				"application": app.name,
				"draft": draft.name,
				"db_user": frappe.conf.db_name,
				"round": od.ROUND,
				"lookup_uscc": selected.uscc,
			}
		)
	)
	frappe.destroy()


LOOKUP_ROUND = 2081


def published_selected_case():
	"""A selected case of a published round: 入选单位查询 reads published rounds only."""
	import frappe

	from case_selection.tests import output_data as od
	from case_selection.tests.factories import make_round

	title = "只读副本入选案例"
	name = frappe.db.get_value("Case Application", {"case_title": title, "round": str(LOOKUP_ROUND)})
	if not name:
		make_round(LOOKUP_ROUND)
		name = od.make_output_application(title, district="万州区", seed=803).name
		frappe.db.set_value("Case Application", name, "round", str(LOOKUP_ROUND), update_modified=False)
	from case_selection.access import sealing
	from case_selection.tests.factories import put_state

	frappe.db.set_value(
		"Selection Round",
		str(LOOKUP_ROUND),
		{"status": "Published", "published_on": frappe.utils.today()},
		update_modified=False,
	)
	sealing.clear_published_cache()
	put_state(name, "Selected")
	return frappe.get_doc("Case Application", name)


def connect(port: int, password: str):
	return pymysql.connect(host="127.0.0.1", port=port, user="root", password=password, autocommit=True)


def q(conn, sql: str, args=None):
	with conn.cursor() as cur:
		cur.execute(sql, args)
		return cur.fetchall()


def catch_up(primary, replica):
	gtid = q(primary, "select @@gtid_current_pos")[0][0]
	if q(replica, "select master_gtid_wait(%s, 60)", (gtid,))[0][0] != 0:
		sys.exit("the replica did not catch up within 60 s")


def logging(conns, on: bool):
	for c in conns:
		if on:
			q(c, "set global log_output = 'TABLE'")
			q(c, "truncate table mysql.general_log")
		q(c, f"set global general_log = {'ON' if on else 'OFF'}")


def statements(conn, db_user: str) -> list[str]:
	rows = q(
		conn,
		"select argument from mysql.general_log where command_type in ('Query', 'Execute') and user_host like %s",
		(f"{db_user}[{db_user}]%",),
	)
	return [r[0].decode() if isinstance(r[0], bytes) else r[0] for r in rows]


def login(url: str, user: str, password: str) -> requests.Session:
	s = requests.Session()
	s.post(f"{url}/api/method/login", data={"usr": user, "pwd": password}, timeout=30).raise_for_status()
	return s


def purge_jobs(site: str):
	"""Jobs the tests left queued for this site (seals of their cases, mail) are not this check's: removed, so
	that the worker below runs the check's own job."""
	subprocess.run(
		["../env/bin/python", "-m", "frappe.utils.bench_helper", "frappe", "purge-jobs", "--site", site],
		check=True,
		capture_output=True,
		timeout=120,
	)


WORKER = """
import sys
import frappe
from frappe.utils.background_jobs import get_queue_list, get_redis_conn
from rq import Worker

frappe.init(site=sys.argv[1])  # the site's config names its queues (scripts/test.sh sets its own bench_id)
connection, queues = get_redis_conn(), get_queue_list(["long"], build_queue_name=True)
frappe.destroy()
Worker(queues, connection=connection).work(burst=True)
"""


def start_worker(site: str) -> subprocess.Popen:
	"""A real RQ worker on the site's long queue (RQ's own Worker, as Frappe's `bench worker` runs it, on the
	queue names the site's config gives). It may still meet another job of the site: the check stops it once its
	own job is done (`stop_worker`)."""
	return subprocess.Popen(
		["../env/bin/python", "-c", WORKER, site],
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
	)


def stop_worker(worker: subprocess.Popen):
	worker.terminate()  # RQ's warm shutdown: the job in hand is finished first
	try:
		worker.wait(timeout=120)
	except subprocess.TimeoutExpired:
		worker.kill()
		worker.wait()


def run(args):
	data = json.loads(args.data)
	url, db_user = args.url, data["db_user"]
	primary, replica = (
		connect(args.primary_port, args.db_root_password),
		connect(args.replica_port, args.db_root_password),
	)
	problems = []
	if q(replica, "select @@read_only")[0][0] != 1:
		problems.append("the replica is not read_only")
	purge_jobs(args.site)
	catch_up(primary, replica)
	city = login(url, CITY, PASSWORD)
	admin = login(url, "Administrator", args.admin_password)

	logging((primary, replica), True)
	reads = {}

	def measure(label, fn):
		q(primary, "truncate table mysql.general_log")
		q(replica, "truncate table mysql.general_log")
		fn()
		time.sleep(0.5)
		p = [s for s in statements(primary, db_user) if DATA_TABLES.search(s)]
		r = [s for s in statements(replica, db_user) if DATA_TABLES.search(s)]
		reads[label] = (len(p), len(r), p[:2])

	def history():
		# As Administrator: the city roles cannot run this report through query_report.run today (Frappe
		# answers "no permission to read DocType"), a permission matter outside this check.
		r = admin.post(
			f"{url}/api/method/frappe.desk.query_report.run",
			json={"report_name": "Case Action History", "filters": {}},
			timeout=60,
		)
		r.raise_for_status()
		assert r.json()["message"]["result"] is not None

	def desk_list():
		r = city.post(
			f"{url}/api/method/frappe.desk.reportview.get",
			data={
				"doctype": "Case Application",
				"fields": json.dumps(["name", "case_title", "district"]),
				"page_length": 20,
			},
			timeout=60,
		)
		r.raise_for_status()

	def summary_job():
		r = city.post(
			f"{url}/api/method/case_selection.api.exports.enqueue_city_summary",
			data={"round": data["round"]},
			timeout=60,
		)
		r.raise_for_status()
		job = r.json()["message"]["job"]
		# The test site's queues are its own (scripts/test.sh): a worker of the bench's other sites (a demo's,
		# left running) does not take the job. The check waits for the job's end, whoever runs it.
		worker = start_worker(args.site)
		try:
			deadline = time.monotonic() + 300
			while True:
				doc = city.get(f"{url}/api/resource/Case Export Job/{job}", timeout=30).json()["data"]
				if doc["status"] in ("Completed", "Failed") or time.monotonic() > deadline:
					break
				time.sleep(0.5)
		finally:
			stop_worker(worker)
		if doc["status"] != "Completed":
			problems.append(f"city summary job {job}: {doc['status']} {doc.get('error') or ''}"[:300])

	def summary_download():
		r = city.get(
			f"{url}/api/method/case_selection.api.exports.city_summary_xlsx",
			params={"round": data["round"]},
			timeout=120,
		)
		r.raise_for_status()

	def lookup_report():
		r = city.post(
			f"{url}/api/method/frappe.desk.query_report.run",
			json={"report_name": "Selected Unit Lookup", "filters": {"uscc": data["lookup_uscc"]}},
			timeout=60,
		)
		r.raise_for_status()
		assert r.json()["message"]["result"], "入选单位查询 found nothing"

	def lookup_api():
		r = city.get(
			f"{url}/api/method/case_selection.api.lookup.selected_units",
			params={"uscc": data["lookup_uscc"]},
			timeout=60,
		)
		r.raise_for_status()
		assert r.json()["message"]["count"] == 1, r.text[:300]

	measure("签核历程 report (query_report.run)", history)
	measure("入选单位查询 report (query_report.run)", lookup_report)
	measure("入选单位查询 REST (lookup.selected_units)", lookup_api)
	measure("Case Application list (reportview.get)", desk_list)
	measure("city summary xlsx, RQ job", summary_job)
	measure("city summary xlsx, download", summary_download)

	# Writes: an edit and a comment, as Administrator, through the REST API.
	q(primary, "truncate table mysql.general_log")
	q(replica, "truncate table mysql.general_log")
	marker = f"replica check {time.time():.0f}"
	admin.put(
		f"{url}/api/resource/Case Application/{data['draft']}", json={"keywords": marker}, timeout=60
	).raise_for_status()
	admin.post(
		f"{url}/api/resource/Comment",
		json={
			"comment_type": "Comment",
			"reference_doctype": "Case Application",
			"reference_name": data["draft"],
			"content": marker,
		},
		timeout=60,
	).raise_for_status()
	time.sleep(0.5)
	primary_writes = [s for s in statements(primary, db_user) if WRITE.search(s)]
	replica_writes = [s for s in statements(replica, db_user) if WRITE.search(s)]
	logging((primary, replica), False)
	catch_up(primary, replica)
	replicated = q(
		replica,
		f"select keywords from `{db_user}`.`tabCase Application` where name = %s",
		(data["draft"],),
	)

	print("| request | data-table statements on the primary | on the replica |\n| --- | ---: | ---: |")
	for label, (p, r, sample) in reads.items():
		print(f"| {label} | {p} | {r} |")
		if p:
			problems.append(f"{label}: {p} statements on the primary, e.g. {sample}")
		if not r:
			problems.append(f"{label}: no statement reached the replica")
	print(
		f"\nwrites (edit + comment): {len(primary_writes)} write statements on the primary, {len(replica_writes)} on the replica"
	)
	print(f"replicated edit visible on the replica: {bool(replicated and replicated[0][0] == marker)}")
	if not primary_writes:
		problems.append("the writes did not reach the primary")
	if replica_writes:
		problems.append(f"{len(replica_writes)} write statements reached the replica: {replica_writes[:2]}")
	if not (replicated and replicated[0][0] == marker):
		problems.append("the edit did not replicate to the replica")
	if problems:
		print("\nREPLICA CHECK FAILED:\n- " + "\n- ".join(problems))
		sys.exit(1)
	print("\nreplica check: reads on the replica only, writes on the primary only")


def main():
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	sub = parser.add_subparsers(dest="cmd", required=True)
	p = sub.add_parser("prepare")
	p.add_argument("--site", required=True)
	r = sub.add_parser("run")
	for a in ("--site", "--url", "--data", "--db-root-password"):
		r.add_argument(a, required=True)
	r.add_argument("--primary-port", type=int, default=3306)
	r.add_argument("--replica-port", type=int, default=3307)
	r.add_argument("--admin-password", default="admin")
	args = parser.parse_args()
	prepare(args.site) if args.cmd == "prepare" else run(args)


if __name__ == "__main__":
	main()
