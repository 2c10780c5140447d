"""The review core (case_selection.review) without a site: conflicts found from affiliations, balanced
assignment (checked against brute force on small pools), comparable scores.

Plain unittest, nothing that needs a site or a database: runs under pytest, `python -m unittest` and
`bench run-tests`.
"""

import itertools
import json
import math
import os
import random
import statistics
import subprocess
import sys
import unittest

import case_selection
from case_selection.review import conflicts, scores
from case_selection.review.assignment import assign
from case_selection.review.conflicts import Conflict, find_conflicts, normalise_unit, valid_uscc
from case_selection.review.scores import competition_ranks, normalise, raw_average, summarise

# GB 32100-2015, written again here (weights as powers of 3 modulo 31) so the test does not trust the code.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def check_char(first17: str) -> str:
	total = sum(ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17))
	return ALPHABET[-total % 31]


def make_uscc(n: int) -> str:
	first17 = f"9150010{n:010d}"
	return first17 + check_char(first17)


class TestNormaliseUnit(unittest.TestCase):
	def test_variants_of_one_unit_are_equal(self):
		variants = [
			"重庆长安汽车股份有限公司",
			"长安汽车（重庆）有限公司",
			"重庆 长安汽车",
			"重庆市长安汽车有限责任公司",
			"长安汽车(重庆)有限公司",
			"长安汽车【重庆】",
			"　重庆长安汽车股份有限公司　",  # full-width spaces
			"重庆长安汽车集团有限公司",
			"长安汽车股份公司",
		]
		self.assertEqual({normalise_unit(v) for v in variants}, {"长安汽车"})

	def test_full_width_and_case(self):
		self.assertEqual(normalise_unit("ＡＢＢ（中国）有限公司"), normalise_unit("abb(中国)有限公司"))

	def test_near_names_stay_apart(self):
		pairs = [
			("重庆大学", "重庆交通大学"),
			("长安汽车", "长安福特汽车"),
			("重庆长安汽车股份有限公司", "长安福特汽车有限公司"),
			("重庆大学", "大学"),
			("重庆市人民医院", "人民医院"),
			("重庆医科大学", "重庆大学"),
			("重庆长安汽车股份有限公司", "中国长安汽车集团股份有限公司"),
		]
		for a, b in pairs:
			with self.subTest(a=a, b=b):
				self.assertNotEqual(normalise_unit(a), normalise_unit(b))

	def test_region_kept_when_the_rest_is_generic(self):
		self.assertEqual(normalise_unit("重庆大学"), "重庆大学")
		self.assertEqual(normalise_unit("重庆市人民医院"), normalise_unit("重庆人民医院"))
		self.assertEqual(normalise_unit("重庆市人民医院"), "重庆人民医院")
		self.assertEqual(normalise_unit("重庆交通大学"), normalise_unit("重庆市交通大学"))
		self.assertEqual(normalise_unit("重庆交通大学"), "交通大学")

	def test_empty(self):
		self.assertEqual(normalise_unit(""), "")
		self.assertEqual(normalise_unit(None), "")
		self.assertEqual(normalise_unit("（ ）"), "")


class TestUscc(unittest.TestCase):
	def test_published_and_computed_codes(self):
		self.assertEqual(check_char("91350100M000100Y4"), "3")  # the standard's own example
		self.assertTrue(valid_uscc("91350100M000100Y43"))
		for n in (1, 42, 123456789):
			self.assertTrue(valid_uscc(make_uscc(n)), make_uscc(n))
		# 91500000202803262Q is not a valid code: its check character is A.
		self.assertEqual(check_char("91500000202803262"), "A")
		self.assertTrue(valid_uscc("91500000202803262A"))
		self.assertFalse(valid_uscc("91500000202803262Q"))

	def test_every_single_substitution_is_caught(self):
		good = make_uscc(7)
		for i in range(18):
			for ch in ALPHABET:
				if ch != good[i]:
					self.assertFalse(valid_uscc(good[:i] + ch + good[i + 1 :]), (i, ch))

	def test_form(self):
		good = make_uscc(9)
		self.assertTrue(valid_uscc(f" {good[:6]} {good[6:].lower()} "))  # spaces and case as typed
		self.assertFalse(valid_uscc(good[:17]))
		self.assertFalse(valid_uscc(good + "0"))
		self.assertFalse(valid_uscc(good[:5] + "I" + good[6:]))  # I, O, S, V, Z are not in the alphabet
		self.assertFalse(valid_uscc(""))
		self.assertFalse(valid_uscc(None))


