"""Load mixes of issue 12 with think time, against the production stack (nginx → gunicorn), `make load`.

LOAD_MIX=deadline (deadline day): applicants create, save, attach and submit applications; the 41 × 3
district officers open their queue and co-sign; the city browses; a stock DocType (ToDo) list is requested
by its own users under the same load, as the baseline.
LOAD_MIX=review (city review day): city users browse lists and forms, read 签核历程 and queue exports; city
managers apply bulk actions (开始评审 on five received cases at once, Frappe's list-view bulk workflow action);
experts open the reviews assigned to them and score them in the form.
LOAD_MIX=burst: the 41 × 3 officers each sign the first case of their district's queue, all in the same
minute (three departments on the same case at once), then stop.
LOAD_MIX=stock (`make capacity` only): stock Frappe requests only (the ToDo report view, REST list and form),
five per think time as an officer of the deadline day makes.

Capacity stepping (`make capacity`, scripts/capacity.sh): with LOAD_STEPS="10,20,40,…" the users are stepped up,
each step held LOAD_STEP_SECONDS, the mix's users in proportion to their counts above (the user classes named
on Locust's command line). Per step (its first LOAD_STEP_SETTLE seconds, while the step's users log in, left
out): p95, requests/s, errors, and the CPU time the server's processes spent (utime + stime of those whose
command line matches LOAD_CPU_MATCH, their reaped children included: RQ's work horses), written to LOAD_STEPS_OUT.

Every acknowledged write (opinion, attachment) is recorded in LOAD_ACK, which load_data.py verify checks
against the database after the run. LOAD_DATA is the JSON written by load_data.py prepare.
"""

import itertools
import json
import os
import random
import re
import threading
import time
from http.client import RemoteDisconnected

from locust import HttpUser, LoadTestShape, between, constant, events, task
from locust.exception import StopUser
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ProtocolError
from urllib3.util.retry import Retry

DATA = json.load(open(os.environ["LOAD_DATA"]))
MIX = os.environ.get("LOAD_MIX", "deadline")
PASSWORD = DATA["password"]
ADMIN_PASSWORD = os.environ.get("ADMIN_PASSWORD", "admin")
ACK = {"opinions": [], "files": [], "reviews": [], "moved": [], "resent": 0}
LOCK = threading.Lock()
CA_FIELDS = json.dumps(
	[
		f"`tabCase Application`.`{f}`"
		for f in ("name", "case_title", "district", "workflow_state", "unit_name")
	]
)
TODO_FIELDS = json.dumps([f"`tabToDo`.`{f}`" for f in ("name", "status", "priority", "date", "allocated_to")])
OFFICERS = [(d, k, email) for d in DATA["districts"] for k, email in DATA["officers"][d].items()]
# stepping past 123 officers (make capacity) signs in the same officers again
OFFICERS = itertools.cycle(OFFICERS) if os.environ.get("LOAD_STEPS") else iter(OFFICERS)
APPLICANTS = itertools.cycle(DATA["applicants"])
CITY = itertools.cycle(DATA["city"])
EXPERTS = iter(DATA.get("experts", []))
BULK = iter(DATA.get("bulk_cases", []))
BULK_SIZE = 5
THINK = between(5, 15)
# The applicants' narratives: each case its own text (words drawn at random), and one case in COPY_EVERY a copy of
# an earlier one, as a unit recycling a case it handed in before. (Until 2026-12-04 every load case had the same
# text, so each submission matched every earlier one and its similarity check wrote a pair for each: a worst case
# of the copy detector, cost growing with the run, not a deadline day.)
WORDS = (
	"技术 创新 产业 融合 平台 研发 成果 转化 企业 高校 院所 协同 攻关 数字 智能 制造 装备 材料 能源 医药 "
	"生物 信息 软件 芯片 传感 数据 模型 算法 工艺 质量 效率 成本 市场 订单 产值 专利 标准 人才 团队 实验室 "
	"中试 基地 示范 推广 应用 场景 服务 园区 集群 链条 上游 下游 配套 国产 替代 突破 核心 关键 共性 检测 "
	"认证 孵化 转移 许可 入股 合作 共建 联合 机制 模式 政策 资金 基金 投入 产出 收入 利润 就业 带动 辐射"
).split()
COPY_EVERY = 10
NARRATIVES: list[dict] = []


