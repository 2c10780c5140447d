"""Balanced assignment of experts to cases.

`assign(cases, experts, per_case, conflicted, existing, seed)` gives each case `per_case` distinct experts.
Goals, in this order:

1. never a conflicted pair (`conflicted(expert, case)` is true): not even an existing one, which is dropped
   from the result and listed in `Result.conflicted_existing` so the caller can withdraw it;
2. as many filled places as the pool allows (a maximum flow): existing non-conflicted pairs are kept and
   count toward `per_case` (kept even beyond it, or beyond a capacity); a case still short is in
   `Result.unfilled` with the reason;
3. the fewest direction mismatches (an expert whose `directions` lack the case's `direction`; a case without
   a direction matches everyone);
4. the most even load (existing and new assignments of each pool expert, see below).

Guarantee. Let F be the set of assignments that keep the kept existing pairs, use no conflicted pair, respect
every `capacity` (the cap on an expert's total load; none when absent) and give each case as many experts as
the result does (the largest total fill; which case stays short when not all can be filled follows the
scarcity order and is not optimised further). Among F the result has the fewest direction mismatches, and
among those its load vector is *decreasingly minimal*: no expert with load L can hand one assignment, through
any chain of moves that keeps the mismatch count, to an expert with load ≤ L − 2. The load vectors of such
assignments form an M-convex set (projection of the optimal face of a flow network), where this local
condition is global (Frank & Murota, decreasingly minimal elements of M-convex sets): the highest load is as
low as it can be and the lowest as high. So **max − min ≤ 1 whenever any assignment in F with the fewest
mismatches has it**, in particular when there are no conflicts, no capacities, no existing load and every
expert covers every case's direction (or no directions are set). It cannot hold when conflicts
or directions make it impossible: an expert conflicted with every case has load 0; if only 2 experts cover a
direction with 100 cases, both carry them all rather than take mismatched cases from other directions; an
existing load of 50 on one expert is kept.

Method (C cases, E experts, A = C·per_case places):
- eligibility: `conflicted` called once per (case, expert) pair, O(C·E);
- greedy: cases in order of scarcity (spare eligible experts minus places to fill, then a seeded random
  key), each takes its eligible experts with capacity by (mismatch, load, seeded random key), O(C·E log E);
- fill: augmenting paths (Ford–Fulkerson) for places greedy left open because of capacities, each
  O(E² + A log A);
- the remaining steps work on the *expert graph*: an arc u → v exists when some case of u (a new
  assignment) could go to v (eligible, not on that case), with cost = the change in mismatches, the least
  over such cases; a node T stands for "spare capacity" (T → u when u has new assignments, v → T when v has
  capacity left). Arc counts are kept per (u, v, cost) and updated in O(per_case·E) per moved case;
- mismatches: cancel negative cycles (Bellman–Ford, O(E³) each, at most one per initial mismatch);
- balance: with potentials π from one Bellman–Ford (any feasible π certifies the optimum), only arcs of
  zero reduced cost keep the mismatch count; repeatedly move one assignment along such a path T → u → … →
  v → T from an expert u to the least loaded expert v it reaches when load(v) ≤ load(u) − 2. Each move lowers
  Σ load² by ≥ 2, so there are fewer than Σ load² / 2 moves; one search is O(E³) at worst.
Polynomial overall: O(C·E log E + A·E + (m + f + s)·E³) for m initial mismatches, f fill augmentations and s
moves. Greedy leaves the pool nearly balanced, so in practice m, f and s are small: 1,000 cases × 3 over 60
experts take a fraction of a second.

Deterministic for a given seed: ties are broken by a `random.Random(seed)` and pool order, never by set or
hash order.
"""

import itertools
import random
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from case_selection.review import _

Id = Hashable


