"""Blind review (匿名评审, a round setting), sealed by storage: in a blind round the expert reads the case from their
own Case Review, which holds a copy of what is to be judged and nothing that names who applied.

- A review of a blind round is marked `blind` when it is created (or when the city turns the round's setting on
  or off: `sync_round`), and carries `case_content`: the case's title, direction, field, unit type, dates,
  keywords, the five narrative sections, the platform/service texts, the finance figures and the quantified
  indicators, as plain text. The applicant's unit, USCC, legal representative, address, contact, district and
  partner units are not copied, and wherever the narrative names the unit, its legal representative, its contact
  or a partner, the name is replaced by （申报单位） / （合作单位）.
- The expert's read of the case itself is granted by their *non-blind* reviews only (access/permissions.py:
  application_condition and application_has_permission), so every door that reads a Case Application — form,
  REST, get_value, lists, counts, link search, print and PDF, its files, its child rows, exports — is closed to
  a blind expert the same way as to any outsider. The evidence files and the stamped scan are not shown to a
  blind expert: they carry the unit's name and seal.
"""

import frappe
from frappe import _
from frappe.utils import cstr

from case_selection.access.system_write import system_write
from case_selection.constants import APPLICATION, REVIEW

UNIT = "（申报单位）"
PARTNER = "（合作单位）"
SECTIONS = (  # (field, heading) of the narrative, in the form's order
	("background", "（一）案例背景与行业痛点"),
	("approach", "（二）主要做法"),
	("innovation", "（三）创新点"),
	("results", "（四）实施成效"),
	("promotion_value", "（五）可复制性与推广价值"),
	("platform_team", "科研平台与团队情况"),
	("service_capability", "服务能力与服务成效"),
	("other_mode_description", "其他创新模式描述"),
)


def is_blind_round(round_name: str | None) -> bool:
	return bool(round_name) and bool(frappe.get_cached_value("Selection Round", round_name, "blind_review"))


def masker(app) -> callable:
	"""A function replacing, in a text, every name that identifies the applicant (longest first)."""
	names = {cstr(app.unit_name).strip(): UNIT}
	for field in ("legal_representative", "contact_person"):
		if cstr(app.get(field)).strip():
			names[cstr(app.get(field)).strip()] = UNIT
	for p in app.get("partners") or ():
		if cstr(p.partner_name).strip():
			names.setdefault(cstr(p.partner_name).strip(), PARTNER)
	names.pop("", None)
	ordered = sorted(names.items(), key=lambda kv: -len(kv[0]))

	def mask(text) -> str:
		text = cstr(text)
		for name, label in ordered:
			text = text.replace(name, label)
		return text

	return mask


def content(application: str) -> str:
	"""The case as a blind expert reads it: plain text, nothing that names the applicant."""
	app = frappe.get_doc(APPLICATION, application)
	mask = masker(app)
	lines = [
		_("案例名称：{0}").format(mask(app.case_title)),
		_("遴选方向：{0}").format(cstr(app.direction)),
		_("所属领域：{0}").format(cstr(app.domain)),
		_("单位类型：{0}").format(_(cstr(app.unit_type))),
		_("实施时间：{0} 至 {1}").format(cstr(app.implementation_start), cstr(app.implementation_end)),
		_("关键词：{0}").format(mask(app.keywords)),
	]
	for field, heading in SECTIONS:
		text = mask(app.get(field)).strip()
		if text:
			lines += ["", _(heading), text]
	if app.get("finance_years"):
		lines += ["", _("近三年营业收入与研发投入（万元）")]
		for row in app.finance_years:
			lines.append(
				_("{0}年：营业收入 {1}，研发投入 {2}").format(
					cstr(row.get("year")), cstr(row.get("revenue")), cstr(row.get("rd_spend"))
				)
			)
	if app.get("indicators"):
		lines += ["", _("量化成效指标")]
		for row in app.indicators:
			values = [mask(row.get(f)) for f in ("indicator", "value", "unit") if row.get(f)]
			lines.append("；".join(v for v in values if v))
	return "\n".join(lines)


def fill(review) -> None:
	"""Case Review.validate: a review of a blind round is marked blind and carries the case's blind copy."""
	round_name = frappe.db.get_value(APPLICATION, review.application, "round")
	review.blind = 1 if is_blind_round(round_name) else 0
	# Made again on every save (the write policy lets nobody write it: DERIVED fields are the controller's).
	review.case_content = content(review.application) if review.blind else None


def sync_round(round_doc, method=None) -> None:
	"""Selection Round.on_update: the round's reviews follow its 匿名评审 setting (blind copies made or dropped)."""
	before = round_doc.get_doc_before_save()
	if before is not None and bool(before.blind_review) == bool(round_doc.blind_review):
		return
	review, app = frappe.qb.DocType(REVIEW), frappe.qb.DocType(APPLICATION)
	names = (
		frappe.qb.from_(review)
		.join(app)
		.on(app.name == review.application)
		.select(review.name)
		.where(app.round == round_doc.name)
		.run(pluck=True)
	)
	frappe.clear_document_cache("Selection Round", round_doc.name)
	for name in names:
		application = frappe.db.get_value(REVIEW, name, "application")
		values = {"blind": 1, "case_content": content(application)} if round_doc.blind_review else {}
		with system_write():
			frappe.db.set_value(
				REVIEW, name, values or {"blind": 0, "case_content": None}, update_modified=False
			)