def narrative() -> dict:
	def prose(sentences: int) -> str:
		return "".join(
			"".join(random.choice(WORDS) for _ in range(random.randint(6, 10))) + "。"
			for _ in range(sentences)
		)

	with LOCK:
		if NARRATIVES and random.randrange(COPY_EVERY) == 0:
			return dict(random.choice(NARRATIVES))
	text = {
		"background": prose(6),
		"approach": prose(12),
		"innovation": prose(6),
		"results": prose(6),
		"promotion_value": prose(3),
	}
	with LOCK:
		NARRATIVES.append(text)
	return text


def take(it):
	with LOCK:
		return next(it)


@events.quitting.add_listener
def save_acks(environment, **kw):
	with open(os.environ["LOAD_ACK"], "w") as fh:
		json.dump(ACK, fh)


def why(r, text: int = 0) -> str:
	"""A failure as the report shows it: the status and the start of the body, or for status 0 (no HTTP answer)
	the connection error itself (a reset, a refused connection or a timeout are not the same problem)."""
	if not r.status_code:
		return f"0 {type(r.error).__name__}: {str(r.error)[:160]}"
	return f"{r.status_code} {r.text[:text]}".rstrip()


class BrowserRetry(Retry):
	"""What a browser does when the server closes an idle keep-alive connection just as a request goes out on it:
	nginx closes connections idle for Frappe's keepalive_timeout (15 s) and the think time here runs up to 15 s,
	so now and then a request meets a connection closed that instant and gets no answer at all
	(RemoteDisconnected). A browser sends such a request again on a new connection, once; so does this client,
	and counts it (ACK["resent"], in the report). Any other error, and any answer, is reported as it is."""

	def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
		cause = error.args[-1] if isinstance(error, ProtocolError) and error.args else None
		if response is not None or not isinstance(cause, RemoteDisconnected | ConnectionResetError):
			return Retry(0).increment(method, url, response, error, _pool, _stacktrace)  # raises: no retry
		with LOCK:
			ACK["resent"] += 1
		return super().increment(method, url, response, error, _pool, _stacktrace)


class Desk(HttpUser):
	abstract = True
	wait_time = THINK

	def __init__(self, *args, **kwargs):
		super().__init__(*args, **kwargs)
		retry = BrowserRetry(total=1, connect=0, read=1, status=0, other=0, allowed_methods=None)
		self.client.mount("http://", HTTPAdapter(max_retries=retry))

	def login(self, user: str, password: str):
		self.client.post("/api/method/login", data={"usr": user, "pwd": password}, name="login")

	def report_view(self, doctype: str, fields: str, filters: list, name: str, order="creation"):
		data = {
			"doctype": doctype,
			"fields": fields,
			"filters": json.dumps(filters),
			"order_by": f"`tab{doctype}`.`{order}` desc",
			"start": 0,
			"page_length": 20,
			"view": "Report",
			"with_comment_count": 1,
		}
		with self.client.post(
			"/api/method/frappe.desk.reportview.get", data=data, name=name, catch_response=True
		) as r:
			if r.status_code != 200:
				r.failure(why(r))
				return []
			return [row[0] for row in (r.json().get("message") or {}).get("values", [])]

	def cases_in(self, state: str, who: str) -> list:
		"""The Case Application list as a user's queue shows it: the cases in one state, first page."""
		return self.report_view(
			"Case Application",
			CA_FIELDS,
			[["Case Application", "workflow_state", "=", state]],
			f"list: Case Application · {who}",
		)

	def open_form(self, name: str, who: str):
		"""A case form as Desk opens it: one getdoc, which brings the opinions, 签核历程 and the user's actions with
		the document (api.cases.form_onload; until 2026-12-04 they were two more requests here, three in Desk)."""
		params = {"doctype": "Case Application", "name": name}
		self.client.get(
			"/api/method/frappe.desk.form.load.getdoc", params=params, name=f"form: getdoc · {who}"
		)


