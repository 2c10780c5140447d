"""Background (RQ) jobs each kind of request creates (issue 20, item 5): figures, not a test.

In-process on a connected site, through the code a user's request runs (apply_workflow, the co-signing service,
the district list's methods, Desk's Assign To, the city's expert assignment), as the user who acts, with the
app's request-time replacements installed as a web request has them (hooks.before_request): one applicant
submission, each of the three co-signatures of a case, a district list assembled, co-signed and submitted to the
city, an Assign To of a case to two users and an expert's assignment. Each action is committed and the site's
jobs read from Redis before and after it (case_selection/tests/job_counts.py: ids "<site>::…", kept after a
worker ran them), so the figures hold with the site's workers running (`make prod`) or not. `--frappe-way` runs
the same actions with Frappe's own one-job-per-call Desk notifications, for the figures before the change.

From the bench's sites folder:

    ../env/bin/python ../apps/case_selection/tests/benchmarks/bench_jobs.py --site SITE [--frappe-way] [--drop-jobs]

or from Python, on a connected site: `bench_jobs.section()` → the markdown (before and now, queued jobs
removed), or `bench_jobs.measure()` → [{action, jobs, methods, queued, ids}] and `bench_jobs.render(rows)`. --drop-jobs removes the jobs it made that are still queued (a site
no worker reads); without it they stay for the site's workers. Its data (rounds JOBS_YEAR and the one before, users *.jobs@test.local)
is replaced at the next run.
"""

import argparse

import frappe

JOBS_YEAR = 2071
DISTRICT = "渝中区"
CASE, LIST = "Case Application", "District Recommendation List"


def connect(site: str):
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")


def measure(year: int = JOBS_YEAR, coalesce: bool = True, counter=None) -> list[dict]:
	"""Performs the actions on round `year` (made afresh) and returns, per action, the jobs it queued."""
	from frappe.desk.form.assign_to import add  # deferred: Frappe's modules once connected

	from case_selection.access.actors import as_user  # deferred: the app's modules once connected
	from case_selection.tests import flow  # deferred: the app's modules once connected
	from case_selection.tests.factories import (  # deferred: as above
		clear_round,
		make_application,
		make_round,
		make_user,
	)
	from case_selection.tests.job_counts import Counter, as_in_production  # deferred: as above

	round_name = str(year)
	frappe.set_user("Administrator")
	clear_round(round_name)
	make_round(year, public_notice_days=0)
	district = flow.District(DISTRICT, "jobs")
	city = flow.City("jobs")
	owner = make_user("owner.jobs@test.local", ["Case Applicant"])
	expert = make_user("expert.jobs@test.local", ["Case Expert"])
	helpers = [make_user(f"assignee{i}.jobs@test.local", ["City Case Manager"]) for i in (1, 2)]
	c = counter or Counter()
	start = len(c.rows)
	with as_in_production(coalesce=coalesce):
		for fn in frappe.get_hooks("before_request"):  # as a web request: the app's replacements installed
			if coalesce or not fn.endswith("notification_log.install"):
				frappe.get_attr(fn)()
		names = [
			c.measure(
				"applicant creates a case",
				lambda: (
					make_application(
						as_user=owner, seed=710000, round=round_name, case_title="作业计数0"
					).name
				),
			),
			make_application(as_user=owner, seed=710001, round=round_name, case_title="作业计数1").name,
		]
		c.measure("applicant saves the case", lambda: as_user(owner, lambda: save(names[0])))
		c.measure("applicant attaches a file", lambda: as_user(owner, lambda: attach(names[0])))
		c.measure(
			"applicant submission (Submit to District)",
			lambda: flow.act(owner, CASE, names[0], "Submit to District"),
		)
		flow.act(owner, CASE, names[1], "Submit to District")
		for key, label in (("jx", "first"), ("kj", "second"), ("jy", "third, completing")):
			c.measure(
				f"co-signature of a case ({label})",
				lambda key=key: district.sign(CASE, names[0], keys=(key,)),
			)
		district.sign(CASE, names[1])
		lst = c.measure(
			"district list assembled (co-signing opens)", lambda: district.make_list(round_name, names)
		)
		c.measure("co-signature of the list (first)", lambda: district.sign(LIST, lst, keys=("jx",)))
		district.sign(LIST, lst, keys=("kj", "jy"))
		c.measure("district list submitted to the city", lambda: district.submit_list(lst))
		city.receive(lst)
		c.measure(
			"Assign To (Desk) of a case to two users",
			lambda: add({"doctype": CASE, "name": names[0], "assign_to": helpers, "description": "请复核"}),
		)
		city.to_review(names[0])
		c.measure("expert assigned to a case", lambda: city.assign(names[0], expert))
	frappe.db.commit()
	return c.rows[start:]


