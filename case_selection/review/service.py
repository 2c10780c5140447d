"""The review core on the app's DocTypes: experts from the library (Review Expert), cases from Case Application,
the round's settings from Selection Round.

- `refuse_conflicts(review)`: every Case Review created, by any door (the 分配评审专家 dialog, REST, the
  balanced assignment below), is checked here (Case Review's validate): an expert not in the library, or
  conflicted with the case (review/conflicts.py), is refused with the reason.
- `assign_round(round, per_case)`: every case of the round under review gets `per_case` experts of the library,
  matching its direction where possible, load spread evenly, never a conflicted one (review/assignment.py).
  Existing assignments are kept; conflicted existing ones are reported, not removed (the city decides).
"""

import zlib

import frappe
from frappe import _

from case_selection.exceptions import ReviewError
from case_selection.review import assignment, conflicts, scores
from case_selection.workflow import states

EXPERT = "Review Expert"
RECUSED = "Recused"  # Case Review.status of a review its expert recused from: it counts in nothing
PEERS_HIDDEN = "Not Shown"  # Selection Round.peer_scores: experts never see each other's scores
MAX_PER_CASE = 15


def expert_facts(users: list[str] | None = None, enabled_only: bool = False) -> dict[str, dict]:
	"""user → the expert's dict for the core (conflicts and assignment shapes), from the library."""
	filters = {}
	if users is not None:
		filters["name"] = ("in", users or [""])
	if enabled_only:
		filters["enabled"] = 1
	rows = frappe.get_all(
		EXPERT,
		filters=filters,
		fields=["name", "unit_name", "uscc", "district", "capacity", "enabled"],
		order_by="name asc",
	)
	names = [r.name for r in rows] or [""]
	past, directions = {}, {}
	for p in frappe.get_all(
		"Review Expert Past Unit",
		filters={"parenttype": EXPERT, "parent": ("in", names)},
		fields=["parent", "unit_name", "uscc"],
		order_by="idx asc",
	):
		past.setdefault(p.parent, []).append({"unit": p.unit_name, "uscc": p.uscc})
	for d in frappe.get_all(
		"Review Expert Direction",
		filters={"parenttype": EXPERT, "parent": ("in", names)},
		fields=["parent", "direction"],
	):
		directions.setdefault(d.parent, set()).add(d.direction)
	return {
		r.name: {
			"id": r.name,
			"unit": r.unit_name,
			"uscc": r.uscc,
			"district": r.district,
			"past_units": past.get(r.name, []),
			"directions": directions.get(r.name, set()),
			"capacity": r.capacity or None,
			"enabled": bool(r.enabled),
		}
		for r in rows
	}


def case_facts(applications: list[str]) -> dict[str, dict]:
	"""application → the case's dict for the core: applicant, partners, district and direction."""
	rows = frappe.get_all(
		"Case Application",
		filters={"name": ("in", applications or [""])},
		fields=["name", "unit_name", "uscc", "district", "direction", "round"],
		order_by="name asc",
	)
	partners = {}
	for p in frappe.get_all(
		"Case Partner Unit",
		filters={"parenttype": "Case Application", "parent": ("in", applications or [""])},
		fields=["parent", "partner_name"],
		order_by="idx asc",
	):
		partners.setdefault(p.parent, []).append({"partner_name": p.partner_name})
	return {
		r.name: {
			"id": r.name,
			"unit_name": r.unit_name,
			"uscc": r.uscc,
			"district": r.district,
			"direction": r.direction,
			"round": r.round,
			"partners": partners.get(r.name, []),
		}
		for r in rows
	}


def same_district_conflicts(round_name: str) -> bool:
	return bool(frappe.db.get_value("Selection Round", round_name, "same_district_conflict"))


