"""Run one queued job of the test site as an RQ worker would, in a process of its own.

scripts/test.sh gives the test site queues of its own (`bench_id` in its site config), which no worker of the
bench's other sites reads: the tests run their site's jobs themselves, each its own job and nothing else.
Not `bench worker --burst`: that worker reads the bench's queues (common config), and would first work off
whatever they hold.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile

import frappe

RUN_ONE_JOB = """
import sys
import frappe
from frappe.utils.background_jobs import get_job
from rq import Queue

frappe.init(site=sys.argv[1])
job = get_job(sys.argv[2])
if job is not None and job.get_status() == "queued":
	Queue(job.origin, connection=job.connection).remove(job)  # off its queue first: nobody else runs it too
	job.perform()  # Frappe's execute_job, as a worker runs it: its own connection, commit, error log
	job.delete()
"""


def run_job(job_id: str) -> None:
	"""The job `job_id` (Frappe's id, without the site) if it is still queued; nothing if it is not (run
	already, or taken by a worker of the site)."""
	bench = frappe.utils.get_bench_path()
	r = subprocess.run(
		[os.path.join(bench, "env", "bin", "python"), "-c", RUN_ONE_JOB, frappe.local.site, job_id],
		cwd=os.path.join(bench, "sites"),
		capture_output=True,
		text=True,
		timeout=600,
	)
	if r.returncode:
		raise AssertionError(f"the job {job_id} failed:\n{r.stderr[-4000:]}")


RUN_ONE_JOB_AS_WORKER = """
import sys
import frappe
from rq import Queue, SimpleWorker
from rq.job import Job

frappe.init(site=sys.argv[1])
from frappe.utils.background_jobs import get_redis_conn

conn = get_redis_conn()
job = Job.fetch(sys.argv[2], connection=conn)
queue = Queue(job.origin, connection=conn)
queue.remove(job)  # off its queue first: nobody else runs it too
worker = SimpleWorker([queue], connection=conn)
worker.register_birth()
try:
	print("finished" if worker.perform_job(job, queue) else "failed")  # RQ's own success and failure handling
finally:
	worker.register_death()
"""


def closed_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]  # free once closed: a connection to it is refused


def run_as_worker(rq_job_id: str, database_down: bool = False, sites: tuple[str, ...] = ()) -> str:
	"""The queued RQ job `rq_job_id` (RQ's id, "<site>::<id>") run by a real RQ worker, with RQ's own handling
	of success and failure (a failed job lands in the failed-job registry with its traceback). With
	`database_down` the database is unreachable for it: the worker runs from a copy of the sites folder whose
	site configs (this site's, and `sites`) point at a port nobody listens on, so the job's connection is
	refused (pymysql 2003) as during a MariaDB restart. Returns "finished" or "failed"."""
	bench_sites = os.path.join(frappe.utils.get_bench_path(), "sites")
	with tempfile.TemporaryDirectory(prefix="case-worker-") as tmp:
		cwd = bench_sites
		if database_down:
			cwd, port = os.path.join(tmp, "sites"), closed_port()
			os.makedirs(os.path.join(tmp, "logs"))  # Frappe logs to the sites folder's ../logs
			os.makedirs(cwd)
			for name in ("apps.txt", "common_site_config.json"):
				shutil.copy(os.path.join(bench_sites, name), cwd)
			for site in (frappe.local.site, *sites):
				config = dict(frappe.get_site_config())
				config.update({"db_host": "127.0.0.1", "db_port": port})
				os.makedirs(os.path.join(cwd, site, "logs"))  # and to the site's logs
				with open(os.path.join(cwd, site, "site_config.json"), "w") as fh:
					json.dump(config, fh)
		r = subprocess.run(
			[
				os.path.join(frappe.utils.get_bench_path(), "env", "bin", "python"),
				"-c",
				RUN_ONE_JOB_AS_WORKER,
				frappe.local.site,
				rq_job_id,
			],
			cwd=cwd,
			capture_output=True,
			text=True,
			timeout=120,
		)
	if r.returncode:
		raise AssertionError(f"the worker for {rq_job_id} did not run:\n{r.stderr[-4000:]}")
	return r.stdout.strip().splitlines()[-1]