def save(name: str):
	doc = frappe.get_doc(CASE, name)
	doc.keywords = "作业；保存"
	doc.save()


def attach(name: str):
	"""A private file attached to the case, as upload_file saves it."""
	return (
		frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "证明材料.pdf",
				"attached_to_doctype": CASE,
				"attached_to_name": name,
				"is_private": 1,
				"content": b"%PDF-1.4\n" + b"0" * 2000,
			}
		)
		.insert()
		.name
	)


def short(method: str) -> str:
	return (
		method.rsplit(".", 1)[-1] if method.startswith("frappe.") else method.replace("case_selection.", "")
	)


def render(rows: list[dict], before: list[dict] | None = None) -> str:
	was = {r["action"]: r for r in before or []}
	head = "| action | RQ jobs | jobs | short / default / long |"
	if before:
		head = "| action | RQ jobs before | RQ jobs now | jobs now | short / default / long |"
	lines = [head, "| --- | " + "---: | " * (2 if before else 1) + "--- | --- |"]
	for r in rows:
		methods = ", ".join(f"`{short(m)}`" for m in r["methods"]) or "—"
		q = r["queued"]
		counts = f"{was[r['action']]['jobs']} | {r['jobs']}" if before else f"{r['jobs']}"
		lines.append(
			f"| {r['action']} | {counts} | {methods} | {q['short']} / {q['default']} / {q['long']} |"
		)
	return "\n".join(lines) + "\n"


def section(frappe_way: bool = True, drop_jobs: bool = True) -> str:
	"""The markdown of the figures, on a connected site (for bench_flow.py / make bench-report): the actions
	measured (and first the old way, frappe_way), the jobs they left still queued removed (drop_jobs: a site no
	worker reads would keep them)."""
	from case_selection.tests.job_counts import Counter  # deferred: the app's modules once connected

	counter = Counter()
	before = measure(JOBS_YEAR - 1, coalesce=False, counter=counter) if frappe_way else None
	rows = measure(counter=counter)
	text = f"### Background jobs per request (`bench_jobs.py`, site {frappe.local.site})\n\n"
	if before:
		text += (
			"Before: Frappe's Desk notifications, one job per call, and the similarity check its own job; now: one "
			"job per transaction, the similarity check of a case handed in inside it.\n\n"
		)
	text += render(rows, before)
	if drop_jobs:
		text += f"\n{counter.drop_queued()} job(s) still queued were removed.\n"
	frappe.db.commit()
	return text


def main():
	p = argparse.ArgumentParser()
	p.add_argument("--site", required=True)
	p.add_argument("--frappe-way", action="store_true", help="also measure the way before (Frappe's own)")
	p.add_argument("--drop-jobs", action="store_true", help="remove the jobs made that are still queued")
	a = p.parse_args()
	connect(a.site)
	try:
		print(section(a.frappe_way, a.drop_jobs))
	finally:
		frappe.db.commit()
		frappe.destroy()


if __name__ == "__main__":
	main()
