"""The data set of SPEC §6, inserted in bulk (controllers would take an hour for 10,250 cases).

- 41 districts × 250 `Case Application` rows of round 2025 (CA-2025-00001 … CA-2025-10250) with realistic
  field values, two result indicators each, three finance years for enterprises, a spread of workflow
  states (about half in the states the city sees), their co-sign opinions (three for every case that went
  through co-signing) and their 签核历程 rows;
- the co-sign batch: COSIGN_BATCH cases (CA-2025-90001 …) in state Submitted, put back to Submitted with
  no opinion before every run (reset_cosign_batch);
- the stock baseline: 10,000 ToDo rows;
- the users the benchmark logs in as.

Every step checks before it acts, so seeding twice inserts nothing the second time.
"""

import random
from datetime import datetime, timedelta

import frappe
from frappe.query_builder import DocType

from case_selection.access import sealing
from case_selection.cosign import rules
from case_selection.notifications import assignments
from case_selection.tests.factories import make_user, valid_uscc
from case_selection.workflow import states

ROUND = "2025"
PER_DISTRICT = 250
TODO_ROWS = 10_000
COSIGN_BATCH = 105  # the first WARMUP_COSIGN of them warm the workers up, the rest are measured
WARMUP_COSIGN = 5
COSIGN_FIRST = 90_001
TODO_MARK = "bench-baseline"
SEED = 20251011

# Per district, 250 cases: (state, count, opinions signed so far).
STATE_MIX = (
	("Draft", 20, 0),
	("Submitted", 30, 0),
	("District Co-signing", 20, 2),
	("Recommended", 40, 3),
	("Not Recommended", 10, 3),
	("Returned", 10, 1),
	("Submitted to City", 40, 3),
	("Received", 30, 3),
	("City Returned", 5, 3),
	("Under Review", 25, 3),
	("Shortlisted", 8, 3),
	("In Public Notice", 4, 3),
	("Selected", 5, 3),
	("Not Selected", 3, 3),
)
PATH = [s for s, _n, _o in STATE_MIX]
CITY_RECEIVED = ("Received", "Under Review", "Shortlisted", "In Public Notice", "Selected", "Not Selected")

USERS = {
	"district": ("bench.district@bench.local", ["District Economy Officer"], 0),
	"city": ("bench.city@bench.local", ["City Case Manager"], None),
	"reviewer": ("bench.reviewer@bench.local", ["City Reviewer"], None),
	"jx": ("bench.jx@bench.local", ["District Economy Officer"], 1),
	"kj": ("bench.kj@bench.local", ["District Science Officer"], 1),
	"jy": ("bench.jy@bench.local", ["District Education Officer"], 1),
}
# Extra district users for the load test: one for each of these district indexes.
LOAD_DISTRICTS = (2, 5, 9, 14, 20, 27, 33, 40)

UNIT_TYPES = ("企业", "企业", "企业", "科研机构", "高等学校", "科技服务机构")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
INDUSTRY = (
	"智能网联汽车",
	"新型显示",
	"集成电路",
	"生物医药",
	"先进材料",
	"智能装备",
	"软件信息",
	"绿色低碳",
)
SENTENCE = (
	"围绕{ind}产业链关键环节，联合高校院所组建创新联合体，突破核心工艺与关键零部件的技术瓶颈，"
	"形成自主可控的技术体系，带动上下游企业协同发展，实现成果在本地转化落地。"
)


def districts() -> list[str]:
	return frappe.get_all("Case District", order_by="name asc", pluck="name")


def plain_directions() -> list[tuple[str, str]]:
	"""Directions other than 其他创新模式 (which would need a description)."""
	rows = frappe.get_all("Selection Direction", filters={"is_other": 0}, fields=["name", "domain"])
	return [(d.name, d.domain) for d in rows]


def person(rng: random.Random) -> str:
	return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", rng.choice(GIVEN)))


def text(rng: random.Random, repeat: int) -> str:
	return "".join(SENTENCE.format(ind=rng.choice(INDUSTRY)) for _ in range(repeat))


