"""Data of the load test (`make load`), on the site seeded with SPEC §6's data set (tests/benchmarks).

    load_data.py prepare --site SITE --out pools.json   # users, open round, pools to sign, score, move (reset)
    load_data.py verify  --site SITE --stats stats.json # 0 lost opinions, attachments or scores, states right
    load_data.py drain   --site SITE                    # the RQ queues empty before the steps begin

Co-signing pools are the seeded Submitted cases of round 2025, per district; every run first puts back
what the previous run's load users signed (their opinions and log rows removed, the case Submitted again).
"""

import argparse
import json
import time

import frappe
from frappe.query_builder import DocType
from frappe.utils.background_jobs import get_queue, get_queue_list, get_redis_conn
from rq import Worker
from rq.registry import StartedJobRegistry

from case_selection.access.actors import expert_role
from case_selection.constants import DECLARATIONS
from case_selection.cosign import rules
from case_selection.setup.users import ensure_expert, ensure_user

ROUND = "2025"
OPEN_ROUND = 2093  # applicants write into an open round (2025's deadline has passed)
PASSWORD = "Load@2025"
DEPARTMENTS = {
	"jx": "District Economy Officer",
	"kj": "District Science Officer",
	"jy": "District Education Officer",
}
APPLICANTS = 40
CITY_USERS = 20
POOL_PER_DISTRICT = 24
EXPERTS = 30
REVIEWS_PER_EXPERT = 20
BULK_CASES = 600


def connect(site: str):
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")


def user(email: str, roles: list[str], district: str | None = None) -> str:
	return ensure_user(email, email.split("@")[0], roles, PASSWORD, district)


def reset_review_day():
	"""Undo review day: the cases load city managers moved to 市级评审中 are 市级已受理 again, the load experts' reviews
	go (with the scores they gave the cases). Before reset_pools, which removes the log rows read here."""
	log = DocType("Case Action Log")
	moved = (
		frappe.qb.from_(log)
		.select(log.reference_name)
		.where(log.owner.like("load.city.%") & (log.to_state == "Under Review"))
		.distinct()
		.run(pluck=True)
	)
	if moved:
		for doctype in (
			"Case Application",
			"Case Evaluation",
		):  # the case's row and its real state (access/sealing.py)
			t = DocType(doctype)
			frappe.qb.update(t).set(t.workflow_state, "Received").where(
				t.name.isin(moved) & (t.workflow_state == "Under Review")
			).run()
	reviewed = frappe.get_all("Case Review", {"expert": ("like", "load.expert.%")}, pluck="application")
	if reviewed:
		frappe.db.delete("Case Review", {"expert": ("like", "load.expert.%")})
		t = DocType("Case Evaluation")  # the city's record of each case (access/sealing.py)
		frappe.qb.update(t).set(t.review_score, 0).set(t.review_count, 0).where(t.name.isin(reviewed)).run()
	return len(moved), len(reviewed)


def assign_reviews(experts: list[str]) -> list:
	"""Each load expert gets REVIEWS_PER_EXPERT cases under review to score (one Case Review each, as the city's
	assign_experts makes them)."""
	cases = frappe.get_all(
		"Case Evaluation",  # the real states (access/sealing.py): a sealed case's row also reads 市级评审中
		filters={"round": ROUND, "workflow_state": "Under Review", "name": ("<", "CA-2025-90001")},
		pluck="name",
		order_by="name asc",
		limit=len(experts) * REVIEWS_PER_EXPERT,
	)
	out = []
	for i, expert in enumerate(experts):
		mine = cases[i * REVIEWS_PER_EXPERT : (i + 1) * REVIEWS_PER_EXPERT]
		reviews = [
			frappe.get_doc({"doctype": "Case Review", "application": c, "expert": expert}).insert().name
			for c in mine
		]
		out.append([expert, reviews])
	return out


def reset_pools():
	"""Undo what load users signed: opinions and log rows of load users go, their cases are Submitted again."""
	op = DocType("Case Cosign Opinion")
	signed = (
		frappe.qb.from_(op)
		.select(op.reference_name)
		.where(op.owner.like("load.%"))
		.distinct()
		.run(pluck=True)
	)
	for dt in ("Case Cosign Opinion", "Case Action Log"):
		frappe.db.delete(dt, {"owner": ("like", "load.%")})
	if signed:
		t = DocType("Case Application")
		frappe.qb.update(t).set(t.workflow_state, "Submitted").set(t.cosign_status, rules.PENDING).where(
			t.name.isin(signed)
		).run()
	return len(signed)


