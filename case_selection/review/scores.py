"""Scores made comparable across experts, and what the city should look at twice.

Input: reviews = [{"case", "expert", "total" (the weighted raw total, 0–100), "recused": bool}, …]. A recused
review or one without a total counts in nothing (no average, no SD, no count).

Definitions (all SDs are *population* SDs: a round's scores are the whole population, not a sample):
- pool mean / pool SD: over every counted raw total of the round;
- normalised score of expert e on case c: z = (x − mean_e) / sd_e over e's own counted scores, mapped back to
  the 0–100 scale as pool_mean + z · pool_sd, clipped to [0, 100]. Fallbacks, on the rule "correct only what
  the expert's own scores can estimate":
  - n_e ≥ 2 and sd_e = 0 (everything scored alike): the expert's level is known but not his scale, so only the
    level is corrected: x − mean_e + pool_mean = pool_mean; the expert ranked nothing, so every case he
    scored gets the pool mean from him;
  - n_e = 1: neither level nor scale can be told apart from the case's merit, so the score stays raw;
- per case: raw average, normalised average, n, spread = population SD of the raw totals (what the experts
  actually gave; 0 with one review), `disagree` when spread > `disagreement_sd` (strictly);
- ranks: by raw and by normalised average, highest first, competition ranking (1, 2, 2, 4) where averages
  equal to 9 decimals tie and nothing else breaks a tie; `rank_change` = rank_raw − rank_normalised (positive: the
  case moved up once experts are made comparable); a case with no counted review has no rank;
- per expert: n, mean, sd; `offset` = how far the expert scores from colleagues on the same cases: the mean,
  over his cases that someone else also scored, of (his total − the others' average on that case); when no
  case of his was scored by anyone else, mean_e − pool_mean instead (`offset_basis` "pool"). Comparing on the
  same cases keeps a direction's weaker cases from making its experts look harsh;
- the yardstick for 偏严 / 偏松 is the typical disagreement between experts on one case: the within-case SD,
  sqrt of the mean over cases with ≥ 2 counted reviews of the population variance of their totals (the pool
  SD when no case has two). An expert is 偏严 when offset < −harsh_lenient_sd · yardstick, 偏松 when
  offset > harsh_lenient_sd · yardstick: his *systematic* gap exceeds what experts usually differ by on a
  single case. (The pool SD would be too wide a yardstick, it holds the spread of the cases' merits; the SD
  of the experts' means would label a fixed share of any pool.) 区分度低 when n ≥ 2 and sd < flat_sd (a
  flat scorer may also be 偏严 or 偏松); 正常 when none applies.

Floats are kept throughout; only `as_rows` / `expert_rows` round (2 decimals) for export.
"""

import statistics
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from case_selection.review import _

Id = Hashable
TIE = 9  # averages equal to this many decimals share a rank
EPS = 1e-9  # below this an SD is zero and an offset is within its threshold

HARSH, LENIENT, FLAT, NORMAL = "偏严", "偏松", "区分度低", "正常"
Z, SHIFT, RAW = "z", "shift", "raw"  # how an expert's scores were normalised


@dataclass(frozen=True)
class Review:
	case: Id
	expert: Id
	total: float


def counted(reviews: Iterable[dict]) -> list[Review]:
	"""The reviews that count: not recused, with a total; a total outside 0–100 or a second review of the
	same case by the same expert is an error of the caller."""
	out, seen = [], set()
	for r in reviews:
		if r.get("recused") or r.get("total") is None:
			continue
		total = float(r["total"])
		if not 0 <= total <= 100:
			raise ValueError(f"total {total} of {r['case']!r} by {r['expert']!r} is outside 0–100")
		pair = (r["case"], r["expert"])
		if pair in seen:
			raise ValueError(f"{r['expert']!r} reviewed {r['case']!r} twice")
		seen.add(pair)
		out.append(Review(r["case"], r["expert"], total))
	return out


def raw_average(reviews: Iterable[dict], case: Id) -> float | None:
	"""The plain average of the counted totals of `case`, None without any."""
	totals = [r.total for r in counted(reviews) if r.case == case]
	return statistics.fmean(totals) if totals else None