def ensure_users() -> dict[str, str]:
	"""Benchmark users by key; district users get a User Permission on their district."""
	names = districts()
	made = {}
	for key, (email, roles, district_idx) in USERS.items():
		made[key] = make_user(email, roles, names[district_idx] if district_idx is not None else None)
	for idx in LOAD_DISTRICTS:
		made[f"d{idx:02d}"] = make_user(
			f"bench.d{idx:02d}@bench.local", ["District Economy Officer"], names[idx]
		)
	return made


APPLICANT = "bench.applicant@bench.local"
APPLICANT_CASES = 3  # per round: the applicant's own cases (the first of each round)


def ensure_applicant() -> str:
	"""An applicant who owns the first APPLICANT_CASES cases of every round seeded."""
	user = make_user(APPLICANT, ["Case Applicant"])
	for round_name in frappe.get_all("Case Application", distinct=True, pluck="round"):
		names = frappe.get_all(
			"Case Application",
			filters={"round": round_name, "name": ("like", f"CA-{round_name}-%")},
			pluck="name",
			order_by="name asc",
			limit=APPLICANT_CASES,
		)
		if names:
			frappe.db.sql(
				"update `tabCase Application` set owner = %s where name in %s", (user, tuple(names))
			)
	return user


def seeded(doctype: str, filters: dict | list, expected: int) -> bool:
	return frappe.db.count(doctype, filters) >= expected


def _base(name: str, when: datetime, owner: str = "Administrator") -> dict:
	return {
		"name": name,
		"creation": when,
		"modified": when,
		"owner": owner,
		"modified_by": owner,
		"docstatus": 0,
		"idx": 0,
	}


NARRATIVE = (
	6,
	10,
	6,
	8,
	5,
)  # sentences of 背景, 主要做法, 创新点, 实施成效, 推广价值 (about 3,000 characters)


def application_row(
	rng, name, district, state, when, directions, seed, round_name=ROUND, sentences=NARRATIVE
) -> dict:
	"""One case of `round_name` whose real state is `state`; `sentences` sets the length of its narrative."""
	direction, domain = rng.choice(directions)
	unit_type = rng.choice(UNIT_TYPES)
	start = when.date() - timedelta(days=rng.randint(300, 900))
	row = _base(name, when)
	row.update(
		{
			"case_title": f"{rng.choice(INDUSTRY)}{rng.choice(('协同创新', '成果转化', '联合攻关', '平台共建'))}案例{seed}",
			"round": round_name,
			"district": district,
			"direction": direction,
			"domain": domain,
			"is_other_mode": 0,
			"fill_date": when.date(),
			"unit_name": f"重庆{rng.choice(INDUSTRY)}科技有限公司{seed}",
			"uscc": valid_uscc(700_000_000 + seed),
			"unit_type": unit_type,
			"legal_representative": person(rng),
			"founding_date": start - timedelta(days=rng.randint(1000, 6000)),
			"registered_address": f"重庆市{district}科技大道{rng.randint(1, 999)}号",
			"contact_person": person(rng),
			"contact_title": rng.choice(("总经理", "研发总监", "科技处处长", "项目主管")),
			"contact_mobile": f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
			"contact_email": f"contact{seed}@example.com",
			"implementation_start": start,
			"implementation_end": start + timedelta(days=rng.randint(180, 720)),
			"keywords": "、".join(rng.sample(INDUSTRY, 3)),
			"background": text(rng, sentences[0]),
			"approach": text(rng, sentences[1]),
			"innovation": text(rng, sentences[2]),
			"results": text(rng, sentences[3]),
			"promotion_value": text(rng, sentences[4]),
			"decl_legal_person": 1,
			"decl_finance": 1,
			"decl_no_bad_record": 1,
			"decl_truthful": 1,
			"decl_political": 1,
			"decl_no_secret": 1,
			"decl_ip_clear": 1,
			# The row holds the state its readers may know; the real one is the evaluation's (access/sealing.py).
			"workflow_state": sealing.public_state_of(state, round_name),
			"at_city": int(states.has(state, "city_visible")),
			"cosign_status": cosign_status_for(state),
		}
	)
	if unit_type != "企业":
		row["platform_team"] = text(rng, 2)
	return row