@dataclass
class Result:
	"""What `assign` decided. `load` covers the pool's experts (existing and new assignments); experts outside
	the pool keep their existing pairs in `assignments` but are not in `load`."""

	assignments: dict[Id, list[Id]]  # case → experts: kept existing ones first (pool order), then new ones
	load: dict[Id, int]
	unfilled: dict[Id, str] = field(default_factory=dict)  # case → why it has fewer than per_case experts
	direction_mismatches: list[tuple[Id, Id]] = field(default_factory=list)  # (case, expert) pairs
	added: dict[Id, list[Id]] = field(default_factory=dict)  # case → the new experts only
	conflicted_existing: list[tuple[Id, Id]] = field(default_factory=list)  # existing pairs dropped

	@property
	def spread(self) -> int:
		"""max − min load over the pool's experts."""
		return max(self.load.values()) - min(self.load.values()) if self.load else 0


def assign(
	cases: list[dict],
	experts: list[dict],
	per_case: int,
	conflicted: Callable[[dict, dict], bool],
	existing: dict[Id, set[Id]] | None = None,
	seed: int = 0,
) -> Result:
	"""Experts for every case; see the module docstring for the goals, the guarantee and the cost.

	cases: [{"id", "direction"}, …]; experts: [{"id", "directions": set, "capacity": int | None}, …];
	existing: case id → expert ids already assigned (kept unless conflicted; ids of unknown cases ignored).
	"""
	if per_case < 1:
		raise ValueError("per_case must be at least 1")
	return _Assigner(cases, experts, per_case, conflicted, existing or {}, seed).run()


