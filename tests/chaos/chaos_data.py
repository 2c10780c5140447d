"""Data of `make chaos` (scripts/chaos.sh), read and written in-process on the chaos site as the bench user.

    chaos_data.py prepare --site SITE --out data.json    # the load test's users and pools, plus one list per
                                                          # district ready to be sent, and a draft to attach to
    chaos_data.py verify-signing --site SITE --ack ack.json
    chaos_data.py verify-lists --site SITE --ack ack.json
    chaos_data.py verify-import --site SITE --import NAME --rows N

Each verify prints one JSON object: what was acknowledged, what is stored, and `problems` (empty when no
acknowledged write was lost and no record is half-written).
"""

import argparse
import json
import os
import sys

import frappe

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "load"))

import load_data  # the load test's users and co-signing pools

CASE = "Case Application"
LIST = "District Recommendation List"
AGREE = "同意推荐"
CHAOS_TAG = "故障演练"


def as_user(user: str, fn, *args, **kw):
	frappe.set_user(user)
	try:
		return fn(*args, **kw)
	finally:
		frappe.set_user("Administrator")


def sign_all(doctype: str, name: str, officers: dict):
	from case_selection.api.cosigning import cosign

	for key in ("jx", "kj", "jy"):
		as_user(officers[key], cosign, doctype, name, AGREE, "")


def prepare_lists(round_name: str, officers: dict, districts: list[str]) -> dict:
	"""Per district: a fresh case co-signed by its three departments, on a list they co-signed too, which the
	district's lead (经信) has only to send. The previous run's chaos cases and lists go first."""
	from frappe.model.workflow import apply_workflow

	from case_selection.access.system_write import system_write
	from case_selection.tests.factories import delete_application, make_application

	for name in frappe.get_all(CASE, filters={"case_title": ("like", f"{CHAOS_TAG}%")}, pluck="name"):
		delete_application(name)  # the previous run's lists, draft and imported cases
	for name in frappe.get_all("Data Import", filters={"reference_doctype": CASE}, pluck="name"):
		frappe.delete_doc("Data Import", name, force=True, ignore_permissions=True)
	with system_write():
		for name in frappe.get_all(LIST, filters={"round": round_name}, pluck="name"):
			frappe.delete_doc(LIST, name, force=True, ignore_permissions=True)
	frappe.db.commit()
	lists = {}
	for i, district in enumerate(districts):
		app = make_application(
			seed=700_000 + i, round=round_name, district=district, case_title=f"{CHAOS_TAG}{district}"
		)
		apply_workflow(frappe.get_doc(CASE, app.name), "Submit to District")
		sign_all(CASE, app.name, officers[district])

		def make_list(district=district, name=app.name):
			return frappe.get_doc(
				{"doctype": LIST, "round": round_name, "district": district, "items": [{"application": name}]}
			).insert()

		lst = as_user(officers[district]["jx"], make_list)
		sign_all(LIST, lst.name, officers[district])
		frappe.db.commit()
		lists[district] = {"list": lst.name, "cases": [app.name], "lead": officers[district]["jx"]}
	return lists


def cmd_prepare(args):
	from case_selection.tests.factories import make_application

	class Out:
		out = args.out + ".load"
		site = args.site

	load_data.cmd_prepare(Out)  # users, pools (reset), open round; it closes the connection
	with open(Out.out) as fh:
		data = json.load(fh)
	load_data.connect(args.site)
	frappe.local.conf.throttle_user_limit = 1000
	data["lists"] = prepare_lists(data["open_round"], data["officers"], data["districts"])
	meta = frappe.get_meta(CASE)
	data["declaration_labels"] = [meta.get_label(f) for f in data["declarations"]]
	applicant = data["applicants"][0]
	draft = as_user(
		applicant,
		lambda: make_application(
			as_user=applicant, seed=799_999, round=data["open_round"], case_title=f"{CHAOS_TAG}附件上传"
		),
	)
	frappe.db.commit()
	data["draft"] = {"name": draft.name, "owner": applicant}
	with open(args.out, "w") as fh:
		json.dump(data, fh, ensure_ascii=False)
	print(json.dumps({"lists": len(data["lists"]), "draft": draft.name}, ensure_ascii=False))
	frappe.destroy()


def request_roles(name: str) -> dict[str, set[str]]:
	"""Open co-signing requests (ToDo) of a case: role → users."""
	out: dict[str, set[str]] = {}
	for t in frappe.get_all(
		"ToDo",
		filters={"reference_type": CASE, "reference_name": name, "status": "Open"},
		fields=["allocated_to", "role"],
	):
		out.setdefault(t.role or "", set()).add(t.allocated_to)
	return out