def evaluation_row(rng, app: dict, state: str) -> dict | None:
	"""The city's record of a case that reached the city (access/sealing.py): its real state and the city's entries."""
	if not states.has(state, "city_visible"):
		return None
	row = _base(app["name"], app["creation"])
	row.update(
		{
			"application": app["name"],
			"case_title": app["case_title"],
			"round": app["round"],
			"district": app["district"],
			"workflow_state": state,
			"formal_check": "通过" if state in CITY_RECEIVED else None,
			"review_score": round(rng.uniform(60, 95), 2) if state in CITY_RECEIVED[1:] else 0,
			"review_count": 3 if state in CITY_RECEIVED[1:] else 0,
		}
	)
	return row


def cosign_status_for(state: str) -> str | None:
	if state in ("Draft",):
		return None
	if state in ("Submitted", "District Co-signing"):
		return rules.PENDING
	if state == "Returned":
		return rules.RETURNED
	if state == "Not Recommended":
		return rules.DISAGREED
	return rules.AGREED


def child_rows(rng, parent: str, when: datetime, unit_type: str) -> tuple[list, list]:
	indicators = []
	for i, (ind, unit) in enumerate((("新增产值", "万元"), ("授权发明专利", "件")), start=1):
		row = _base(frappe.generate_hash(length=12), when)
		row.update(
			{
				"parent": parent,
				"parenttype": "Case Application",
				"parentfield": "indicators",
				"idx": i,
				"indicator": ind,
				"value": str(rng.randint(5, 5000)),
				"unit": unit,
			}
		)
		indicators.append(row)
	years = []
	if unit_type == "企业":
		for i, year in enumerate((2022, 2023, 2024), start=1):
			row = _base(frappe.generate_hash(length=12), when)
			revenue = rng.randint(2_000, 500_000) * 10_000
			row.update(
				{
					"parent": parent,
					"parenttype": "Case Application",
					"parentfield": "finance_years",
					"idx": i,
					"year": year,
					"revenue": revenue,
					"rd_spend": revenue * rng.randint(3, 12) // 100,
				}
			)
			years.append(row)
	return indicators, years


def opinion_rows(rng, app: dict, departments, signed: int, state: str) -> list[dict]:
	rows = []
	when = app["creation"] + timedelta(days=rng.randint(1, 5))
	for i, dept in enumerate(departments[:signed]):
		opinion = rules.AGREE
		if state == "Returned":
			opinion = rules.RETURN
		elif state == "Not Recommended" and i == signed - 1:
			opinion = rules.DISAGREE
		at = when + timedelta(minutes=rng.randint(1, 600))
		row = _base(frappe.generate_hash(length=10), at)
		row.update(
			{
				"reference_doctype": "Case Application",
				"reference_name": app["name"],
				"district": app["district"],
				"round": app["round"],
				"department": dept.department,
				"role": dept.role,
				"opinion": opinion,
				"remarks": "" if opinion == rules.AGREE else "材料需进一步补充完善。",
				"signer_name": person(rng),
				"signed_at": at,
			}
		)
		rows.append(row)
	return rows


def log_rows(rng, app: dict, state: str) -> list[dict]:
	"""签核历程: one row per step along the path to the case's state (a shortened path, realistic count)."""
	round_name = app["round"]
	steps = PATH[: PATH.index(state) + 1] if state in PATH else [state]
	steps = ["Draft", *[s for s in steps if s in ("Submitted", "District Co-signing", state)]]
	rows, prev, at = [], None, app["creation"]
	for step in dict.fromkeys(steps):
		row = _base(frappe.generate_hash(length=10), at)
		row.update(
			{
				# a step naming a sealed state is the city's until publication (access/sealing.py)
				"reference_doctype": (
					"Case Evaluation"
					if sealing.is_sealed_step(prev, step, round_name)
					else "Case Application"
				),
				"reference_name": app["name"],
				"district": app["district"],
				"action": "New Case" if prev is None else f"{prev} → {step}",
				"from_state": prev,
				"to_state": step,
				"actor_name": person(rng),
				"actor_role": "区县经信部门",
				"action_time": at,
				"remark": "",
			}
		)
		rows.append(row)
		prev, at = step, at + timedelta(hours=rng.randint(2, 72))
	return rows