class TestFindConflicts(unittest.TestCase):
	CHANGAN, FORD, UNI = make_uscc(101), make_uscc(102), make_uscc(103)

	def case(self, **kw) -> dict:
		return {
			"unit_name": "重庆长安汽车股份有限公司",
			"uscc": self.CHANGAN,
			"district": "渝北区",
			"partners": [{"unit_name": "重庆大学", "uscc": self.UNI}],
			**kw,
		}

	def expert(self, **kw) -> dict:
		return {"unit": "重庆交通大学", "uscc": "", "district": "沙坪坝区", "past_units": [], **kw}

	def test_unrelated_expert_has_none(self):
		self.assertEqual(find_conflicts(self.expert(), self.case(), True), [])

	def test_current_unit_by_name_variant(self):
		[c] = find_conflicts(self.expert(unit="长安汽车（重庆）有限公司"), self.case(), False)
		self.assertEqual((c.kind, c.by, c.key), (conflicts.CURRENT_UNIT, conflicts.BY_NAME, "长安汽车"))
		self.assertEqual(
			c.message(),
			"专家所在单位「长安汽车（重庆）有限公司」与申报单位「重庆长安汽车股份有限公司」为同一单位"
			"（单位名称规范化后均为「长安汽车」）。",
		)

	def test_current_unit_by_uscc_under_another_name(self):
		[c] = find_conflicts(
			self.expert(unit="长安汽车重庆研究院", uscc=self.CHANGAN.lower()), self.case(), False
		)
		self.assertEqual((c.kind, c.by, c.key), (conflicts.CURRENT_UNIT, conflicts.BY_USCC, self.CHANGAN))
		self.assertIn(f"统一社会信用代码 {self.CHANGAN}", c.message())
		self.assertIn("「长安汽车重庆研究院」", c.message())

	def test_equal_invalid_codes_are_no_match(self):
		bad = self.CHANGAN[:-1] + ("0" if self.CHANGAN[-1] != "0" else "1")
		expert = self.expert(unit="某研究院", uscc=bad)
		self.assertEqual(find_conflicts(expert, self.case(uscc=bad), False), [])

	def test_near_name_is_no_conflict(self):
		self.assertEqual(find_conflicts(self.expert(unit="长安福特汽车有限公司"), self.case(), False), [])

	def test_past_employer(self):
		expert = self.expert(
			past_units=[{"unit": "某设计院", "uscc": ""}, {"unit": "重庆长安汽车", "uscc": ""}]
		)
		[c] = find_conflicts(expert, self.case(), False)
		self.assertEqual((c.kind, c.expert_unit), (conflicts.PAST_UNIT, "重庆长安汽车"))
		self.assertTrue(c.message().startswith("专家曾任职单位「重庆长安汽车」与申报单位"))

	def test_partner_unit(self):
		case = self.case(partners=[{"partner_name": "长安福特汽车有限公司"}, {"unit_name": "重庆交通大学"}])
		[c] = find_conflicts(self.expert(), case, False)
		self.assertEqual((c.kind, c.case_unit), (conflicts.PARTNER, "重庆交通大学"))
		self.assertIn("合作单位「重庆交通大学」", c.message())
		# The partner 重庆大学 is not the expert's 重庆交通大学.
		self.assertEqual(find_conflicts(self.expert(), self.case(), False), [])

	def test_past_unit_against_partner_by_uscc(self):
		expert = self.expert(past_units=[{"unit": "西南某大学", "uscc": self.UNI}])
		[c] = find_conflicts(expert, self.case(), False)
		self.assertEqual((c.kind, c.by), (conflicts.PAST_UNIT_PARTNER, conflicts.BY_USCC))

	def test_district_rule_on_and_off(self):
		expert = self.expert(district="渝北区")
		self.assertEqual(find_conflicts(expert, self.case(), False), [])
		[c] = find_conflicts(expert, self.case(), True)
		self.assertEqual(c.kind, conflicts.DISTRICT)
		self.assertIn("「渝北区」", c.message())
		self.assertEqual(find_conflicts(self.expert(district=""), self.case(district=""), True), [])

	def test_several_found_in_order(self):
		expert = self.expert(unit="重庆长安汽车", district="渝北区", past_units=[{"unit": "重庆大学"}])
		kinds = [c.kind for c in find_conflicts(expert, self.case(), True)]
		self.assertEqual(kinds, [conflicts.CURRENT_UNIT, conflicts.PAST_UNIT_PARTNER, conflicts.DISTRICT])

	def test_checker(self):
		check = conflicts.conflict_checker(True)
		self.assertTrue(check(self.expert(district="渝北区"), self.case()))
		self.assertFalse(check(self.expert(), self.case()))

	def test_message_is_plain_text_without_site(self):
		c = Conflict(conflicts.CURRENT_UNIT, "甲", "乙", conflicts.BY_USCC, "X")
		self.assertEqual(c.message(), "专家所在单位「甲」与申报单位「乙」为同一单位（统一社会信用代码 X）。")