def cmd_verify_signing(args):
	"""Every acknowledged signature is stored once; each signed case agrees with itself: its state with its
	opinions, one 签核历程 row per signature, open requests only for departments that have not signed."""
	load_data.connect(args.site)
	with open(args.ack) as fh:
		acked = [tuple(a) for a in json.load(fh)["opinions"]]
	cases = sorted({a[0] for a in acked} | set(args.cases or []))
	round_name = frappe.db.get_value(CASE, cases[0], "round") if cases else None
	departments = frappe.get_doc("Selection Round", round_name).cosign_departments if round_name else []
	role_of = {d.department: d.role for d in departments}
	problems, kept, twice, half = [], 0, 0, []
	for name in cases:
		ops = frappe.get_all(
			"Case Cosign Opinion",
			filters={"reference_doctype": CASE, "reference_name": name},
			fields=["department", "signer", "opinion"],
		)
		signers = {(name, o.signer) for o in ops}
		kept += sum(1 for a in acked if a[0] == name and a in signers)
		logs = frappe.get_all(
			"Case Action Log",
			filters={"reference_doctype": CASE, "reference_name": name, "action": "Co-signed by {0}: {1}"},
			fields=["action", "owner"],
		)
		per_signer: dict[str, int] = {}
		for log in logs:
			per_signer[log.owner] = per_signer.get(log.owner, 0) + 1
		twice += sum(1 for c in per_signer.values() if c > 1)
		state = frappe.db.get_value(CASE, name, "workflow_state")
		signed = {o.department for o in ops}
		all_agree = len(ops) == len(departments) and all(o.opinion == AGREE for o in ops)
		open_roles = request_roles(name)
		reasons = []
		if all_agree != (state == "Recommended"):
			reasons.append(f"state {state} with {len(ops)} opinions")
		if len(logs) != len(ops):
			reasons.append(f"{len(logs)} 签核历程 rows for {len(ops)} opinions")
		stale = [r for r in open_roles if r in {role_of[d] for d in signed}]
		if stale or (all_agree and open_roles):
			reasons.append(f"open requests for departments that signed: {sorted(open_roles)}")
		if not all_agree and [d for d in role_of if d not in signed and role_of[d] not in open_roles]:
			reasons.append("a department that has not signed has no request")
		if reasons:
			half.append((name, reasons))
	missing = len(acked) - kept
	if missing:
		problems.append(f"{missing} acknowledged signatures missing")
	if twice:
		problems.append(f"{twice} signatures recorded twice")
	if half:
		problems.append(f"{len(half)} cases half-moved, e.g. {half[:3]}")
	print(
		json.dumps(
			{
				"acknowledged": len(acked),
				"kept": kept,
				"signed_twice": twice,
				"cases": len(cases),
				"half_written": len(half),
				"problems": problems,
			},
			ensure_ascii=False,
		)
	)
	frappe.destroy()


def cmd_verify_lists(args):
	"""Each list moved all its cases or none; every acknowledged submission is stored."""
	load_data.connect(args.site)
	with open(args.ack) as fh:
		ack = json.load(fh)
	data = json.load(open(args.data))
	problems, half, submitted = [], [], 0
	for info in data["lists"].values():
		status = frappe.db.get_value(LIST, info["list"], "status")
		states = {frappe.db.get_value(CASE, n, "workflow_state") for n in info["cases"]}
		sent = status == "Submitted to City"
		submitted += sent
		if sent and states != {"Submitted to City"}:
			half.append((info["list"], status, sorted(states)))
		if not sent and states != {"Recommended"}:
			half.append((info["list"], status, sorted(states)))
		if info["list"] in ack.get("lists", []) and not sent:
			problems.append(f"acknowledged submission of {info['list']} not stored")
	if half:
		problems.append(f"{len(half)} lists half-moved, e.g. {half[:3]}")
	print(
		json.dumps(
			{
				"lists": len(data["lists"]),
				"acknowledged": len(ack.get("lists", [])),
				"submitted": submitted,
				"half_written": len(half),
				"problems": problems,
			},
			ensure_ascii=False,
		)
	)
	frappe.destroy()


def cmd_verify_import(args):
	"""What went in is what the import's log says went in, each row once."""
	load_data.connect(args.site)
	imported = frappe.get_all(CASE, filters={"case_title": ("like", f"{CHAOS_TAG}导入%")}, pluck="case_title")
	logs = frappe.get_all(
		"Data Import Log", filters={"data_import": args.data_import, "success": 1}, pluck="docname"
	)
	status = frappe.db.get_value("Data Import", args.data_import, "status")
	problems = []
	if len(imported) != len(set(imported)):
		problems.append(f"{len(imported) - len(set(imported))} rows imported twice")
	if len(set(logs)) != len(imported):
		problems.append(f"the log says {len(set(logs))} rows went in, the table holds {len(imported)}")
	print(
		json.dumps(
			{
				"rows": args.rows,
				"imported": len(imported),
				"logged": len(set(logs)),
				"status": status,
				"problems": problems,
			},
			ensure_ascii=False,
		)
	)
	frappe.destroy()