class StockUser(Desk):
	"""The baseline: Frappe's stock ToDo list (10,000 rows), REST and report view, under the same load. In the
	stock-only mix (capacity) also a ToDo form, opened as Desk opens one, and a count: five requests per think time,
	as an officer of the deadline day sent until 2026-12-04 (queue, form, opinions, history, signature; now three:
	the form's getdoc brings the opinions and history). Kept at five, so the stock mix is the same as in the
	earlier runs; the report prints each mix's requests per user beside the users held."""

	fixed_count = 0 if MIX == "burst" else 20

	def on_start(self):
		self.login("Administrator", ADMIN_PASSWORD)

	@task
	def todo_lists(self):
		names = self.report_view("ToDo", TODO_FIELDS, [], "stock list: ToDo report view", order="modified")
		self.client.get(
			"/api/resource/ToDo",
			params={
				"fields": json.dumps(["name", "status", "priority", "date", "allocated_to"]),
				"limit_page_length": 20,
			},
			name="stock list: ToDo REST",
		)
		if MIX == "stock" and names:
			name = random.choice(names)
			params = {"doctype": "ToDo", "name": name}
			self.client.get(
				"/api/method/frappe.desk.form.load.getdoc", params=params, name="stock form: ToDo getdoc"
			)
			self.client.get(f"/api/resource/ToDo/{name}", name="stock form: ToDo REST")
			self.client.get(
				"/api/method/frappe.client.get_count",
				params={"doctype": "ToDo"},
				name="stock list: ToDo count",
			)


class Officer(Desk):
	"""One of the 41 × 3 district officers: opens the queue, a case, and co-signs it."""

	fixed_count = 123 if MIX in ("deadline", "burst") else 0
	wait_time = constant(0) if MIX == "burst" else THINK

	def on_start(self):
		self.district, self.key, self.user = take(OFFICERS)
		self.pool = DATA["pools"][self.district]
		self.next = 0
		self.login(self.user, PASSWORD)

	@task
	def sign_next(self):
		self.cases_in("Submitted", "district")
		if self.next >= len(self.pool) or (MIX == "burst" and self.next >= 1):
			raise StopUser()
		name = self.pool[self.next]
		self.next += 1
		self.open_form(name, "district")
		with self.client.post(
			"/api/method/case_selection.api.cosigning.cosign",
			data={"doctype": "Case Application", "name": name, "opinion": "同意推荐", "remarks": ""},
			name="co-sign",
			catch_response=True,
		) as r:
			if r.status_code == 200:
				with LOCK:
					ACK["opinions"].append([name, self.user])
			else:
				r.failure(why(r, 120))


class Applicant(Desk):
	"""A unit filling in 附件1 on the last day: create, save, attach evidence, submit to the district."""

	fixed_count = 40 if MIX == "deadline" else 0

	def on_start(self):
		self.user = take(APPLICANTS)
		self.login(self.user, PASSWORD)
		self.seq = 0

	@task
	def apply(self):
		self.seq += 1
		district = random.choice(DATA["districts"])
		values = {
			"round": DATA["open_round"],
			"district": district,
			"direction": "产业关键技术攻关",
			"case_title": f"负载测试案例 {self.user.split('@')[0]} {self.seq}",
			"unit_name": f"重庆负载测试科技有限公司{random.randint(1, 10**6)}",
			"uscc": random.choice(DATA["usccs"]),
			"unit_type": "企业",
			"contact_person": "张三",
			"contact_mobile": "13800138000",
			"contact_email": "load@example.com",
			**narrative(),
			**dict.fromkeys(DATA["declarations"], 1),
		}
		with self.client.post(
			"/api/resource/Case Application", json=values, name="applicant: create", catch_response=True
		) as r:
			if r.status_code != 200:
				r.failure(why(r, 160))
				return
			doc = r.json()["data"]
		self.wait()
		with self.client.put(
			f"/api/resource/Case Application/{doc['name']}",
			json={"keywords": "负载；保存"},
			name="applicant: save",
			catch_response=True,
		) as r:
			if r.status_code != 200:
				r.failure(why(r, 160))
				return
			doc = r.json()["data"]
		with self.client.post(
			"/api/method/upload_file",
			data={"doctype": "Case Application", "docname": doc["name"], "is_private": 1},
			files={
				"file": (f"证明材料{self.seq}.pdf", b"%PDF-1.4\n" + os.urandom(20_000), "application/pdf")
			},
			name="applicant: attach",
			catch_response=True,
		) as r:
			if r.status_code == 200:
				with LOCK:
					ACK["files"].append(r.json()["message"]["file_url"])
			else:
				r.failure(why(r, 160))
		self.report_view("Case Application", CA_FIELDS, [], "list: Case Application · applicant")
		with self.client.post(
			"/api/method/frappe.model.workflow.apply_workflow",
			data={"doc": json.dumps(doc), "action": "Submit to District"},
			name="applicant: submit",
			catch_response=True,
		) as r:
			if r.status_code != 200:
				r.failure(why(r, 160))


