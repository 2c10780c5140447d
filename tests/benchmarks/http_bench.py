"""HTTP timing helpers: logged-in sessions, interleaved latency series and a bounded concurrent load.

Times are client-side round trips on loopback (time.perf_counter around one requests call): server time
plus a fraction of a millisecond of HTTP and client overhead, so an upper bound on server time.
"""

import json
import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

TIMEOUT = 60


def login(url: str, user: str, password: str) -> requests.Session:
	s = requests.Session()
	r = s.post(f"{url}/api/method/login", data={"usr": user, "pwd": password}, timeout=TIMEOUT)
	r.raise_for_status()
	return s


def clone(session: requests.Session) -> requests.Session:
	"""A new connection pool with the same login (requests.Session is not shared between threads)."""
	s = requests.Session()
	s.cookies.update(session.cookies)
	return s


def percentile(values: list[float], p: float) -> float:
	if not values:
		return float("nan")
	ordered = sorted(values)
	k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
	return ordered[k]


@dataclass
class Series:
	name: str
	times_ms: list[float] = field(default_factory=list)
	errors: int = 0
	last_error: str = ""

	@property
	def p50(self) -> float:
		return statistics.median(self.times_ms) if self.times_ms else float("nan")

	@property
	def p95(self) -> float:
		return percentile(self.times_ms, 95)


# A request: (session, method, path, params-or-data) → response.
Request = Callable[[], requests.Response]


def timed(request: Request, series: Series, check: Callable[[requests.Response], bool] | None = None):
	t0 = time.perf_counter()
	try:
		r = request()
		ok = r.status_code == 200 and (check is None or check(r))
	except requests.RequestException as e:
		r, ok = None, False
		series.last_error = repr(e)[:200]
	series.times_ms.append((time.perf_counter() - t0) * 1000)
	if not ok:
		series.errors += 1
		if r is not None:
			series.last_error = f"{r.status_code} {r.text[:200]}"
	return r


def interleaved(requests_by_name: dict[str, Request], warmup: int, rounds: int) -> dict[str, Series]:
	"""Round-robin over the scenarios so that each sees the same machine conditions."""
	for _ in range(warmup):
		for req in requests_by_name.values():
			req()
	series = {name: Series(name) for name in requests_by_name}
	for _ in range(rounds):
		for name, req in requests_by_name.items():
			timed(req, series[name])
	return series


def rest_list(s: requests.Session, url: str, doctype: str, fields: list[str], n: int = 20) -> Request:
	params = {"fields": json.dumps(fields), "limit_page_length": n}
	return lambda: s.get(f"{url}/api/resource/{doctype}", params=params, timeout=TIMEOUT)


def report_view(
	s: requests.Session, url: str, doctype: str, fields: list[str], n: int = 20, filters: list | None = None
) -> Request:
	"""What Desk's Report View posts for its first page (with the filters it opens with)."""
	data = {
		"doctype": doctype,
		"fields": json.dumps([f"`tab{doctype}`.`{f}`" for f in fields]),
		"filters": json.dumps(filters or []),
		"order_by": f"`tab{doctype}`.`modified` desc"
		if doctype == "ToDo"
		else f"`tab{doctype}`.`creation` desc",
		"start": 0,
		"page_length": n,
		"view": "Report",
		"with_comment_count": 1,
	}
	return lambda: s.post(f"{url}/api/method/frappe.desk.reportview.get", data=data, timeout=TIMEOUT)


def list_count(
	s: requests.Session, url: str, doctype: str, filters: list | None = None, limit: int | None = None
) -> Request:
	"""The list's count; Desk asks it with limit 1001 (list_view.js count_upper_bound: "1000+" beyond)."""
	data = {"doctype": doctype, "filters": json.dumps(filters or []), "fields": "[]", "distinct": "false"}
	if limit:
		data["limit"] = limit
	return lambda: s.post(f"{url}/api/method/frappe.desk.reportview.get_count", data=data, timeout=TIMEOUT)


def form_load(s: requests.Session, url: str, doctype: str, name: str) -> Request:
	params = {"doctype": doctype, "name": name}
	return lambda: s.get(f"{url}/api/method/frappe.desk.form.load.getdoc", params=params, timeout=TIMEOUT)


def form_panels(s: requests.Session, url: str, doctype: str, name: str) -> list[Request]:
	"""The two calls the Case Application form makes after loading: opinions and 签核历程."""
	params = {"doctype": doctype, "name": name}
	return [
		lambda: s.get(
			f"{url}/api/method/case_selection.api.cosigning.get_cosign_opinions",
			params=params,
			timeout=TIMEOUT,
		),
		lambda: s.get(
			f"{url}/api/method/case_selection.api.cases.get_history", params=params, timeout=TIMEOUT
		),
	]


@dataclass
class LoadUser:
	"""One simulated user: a logged-in session and the cases it may open."""

	label: str
	session: requests.Session
	names: list[str]


def run_load(
	url: str,
	users: list[LoadUser],
	fields: list[str],
	seconds: float,
	think_ms: float = 0,
	max_requests_per_user: int = 50_000,
) -> dict:
	"""len(users) threads for `seconds`, each mixing list reads, report views and form opens.

	Mix per step: 35 % REST list, 25 % report view, 40 % form open (getdoc + opinions + history, three
	requests, as the form does). Bounded by time and by max_requests_per_user.
	"""
	results: dict[str, Series] = {}
	lock = threading.Lock()
	deadline = time.monotonic() + seconds

	def worker(user: LoadUser, seed: int):
		rng = random.Random(seed)
		s = clone(user.session)
		local: dict[str, Series] = {}
		lst = rest_list(s, url, "Case Application", fields)
		rep = report_view(s, url, "Case Application", fields)
		done = 0
		while time.monotonic() < deadline and done < max_requests_per_user:
			roll = rng.random()
			if roll < 0.35:
				steps = [("rest list", lst)]
			elif roll < 0.60:
				steps = [("report view", rep)]
			else:
				name = rng.choice(user.names)
				opinions, hist = form_panels(s, url, "Case Application", name)
				steps = [
					("form getdoc", form_load(s, url, "Case Application", name)),
					("form opinions", opinions),
					("form history", hist),
				]
			for label, req in steps:
				key = f"{user.label}: {label}"
				timed(req, local.setdefault(key, Series(key)))
				done += 1
			if think_ms:
				time.sleep(think_ms / 1000)
		with lock:
			for key, ser in local.items():
				agg = results.setdefault(key, Series(key))
				agg.times_ms += ser.times_ms
				agg.errors += ser.errors
				agg.last_error = ser.last_error or agg.last_error

	threads = [threading.Thread(target=worker, args=(u, i), daemon=True) for i, u in enumerate(users)]
	t0 = time.monotonic()
	for t in threads:
		t.start()
	for t in threads:
		t.join(timeout=seconds + 2 * TIMEOUT)
	elapsed = time.monotonic() - t0
	all_times = [t for ser in results.values() for t in ser.times_ms]
	return {
		"users": len(users),
		"seconds": elapsed,
		"requests": len(all_times),
		"errors": sum(ser.errors for ser in results.values()),
		"throughput": len(all_times) / elapsed if elapsed else 0.0,
		"p50": statistics.median(all_times) if all_times else float("nan"),
		"p95": percentile(all_times, 95),
		"series": results,
	}