def cmd_outage_jobs(args):
	"""Frappe's jobs of this site the sweeper ran again after the database was away (jobs.recovery), by method,
	and those still in RQ's failed registry with that cause (finished jobs are kept 10 minutes)."""
	from frappe.utils.background_jobs import get_queue, get_queues_timeout
	from rq.job import Job
	from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

	from case_selection.jobs import recovery

	load_data.connect(args.site)
	requeued = {}
	still_failed = {}
	for qtype in get_queues_timeout():
		queue = get_queue(qtype)
		registries = (
			(FailedJobRegistry(queue=queue), still_failed),
			(FinishedJobRegistry(queue=queue), None),
			(StartedJobRegistry(queue=queue), None),
			(queue, None),
		)
		for registry, into in registries:
			ids = registry.get_job_ids()
			for job in Job.fetch_many(ids, connection=queue.connection):
				if job is None or (job.kwargs or {}).get("site") != args.site:
					continue
				method = recovery.method_of(job) or "?"
				if job.meta.get(recovery.REQUEUES_KEY):
					requeued[method] = requeued.get(method, 0) + 1
				if (
					into is not None
					and method in recovery.RECOVERABLE  # the app's own jobs are recovered from their rows
					and recovery.OUTAGE.search(job.exc_info or "")
				):
					into[method] = into.get(method, 0) + 1
	print(json.dumps({"requeued": requeued, "still_failed": still_failed}, ensure_ascii=False))
	frappe.destroy()


def cmd_collection(args):
	"""A Case Collection of N cases of round 2025 (a casebook to generate while a worker is killed)."""
	load_data.connect(args.site)
	names = frappe.get_all(
		CASE,
		filters={"round": "2025", "name": ("<", "CA-2025-90001")},
		pluck="name",
		order_by="name asc",
		limit=args.cases,
	)
	coll = frappe.get_doc(
		{"doctype": "Case Collection", "round": "2025", "title": f"{CHAOS_TAG}案例集（{len(names)} 例）"}
	)
	for n in names:
		coll.append("cases", {"application": n})
	coll.insert()
	frappe.db.set_value("Case Export Job", {"status": ("in", ("Queued", "Running"))}, "status", "Failed")
	frappe.db.commit()
	print(json.dumps({"collection": coll.name, "cases": len(names)}, ensure_ascii=False))
	frappe.destroy()


def cmd_export_files(args):
	"""What an export job left: the file it names (whole: an xlsx opens as a zip, a PDF ends with %%EOF), and every
	File made for it since it was queued (on the job, or for a casebook on its collection): more than one is a
	half-written or duplicate output."""
	load_data.connect(args.site)
	job = frappe.get_doc("Case Export Job", args.job)
	owner = (
		("Case Collection", job.case_collection) if job.job_type == "Casebook" else (job.doctype, job.name)
	)
	made = frappe.get_all(
		"File",
		filters={
			"attached_to_doctype": owner[0],
			"attached_to_name": owner[1],
			"creation": (">=", job.creation),
		},
		pluck="name",
	)
	whole = 0
	if job.file and frappe.db.exists("File", {"file_url": job.file}):
		content = frappe.get_doc("File", {"file_url": job.file}).get_content()
		content = content.encode() if isinstance(content, str) else content
		whole = int(content.startswith(b"PK") or content.rstrip().endswith(b"%%EOF"))
	print(
		json.dumps(
			{
				"files": len(made),
				"whole": whole,
				"status": job.status,
				"attempts": job.attempts,
				"error": job.error,
			},
			ensure_ascii=False,
			default=str,
		)
	)
	frappe.destroy()


def cmd_upload_check(args):
	"""After a refused upload: no File record of that name, the case's field still empty."""
	load_data.connect(args.site)
	files = frappe.get_all(
		"File", filters={"file_name": ("like", f"{args.file_name.rsplit('.', 1)[0]}%")}, pluck="name"
	)
	value = frappe.db.get_value(CASE, args.case, "signed_form_scan")
	print(json.dumps({"file_records": len(files), "field": value}, ensure_ascii=False))
	frappe.destroy()


def main():
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	sub = parser.add_subparsers(dest="cmd", required=True)
	p = sub.add_parser("prepare")
	p.add_argument("--out", required=True)
	v = sub.add_parser("verify-signing")
	v.add_argument("--ack", required=True)
	v.add_argument("--cases", nargs="*")
	v = sub.add_parser("verify-lists")
	v.add_argument("--ack", required=True)
	v.add_argument("--data", required=True)
	v = sub.add_parser("verify-import")
	v.add_argument("--data-import", required=True)
	v.add_argument("--rows", type=int, default=300)
	sub.add_parser("outage-jobs")
	v = sub.add_parser("collection")
	v.add_argument("--cases", type=int, default=100)
	v = sub.add_parser("export-files")
	v.add_argument("--job", required=True)
	v = sub.add_parser("upload-check")
	v.add_argument("--case", required=True)
	v.add_argument("--file-name", required=True)
	for s in sub.choices.values():
		s.add_argument("--site", required=True)
	args = parser.parse_args()
	{
		"prepare": cmd_prepare,
		"verify-signing": cmd_verify_signing,
		"verify-lists": cmd_verify_lists,
		"verify-import": cmd_verify_import,
		"outage-jobs": cmd_outage_jobs,
		"collection": cmd_collection,
		"export-files": cmd_export_files,
		"upload-check": cmd_upload_check,
	}[args.cmd](args)


if __name__ == "__main__":
	main()