class City(Desk):
	"""City staff: the list of received cases, a form with its opinions and 签核历程, now and then the city summary
	export."""

	fixed_count = {"deadline": 17, "review": 140}.get(MIX, 0)

	def on_start(self):
		self.login(take(CITY), PASSWORD)

	@task(6)
	def browse(self):
		names = self.cases_in("Received", "city")
		if names:
			self.open_form(random.choice(names), "city")

	@task(1)
	def export(self):
		self.client.post(
			"/api/method/case_selection.api.exports.enqueue_city_summary",
			data={"round": DATA["round"]},
			name="export: city summary (queue)",
		)


class CityManager(Desk):
	"""A city manager on review day: the received cases, and 开始评审 on five of them at once (Frappe's list-view
	bulk workflow action, which applies the workflow to each in the request when fewer than 20)."""

	fixed_count = 10 if MIX == "review" else 0

	def on_start(self):
		self.login(take(CITY), PASSWORD)

	@task
	def bulk_start_review(self):
		self.cases_in("Received", "city")
		with LOCK:
			batch = list(itertools.islice(BULK, BULK_SIZE))
		if not batch:
			return
		with self.client.post(
			"/api/method/frappe.model.workflow.bulk_workflow_approval",
			data={"docnames": json.dumps(batch), "doctype": "Case Application", "action": "Start Review"},
			name=f"city: bulk 开始评审 ({BULK_SIZE} cases)",
			catch_response=True,
		) as r:
			if r.status_code == 200:
				# the action reports a case it could not move only in a message: verify reads the states
				with LOCK:
					ACK["moved"].extend(batch)
			else:
				r.failure(why(r, 160))


class Expert(Desk):
	"""An expert on review day: the list of reviews assigned, one opened in its form and scored (saved as Desk saves
	a form)."""

	fixed_count = 30 if MIX == "review" else 0

	def on_start(self):
		self.user, self.reviews = take(EXPERTS)
		self.next = 0
		self.login(self.user, PASSWORD)

	@task
	def score_next(self):
		self.report_view(
			"Case Review",
			json.dumps([f"`tabCase Review`.`{f}`" for f in ("name", "case_title", "status", "total_score")]),
			[["Case Review", "status", "=", "Assigned"]],
			"list: Case Review · expert",
		)
		if self.next >= len(self.reviews):
			return
		name = self.reviews[self.next]
		self.next += 1
		with self.client.get(
			"/api/method/frappe.desk.form.load.getdoc",
			params={"doctype": "Case Review", "name": name},
			name="expert: open review",
			catch_response=True,
		) as r:
			if r.status_code != 200:
				r.failure(why(r, 160))
				return
			doc = r.json()["docs"][0]
		doc.update(no_conflict_declared=1, comments="示范性强，成果已在行业推广。")
		for row in doc["scores"]:
			row["score"] = random.randint(60, 100)
		with self.client.post(
			"/api/method/frappe.desk.form.save.savedocs",
			data={"doc": json.dumps(doc), "action": "Save"},
			name="expert: score",
			catch_response=True,
		) as r:
			if r.status_code == 200:
				saved = r.json()["docs"][0]
				with LOCK:
					ACK["reviews"].append([name, saved["total_score"]])
			else:
				r.failure(why(r, 160))


# ─────────────────────────── capacity stepping (make capacity) ───────────────────────────

STEPS = [int(n) for n in os.environ.get("LOAD_STEPS", "").replace(",", " ").split()]
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "40"))
SETTLE = float(os.environ.get("LOAD_STEP_SETTLE", str(min(5.0, STEP_SECONDS / 4))))
CPU_MATCH = re.compile(
	os.environ.get(
		"LOAD_CPU_MATCH", r"gunicorn|frappe worker|bench_helper frappe .*serve|mariadbd|mysqld|redis-server"
	)
)
TICK = os.sysconf("SC_CLK_TCK")


# What each server process is, for the CPU split of a step: web (gunicorn or Frappe's server), jobs (RQ workers and
# their work horses, wkhtmltopdf under them), database, cache/queue.
CPU_KINDS = (
	("web", re.compile(r"gunicorn|bench_helper frappe .*serve")),
	("jobs", re.compile(r"frappe worker|bench_helper frappe .*worker|rq:")),
	("db", re.compile(r"mariadbd|mysqld")),
	("redis", re.compile(r"redis-server")),
)
KIND_OF: dict[int, str] = {}


def cpu_kind(cmd: str) -> str:
	return next((kind for kind, pattern in CPU_KINDS if pattern.search(cmd)), "other")