def bulk(doctype: str, rows: list[dict]):
	if not rows:
		return
	fields = list(rows[0])
	frappe.db.bulk_insert(doctype, fields, [[r.get(f) for f in fields] for r in rows], chunk_size=500)


def seed_applications() -> int:
	data_set = [
		["round", "=", ROUND],
		["name", "like", "CA-2025-%"],
		["name", "<", f"CA-2025-{COSIGN_FIRST}"],
	]
	if seeded("Case Application", data_set, 41 * PER_DISTRICT):
		return 0
	rng = random.Random(SEED)
	names = districts()
	directions = plain_directions()
	departments = frappe.get_doc("Selection Round", ROUND).cosign_departments
	start = datetime(2025, 10, 11, 9, 0, 0)
	plan = [(d, state, signed) for d in names for state, count, signed in STATE_MIX for _ in range(count)]
	rng.shuffle(plan)  # districts and states interleave in creation order, as they arrive in October
	apps, indicators, years, opinions, logs, evaluations = [], [], [], [], [], []
	for seq, (district, state, signed) in enumerate(plan, start=1):
		when = start + timedelta(seconds=seq * 170 + rng.randint(0, 120))
		app = application_row(rng, f"CA-2025-{seq:05d}", district, state, when, directions, seq)
		apps.append(app)
		ind, yrs = child_rows(rng, app["name"], when, app["unit_type"])
		indicators += ind
		years += yrs
		opinions += opinion_rows(rng, app, departments, signed, state)
		logs += log_rows(rng, app, state)
		evaluations += [e for e in [evaluation_row(rng, app, state)] if e]
	bulk("Case Application", apps)
	bulk("Case Evaluation", evaluations)
	bulk("Case Result Indicator", indicators)
	bulk("Case Finance Year", years)
	bulk("Case Cosign Opinion", opinions)
	bulk("Case Action Log", logs)
	frappe.db.sql(
		"insert into `tabSeries` (name, current) values ('CA-2025-', %s) on duplicate key update current=%s",
		(COSIGN_FIRST + COSIGN_BATCH, COSIGN_FIRST + COSIGN_BATCH),
	)
	frappe.db.commit()
	return len(apps)


# The larger data set (issue 20): nine past rounds of 10,000 cases each, published, beside the 2025 round —
# 100,355 cases across ten rounds, most of them past, as the city's database holds them after ten years.
PAST_YEARS = tuple(range(2016, 2025))
PAST_PER_ROUND = 10_000
# Per 1,000 cases of a finished round: (real state, count, opinions signed).
PAST_MIX = (
	("Draft", 60, 0),
	("Returned", 20, 1),
	("Not Recommended", 40, 3),
	("Recommended", 120, 3),
	("City Returned", 20, 3),
	("Not Selected", 640, 3),
	("Selected", 100, 3),
)
PAST_NARRATIVE = (
	2,
	3,
	2,
	2,
	2,
)  # shorter narratives than the 2025 round's: seeding 90,000 cases takes minutes
PAST_TABLES = (
	("Case Fingerprint Band", "parent"),  # bench_review.py's, where it fingerprinted past cases
	("Case Fingerprint", "name"),
	("Case Result Indicator", "parent"),
	("Case Finance Year", "parent"),
	("Case Cosign Opinion", "reference_name"),
	("Case Action Log", "reference_name"),
	("Case Evaluation", "name"),
)


def past_round(year: int):
	"""A finished round of `year`: published, so its cases' rows hold their real states (access/sealing.py)."""
	name = str(year)
	if not frappe.db.exists("Selection Round", name):
		frappe.get_doc(
			{
				"doctype": "Selection Round",
				"year": year,
				"round_title": f"{year}年推动科技创新和产业创新深度融合优秀案例遴选",
				"open_date": f"{year}-10-01",
				"district_deadline": f"{year}-10-31",
			}
		).insert()
	frappe.db.set_value(
		"Selection Round",
		name,
		{"status": "Published", "published_on": f"{year}-12-20"},
		update_modified=False,
	)
	sealing.clear_published_cache()
	return name