def refuse_conflicts(review) -> None:
	"""A new Case Review: its expert is in the library and has no conflict with its case."""
	expert = expert_facts([review.expert]).get(review.expert)
	if expert is None:
		frappe.throw(
			_(
				"「评审专家」{0} 尚未登记在「评审专家库」（工作单位、统一社会信用代码、曾任职单位），"
				"无法核查利益冲突，不能分配：请先在评审专家库中登记。"
			).format(review.expert),
			ReviewError,
		)
	if not expert["enabled"]:
		frappe.throw(_("「评审专家」{0} 在评审专家库中已停用，不能分配。").format(review.expert), ReviewError)
	case = case_facts([review.application]).get(review.application)
	if case is None:
		return  # Case Review's Link validation names the missing case
	found = conflicts.find_conflicts(expert, case, same_district_conflicts(case["round"]))
	if found:
		frappe.throw(
			_("「评审专家」{0} 与案例「{1}」存在利益冲突，不能分配：{2}").format(
				review.expert, review.application, "".join(c.message() for c in found)
			),
			ReviewError,
		)


def cases_under_review(round_name: str) -> list[str]:
	"""The round's cases whose real state (the city's Case Evaluation) has review open."""
	return frappe.get_all(
		"Case Evaluation",
		filters={"round": round_name, "workflow_state": ("in", states.where("review_open") or ("",))},
		pluck="application",
		order_by="application asc",
	)


def assign_round(round_name: str, per_case: int | None = None) -> dict:
	"""Balanced assignment for the round (the city's 均衡分配评审专家); see the module docstring."""
	round_doc = frappe.get_doc("Selection Round", round_name)
	per_case = int(per_case or round_doc.experts_per_case or 3)
	if not 1 <= per_case <= MAX_PER_CASE:
		frappe.throw(
			_("「每个案例评审专家数」须在 1—{0} 之间（收到 {1}）。").format(MAX_PER_CASE, per_case),
			ReviewError,
		)
	# One assignment of a round at a time: a second request waits here and then sees the first one's reviews.
	try:
		frappe.db.get_value("Selection Round", round_name, "name", for_update=True)
	except (frappe.QueryTimeoutError, frappe.QueryDeadlockError):
		frappe.throw(_("本轮的评审专家正在由其他人分配，请稍后刷新查看分配结果，需要时再分配。"), ReviewError)
	names = cases_under_review(round_name)
	if not names:
		frappe.throw(_("轮次「{0}」没有处于评审阶段的案例。").format(round_name), ReviewError)
	cases = case_facts(names)
	experts = expert_facts(enabled_only=True)
	enabled = set(
		frappe.get_all("User", filters={"name": ("in", list(experts) or [""]), "enabled": 1}, pluck="name")
	)
	experts = {k: v for k, v in experts.items() if k in enabled}
	if not experts:
		frappe.throw(_("评审专家库中没有在库的专家。"), ReviewError)
	existing, recused = {}, set()
	# A locking read: it sees what a request that held the round's lock before this one committed (a plain read
	# would see this transaction's snapshot, taken before the wait).
	for application, expert, status in frappe.db.sql(
		"""select application, expert, status from `tabCase Review`
		where application in %(names)s lock in share mode""",
		{"names": names},
	):
		if status == RECUSED:
			recused.add((application, expert))  # the slot is free again, and never given back to this expert
		else:
			existing.setdefault(application, set()).add(expert)
	checker = conflicts.conflict_checker(bool(round_doc.same_district_conflict))
	result = assignment.assign(
		[cases[n] for n in names],
		list(experts.values()),
		per_case,
		lambda expert, case: (case["id"], expert["id"]) in recused or checker(expert, case),
		existing,
		seed=zlib.crc32(round_name.encode()),
	)
	made = 0
	for case, added in result.added.items():
		for expert in added:
			review = frappe.get_doc({"doctype": "Case Review", "application": case, "expert": expert})
			review.insert()  # checked again on insert (refuse_conflicts), as any other door is
			made += 1
	return {
		"round": round_name,
		"per_case": per_case,
		"cases": len(names),
		"experts": len(experts),
		"added": made,
		"load": result.load,
		"spread": result.spread,
		"unfilled": result.unfilled,
		"direction_mismatches": len(result.direction_mismatches),
		"conflicted_existing": [{"application": c, "expert": e} for c, e in result.conflicted_existing],
	}


