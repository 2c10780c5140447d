"""Conflicts of interest found from affiliations, not only declared.

An expert is conflicted with a case when any of the expert's units (the current one or a past one) is the
applicant or a partner unit of the case, by 统一社会信用代码 (when both codes are valid) or by the unit name
normalised with `normalise_unit`; and, when the round says so, when the expert sits in the case's district.

Inputs are plain dicts, so the DocTypes decide where the data comes from:

	expert = {"unit": str, "uscc": str, "district": str, "past_units": [{"unit": str, "uscc": str}, ...]}
	case = {"unit_name": str, "uscc": str, "district": str, "partners": [{"unit_name": str, "uscc": str}, ...]}

A partner row may name its unit `partner_name` (the Case Partner Unit field) instead of `unit_name`.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from case_selection.checks.formats import uscc_valid
from case_selection.review import _

REGION = "重庆"
REGION_PREFIXES = ("重庆市", "重庆")
# A bracketed region anywhere, after NFKC has turned full-width brackets into ASCII ones: 长安汽车（重庆）有限公司.
BRACKETED_REGION = re.compile(r"[(\[【〔〈《「『{]\s*重庆市?\s*[)\]】〕〉》」』}]")
# Company forms dropped from the end, longest first, repeatedly (…集团股份有限公司 → …集团 → …).
COMPANY_SUFFIXES = ("集团有限公司", "股份有限公司", "有限责任公司", "股份公司", "有限公司", "集团", "公司")
# Words that name a kind of institution, not a particular one. 重庆 is dropped from the front only when
# the rest still names something once these are taken off its end: 重庆大学 stays 重庆大学.
GENERIC_TAILS = (
	"人民政府",
	"人民医院",
	"中医院",
	"医院",
	"大学",
	"学院",
	"研究院",
	"研究所",
	"科学院",
	"中心",
	"学校",
	"中学",
	"小学",
	"政府",
	"银行",
	"委员会",
	"人民",
	"市",
)
MIN_DISTINCT = 2  # characters that must remain, generic tails removed, for 重庆 to be dropped
USCC_DROP = re.compile(r"[\s\-]")

CURRENT_UNIT = "current_unit"
PAST_UNIT = "past_unit"
PARTNER = "partner"
PAST_UNIT_PARTNER = "past_unit_partner"
DISTRICT = "district"
BY_USCC, BY_NAME, BY_DISTRICT = "uscc", "name", "district"


def _drop_tail(text: str, tails: Iterable[str]) -> str:
	"""`text` with any of `tails` taken off its end, repeatedly, never down to nothing."""
	changed = True
	while changed:
		changed = False
		for tail in tails:
			if text.endswith(tail) and len(text) > len(tail):
				text = text[: -len(tail)]
				changed = True
				break
	return text


def _is_generic(rest: str) -> bool:
	"""Whether `rest` (a name without its region) names only a kind of institution (大学, 人民医院…)."""
	while rest:
		for tail in GENERIC_TAILS:
			if rest.endswith(tail):
				rest = rest[: -len(tail)]
				break
		else:
			break
	return len(rest) < MIN_DISTINCT


@lru_cache(maxsize=8192)
def normalise_unit(name: str | None) -> str:
	"""The name a unit is compared by. Steps, in order:

	1. NFKC (full-width letters, digits, brackets and spaces become half-width), letters case-folded;
	2. a bracketed 重庆 / 重庆市 anywhere is dropped (长安汽车（重庆）有限公司);
	3. whitespace, punctuation and symbols (Chinese and ASCII brackets included) are dropped;
	4. a leading 重庆市 is written 重庆;
	5. company forms are dropped from the end, repeatedly (股份有限公司, 有限责任公司, 有限公司, 集团有限公司,
	   股份公司, 集团, 公司), never down to nothing;
	6. the leading 重庆 is dropped unless what remains is generic: taking institution words (大学, 学院, 医院,
	   人民医院, 研究院, 中心, 人民…, `GENERIC_TAILS`) off its end leaves fewer than 2 characters.

	So 重庆长安汽车股份有限公司, 长安汽车（重庆）有限公司 and 「重庆 长安汽车」 are all 长安汽车; 重庆大学 stays 重庆大学
	and 重庆交通大学 becomes 交通大学 (different); 重庆市人民医院 becomes 重庆人民医院. Names are equal or not:
	长安汽车 and 长安福特汽车 are different units.
	"""
	text = unicodedata.normalize("NFKC", name or "").casefold()
	text = BRACKETED_REGION.sub("", text)
	text = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZC")
	if text.startswith("重庆市"):
		text = REGION + text[len("重庆市") :]
	text = _drop_tail(text, COMPANY_SUFFIXES)
	if text.startswith(REGION) and not _is_generic(text[len(REGION) :]):
		text = text[len(REGION) :]
	return text


def normalise_uscc(code: str | None) -> str:
	"""A 统一社会信用代码 as compared: NFKC, no spaces or hyphens, upper case."""
	return USCC_DROP.sub("", unicodedata.normalize("NFKC", code or "")).upper()


def valid_uscc(code: str | None) -> bool:
	"""Whether `code` is a 统一社会信用代码 per GB 32100-2015: 18 characters of the standard's alphabet whose
	last one is the check character of the first 17 (see `case_selection.checks.formats`)."""
	return uscc_valid(normalise_uscc(code))


@dataclass(frozen=True)
class Conflict:
	"""One reason an expert may not score a case."""

	kind: str  # CURRENT_UNIT, PAST_UNIT, PARTNER, PAST_UNIT_PARTNER or DISTRICT
	expert_unit: str  # the expert's unit as written (for DISTRICT: the expert's district)
	case_unit: str  # the applicant or partner as written (for DISTRICT: the case's district)
	by: str  # BY_USCC, BY_NAME or BY_DISTRICT
	key: str  # the shared USCC, the shared normalised name, or the district

	def message(self) -> str:
		"""A Chinese sentence naming what matched (translated through frappe when a site is active)."""
		if self.kind == DISTRICT:
			return _("专家所在区县与案例所属区县同为「{0}」，本轮设置同区县专家回避。").format(self.key)
		who = {
			CURRENT_UNIT: _("专家所在单位「{0}」与申报单位「{1}」为同一单位"),
			PAST_UNIT: _("专家曾任职单位「{0}」与申报单位「{1}」为同一单位"),
			PARTNER: _("专家所在单位「{0}」与合作单位「{1}」为同一单位"),
			PAST_UNIT_PARTNER: _("专家曾任职单位「{0}」与合作单位「{1}」为同一单位"),
		}[self.kind].format(self.expert_unit, self.case_unit)
		if self.by == BY_USCC:
			return who + _("（统一社会信用代码 {0}）。").format(self.key)
		return who + _("（单位名称规范化后均为「{0}」）。").format(self.key)


def _same_unit(unit: str, uscc: str, other_unit: str, other_uscc: str) -> tuple[str, str] | None:
	"""(by, key) when the two units are the same: by USCC when both are valid, else by normalised name."""
	code, other_code = normalise_uscc(uscc), normalise_uscc(other_uscc)
	if code and code == other_code and valid_uscc(code):
		return BY_USCC, code
	name = normalise_unit(unit)
	if name and name == normalise_unit(other_unit):
		return BY_NAME, name
	return None


def _district(value: str | None) -> str:
	return unicodedata.normalize("NFKC", value or "").strip()


def find_conflicts(expert: dict, case: dict, same_district_conflicts: bool) -> list["Conflict"]:
	"""Every conflict between `expert` and `case` (shapes in the module docstring), in a fixed order: current
	unit against the applicant, then the partners; each past unit likewise; then the district (only when
	`same_district_conflicts`, the round's setting). Empty when the expert may score the case."""
	expert_units = [(CURRENT_UNIT, PARTNER, expert.get("unit") or "", expert.get("uscc") or "")]
	for past in expert.get("past_units") or ():
		expert_units.append((PAST_UNIT, PAST_UNIT_PARTNER, past.get("unit") or "", past.get("uscc") or ""))
	case_units = [(True, case.get("unit_name") or "", case.get("uscc") or "")]
	for partner in case.get("partners") or ():
		name = partner.get("unit_name") or partner.get("partner_name") or ""
		case_units.append((False, name, partner.get("uscc") or ""))

	found = []
	for applicant_kind, partner_kind, unit, uscc in expert_units:
		for is_applicant, case_unit, case_uscc in case_units:
			match = _same_unit(unit, uscc, case_unit, case_uscc)
			if match:
				kind = applicant_kind if is_applicant else partner_kind
				found.append(Conflict(kind, unit, case_unit, *match))
	if same_district_conflicts:
		district = _district(expert.get("district"))
		if district and district == _district(case.get("district")):
			found.append(Conflict(DISTRICT, district, district, BY_DISTRICT, district))
	return found


def conflict_checker(same_district_conflicts: bool) -> Callable[[dict, dict], bool]:
	"""A `conflicted(expert, case)` predicate for `assignment.assign`."""
	return lambda expert, case: bool(find_conflicts(expert, case, same_district_conflicts))