# Assignment ----------------------------------------------------------------------------------------------


def random_instance(
	rng: random.Random, n_cases, n_experts, per_case, p_conflict, directions, capacity, existing
):
	dirs = ["A", "B", "C"][:directions]
	cases = [{"id": f"c{i}", "direction": rng.choice(dirs) if dirs else None} for i in range(n_cases)]
	experts = []
	for i in range(n_experts):
		expert = {
			"id": f"e{i}",
			"directions": set(rng.sample(dirs, rng.randint(1, len(dirs)))) if dirs else set(),
		}
		if capacity:
			expert["capacity"] = rng.randint(0, capacity)
		experts.append(expert)
	bad = {(c["id"], e["id"]) for c in cases for e in experts if rng.random() < p_conflict}
	given = {}
	if existing:
		for c in cases:
			if rng.random() < existing:
				given[c["id"]] = set(
					rng.sample([e["id"] for e in experts], rng.randint(0, min(2, n_experts)))
				)
	return cases, experts, bad, given


def conflicted_by(bad):
	return lambda expert, case: (case["id"], expert["id"]) in bad


class TestAssignment(unittest.TestCase):
	def check_invariants(self, cases, experts, per_case, bad, given, result):
		"""What must hold for every pool: no conflicted pair, distinct experts, existing kept, capacity kept,
		load counted, short cases reported."""
		capacity = {e["id"]: e.get("capacity") for e in experts}
		counted = dict.fromkeys(capacity, 0)
		for case in cases:
			cid = case["id"]
			chosen = result.assignments[cid]
			self.assertEqual(len(chosen), len(set(chosen)), cid)
			for eid in chosen:
				self.assertNotIn((cid, eid), bad)
				counted[eid] += 1
			kept = {e for e in given.get(cid, ()) if (cid, e) not in bad}
			self.assertLessEqual(kept, set(chosen))
			self.assertEqual(set(result.added[cid]), set(chosen) - kept)
			if len(chosen) < per_case:
				self.assertIn(cid, result.unfilled)
				self.assertIn(f"尚缺 {per_case - len(chosen)} 名", result.unfilled[cid])
			else:
				self.assertNotIn(cid, result.unfilled)
		self.assertEqual(counted, result.load)
		for eid, cap in capacity.items():
			if cap is not None:
				self.assertLessEqual(
					result.load[eid], max(cap, sum(eid in given.get(c["id"], ()) for c in cases))
				)
		expected_dropped = sorted((cid, e) for cid, es in given.items() for e in es if (cid, e) in bad)
		self.assertEqual(sorted(result.conflicted_existing), expected_dropped)
		directions = {e["id"]: e["directions"] for e in experts}
		mismatched = [
			(c["id"], e)
			for c in cases
			for e in result.assignments[c["id"]]
			if c["direction"] and c["direction"] not in directions[e]
		]
		self.assertEqual(sorted(result.direction_mismatches), sorted(mismatched))

	def test_random_pools_without_capacity(self):
		"""Without capacities every case gets min(per_case, experts it may have): exactly the feasible fill."""
		for trial in range(150):
			rng = random.Random(trial)
			per_case = rng.randint(1, 4)
			args = (rng.randint(1, 40), rng.randint(1, 12), per_case, rng.choice([0, 0.1, 0.4, 0.8]))
			cases, experts, bad, given = random_instance(
				rng, *args, rng.randint(0, 3), 0, rng.choice([0, 0.3])
			)
			result = assign(cases, experts, per_case, conflicted_by(bad), given, seed=trial)
			self.check_invariants(cases, experts, per_case, bad, given, result)
			for case in cases:
				eligible = sum((case["id"], e["id"]) not in bad for e in experts)
				kept = sum((case["id"], e) not in bad for e in given.get(case["id"], ()))
				expected = max(kept, min(per_case, eligible))  # existing pairs beyond per_case stay too
				self.assertEqual(len(result.assignments[case["id"]]), expected, trial)

	def test_balanced_without_conflicts_or_directions(self):
		for trial in range(100):
			rng = random.Random(1000 + trial)
			n_experts = rng.randint(1, 30)
			per_case = rng.randint(1, min(4, n_experts))
			cases, experts, bad, _ = random_instance(
				rng, rng.randint(1, 300), n_experts, per_case, 0, 0, 0, 0
			)
			result = assign(cases, experts, per_case, conflicted_by(bad), seed=trial)
			self.assertEqual(result.unfilled, {})
			self.assertLessEqual(result.spread, 1, trial)
			self.assertEqual(sum(result.load.values()), len(cases) * per_case)

	def test_balanced_when_every_expert_covers_every_direction(self):
		"""Directions set on every case but covered by every expert: no restriction, so max − min ≤ 1."""
		for trial in range(60):
			rng = random.Random(2000 + trial)
			cases, experts, bad, _ = random_instance(
				rng, rng.randint(20, 120), rng.randint(4, 15), 3, 0, 3, 0, 0
			)
			for e in experts:
				e["directions"] = {"A", "B", "C"}
			result = assign(cases, experts, 3, conflicted_by(bad), seed=trial)
			self.assertLessEqual(result.spread, 1, trial)
			self.assertEqual(result.direction_mismatches, [])

	def test_matches_brute_force_on_small_pools(self):
		"""Conflicts, directions, capacities and existing pairs together, against exhaustive search: the fill is
		the largest possible; with the same number of experts per case the mismatches are the fewest and the
		sorted load vector is the decreasingly-minimal one (so max and min loads are the best possible)."""
		checked = 0
		for trial in range(250):
			rng = random.Random(3000 + trial)
			per_case = rng.randint(1, 2)
			args = (
				rng.randint(2, 4),
				rng.randint(2, 5),
				per_case,
				rng.choice([0, 0.2, 0.4]),
				rng.randint(0, 3),
			)
			cases, experts, bad, given = random_instance(
				rng, *args, rng.choice([0, 2, 3, 3]), rng.choice([0, 0.3])
			)
			result = assign(cases, experts, per_case, conflicted_by(bad), given, seed=trial)
			self.check_invariants(cases, experts, per_case, bad, given, result)
			best_fill, best = brute_force(cases, experts, per_case, bad, given, result)
			self.assertEqual(sum(len(v) for v in result.added.values()), best_fill, trial)
			mismatches = len(result.direction_mismatches)
			loads = tuple(sorted(result.load.values(), reverse=True))
			self.assertEqual((mismatches, loads), best, trial)
			checked += 1
		self.assertEqual(checked, 250)

	def test_existing_pairs_kept_and_counted(self):
		experts = [{"id": f"e{i}", "directions": set()} for i in range(6)]
		cases = [{"id": "c1", "direction": None}, {"id": "c2", "direction": None}]
		given = {"c1": {"e0", "e1"}, "c2": {"e2", "e5", "outsider"}}
		bad = {("c2", "e5")}
		result = assign(cases, experts, 3, conflicted_by(bad), given)
		self.assertEqual(result.assignments["c1"][:2], ["e0", "e1"])
		self.assertEqual(len(result.added["c1"]), 1)
		self.assertEqual(result.assignments["c2"][:2], ["e2", "outsider"])  # e5 is conflicted: dropped
		self.assertEqual(len(result.added["c2"]), 1)
		self.assertNotIn("e5", result.assignments["c2"])
		self.assertEqual(result.conflicted_existing, [("c2", "e5")])
		self.assertNotIn("outsider", result.load)

	def test_infeasible_case_reported(self):
		experts = [{"id": f"e{i}", "directions": set()} for i in range(5)]
		cases = [{"id": "open", "direction": None}, {"id": "hard", "direction": None}]
		bad = {("hard", f"e{i}") for i in range(4)}
		result = assign(cases, experts, 3, conflicted_by(bad))
		self.assertEqual(result.assignments["hard"], ["e4"])
		self.assertEqual(
			result.unfilled["hard"], "无利益冲突的可选专家仅 1 名，不足每个案例所需的 3 名，尚缺 2 名。"
		)
		self.assertNotIn("open", result.unfilled)
		self.assertEqual(len(result.assignments["open"]), 3)

	def test_capacity_shortage_reported(self):
		experts = [{"id": f"e{i}", "directions": set(), "capacity": 1} for i in range(3)]
		cases = [{"id": f"c{i}", "direction": None} for i in range(2)]
		result = assign(cases, experts, 2, conflicted_by(set()))
		self.assertEqual(sum(map(len, result.assignments.values())), 3)
		[reason] = result.unfilled.values()
		self.assertEqual(reason, "无利益冲突的专家评审任务已满（达到评审上限），尚缺 1 名。")

	def test_capacity_needs_an_augmenting_path(self):
		"""4 places, capacities 1 + 1 + 2: when greedy gives c1 both e0 and e1, c0 is left with e2 alone and only
		an augmenting path (c1 hands e1's place to e2, c0 takes e1) fills it. Some seeds lead greedy there."""
		experts = [
			{"id": "e0", "directions": {"A"}, "capacity": 1},
			{"id": "e1", "directions": {"A", "B"}, "capacity": 1},
			{"id": "e2", "directions": {"A"}, "capacity": 2},
		]
		cases = [{"id": "c0", "direction": "B"}, {"id": "c1", "direction": "A"}]
		for seed in range(40):
			result = assign(cases, experts, 2, conflicted_by(set()), seed=seed)
			self.assertEqual(result.unfilled, {}, seed)
			self.assertEqual(result.load, {"e0": 1, "e1": 1, "e2": 2}, seed)

	def test_fewest_mismatches_under_capacity(self):
		"""e1 covers no case's direction, so its 2 places are mismatches; everything else can match (e0 on c1,
		e2 on c0 and c2). Greedy alone sometimes puts e2 on the A case: 3 mismatches."""
		experts = [
			{"id": "e0", "directions": {"A", "B", "C"}, "capacity": 1},
			{"id": "e1", "directions": {"B"}, "capacity": 2},
			{"id": "e2", "directions": {"C"}, "capacity": 2},
		]
		cases = [
			{"id": "c0", "direction": "C"},
			{"id": "c1", "direction": "A"},
			{"id": "c2", "direction": "C"},
		]
		for seed in range(40):
			result = assign(cases, experts, 2, conflicted_by(set()), seed=seed)
			self.assertEqual(sum(map(len, result.assignments.values())), 5, seed)
			self.assertEqual(len(result.direction_mismatches), 2, seed)
			self.assertEqual({e for _, e in result.direction_mismatches}, {"e1"}, seed)

	def test_direction_preferred(self):
		experts = [{"id": f"a{i}", "directions": {"A"}} for i in range(4)]
		experts += [{"id": f"b{i}", "directions": {"B"}} for i in range(4)]
		cases = [{"id": f"c{i}", "direction": "A" if i % 2 else "B"} for i in range(40)]
		result = assign(cases, experts, 3, conflicted_by(set()), seed=5)
		self.assertEqual(result.direction_mismatches, [])
		self.assertLessEqual(result.spread, 1)
		# With only two A experts, every A case must take one B expert and says so.
		few = [e for e in experts if e["id"] not in ("a2", "a3")]
		result = assign(cases, few, 3, conflicted_by(set()), seed=5)
		a_cases = [c["id"] for c in cases if c["direction"] == "A"]
		self.assertEqual(sorted(c for c, _ in result.direction_mismatches), sorted(a_cases))
		for cid in a_cases:
			self.assertLessEqual({"a0", "a1"}, set(result.assignments[cid]))

	def test_deterministic_across_hash_seeds(self):
		code = (
			"import json, random\n"
			"from case_selection.tests.test_review_core import random_instance, conflicted_by\n"
			"from case_selection.review.assignment import assign\n"
			"cases, experts, bad, given = random_instance(random.Random(7), 60, 12, 3, 0.2, 3, 12, 0.3)\n"
			"r = assign(cases, experts, 3, conflicted_by(bad), given, seed=11)\n"
			"print(json.dumps([r.assignments, r.unfilled, r.direction_mismatches]))\n"
		)
		root = os.path.dirname(os.path.dirname(os.path.abspath(case_selection.__file__)))
		outputs = []
		for hash_seed in ("1", "2", "3"):
			env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": root}
			run = subprocess.run(
				[sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
			)
			outputs.append(json.loads(run.stdout))
		self.assertEqual(outputs[0], outputs[1])
		self.assertEqual(outputs[0], outputs[2])
		self.assertTrue(any(outputs[0][0].values()))

	def test_a_city_sized_round_is_filled_evenly(self):
		"""1,000 cases × 3 over 60 experts with a few conflicts: every place filled, no conflicted pair, loads within
		one of each other (its cost is the benchmark's business, not a test's)."""
		rng = random.Random(99)
		cases, experts, bad, _ = random_instance(rng, 1000, 60, 3, 0.05, 3, 0, 0)
		result = assign(cases, experts, 3, conflicted_by(bad), seed=1)
		self.assertEqual(result.unfilled, {})
		self.assertEqual(sum(result.load.values()), 3000)
		self.assertFalse([(c, e) for c, es in result.assignments.items() for e in es if (c, e) in bad])
		self.assertLessEqual(max(result.load.values()) - min(result.load.values()), 1)

	def test_bad_arguments(self):
		with self.assertRaises(ValueError):
			assign([{"id": "c"}], [{"id": "e"}], 0, conflicted_by(set()))
		with self.assertRaises(ValueError):
			assign([{"id": "c"}], [{"id": "e"}, {"id": "e"}], 1, conflicted_by(set()))


def brute_force(cases, experts, per_case, bad, given, result):
	"""(largest total of new places; (fewest mismatches, decreasingly-minimal sorted loads) among assignments
	giving each case as many new experts as `result` did), by trying every assignment."""
	ids = [e["id"] for e in experts]
	cap = {e["id"]: e.get("capacity") for e in experts}
	base = dict.fromkeys(ids, 0)
	kept, options_any, options_same, cost = {}, [], [], []
	for case in cases:
		cid = case["id"]
		kept[cid] = {e for e in given.get(cid, ()) if (cid, e) not in bad}
		for e in kept[cid] & set(ids):
			base[e] += 1
		free = [e for e in ids if (cid, e) not in bad and e not in kept[cid]]
		demand = max(0, per_case - len(kept[cid]))
		options_any.append([s for k in range(demand + 1) for s in itertools.combinations(free, k)])
		options_same.append(list(itertools.combinations(free, len(result.added[cid]))))
		directions = {e["id"]: e["directions"] for e in experts}
		cost.append({e: int(bool(case["direction"]) and case["direction"] not in directions[e]) for e in ids})
	fixed_mismatches = sum(cost[i][e] for i, c in enumerate(cases) for e in kept[c["id"]] if e in cost[i])

	def fits(load):
		return all(cap[e] is None or load[e] <= max(cap[e], base[e]) for e in ids)

	def loads(choice):
		load = dict(base)
		for subset in choice:
			for e in subset:
				load[e] += 1
		return load

	best_fill = max(
		sum(map(len, choice)) for choice in itertools.product(*options_any) if fits(loads(choice))
	)
	best = None
	for choice in itertools.product(*options_same):
		load = loads(choice)
		if not fits(load):
			continue
		mismatches = fixed_mismatches + sum(cost[i][e] for i, subset in enumerate(choice) for e in subset)
		key = (mismatches, tuple(sorted(load.values(), reverse=True)))
		best = key if best is None or key < best else best
	return best_fill, best


# Scores --------------------------------------------------------------------------------------------------

TRUTH = {"c1": 80, "c2": 75, "c3": 70, "c4": 65, "c5": 60, "c6": 55, "c7": 50, "c8": 45}
# H (harsh, −15) and L (lenient, +15) each see half of the cases, chosen so both halves have the same mean
# and SD as the whole; N scores everything true. Raw averages then favour L's cases.
HARSH_HALF = {"c1", "c4", "c6", "c7"}


def biased_reviews() -> list[dict]:
	reviews = []
	for case, true in TRUTH.items():
		reviews.append({"case": case, "expert": "N", "total": true, "recused": False})
		if case in HARSH_HALF:
			reviews.append({"case": case, "expert": "H", "total": true - 15, "recused": False})
		else:
			reviews.append({"case": case, "expert": "L", "total": true + 15, "recused": False})
	return reviews


def ranking(summary, key) -> list:
	return [c.case for c in sorted(summary.cases, key=lambda c: (getattr(c, key), c.case))]


class TestScores(unittest.TestCase):
	def test_normalisation_recovers_the_truth_raw_does_not(self):
		summary = summarise(biased_reviews(), disagreement_sd=20)
		truth = sorted(TRUTH, key=lambda c: -TRUTH[c])
		self.assertEqual(ranking(summary, "rank_normalised"), truth)
		self.assertEqual([summary.case(c).rank_normalised for c in truth], list(range(1, 9)))
		self.assertNotEqual(ranking(summary, "rank_raw"), truth)
		self.assertEqual(summary.case("c2").rank_raw, 1)  # L's best case outscores the true best raw
		self.assertEqual(summary.case("c1").rank_change, summary.case("c1").rank_raw - 1)
		self.assertGreater(summary.case("c1").rank_change, 0)

	def test_harsh_and_lenient_labelled_with_their_numbers(self):
		summary = summarise(biased_reviews(), disagreement_sd=20)
		harsh, lenient, neutral = summary.expert("H"), summary.expert("L"), summary.expert("N")
		self.assertEqual((harsh.labels, lenient.labels, neutral.labels), (("偏严",), ("偏松",), ()))
		self.assertEqual(neutral.label, "正常")
		self.assertAlmostEqual(harsh.offset, -15)
		self.assertAlmostEqual(lenient.offset, 15)
		self.assertEqual(harsh.offset_basis, "paired")
		self.assertAlmostEqual(summary.yardstick, 7.5)  # each case's two totals are 15 apart
		self.assertAlmostEqual(harsh.threshold, 7.5)
		self.assertIn("-15.00", harsh.explanation())
		# At 2.5 yardsticks (18.75 points) a 15-point gap is no longer a label.
		self.assertEqual(summarise(biased_reviews(), 20, harsh_lenient_sd=2.5).expert("H").labels, ())

	def test_the_z_score_formula(self):
		reviews = [
			{"case": "c1", "expert": "A", "total": 60},
			{"case": "c2", "expert": "A", "total": 80},
			{"case": "c1", "expert": "B", "total": 70},
			{"case": "c2", "expert": "B", "total": 90},
		]
		pool_sd = statistics.pstdev([60, 80, 70, 90])
		values = normalise(reviews)
		self.assertAlmostEqual(values[("c1", "A")], 75 - pool_sd)
		self.assertAlmostEqual(values[("c2", "B")], 75 + pool_sd)
		summary = summarise(reviews, disagreement_sd=10)
		self.assertAlmostEqual(summary.pool_sd, math.sqrt(125))
		self.assertAlmostEqual(summary.case("c1").normalised_average, 75 - pool_sd)

	def test_recused_and_unscored_count_in_nothing(self):
		base = biased_reviews()
		noisy = [
			*base,
			{"case": "c8", "expert": "X", "total": 0, "recused": True},
			{"case": "c1", "expert": "Y", "total": None, "recused": False},
			{"case": "c9", "expert": "N", "total": 100, "recused": True},
		]
		a, b = summarise(base, 20), summarise(noisy, 20)
		self.assertEqual((a.pool_mean, a.pool_sd, a.n_reviews), (b.pool_mean, b.pool_sd, b.n_reviews))
		for case in TRUTH:
			self.assertEqual(a.case(case), b.case(case))
		self.assertEqual(a.experts, b.experts)
		self.assertEqual(raw_average(noisy, "c8"), raw_average(base, "c8"))
		self.assertEqual(raw_average(noisy, "c8"), 52.5)  # N 45, L 60
		only_recused = b.case("c9")
		self.assertEqual((only_recused.n, only_recused.raw_average, only_recused.rank_raw), (0, None, None))
		self.assertIsNone(raw_average(noisy, "c9"))

	def test_flat_scorers(self):
		reviews = [{"case": f"c{i}", "expert": "N", "total": t} for i, t in enumerate([50, 60, 70, 80, 90])]
		reviews += [{"case": f"c{i}", "expert": "F", "total": 70} for i in range(3)]  # sd 0
		reviews += [
			{"case": "c0", "expert": "G", "total": 70},
			{"case": "c1", "expert": "G", "total": 73},
		]  # 1.5
		reviews += [
			{"case": "c2", "expert": "K", "total": 70},
			{"case": "c3", "expert": "K", "total": 75},
		]  # 2.5
		reviews += [{"case": "c4", "expert": "S", "total": 88}]  # one score
		summary = summarise(reviews, disagreement_sd=30)
		self.assertIn("区分度低", summary.expert("F").labels)
		self.assertIn("区分度低", summary.expert("G").labels)
		self.assertNotIn("区分度低", summary.expert("K").labels)
		self.assertNotIn("区分度低", summary.expert("S").labels)
		self.assertNotIn("区分度低", summary.expert("N").labels)
		self.assertEqual(summary.expert("F").sd, 0)
		self.assertAlmostEqual(summary.expert("G").sd, 1.5)
		# Fallbacks: a flat scorer gives every case the pool mean, a single score stays raw.
		self.assertEqual(summary.expert("F").method, scores.SHIFT)
		for i in range(3):
			self.assertAlmostEqual(summary.normalised[(f"c{i}", "F")], summary.pool_mean)
		self.assertEqual(summary.expert("S").method, scores.RAW)
		self.assertEqual(summary.normalised[("c4", "S")], 88)
		self.assertEqual(summary.expert("N").method, scores.Z)

	def test_disagreement_exactly_at_the_threshold(self):
		reviews = [
			{"case": "split", "expert": "A", "total": 70},
			{"case": "split", "expert": "B", "total": 80},
			{"case": "other", "expert": "A", "total": 75},
			{"case": "other", "expert": "B", "total": 76},
		]
		self.assertEqual(summarise(reviews, disagreement_sd=5.0).case("split").spread, 5.0)  # population SD
		self.assertFalse(summarise(reviews, disagreement_sd=5.0).case("split").disagree)
		self.assertTrue(summarise(reviews, disagreement_sd=4.999).case("split").disagree)
		self.assertFalse(summarise(reviews, disagreement_sd=0.5).case("other").disagree)
		self.assertTrue(summarise(reviews, disagreement_sd=0.499).case("other").disagree)

	def test_ties_rank_1224(self):
		reviews = [
			{"case": c, "expert": e, "total": t}
			for c, e, t in [("a", "x", 90), ("b", "y", 80), ("c", "z", 80), ("d", "w", 70)]
		]
		summary = summarise(reviews, disagreement_sd=10)
		self.assertEqual([summary.case(c).rank_raw for c in "abcd"], [1, 2, 2, 4])
		self.assertEqual([summary.case(c).rank_normalised for c in "abcd"], [1, 2, 2, 4])
		self.assertEqual(competition_ranks({"p": 0.1 + 0.2, "q": 0.3, "r": 0.2}), {"p": 1, "q": 1, "r": 3})
		self.assertEqual(
			competition_ranks({"p": 5, "q": 5, "r": 5, "s": 6}), {"s": 1, "p": 2, "q": 2, "r": 2}
		)

	def test_random_rounds_stay_on_scale_and_deterministic(self):
		rng = random.Random(5)
		reviews = []
		for case in range(60):
			for expert in rng.sample(range(12), 3):
				reviews.append({"case": case, "expert": expert, "total": round(rng.uniform(0, 100), 1)})
		a, b = summarise(reviews, 15), summarise(list(reversed(reviews)), 15)
		self.assertTrue(all(0 <= v <= 100 for v in a.normalised.values()))
		self.assertEqual(a.as_rows(), b.as_rows())
		self.assertEqual(a.expert_rows(), b.expert_rows())
		rows = a.as_rows()
		self.assertEqual([r["rank_normalised"] for r in rows], sorted(r["rank_normalised"] for r in rows))
		self.assertTrue(all(r["raw_average"] == round(r["raw_average"], 2) for r in rows))
		self.assertFalse(all(c.raw_average == round(c.raw_average, 2) for c in a.cases))  # floats kept

	def test_clipped_to_scale(self):
		reviews = [
			{"case": f"c{i}", "expert": "A", "total": t} for i, t in enumerate([0, 100, 100, 100, 100])
		]
		reviews += [{"case": f"c{i}", "expert": "B", "total": 99} for i in range(5)]
		values = normalise(reviews)
		# A's mean is 80, SD 40: a 100 is z = 0.5, i.e. 89.5 + 0.5 × 29.8 > 100 on the pool's scale.
		self.assertEqual(values[("c1", "A")], 100)
		self.assertAlmostEqual(values[("c0", "A")], 89.5 - 2 * math.sqrt(890.25))
		self.assertTrue(all(0 <= v <= 100 for v in values.values()))

	def test_bad_input(self):
		with self.assertRaises(ValueError):
			summarise([{"case": "c", "expert": "e", "total": 101}], 10)
		with self.assertRaises(ValueError):
			summarise(
				[{"case": "c", "expert": "e", "total": 50}, {"case": "c", "expert": "e", "total": 60}], 10
			)


if __name__ == "__main__":
	unittest.main()