def expert_load(round_name: str) -> list[dict]:
	"""Per expert of the library (and any other expert with reviews in the round): assigned, scored, pending."""
	review, app = frappe.qb.DocType("Case Review"), frappe.qb.DocType("Case Application")
	rows = (
		frappe.qb.from_(review)
		.join(app)
		.on(app.name == review.application)
		.select(review.expert, review.status)
		.where(app.round == round_name)
		.run(as_dict=True)
	)
	load = {}
	for r in rows:
		entry = load.setdefault(r.expert, {"assigned": 0, "scored": 0, "recused": 0})
		entry["assigned"] += 1
		entry["scored"] += r.status == "Scored"
		entry["recused"] += r.status == RECUSED
	library = frappe.get_all(
		EXPERT, fields=["name", "full_name", "unit_name", "enabled"], order_by="name asc"
	)
	known = {e.name for e in library}
	out = []
	for e in library + [
		frappe._dict(name=u, full_name=None, unit_name=None, enabled=None) for u in load if u not in known
	]:
		entry = load.get(e.name, {"assigned": 0, "scored": 0, "recused": 0})
		out.append(
			{
				"expert": e.name,
				"full_name": e.full_name,
				"unit_name": e.unit_name,
				"in_library": e.name in known,
				"enabled": e.enabled,
				"assigned": entry["assigned"],
				"scored": entry["scored"],
				"recused": entry["recused"],
				"pending": entry["assigned"] - entry["scored"] - entry["recused"],
			}
		)
	return out


# ─────────────────────────── scores made comparable (review/scores.py) ───────────────────────────


def round_reviews(round_name: str) -> list[dict]:
	"""The round's reviews in the core's shape: scored ones with their weighted total, recused ones marked (they
	count in nothing); reviews not yet scored are left out."""
	review, app = frappe.qb.DocType("Case Review"), frappe.qb.DocType("Case Application")
	rows = (
		frappe.qb.from_(review)
		.join(app)
		.on(app.name == review.application)
		.select(review.application, review.expert, review.status, review.total_score)
		.where((app.round == round_name) & (review.status.isin(["Scored", RECUSED])))
		.orderby(review.application)
		.orderby(review.expert)
		.run(as_dict=True)
	)
	return [
		{"case": r.application, "expert": r.expert, "total": r.total_score, "recused": r.status == RECUSED}
		for r in rows
	]


def round_summary(round_name: str):
	"""scores.Summary of the round, with the round's thresholds (city roles only: the caller checks)."""
	round_doc = frappe.get_cached_doc("Selection Round", round_name)
	return scores.summarise(
		round_reviews(round_name),
		disagreement_sd=float(round_doc.disagreement_sd if round_doc.disagreement_sd is not None else 10),
		harsh_lenient_sd=float(round_doc.harsh_lenient_sd if round_doc.harsh_lenient_sd is not None else 1),
		flat_sd=float(round_doc.flat_sd if round_doc.flat_sd is not None else 2),
	)


def peer_scores(review_name: str) -> dict:
	"""For the expert of `review_name`: the other experts' totals of the same case, without their names, once
	the expert's own review is scored and only if the round shows them (Selection Round.peer_scores)."""
	if not frappe.db.exists("Case Review", review_name):
		frappe.throw(_("「专家评审」{0} 不存在。").format(review_name), frappe.DoesNotExistError)
	own = frappe.db.get_value(
		"Case Review", review_name, ["name", "application", "expert", "status", "total_score"], as_dict=True
	)
	if own.expert != frappe.session.user:
		frappe.throw(_("只能查看本人评审的案例的其他专家评分。"), frappe.PermissionError)
	round_name = frappe.db.get_value("Case Application", own.application, "round")
	if frappe.get_cached_doc("Selection Round", round_name).peer_scores == PEERS_HIDDEN:
		frappe.throw(_("本轮设置为评审专家不可查看其他专家的评分。"), ReviewError)
	if own.status != "Scored":
		frappe.throw(_("请先提交本人评分（已回避的评审不能查看），再查看其他专家的评分。"), ReviewError)
	others = frappe.get_all(
		"Case Review",
		filters={"application": own.application, "status": "Scored", "name": ("!=", own.name)},
		pluck="total_score",
		order_by="name asc",
	)
	totals = [round(t, 2) for t in [own.total_score, *others]]
	return {
		"own": round(own.total_score, 2),
		"others": [{"label": _("专家{0}").format(i + 1), "total": round(t, 2)} for i, t in enumerate(others)],
		"average": round(sum(totals) / len(totals), 2),
	}