def cmd_prepare(args):
	from case_selection.tests.factories import make_round, valid_uscc

	connect(args.site)
	frappe.local.conf.throttle_user_limit = 1000  # this process only: Frappe allows 60 new users an hour
	moved_back, reviews_removed = reset_review_day()
	undone = reset_pools()
	make_round(OPEN_ROUND)
	districts = frappe.get_all("Case District", order_by="sort_order asc", pluck="name")
	officers = {}
	for i, district in enumerate(districts):
		for key, role in DEPARTMENTS.items():
			officers.setdefault(district, {})[key] = user(f"load.{key}.{i:02d}@load.local", [role], district)
	applicants = [user(f"load.applicant.{i:02d}@load.local", ["Case Applicant"]) for i in range(APPLICANTS)]
	city = [user(f"load.city.{i:02d}@load.local", ["City Case Manager"]) for i in range(CITY_USERS)]
	experts = assign_reviews(
		[
			ensure_expert(
				user(f"load.expert.{i:02d}@load.local", [expert_role()]), f"负载测试专家单位{i:02d}"
			)
			for i in range(EXPERTS)
		]
	)
	bulk_cases = frappe.get_all(
		"Case Application",
		filters={"round": ROUND, "workflow_state": "Received", "name": ("<", "CA-2025-90001")},
		pluck="name",
		order_by="name desc",
		limit=BULK_CASES,
	)
	pools = {}
	for district in districts:
		pools[district] = frappe.get_all(
			"Case Application",
			filters={
				"round": ROUND,
				"district": district,
				"workflow_state": "Submitted",
				"name": ("<", "CA-2025-90001"),
			},
			pluck="name",
			order_by="name asc",
			limit=POOL_PER_DISTRICT,
		)
	city_cases = frappe.get_all(
		"Case Application", filters={"round": ROUND, "workflow_state": "Received"}, pluck="name", limit=500
	)
	frappe.db.commit()
	data = {
		"usccs": [valid_uscc(800_000_000 + i) for i in range(500)],  # the check character is validated
		"password": PASSWORD,
		"round": ROUND,
		"open_round": str(OPEN_ROUND),
		"officers": officers,
		"applicants": applicants,
		"city": city,
		"districts": districts,
		"pools": pools,
		"city_cases": city_cases,
		"experts": experts,
		"bulk_cases": bulk_cases,
		# what an applicant ticks before submitting (申报承诺), as the form requires it today
		"declarations": list(DECLARATIONS),
	}
	with open(args.out, "w") as fh:
		json.dump(data, fh, ensure_ascii=False)
	print(
		f"prepared: {len(officers) * 3} officers, {len(applicants)} applicants, {len(city)} city users, "
		f"{sum(map(len, pools.values()))} cases to sign; {len(experts)} experts with "
		f"{sum(len(r) for _, r in experts)} reviews, {len(bulk_cases)} received cases for bulk actions; put back from "
		f"the previous run: {undone} signed cases, {moved_back} moved cases, {reviews_removed} reviews"
	)
	frappe.destroy()