def _pool(rows: list[Review]) -> tuple[float, float]:
	totals = [r.total for r in rows]
	if not totals:
		return 0.0, 0.0
	return statistics.fmean(totals), statistics.pstdev(totals)


def _by_expert(rows: list[Review]) -> dict[Id, list[Review]]:
	out: dict[Id, list[Review]] = {}
	for r in rows:
		out.setdefault(r.expert, []).append(r)
	return out


def _method(n: int, sd: float) -> str:
	return RAW if n < 2 else SHIFT if sd < EPS else Z


def normalise(reviews: Iterable[dict]) -> dict[tuple[Id, Id], float]:
	"""(case, expert) → normalised score on the 0–100 scale, for every counted review (module docstring)."""
	rows = counted(reviews)
	pool_mean, pool_sd = _pool(rows)
	out = {}
	for own in _by_expert(rows).values():
		totals = [r.total for r in own]
		mean, sd = statistics.fmean(totals), statistics.pstdev(totals)
		method = _method(len(own), sd)
		for r in own:
			if method == RAW:
				value = r.total
			elif method == SHIFT:
				value = pool_mean
			else:
				value = pool_mean + (r.total - mean) / sd * pool_sd
			out[(r.case, r.expert)] = min(100.0, max(0.0, value))
	return out


def competition_ranks(values: dict[Id, float]) -> dict[Id, int]:
	"""Highest first, ties share the best rank and the next rank skips: 1, 2, 2, 4."""
	ordered = sorted(values.items(), key=lambda item: -round(item[1], TIE))
	ranks, previous, rank = {}, None, 0
	for position, (key, value) in enumerate(ordered, start=1):
		if previous is None or round(value, TIE) != previous:
			rank, previous = position, round(value, TIE)
		ranks[key] = rank
	return ranks


@dataclass(frozen=True)
class CaseScore:
	case: Id
	n: int
	raw_average: float | None
	normalised_average: float | None
	spread: float | None  # population SD of the raw totals
	disagree: bool
	rank_raw: int | None
	rank_normalised: int | None

	@property
	def rank_change(self) -> int | None:
		if self.rank_raw is None or self.rank_normalised is None:
			return None
		return self.rank_raw - self.rank_normalised


@dataclass(frozen=True)
class ExpertScore:
	expert: Id
	n: int
	mean: float
	sd: float  # population SD of the expert's totals (0 with one score)
	mean_offset: float  # mean − pool mean
	offset: float  # the basis of 偏严 / 偏松 (module docstring)
	offset_basis: str  # "paired" (same cases as colleagues) or "pool"
	n_compared: int  # cases in the paired offset
	threshold: float  # harsh_lenient_sd · the round's yardstick, in points
	method: str  # Z, SHIFT or RAW: how the expert's scores were normalised
	labels: tuple[str, ...]

	@property
	def label(self) -> str:
		return "、".join(self.labels) if self.labels else NORMAL

	def explanation(self) -> str:
		"""The numbers behind the label, in Chinese."""
		if self.offset_basis == "paired":
			basis = _("与同案其他专家相比平均相差 {0:+.2f} 分").format(self.offset)
		else:
			basis = _("与全部评分均值相差 {0:+.2f} 分").format(self.offset)
		return _("评分 {0} 个，均值 {1:.2f}，标准差 {2:.2f}；{3}（偏严/偏松阈值 ±{4:.2f} 分）。").format(
			self.n, self.mean, self.sd, basis, self.threshold
		)


