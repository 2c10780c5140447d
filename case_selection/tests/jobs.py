"""Run one queued job of the test site as an RQ worker would, in a process of its own.

scripts/test.sh gives the test site queues of its own (`bench_id` in its site config), which no worker of the
bench's other sites reads: the tests run their site's jobs themselves, each its own job and nothing else.
Not `bench worker --burst`: that worker reads the bench's queues (common config), and would first work off
whatever they hold.
"""

import os
import subprocess

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