def server_cpu_ms() -> dict[int, float]:
	"""CPU time (ms) of each server process: its own and its reaped children's (RQ's work horses)."""
	out = {}
	for pid in os.listdir("/proc"):
		if not pid.isdigit():
			continue
		try:
			with open(f"/proc/{pid}/cmdline", "rb") as fh:
				cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
			if not CPU_MATCH.search(cmd) or "locust" in cmd:
				continue
			with open(f"/proc/{pid}/stat") as fh:
				fields = fh.read().rsplit(")", 1)[1].split()
		except OSError:
			continue
		out[int(pid)] = sum(int(f) for f in fields[11:15]) * 1000 / TICK  # utime stime cutime cstime
		KIND_OF.setdefault(int(pid), cpu_kind(cmd))
	return out


class Step:
	def __init__(self, users: int):
		self.users, self.times, self.errors, self.started = users, [], 0, None
		self.cpu0 = self.cpu1 = None
		self.t0 = self.t1 = None

	def open(self):
		self.t0, self.cpu0 = time.time(), server_cpu_ms()

	def close(self):
		self.t1, self.cpu1 = time.time(), server_cpu_ms()

	def figures(self) -> dict:
		times = sorted(self.times)
		n = len(times)
		seconds = (self.t1 or time.time()) - (self.t0 or time.time())
		used = {pid: v - (self.cpu0 or {}).get(pid, 0) for pid, v in (self.cpu1 or {}).items()}
		cpu = sum(used.values())
		by_kind = {}
		for pid, ms in used.items():
			kind = KIND_OF.get(pid, "other")
			by_kind[kind] = by_kind.get(kind, 0) + ms
		return {
			"users": self.users,
			"requests": n,
			"errors": self.errors,
			"seconds": round(seconds, 1),
			"rps": n / seconds if seconds > 0 else 0,
			"p50_ms": times[n // 2] if n else None,
			"p95_ms": times[min(n - 1, int(n * 0.95))] if n else None,
			"cpu_ms": cpu,
			"cpu_ms_per_request": cpu / n if n else None,
			"cpu_ms_per_request_by_kind": {k: v / n for k, v in sorted(by_kind.items())} if n else {},
			"processes": len(self.cpu1 or {}),
		}


STEP_LOG: list[Step] = []


def save_steps():
	path = os.environ.get("LOAD_STEPS_OUT")
	if path:
		with open(path, "w") as fh:
			json.dump(
				{
					"mix": MIX,
					"step_seconds": STEP_SECONDS,
					"settle": SETTLE,
					"steps": [s.figures() for s in STEP_LOG if s.t0],
				},
				fh,
			)


if STEPS:

	@events.request.add_listener
	def count_request(request_type, name, response_time, exception=None, **kw):
		step = STEP_LOG[-1] if STEP_LOG else None
		if step is None or step.t0 is None or step.t1 is not None or name == "login":
			return
		with LOCK:
			step.times.append(response_time)
			if exception is not None:
				step.errors += 1

	@events.quitting.add_listener
	def save_capacity(environment, **kw):
		if STEP_LOG and STEP_LOG[-1].t1 is None and STEP_LOG[-1].t0 is not None:
			STEP_LOG[-1].close()
		save_steps()

	class CapacitySteps(LoadTestShape):
		"""Users stepped up: STEPS[i] users from i × STEP_SECONDS on; each step measured after SETTLE s."""

		def tick(self):
			t = self.get_run_time()
			i = int(t // STEP_SECONDS)
			if len(STEP_LOG) <= i < len(STEPS):
				if STEP_LOG and STEP_LOG[-1].t1 is None and STEP_LOG[-1].t0 is not None:
					STEP_LOG[-1].close()
				STEP_LOG.append(Step(STEPS[i]))
				save_steps()
			if i >= len(STEPS):
				if STEP_LOG and STEP_LOG[-1].t1 is None:
					STEP_LOG[-1].close()
				save_steps()
				return None
			step = STEP_LOG[i]
			if step.t0 is None and t - i * STEP_SECONDS >= SETTLE:
				step.open()
			return STEPS[i], max(STEPS[i], 10)

	# Under stepping the mix's users come in proportion (weights), not as fixed counts.
	for _cls in (StockUser, Officer, Applicant, City, CityManager, Expert):
		_cls.weight, _cls.fixed_count = max(_cls.fixed_count, 1), 0