def cmd_verify(args):
	"""Every opinion the server acknowledged is in the database, every case is in the state its opinions
	give, every acknowledged attachment is there with its bytes."""
	connect(args.site)
	with open(args.stats) as fh:
		acked = json.load(fh)
	problems = []
	opinions = [
		frappe._dict(reference_name=r[0], owner=r[1])
		for r in frappe.db.sql(
			"select reference_name, owner from `tabCase Cosign Opinion` where owner like %s", ("load.%",)
		)
	]
	have = {(o.reference_name, o.owner) for o in opinions}
	missing = [k for k in acked.get("opinions", []) if tuple(k) not in have]
	if missing:
		problems.append(f"{len(missing)} acknowledged opinions missing, e.g. {missing[:3]}")
	by_case: dict[str, int] = {}
	for o in opinions:
		by_case[o.reference_name] = by_case.get(o.reference_name, 0) + 1
	states = dict(
		frappe.get_all(
			"Case Application",
			filters={"name": ("in", list(by_case) or [""])},
			fields=["name", "workflow_state"],
			as_list=True,
		)
	)
	wrong = [n for n, c in by_case.items() if (c == 3) != (states.get(n) == "Recommended")]
	if wrong:
		problems.append(
			f"{len(wrong)} cases in the wrong state, e.g. {[(n, by_case[n], states.get(n)) for n in wrong[:3]]}"
		)
	files = acked.get("files", [])
	found = (
		set(frappe.get_all("File", filters={"file_url": ("in", files), "is_folder": 0}, pluck="file_url"))
		if files
		else set()
	)
	lost_files = [f for f in files if f not in found]
	for url in found:
		if not frappe.get_doc("File", {"file_url": url, "is_folder": 0}).get_content():
			lost_files.append(url)
	if lost_files:
		problems.append(f"{len(lost_files)} attachments lost, e.g. {lost_files[:3]}")
	# Review day: every score the server acknowledged is stored as saved, every case a bulk action was sent for
	# is under review (the action reports a case it could not move only in a message).
	reviews = dict(acked.get("reviews", []))
	stored = {
		r.name: r
		for r in frappe.get_all(
			"Case Review",
			filters={"name": ("in", list(reviews) or [""])},
			fields=["name", "status", "total_score"],
		)
	}
	bad = [
		n
		for n, total in reviews.items()
		if n not in stored or stored[n].status != "Scored" or abs(stored[n].total_score - total) > 1e-6
	]
	if bad:
		problems.append(f"{len(bad)} acknowledged scores not stored as saved, e.g. {bad[:3]}")
	moved = acked.get("moved", [])
	under_review = set(
		frappe.get_all(
			"Case Application",
			filters={"name": ("in", moved or [""]), "workflow_state": "Under Review"},
			pluck="name",
		)
	)
	not_moved = [n for n in moved if n not in under_review]
	if not_moved:
		problems.append(f"{len(not_moved)} cases of a bulk 开始评审 not under review, e.g. {not_moved[:3]}")
	result = {
		"reviews_acknowledged": len(reviews),
		"reviews_in_db": len(reviews) - len(bad),
		"moved_acknowledged": len(moved),
		"moved_in_db": len(under_review),
		"opinions_acknowledged": len(acked.get("opinions", [])),
		"requests_resent": acked.get("resent", 0),
		"opinions_in_db": len(opinions),
		"cases_signed": len(by_case),
		"cases_recommended": sum(1 for n, c in by_case.items() if c == 3 and states.get(n) == "Recommended"),
		"attachments_acknowledged": len(files),
		"attachments_lost": len(lost_files),
		"problems": problems,
	}
	print(json.dumps(result, ensure_ascii=False))
	frappe.destroy()


def queued_jobs() -> int:
	"""Jobs queued or running on this bench's RQ queues (every site's: a worker runs them all, on the same CPUs)."""
	total = 0
	for qtype in get_queue_list():
		q = get_queue(qtype)
		total += q.count + StartedJobRegistry(queue=q).count
	return total


def cmd_drain(args):
	"""Waits until the RQ queues are empty: the jobs the preparation queued (notifications of the reviews it
	assigned, …) run before the measured steps, not in them. Without a worker nothing would run them: says so."""
	connect(args.site)
	start, left = time.monotonic(), queued_jobs()
	if left and not Worker.all(connection=get_redis_conn()):
		print(f"jobs queued before the steps: {left}; no RQ worker runs them (they stay queued)")
	else:
		while left and time.monotonic() - start < args.timeout:
			time.sleep(1)
			left = queued_jobs()
		print(
			f"jobs queued before the steps: drained in {time.monotonic() - start:.0f} s"
			+ (f", {left} still queued after {args.timeout:.0f} s" if left else "")
		)
	frappe.destroy()


def main():
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	sub = parser.add_subparsers(dest="cmd", required=True)
	p = sub.add_parser("prepare")
	p.add_argument("--site", required=True)
	p.add_argument("--out", required=True)
	v = sub.add_parser("verify")
	v.add_argument("--site", required=True)
	v.add_argument("--stats", required=True)
	d = sub.add_parser("drain")
	d.add_argument("--site", required=True)
	d.add_argument("--timeout", type=float, default=900)
	args = parser.parse_args()
	{"prepare": cmd_prepare, "verify": cmd_verify, "drain": cmd_drain}[args.cmd](args)


if __name__ == "__main__":
	main()
