"""Smoke test of the production bring-up (`make prod`), through nginx only.

    smoke.py prepare --site SMOKE_SITE                       # its data, made in-process (idempotent)
    smoke.py run --url URL --site-url PROD_URL [--admin-password P]

`run` checks, over HTTP through nginx: the production site's login page and every static asset Desk loads
(served by nginx itself: gunicorn serves no /assets), socket.io behind nginx; then on the smoke site, as a
city user (附件2 as the district): login, the list (Desk's report view), 附件1 PDF, 附件2 xlsx, the city summary and a casebook as
background jobs run by the supervised RQ workers, and their private files downloaded through nginx.
Prints one line per check and exits 1 on the first failure.
"""

import argparse
import io
import json
import re
import sys
import time

import requests

PASSWORD = "Smoke@2025"
CITY = "smoke-city@example.com"
DISTRICT = "smoke-jx@example.com"
MARK = "冒烟测试"


def prepare(site: str):
	import frappe
	from frappe.utils.password import update_password

	from case_selection.tests import output_data as od
	from case_selection.tests.factories import make_user

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	app = od.make_output_application(f"{MARK}案例一", district="渝中区", seed=701)
	other = od.make_output_application(f"{MARK}案例二", district="渝中区", code="2.1", seed=702)
	od.add_opinions("Case Application", app.name, "渝中区")
	lst = od.make_district_list("渝中区", [app, other])
	for name in (app.name, other.name):
		od.set_state(name, "Selected")
	city = make_user(CITY, ["City Case Manager"])
	district = make_user(DISTRICT, ["District Economy Officer"], "渝中区")
	for user in (city, district):
		update_password(user, PASSWORD)
	frappe.db.commit()
	print(json.dumps({"application": app.name, "title": app.case_title, "list": lst.name, "round": od.ROUND}))
	frappe.destroy()


class Smoke:
	def __init__(self):
		self.count = 0

	def check(self, what: str, ok: bool, detail: str = ""):
		self.count += 1
		print(f"{'ok ' if ok else 'FAIL'} {what}{(' — ' + detail) if detail else ''}", flush=True)
		if not ok:
			sys.exit(1)


def login(url: str, user: str, password: str) -> requests.Session:
	s = requests.Session()
	r = s.post(f"{url}/api/method/login", data={"usr": user, "pwd": password}, timeout=30)
	r.raise_for_status()
	return s


def wait_for(fetch, done, seconds: float):
	deadline = time.monotonic() + seconds
	while True:
		value = fetch()
		if done(value) or time.monotonic() > deadline:
			return value
		time.sleep(1)