@dataclass
class Summary:
	pool_mean: float
	pool_sd: float
	yardstick: float  # within-case SD (or the pool SD), the unit of 偏严 / 偏松
	yardstick_basis: str  # "within_case" or "pool"
	n_reviews: int
	cases: list[CaseScore]  # by normalised rank, then case id
	experts: list[ExpertScore]  # by expert id
	normalised: dict[tuple[Id, Id], float]  # (case, expert) → normalised score

	def case(self, case: Id) -> CaseScore:
		return next(c for c in self.cases if c.case == case)

	def expert(self, expert: Id) -> ExpertScore:
		return next(e for e in self.experts if e.expert == expert)

	def as_rows(self) -> list[dict]:
		"""One dict per case for export, numbers rounded to 2 decimals."""
		return [
			{
				"case": c.case,
				"n": c.n,
				"raw_average": _r(c.raw_average),
				"normalised_average": _r(c.normalised_average),
				"spread": _r(c.spread),
				"disagree": c.disagree,
				"rank_raw": c.rank_raw,
				"rank_normalised": c.rank_normalised,
				"rank_change": c.rank_change,
			}
			for c in self.cases
		]

	def expert_rows(self) -> list[dict]:
		"""One dict per expert for export, numbers rounded to 2 decimals."""
		return [
			{
				"expert": e.expert,
				"n": e.n,
				"mean": _r(e.mean),
				"sd": _r(e.sd),
				"mean_offset": _r(e.mean_offset),
				"offset": _r(e.offset),
				"offset_basis": e.offset_basis,
				"threshold": _r(e.threshold),
				"method": e.method,
				"label": e.label,
			}
			for e in self.experts
		]


def _r(value: float | None) -> float | None:
	return None if value is None else round(value, 2)


def summarise(
	reviews: Iterable[dict],
	disagreement_sd: float,
	harsh_lenient_sd: float = 1.0,
	flat_sd: float = 2.0,
) -> Summary:
	"""Per-case and per-expert figures of a round's reviews (definitions in the module docstring). Cases whose
	reviews are all recused or unscored are listed with n = 0 and no averages or ranks."""
	reviews = list(reviews)
	rows = counted(reviews)
	pool_mean, pool_sd = _pool(rows)
	normalised = normalise(reviews)

	per_case: dict[Id, list[Review]] = {}
	for r in reviews:
		per_case.setdefault(r["case"], [])
	for r in rows:
		per_case[r.case].append(r)
	raw = {c: statistics.fmean(r.total for r in own) for c, own in per_case.items() if own}
	norm = {
		c: statistics.fmean(normalised[(r.case, r.expert)] for r in own) for c, own in per_case.items() if own
	}
	rank_raw, rank_norm = competition_ranks(raw), competition_ranks(norm)
	cases = []
	for c, own in per_case.items():
		spread = statistics.pstdev([r.total for r in own]) if own else None
		cases.append(
			CaseScore(
				case=c,
				n=len(own),
				raw_average=raw.get(c),
				normalised_average=norm.get(c),
				spread=spread,
				disagree=spread is not None and spread > disagreement_sd,
				rank_raw=rank_raw.get(c),
				rank_normalised=rank_norm.get(c),
			)
		)
	cases.sort(key=lambda s: (s.rank_normalised is None, s.rank_normalised or 0, str(s.case)))

	variances = [statistics.pvariance([r.total for r in own]) for own in per_case.values() if len(own) >= 2]
	if variances:
		yardstick, yardstick_basis = statistics.fmean(variances) ** 0.5, "within_case"
	else:
		yardstick, yardstick_basis = pool_sd, "pool"
	threshold = harsh_lenient_sd * yardstick
	experts = []
	for expert, own in _by_expert(rows).items():
		totals = [r.total for r in own]
		mean, sd = statistics.fmean(totals), statistics.pstdev(totals)
		diffs = []
		for r in own:
			others = [o.total for o in per_case[r.case] if o.expert != expert]
			if others:
				diffs.append(r.total - statistics.fmean(others))
		offset = statistics.fmean(diffs) if diffs else mean - pool_mean
		labels = []
		if offset < -threshold - EPS:
			labels.append(HARSH)
		elif offset > threshold + EPS:
			labels.append(LENIENT)
		if len(own) >= 2 and sd < flat_sd:
			labels.append(FLAT)
		experts.append(
			ExpertScore(
				expert=expert,
				n=len(own),
				mean=mean,
				sd=sd,
				mean_offset=mean - pool_mean,
				offset=offset,
				offset_basis="paired" if diffs else "pool",
				n_compared=len(diffs),
				threshold=threshold,
				method=_method(len(own), sd),
				labels=tuple(labels),
			)
		)
	experts.sort(key=lambda e: str(e.expert))
	return Summary(pool_mean, pool_sd, yardstick, yardstick_basis, len(rows), cases, experts, normalised)
