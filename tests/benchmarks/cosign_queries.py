"""Queries per co-signature (issue 20, item 3): the SQL statements one signature runs, counted in-process.

Each case is signed 同意推荐 by the three departments in turn (1st, 2nd, 3rd signature), as the HTTP benchmark
signs them, through the method the HTTP call runs (`case_selection.api.cosigning.cosign`) and the commit that
ends the request. Before each signature the request-level caches are emptied (frappe.local.cache, which also
holds what Redis answered in this request, and Frappe's per-request permission caches), the officer's language
is set and the app's before_request hooks run, so a signature reads what it would read in a fresh request.
Only statements are counted; Redis reads and the rest of the request's work around the method (session, auth
hooks, the allow-list) are not. The last signature of each case queues its seal job, as over HTTP.

    import cosign_queries  # next to bench_flow.py, on its sys.path
    sd.reset_cosign_batch()
    officers = {k: sd.USERS[k][0] for k in cosign_queries.ORDER}
    figures = cosign_queries.queries_per_signature(sd.cosign_batch_names()[:6], officers)
    print("\n".join(cosign_queries.rows(figures)))

The cases must be fresh (Submitted, no opinion: what reset_cosign_batch leaves); they are left signed.
On its own: `cd sites && ../env/bin/python ../apps/case_selection/tests/benchmarks/cosign_queries.py --site SITE`
(seeded with bench_flow.py seed; the batch is reset before and after).
"""

import statistics
import time
from contextlib import contextmanager

import frappe
from frappe.translate import get_user_lang

from case_selection.api import cosigning

ORDER = ("jx", "kj", "jy")  # 经信, 科技, 教育: the 1st, 2nd and 3rd signature
KINDS = ("select", "write", "other")
READS = ("select", "with", "show", "explain", "desc", "describe")
WRITES = ("insert", "update", "delete", "replace")


def kind(query: str) -> str:
	"""select (reads), write (insert/update/delete) or other (transaction control: commit, set, savepoint)."""
	head = query.lstrip(" (\n\t").split(None, 1)[0].lower() if query.strip() else ""
	if head in READS:
		return "select"
	if head in WRITES:
		return "write"
	return "other"


class Tally:
	def __init__(self):
		self.statements: list[tuple[str, float]] = []  # (query, seconds)

	def add(self, query: str, seconds: float):
		self.statements.append((query, seconds))

	def count(self, of: str | None = None) -> int:
		return sum(1 for q, _s in self.statements if of is None or kind(q) == of)

	@property
	def db_ms(self) -> float:
		return sum(s for _q, s in self.statements) * 1000


@contextmanager
def counted():
	"""Every statement frappe.db runs inside the block (frappe.db.sql, which the query builder, get_value,
	get_doc and the document's saves all go through), with its time."""
	db = frappe.db
	had_own = "sql" in vars(db)
	own = vars(db).get("sql")
	original = db.sql
	tally = Tally()

	def sql(query, *args, **kwargs):
		if kwargs.get("run", True) is False:
			return original(query, *args, **kwargs)
		start = time.perf_counter()
		try:
			return original(query, *args, **kwargs)
		finally:
			tally.add(str(query), time.perf_counter() - start)

	db.sql = sql
	try:
		yield tally
	finally:
		if had_own:
			db.sql = own
		else:
			del db.sql


def fresh_request_caches():
	"""What a new request starts without (frappe.init sets these per request)."""
	frappe.local.cache = {}
	frappe.db.value_cache = {}  # a request's connection is new: Frappe's get_single_value asks again
	frappe.local.role_permissions = {}
	frappe.local.valid_columns = {}
	frappe.local.new_doc_templates = {}
	frappe.local.user_perms = None
	frappe.local.locked_documents = []
	frappe.local.message_log = []
	frappe.flags.currently_saving = []


def before_request():
	"""The app's before_request hooks, which every request runs before its method (they put the app's lookups
	in place of some of Frappe's, e.g. the Workflow Action hook's: a signature that moves the case runs it)."""
	for method in frappe.get_hooks("before_request"):
		frappe.call(frappe.get_attr(method))


def start_request(user: str):
	"""What a request of `user` starts with: the user, empty request caches, the user's language (a request
	speaks it: its translations, where something is translated) and the before_request hooks."""
	frappe.set_user(user)
	fresh_request_caches()
	frappe.local.lang = get_user_lang(user)
	before_request()


def sign_counted(user: str, name: str, doctype: str = "Case Application") -> tuple[Tally, float]:
	"""One signature (同意推荐) as `user`, as its request runs it: the method, then the request's commit."""
	with counted() as tally:
		start_request(user)
		start = time.perf_counter()
		cosigning.cosign(doctype, name, "同意推荐", "")
		frappe.db.commit()
		elapsed = time.perf_counter() - start
	return tally, elapsed * 1000


def queries_per_signature(names: list[str], officers: dict[str, str], warmup: int = 1) -> dict:
	"""Signs every case in `names` as officers["jx"], ["kj"], ["jy"] in turn; the first `warmup` cases fill the
	process's caches and are not counted. Returns, per department key: the signatures counted, the median
	statements per signature (select, write, other, total), their range, and the median ms of the call and of
	the database inside it."""
	previous, lang = frappe.session.user, frappe.local.lang
	per = {key: [] for key in ORDER}
	try:
		for i, name in enumerate(names):
			for key in ORDER:
				tally, ms = sign_counted(officers[key], name)
				if i >= warmup:
					per[key].append((tally, ms))
	finally:
		frappe.set_user(previous)
		fresh_request_caches()
		frappe.local.lang = lang
	result = {}
	for key, runs in per.items():
		if not runs:
			continue
		totals = [t.count() for t, _ms in runs]
		result[key] = {
			"signatures": len(runs),
			**{k: statistics.median(t.count(k) for t, _ms in runs) for k in KINDS},
			"total": statistics.median(totals),
			"range": (min(totals), max(totals)),
			"ms": statistics.median(ms for _t, ms in runs),
			"db_ms": statistics.median(t.db_ms for t, _ms in runs),
			"example": [q for q, _s in runs[-1][0].statements],
		}
	return result


def rows(result: dict) -> list[str]:
	"""A Markdown table of the figures, one row per signature."""
	lines = [
		"| signature | n | SQL statements (median) | select | write | other (transaction) | range | ms in-process"
		" (median) | of it in SQL |",
		"| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
	]
	for i, key in enumerate(ORDER):
		r = result.get(key)
		if not r:
			continue
		lines.append(
			f"| {i + 1} ({key}) | {r['signatures']} | {r['total']:g} | {r['select']:g} | {r['write']:g} | "
			f"{r['other']:g} | {r['range'][0]}–{r['range'][1]} | {r['ms']:.1f} | {r['db_ms']:.1f} |"
		)
	return lines


def main():
	import argparse  # deferred: only the command line uses it
	import os
	import sys

	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--cases", type=int, default=6, help="cases signed (the first warms up)")
	args = parser.parse_args()
	sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
	import seed_data as sd  # deferred: seed_data needs a connected site to be useful

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	try:
		sd.reset_cosign_batch()
		officers = {k: sd.USERS[k][0] for k in ORDER}
		print("\n".join(rows(queries_per_signature(sd.cosign_batch_names()[: args.cases], officers))))
		sd.reset_cosign_batch()
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