def run(args):
	t = Smoke()
	data = json.loads(args.data)
	prod, url = args.site_url, args.url

	r = requests.get(f"{prod}/login", timeout=30)
	t.check(
		"production site: login page through nginx",
		r.status_code == 200 and r.headers.get("Server", "").startswith("nginx"),
		r.headers.get("Server", ""),
	)
	admin = login(prod, "Administrator", args.admin_password)
	page = admin.get(f"{prod}/app", timeout=30)
	assets = sorted(set(re.findall(r'(?:src|href)="(/assets/[^"?]+)', page.text)))
	t.check(
		"production site: Desk page lists its assets",
		page.status_code == 200 and len(assets) >= 3,
		f"{len(assets)} assets",
	)
	bad = []
	for path in assets:
		a = requests.get(f"{prod}{path}", timeout=30)
		# nginx's /assets location adds a year of caching; gunicorn does not serve /assets at all.
		if (
			a.status_code != 200
			or "max-age=31536000" not in a.headers.get("Cache-Control", "")
			or not a.content
		):
			bad.append(f"{path} {a.status_code}")
	t.check(
		"production site: every Desk asset served by nginx",
		not bad,
		", ".join(bad[:3]) or f"{len(assets)} files",
	)
	t.check(
		"production site: app asset export_jobs.js",
		any("case_selection/js/export_jobs.js" in a for a in assets),
	)
	sio = requests.get(f"{prod}/socket.io/?EIO=4&transport=polling", timeout=30)
	t.check("socket.io behind nginx", sio.status_code == 200 and sio.text.startswith("0{"), sio.text[:40])

	city = login(url, CITY, PASSWORD)
	r = city.post(
		f"{url}/api/method/frappe.desk.reportview.get",
		data={
			"doctype": "Case Application",
			"fields": json.dumps(["name", "case_title"]),
			"filters": json.dumps([["round", "=", data["round"]]]),
			"page_length": 20,
		},
		timeout=30,
	)
	names = r.json()["message"]["values"] if r.ok else []
	t.check(
		"list (report view) as the city",
		any(row[0] == data["application"] for row in names),
		f"{len(names)} rows",
	)

	r = city.get(
		f"{url}/api/method/frappe.utils.print_format.download_pdf",
		params={"doctype": "Case Application", "name": data["application"], "format": "附件1 申报书"},
		timeout=120,
	)
	t.check(
		"附件1 PDF",
		r.ok and r.content.startswith(b"%PDF") and len(r.content) > 10_000,
		f"{len(r.content)} bytes",
	)

	from openpyxl import load_workbook

	district = login(url, DISTRICT, PASSWORD)
	r = district.get(
		f"{url}/api/method/case_selection.api.exports.district_list_xlsx",
		params={"name": data["list"]},
		timeout=60,
	)
	ws = load_workbook(io.BytesIO(r.content)).active if r.ok else None
	t.check(
		"附件2 xlsx as the district",
		ws is not None and ws["A2"].value == "渝中区推荐案例名单",
		f"{r.status_code} {'' if r.ok else r.text[:120]}",
	)

	def job_doc(name):
		return city.get(f"{url}/api/resource/Case Export Job/{name}", timeout=30).json()["data"]

	r = city.post(
		f"{url}/api/method/case_selection.api.exports.enqueue_city_summary",
		data={"round": data["round"]},
		timeout=30,
	)
	job = r.json()["message"]["job"]
	doc = wait_for(lambda: job_doc(job), lambda d: d["status"] in ("Completed", "Failed"), 120)
	t.check(
		"city summary xlsx on RQ",
		doc["status"] == "Completed",
		f"{job} {doc['status']} {doc.get('error') or ''}"[:200],
	)
	f = city.get(f"{url}{doc['file']}", timeout=60)
	ws = load_workbook(io.BytesIO(f.content)).active if f.ok else None
	values = [c.value for c in ws["M"]] if ws else []
	t.check(
		"city summary file (private, through nginx)",
		data["application"] in values,
		f"{f.status_code} {len(f.content)} bytes",
	)

	r = city.post(
		f"{url}/api/resource/Case Collection",
		json={"round": data["round"], "title": f"{MARK}案例集"},
		timeout=30,
	)
	collection = r.json()["data"]["name"]
	r = city.post(
		f"{url}/api/method/run_doc_method",
		data={"dt": "Case Collection", "dn": collection, "method": "generate"},
		timeout=60,
	)
	t.check("casebook queued", r.ok, str(r.status_code) if r.ok else r.text[:200])
	coll = wait_for(
		lambda: city.get(f"{url}/api/resource/Case Collection/{collection}", timeout=30).json()["data"],
		lambda d: d["status"] in ("Generated", "Failed"),
		300,
	)
	t.check(
		"casebook generated on RQ",
		coll["status"] == "Generated",
		f"{collection} {coll['status']} {coll.get('error') or ''}"[:200],
	)
	pdf = city.get(f"{url}{coll['generated_file']}", timeout=60)
	t.check(
		"casebook PDF (private, through nginx)",
		pdf.ok and pdf.content.startswith(b"%PDF"),
		f"{len(pdf.content)} bytes",
	)
	notes = city.get(
		f"{url}/api/resource/Notification Log",
		params={
			"filters": json.dumps([["document_type", "=", "Case Export Job"]]),
			"fields": json.dumps(["subject"]),
			"limit_page_length": 5,
		},
		timeout=30,
	).json()["data"]
	t.check(
		"notifications for the finished jobs", len(notes) >= 2, "; ".join(n["subject"] for n in notes[:2])
	)
	print(f"smoke test: {t.count} checks passed")


def main():
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	sub = parser.add_subparsers(dest="cmd", required=True)
	p = sub.add_parser("prepare")
	p.add_argument("--site", required=True)
	r = sub.add_parser("run")
	r.add_argument("--url", required=True)
	r.add_argument("--site-url", required=True)
	r.add_argument("--data", required=True)
	r.add_argument("--admin-password", default="admin")
	args = parser.parse_args()
	prepare(args.site) if args.cmd == "prepare" else run(args)


if __name__ == "__main__":
	main()
