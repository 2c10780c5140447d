"""Backup that restores (issue 12): the evidence that `bench backup --with-files` → `bench restore` into a
fresh site gives back every record, opinion, history row and attachment, and the same 附件1.

Run by scripts/backup_check.sh from the bench's sites folder with the bench's Python:

    restore_check.py prepare     --site SITE            # data that must survive (idempotent)
    restore_check.py fingerprint --site SITE --out F    # what the site holds, as JSON
    restore_check.py compare A B                        # exit 1 on any difference, with what differs

A fingerprint holds, for every DocType of the app (child tables included) and the Frappe records the app
relies on (users, roles, user permissions, workflow, files, versions, comments): the row count and a hash of
each row; for every File: the SHA-256 of its bytes on disk (and whether it matches Frappe's own content
hash); for the 附件1 of the applications that have co-sign opinions: the text of the PDF, as poppler reads it.
"""

import argparse
import hashlib
import json
import os
import sys

import frappe

CORE_DOCTYPES = (
	"User",
	"Has Role",
	"User Permission",
	"Workflow",
	"Workflow Transition",
	"Workflow Document State",
	"File",
	"Version",
	"Comment",
)
ANNEX1 = "附件1 申报书"
ANNEX1_SAMPLES = 3
MARK = "备份恢复测试"


def connect(site: str):
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")


def app_doctypes() -> list[str]:
	return frappe.get_all(
		"DocType",
		filters={"module": "Case Selection", "issingle": 0, "is_virtual": 0},
		pluck="name",
		order_by="name",
	)


def row_hashes(doctype: str) -> dict[str, str]:
	rows = frappe.db.sql(
		f"select * from `tab{doctype}`", as_dict=True
	)  # doctype names from the DocType table
	return {
		str(r["name"]): hashlib.sha256(json.dumps(r, sort_keys=True, default=str).encode()).hexdigest()
		for r in rows
	}


def file_hashes() -> dict[str, dict]:
	out = {}
	for f in frappe.get_all(
		"File", filters={"is_folder": 0}, fields=["name", "file_url", "is_private", "content_hash"]
	):
		if not f.file_url or f.file_url.startswith("http"):
			continue
		path = (
			frappe.get_site_path(f.file_url.lstrip("/"))
			if f.is_private
			else frappe.get_site_path("public", f.file_url.lstrip("/"))
		)
		try:
			with open(path, "rb") as fh:
				data = fh.read()
		except OSError:
			out[f.name] = {"url": f.file_url, "private": f.is_private, "sha256": None}
			continue
		out[f.name] = {
			"url": f.file_url,
			"private": f.is_private,
			"sha256": hashlib.sha256(data).hexdigest(),
			"matches_content_hash": (not f.content_hash) or f.content_hash == hashlib.md5(data).hexdigest(),
		}
	return out


def annex1_texts() -> dict[str, str]:
	from case_selection.export.pdf import render_pdf
	from case_selection.tests.output_data import pdf_text

	names = frappe.get_all(
		"Case Cosign Opinion",
		filters={"reference_doctype": "Case Application"},
		pluck="reference_name",
		order_by="reference_name asc",
		distinct=True,
		limit=ANNEX1_SAMPLES,
	)
	return {n: pdf_text(render_pdf(frappe.get_doc("Case Application", n), ANNEX1)) for n in names}


def cmd_fingerprint(args):
	connect(args.site)
	tables = {dt: row_hashes(dt) for dt in [*app_doctypes(), *CORE_DOCTYPES]}
	data = {"site": args.site, "tables": tables, "files": file_hashes(), "annex1": annex1_texts()}
	with open(args.out, "w") as fh:
		json.dump(data, fh, ensure_ascii=False, indent=0)
	private = sum(1 for f in data["files"].values() if f["private"])
	print(
		f"{args.site}: {sum(len(v) for v in tables.values())} rows in {len(tables)} tables, "
		f"{len(data['files'])} files ({private} private), 附件1 of {len(data['annex1'])} applications"
	)
	frappe.destroy()