class _Assigner:
	def __init__(self, cases, experts, per_case, conflicted, existing, seed):
		self.cases, self.experts, self.per_case = cases, experts, per_case
		self.rng = random.Random(seed)
		self.E, self.C = len(experts), len(cases)
		self.T = self.E  # the spare-capacity node of the expert graph
		self.expert_index = {e["id"]: i for i, e in enumerate(experts)}
		if len(self.expert_index) != self.E or len({c["id"] for c in cases}) != self.C:
			raise ValueError("expert and case ids must be unique")
		self.cap = [None if e.get("capacity") is None else max(0, int(e["capacity"])) for e in experts]
		directions = [set(e.get("directions") or ()) for e in experts]
		self.mm = []  # mm[c][e]: 1 when expert e does not cover case c's direction
		self.elig = []  # elig[c]: experts not conflicted with case c, pool order
		self.elig_set = []
		for case in cases:
			d = case.get("direction")
			self.mm.append([0 if not d or d in directions[e] else 1 for e in range(self.E)])
			ok = [e for e in range(self.E) if not conflicted(experts[e], case)]
			self.elig.append(ok)
			self.elig_set.append(set(ok))

		self.fixed = [[] for _c in range(self.C)]  # kept existing pool experts
		self.outside = [[] for _c in range(self.C)]  # kept existing experts not in the pool
		self.new = [[] for _c in range(self.C)]
		self.on = [set() for _c in range(self.C)]
		self.load = [0] * self.E
		self.cases_of = [set() for _e in range(self.E)]  # new assignments per expert
		self.conflicted_existing = []
		case_index = {c["id"]: i for i, c in enumerate(cases)}
		for cid, eids in existing.items():
			c = case_index.get(cid)
			if c is None:
				continue
			pool = sorted(self.expert_index[x] for x in eids if x in self.expert_index)
			for e in pool:
				if e in self.elig_set[c]:
					self.fixed[c].append(e)
					self.on[c].add(e)
					self.load[e] += 1
				else:
					self.conflicted_existing.append((cid, experts[e]["id"]))
			self.outside[c] = sorted((x for x in eids if x not in self.expert_index), key=str)
		self.demand = [max(0, per_case - len(self.fixed[c]) - len(self.outside[c])) for c in range(self.C)]
		# cnt[u][v][k + 1]: cases of u (new) that v could take instead, with mismatch change k ∈ {-1, 0, 1}
		self.cnt = [[[0, 0, 0] for _v in range(self.E)] for _u in range(self.E)]

	# State --------------------------------------------------------------------------------------------

	def spare(self, e: int) -> bool:
		return self.cap[e] is None or self.load[e] < self.cap[e]

	def contribute(self, c: int, sign: int):
		"""Add (sign=1) or remove (sign=-1) case c's arcs in the expert graph."""
		mm, on = self.mm[c], self.on[c]
		off = [(h, mm[h]) for h in self.elig[c] if h not in on]
		for g in self.new[c]:
			row, base = self.cnt[g], 1 - mm[g]
			for h, mh in off:
				row[h][mh + base] += sign

	def apply(self, adds: list[tuple[int, int]], moves: list[tuple[int, int, int]]):
		"""Add (case, expert) pairs and move cases (case, from, to), all chosen in the state before the call."""
		touched = sorted({pair[0] for pair in adds} | {move[0] for move in moves})
		for c in touched:
			self.contribute(c, -1)
		for c, e in adds:
			self.new[c].append(e)
			self.on[c].add(e)
			self.cases_of[e].add(c)
			self.load[e] += 1
		for c, f, t in moves:
			self.new[c].remove(f)
			self.new[c].append(t)
			self.on[c].discard(f)
			self.on[c].add(t)
			self.cases_of[f].discard(c)
			self.cases_of[t].add(c)
			self.load[f] -= 1
			self.load[t] += 1
		for c in touched:
			if len(self.on[c]) != len(self.fixed[c]) + len(self.new[c]):
				raise AssertionError(f"an expert twice on case {self.cases[c]['id']}")
			self.contribute(c, 1)

	def arc_cost(self, u: int, v: int) -> int | None:
		n = self.cnt[u][v]
		return -1 if n[0] else 0 if n[1] else 1 if n[2] else None

	def case_for(self, u: int, v: int, k: int) -> int:
		"""A case of u that v could take with mismatch change k (the arc exists with that cost)."""
		for c in sorted(self.cases_of[u]):
			if v in self.elig_set[c] and v not in self.on[c] and self.mm[c][v] - self.mm[c][u] == k:
				return c
		raise AssertionError("arc without a case")

	def path_moves(self, path: list[int]) -> list[tuple[int, int, int]]:
		moves = []
		for u, v in itertools.pairwise(path):
			moves.append((self.case_for(u, v, self.arc_cost(u, v)), u, v))
		return moves

	def arcs(self) -> list[tuple[int, int, int]]:
		"""All arcs of the expert graph with T, as (u, v, cost)."""
		out = []
		for u in range(self.E):
			for v in range(self.E):
				k = self.arc_cost(u, v)
				if k is not None:
					out.append((u, v, k))
			if self.cases_of[u]:
				out.append((self.T, u, 0))
			if self.spare(u):
				out.append((u, self.T, 0))
		return out

	# Steps --------------------------------------------------------------------------------------------

	def run(self) -> Result:
		order = self.greedy()
		for c in range(self.C):
			self.contribute(c, 1)
		self.fill(order)
		self.cancel_mismatches()
		self.balance()
		return self.result()

	def greedy(self) -> list[int]:
		keys = [self.rng.random() for _c in range(self.C)]
		room = [sum(1 for e in self.elig[c] if e not in self.on[c]) - self.demand[c] for c in range(self.C)]
		order = sorted(range(self.C), key=lambda c: (room[c], keys[c]))
		for c in order:
			mm = self.mm[c]
			free = [e for e in self.elig[c] if e not in self.on[c] and self.spare(e)]
			ties = {e: self.rng.random() for e in free}
			free.sort(key=lambda e: (mm[e], self.load[e], ties[e]))
			for e in free[: self.demand[c]]:
				self.new[c].append(e)
				self.on[c].add(e)
				self.cases_of[e].add(c)
				self.load[e] += 1
		return order

	def fill(self, order: list[int]):
		"""Augmenting paths for places left open because the eligible experts were at capacity."""
		progress = True
		while progress:
			progress = False
			for c in order:
				while len(self.new[c]) < self.demand[c] and self.augment(c):
					progress = True

	def augment(self, c: int) -> bool:
		mm = self.mm[c]
		starts = sorted(
			(e for e in self.elig[c] if e not in self.on[c]), key=lambda e: (mm[e], self.load[e], e)
		)
		for e in starts:
			if self.spare(e):
				self.apply([(c, e)], [])
				return True
		parent = dict.fromkeys(starts)
		queue = deque(starts)
		while queue:
			u = queue.popleft()
			for v in range(self.E):
				if v in parent or self.arc_cost(u, v) is None:
					continue
				parent[v] = u
				if self.spare(v):
					path = [v]
					while parent[path[-1]] is not None:
						path.append(parent[path[-1]])
					path.reverse()
					self.apply([(c, path[0])], self.path_moves(path))
					return True
				queue.append(v)
		return False

	def bellman_ford(self, arcs) -> tuple[list[int], list[int] | None]:
		"""Potentials from a virtual source (0 to every node), and a negative cycle if there is one."""
		n = self.E + 1
		dist, parent = [0] * n, [-1] * n
		last = -1
		for _round in range(n):
			last = -1
			for u, v, w in arcs:
				if dist[u] + w < dist[v]:
					dist[v], parent[v], last = dist[u] + w, u, v
			if last < 0:
				return dist, None
		for _step in range(n):  # step back far enough to stand on the cycle
			last = parent[last]
		cycle, x = [last], parent[last]
		while x != last:
			cycle.append(x)
			x = parent[x]
		cycle.reverse()
		return dist, cycle

	def cancel_mismatches(self):
		while True:
			_potentials, cycle = self.bellman_ford(self.arcs())
			if cycle is None:
				return
			# Rotate the cycle to start at T when it passes through it: T's arcs only say who loses or gains.
			if self.T in cycle:
				i = cycle.index(self.T)
				cycle = cycle[i + 1 :] + cycle[:i]
			else:
				cycle = [*cycle, cycle[0]]
			self.apply([], self.path_moves(cycle))

	def balance(self):
		pi = self.bellman_ford(self.arcs())[0]
		T = self.T
		while True:
			adj = [[] for _u in range(self.E)]
			stale = False
			for u, v, w in self.arcs():
				reduced = w + pi[u] - pi[v]
				if reduced < 0:
					stale = True
				elif reduced == 0 and u != T and v != T:
					adj[u].append(v)
			if stale:  # cannot happen after moves along tight arcs; recompute rather than trust it
				self.cancel_mismatches()
				pi = self.bellman_ford(self.arcs())[0]
				continue
			donors = [u for u in range(self.E) if self.cases_of[u] and pi[u] == pi[T]]
			donors.sort(key=lambda u: (-self.load[u], u))
			if not self.shift_one(donors, adj, pi):
				return

	def shift_one(self, donors: list[int], adj: list[list[int]], pi: list[int]) -> bool:
		T = self.T
		for u in donors:
			parent = {u: None}
			queue = deque([u])
			best = None
			while queue:
				x = queue.popleft()
				for v in adj[x]:
					if v in parent:
						continue
					parent[v] = x
					queue.append(v)
					if self.spare(v) and pi[v] == pi[T] and (best is None or self.load[v] < self.load[best]):
						best = v
			if best is not None and self.load[best] <= self.load[u] - 2:
				path = [best]
				while parent[path[-1]] is not None:
					path.append(parent[path[-1]])
				path.reverse()
				self.apply([], self.path_moves(path))
				return True
		return False

	def result(self) -> Result:
		ids = [e["id"] for e in self.experts]
		assignments, added, unfilled, mismatches = {}, {}, {}, []
		for c, case in enumerate(self.cases):
			cid = case["id"]
			new = sorted(self.new[c])
			added[cid] = [ids[e] for e in new]
			assignments[cid] = [ids[e] for e in self.fixed[c]] + self.outside[c] + added[cid]
			mismatches += [(cid, ids[e]) for e in self.fixed[c] + new if self.mm[c][e]]
			short = self.per_case - len(assignments[cid])
			if short > 0:
				unfilled[cid] = self.reason(c, short)
		return Result(
			assignments=assignments,
			load={ids[e]: self.load[e] for e in range(self.E)},
			unfilled=unfilled,
			direction_mismatches=mismatches,
			added=added,
			conflicted_existing=self.conflicted_existing,
		)

	def reason(self, c: int, short: int) -> str:
		available = len(self.elig[c]) + len(self.outside[c])
		if available < self.per_case:
			return _("无利益冲突的可选专家仅 {0} 名，不足每个案例所需的 {1} 名，尚缺 {2} 名。").format(
				available, self.per_case, short
			)
		return _("无利益冲突的专家评审任务已满（达到评审上限），尚缺 {0} 名。").format(short)