def seed_past_rounds(years=PAST_YEARS, per_round: int = PAST_PER_ROUND) -> int:
	"""Every past round's cases, with their child rows, opinions, 签核历程 and the city's evaluations, in bulk."""
	made = 0
	names = districts()
	directions = plain_directions()
	plan = [(state, signed) for state, count, signed in PAST_MIX for _ in range(count * per_round // 1000)]
	for year in years:
		round_name = past_round(year)
		if seeded("Case Application", {"round": round_name}, len(plan)):
			continue
		remove_past_rounds((year,))
		rng = random.Random(SEED + year)
		departments = frappe.get_doc("Selection Round", round_name).cosign_departments
		order = [(names[i % len(names)], *p) for i, p in enumerate(plan)]
		rng.shuffle(order)
		start = datetime(year, 10, 1, 9, 0, 0)
		rows = {dt: [] for dt in ("apps", "indicators", "years", "opinions", "logs", "evaluations")}
		for seq, (district, state, signed) in enumerate(order, start=1):
			when = start + timedelta(seconds=seq * 200 + rng.randint(0, 120))
			uscc_seed = (year - 2000) * 100_000 + seq
			app = application_row(
				rng,
				f"CA-{year}-{seq:05d}",
				district,
				state,
				when,
				directions,
				uscc_seed,
				round_name,
				PAST_NARRATIVE,
			)
			rows["apps"].append(app)
			ind, yrs = child_rows(rng, app["name"], when, app["unit_type"])
			rows["indicators"] += ind
			rows["years"] += yrs
			rows["opinions"] += opinion_rows(rng, app, departments, signed, state)
			rows["logs"] += log_rows(rng, app, state)
			rows["evaluations"] += [e for e in [evaluation_row(rng, app, state)] if e]
		bulk("Case Application", rows["apps"])
		bulk("Case Evaluation", rows["evaluations"])
		bulk("Case Result Indicator", rows["indicators"])
		bulk("Case Finance Year", rows["years"])
		bulk("Case Cosign Opinion", rows["opinions"])
		bulk("Case Action Log", rows["logs"])
		frappe.db.commit()
		made += len(rows["apps"])
	return made


def remove_past_rounds(years=PAST_YEARS):
	"""The past rounds' cases and everything seeded with them (their rounds stay, empty)."""
	for year in years:
		pattern = f"CA-{year}-%"
		for doctype, column in PAST_TABLES:
			frappe.db.sql(f"delete from `tab{doctype}` where `{column}` like %s", pattern)
		frappe.db.sql("delete from `tabCase Application` where `round` = %s", str(year))
	frappe.db.commit()


def retire_other_rounds():
	"""Only the 2025 round open (the round Desk's lists and the workspaces default to, workspaces.current_round),
	and no case of another round but the past ones: bench_outputs.py seeds a round of its own and removes it."""
	keep = (ROUND, *map(str, PAST_YEARS))
	others = frappe.get_all("Selection Round", filters={"name": ("not in", keep)}, pluck="name")
	for name in others:
		for doctype in ("Case Application", "Case Evaluation"):
			frappe.db.delete(doctype, {"round": name})
		frappe.db.set_value("Selection Round", name, "status", "Closed", update_modified=False)
	frappe.db.set_value("Selection Round", ROUND, "status", "Open", update_modified=False)
	frappe.db.commit()


def set_size(cases: int) -> dict:
	"""The data set at about `cases` cases: 10,000 (the 2025 round alone) or 100,000 (with the past rounds)."""
	retire_other_rounds()
	seed_all()
	if cases > 41 * PER_DISTRICT * 2:
		return {"past rounds": seed_past_rounds()}
	remove_past_rounds()
	return {"past rounds": 0}


def cosign_batch_names() -> list[str]:
	return [f"CA-2025-{COSIGN_FIRST + i}" for i in range(COSIGN_BATCH)]


def seed_cosign_batch() -> int:
	names = cosign_batch_names()
	if seeded("Case Application", {"name": ("in", names)}, len(names)):
		return 0
	rng = random.Random(SEED + 1)
	district = districts()[USERS["jx"][2]]
	directions = plain_directions()
	when = datetime(2025, 10, 20, 9, 0, 0)
	rows = [
		application_row(rng, name, district, "Submitted", when + timedelta(minutes=i), directions, 90_000 + i)
		for i, name in enumerate(names)
	]
	frappe.db.delete("Case Application", {"name": ("in", names)})
	bulk("Case Application", rows)
	frappe.db.commit()
	return len(rows)


def reset_cosign_batch():
	"""Back to Submitted, no opinion: every run signs the same cases from the start (and, as a real case does
	the first time it gets there, Frappe makes the Workflow Actions of each state it reaches)."""
	names = cosign_batch_names()
	for dt in ("Case Cosign Opinion", "Case Action Log"):
		frappe.db.delete(dt, {"reference_doctype": "Case Application", "reference_name": ("in", names)})
	actions = frappe.get_all(
		"Workflow Action",
		filters={"reference_doctype": "Case Application", "reference_name": ("in", names)},
		pluck="name",
	)
	if actions:
		frappe.db.delete("Workflow Action Permitted Role", {"parent": ("in", actions)})
		frappe.db.delete("Workflow Action", {"name": ("in", actions)})
	t = DocType("Case Application")
	frappe.qb.update(t).set(t.workflow_state, "Submitted").set(t.cosign_status, rules.PENDING).set(
		t._assign, ""
	).where(t.name.isin(names)).run()
	# A submitted case has its co-signing requests (Frappe assignments to the district's departments, made by
	# the submission and told then): a signature closes its own, it does not make the others'.
	frappe.db.delete("ToDo", {"reference_type": "Case Application", "reference_name": ("in", names)})
	for name in names:
		assignments.sync(assignments.facts_of("Case Application", name))
	frappe.db.commit()


def seed_todos(users: dict[str, str]) -> int:
	if seeded("ToDo", {"description": ("like", f"{TODO_MARK}%")}, TODO_ROWS):
		return 0
	rng = random.Random(SEED + 2)
	owners = [users["district"], users["city"], "Administrator", "Administrator"]
	start = datetime(2025, 10, 11, 9, 0, 0)
	rows = []
	for i in range(TODO_ROWS):
		when = start + timedelta(seconds=i * 170)
		row = _base(frappe.generate_hash(length=10), when)
		row.update(
			{
				"status": rng.choice(("Open", "Open", "Closed")),
				"priority": rng.choice(("Low", "Medium", "High")),
				"date": when.date() + timedelta(days=rng.randint(1, 30)),
				"allocated_to": owners[i % len(owners)],
				"description": f"{TODO_MARK} {i}: {text(rng, 1)}",
				"assigned_by": "Administrator",
			}
		)
		rows.append(row)
	bulk("ToDo", rows)
	frappe.db.commit()
	return len(rows)


def seed_all() -> dict:
	users = ensure_users()
	frappe.db.commit()
	made = {
		"applications": seed_applications(),
		"cosign batch": seed_cosign_batch(),
		"todos": seed_todos(users),
	}
	return made


def counts() -> dict[str, int]:
	return {
		"Case Application": frappe.db.count("Case Application"),
		"rounds with cases": len(frappe.get_all("Case Application", distinct=True, pluck="round")),
		"Case Application (round 2025)": frappe.db.count("Case Application", {"round": ROUND}),
		"Case Application in city states": frappe.db.count(
			"Case Application", {"round": ROUND, "workflow_state": ("in", PATH[6:])}
		),
		"Case Cosign Opinion": frappe.db.count("Case Cosign Opinion"),
		"Case Action Log": frappe.db.count("Case Action Log"),
		"ToDo": frappe.db.count("ToDo"),
	}