def cmd_compare(args):
	with open(args.a) as fh:
		a = json.load(fh)
	with open(args.b) as fh:
		b = json.load(fh)
	problems = []
	print(f"| table | {a['site']} | {b['site']} | same |\n| --- | ---: | ---: | --- |")
	for dt in sorted(set(a["tables"]) | set(b["tables"])):
		ra, rb = a["tables"].get(dt, {}), b["tables"].get(dt, {})
		same = ra == rb
		print(f"| {dt} | {len(ra)} | {len(rb)} | {'yes' if same else 'NO'} |")
		if not same:
			missing = sorted(set(ra) - set(rb))
			changed = sorted(n for n in set(ra) & set(rb) if ra[n] != rb[n])
			extra = sorted(set(rb) - set(ra))
			problems.append(f"{dt}: missing {missing[:5]}, changed {changed[:5]}, extra {extra[:5]}")
	fa, fb = a["files"], b["files"]
	for name, f in fa.items():
		if f["sha256"] is None:
			problems.append(f"file {f['url']} is missing on {a['site']} itself")
		elif fb.get(name, {}).get("sha256") != f["sha256"]:
			problems.append(
				f"file {f['url']}: {'missing' if name not in fb or not fb[name]['sha256'] else 'different bytes'} after restore"
			)
		elif not fb[name]["matches_content_hash"]:
			problems.append(f"file {f['url']}: bytes do not match its content hash after restore")
	private = [f for f in fa.values() if f["private"]]
	print(f"\nfiles: {len(fa)} ({len(private)} private) before, {len(fb)} after, compared by SHA-256")
	if not private:
		problems.append("no private attachment to check: the prepare step did not run")
	if not a["annex1"]:
		problems.append("no 附件1 to compare: no application with co-sign opinions")
	for name, text in a["annex1"].items():
		same = b["annex1"].get(name) == text
		print(f"附件1 {name}: {len(text)} characters, {'same text' if same else 'DIFFERENT TEXT'}")
		if not same:
			problems.append(f"附件1 of {name} renders a different text after restore")
	if problems:
		print("\nRESTORE CHECK FAILED:\n- " + "\n- ".join(problems))
		sys.exit(1)
	print("\nrestore check: every row, file and 附件1 text is the same")


def cmd_prepare(args):
	"""An application with three opinions (seals), 签核历程 rows and a private evidence attachment."""
	from case_selection.tests import output_data as od
	from case_selection.workflow.action_log import log_action

	connect(args.site)
	app = od.make_output_application(f"{MARK}案例", district="渝中区", seed=601)
	od.add_opinions("Case Application", app.name, "渝中区")
	if not frappe.db.exists("Case Action Log", {"reference_name": app.name, "action": MARK}):
		log_action(app, MARK, "Draft", "Submitted", remark=f"{MARK}：备注 <5% & '引号' “全角”")
	name = f"{MARK}-佐证.pdf"
	if not frappe.db.exists("File", {"file_name": name, "attached_to_name": app.name}):
		content = b"%PDF-1.4\n" + os.urandom(4096)  # random bytes: a restore that mangles them shows
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": name,
				"attached_to_doctype": "Case Application",
				"attached_to_name": app.name,
				"is_private": 1,
				"content": content,
			}
		).insert(ignore_permissions=True)
		# The same file as a 佐证材料 row of the application (rows are added to any state by the system).
		frappe.get_doc(
			{
				"doctype": "Case Evidence",
				"parent": app.name,
				"parenttype": "Case Application",
				"parentfield": "evidence",
				"idx": 99,
				"evidence_type": "专利",
				"title": f"{MARK}佐证",
				"file": file.file_url,
			}
		).db_insert()
	frappe.db.commit()
	print(f"prepared {app.name}")
	frappe.destroy()


def main():
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	sub = parser.add_subparsers(dest="cmd", required=True)
	p = sub.add_parser("prepare")
	p.add_argument("--site", required=True)
	f = sub.add_parser("fingerprint")
	f.add_argument("--site", required=True)
	f.add_argument("--out", required=True)
	c = sub.add_parser("compare")
	c.add_argument("a")
	c.add_argument("b")
	args = parser.parse_args()
	{"prepare": cmd_prepare, "fingerprint": cmd_fingerprint, "compare": cmd_compare}[args.cmd](args)


if __name__ == "__main__":
	main()
