"""入选单位查询 (notice 四(二)): which units had a case selected, by 统一社会信用代码 or unit name, across rounds.

Later selections (市科技领军企业, 国家级产业技术基础公共服务平台, 市级产业创新综合体…) give a selected unit bonus
points "同等条件下给予加分", so the city office is asked, by its own staff and by other departments' systems:
was this unit selected, in which round, direction and case, published when?

- In Desk: the report 入选单位查询 (Selected Unit Lookup), for city roles (Case Selection Settings → 市级角色).
- Over REST, for other government systems: GET /api/method/case_selection.api.lookup.selected_units?uscc=…
  (or unit_name=…) with `Authorization: token <api_key>:<api_secret>` of an integration user — a user
  holding only the integration role of Case Selection Settings (外部系统查询角色); `make_integration_user`
  creates one and its keys. No credentials or wrong ones: 401; a user neither city nor integration: 403.

Only published rounds count: until the city publishes a round its results are sealed (access/sealing.py), so no
result of an unpublished round is ever returned, whoever asks. Both read paths are @frappe.read_only(): with a
read replica configured (README "Running in production") the queries go there.
"""

import frappe
from frappe import _
from frappe.query_builder import Criterion
from frappe.utils import getdate

from case_selection.access import actors
from case_selection.access.actors import actor
from case_selection.checks.formats import uscc_problem
from case_selection.constants import PUBLISHED
from case_selection.setup.roles import ADMIN_ROLE
from case_selection.workflow import states

REPORT = "Selected Unit Lookup"
MIN_NAME_CHARS = 4  # a shorter fragment of a unit name ("公司") would list a whole round
MAX_ROWS = 500


class LookupQueryError(frappe.ValidationError):
	"""A query the lookup cannot answer (HTTP 417), with a Chinese message naming the field."""


def require_city():
	a = actor()
	if not a.sees_city:
		raise frappe.PermissionError(_("入选单位查询只对市级管理部门开放。"))


def require_integration_or_city():
	if frappe.session.user == "Guest":
		raise frappe.AuthenticationError(
			_("请在请求头 Authorization 中提供集成用户的 API Key 和 API Secret（token key:secret）。")
		)
	a = actor()
	role = actors.integration_role()
	if not (a.sees_city or (role and role in a.roles)):
		raise frappe.PermissionError(_("此用户没有入选单位查询权限（须持有外部系统查询角色或市级角色）。"))


def _label(fieldname: str) -> str:
	return _(frappe.get_meta("Case Application").get_label(fieldname))


def published_results(
	uscc: str | None = None,
	unit_name: str | None = None,
	round_name: str | None = None,
	selected_only: bool = True,
) -> list[dict]:
	"""Final results of published rounds for a unit (exact 统一社会信用代码, or a part of its name) or a round,
	newest round first. Rows: round, year, round title, publication date, direction, domain, case, case
	title, unit, USCC, district, result (入选/未入选 as the Workflow names them) and `selected`."""
	uscc = (uscc or "").strip().upper()
	unit_name = (unit_name or "").strip()
	if not (uscc or unit_name or round_name):
		frappe.throw(
			_("请输入「{0}」或「{1}」。").format(_label("uscc"), _label("unit_name")), LookupQueryError
		)
	if uscc and (problem := uscc_problem(uscc, _label("uscc"))):
		frappe.throw(problem, LookupQueryError)
	if unit_name and len(unit_name) < MIN_NAME_CHARS:
		frappe.throw(
			_("「{0}」至少输入 {1} 个字。").format(_label("unit_name"), MIN_NAME_CHARS), LookupQueryError
		)
	rounds = {
		r.name: r
		for r in frappe.get_all(
			"Selection Round",
			filters={"status": PUBLISHED, **({"name": round_name} if round_name else {})},
			fields=["name", "year", "round_title", "published_on", "modified"],
		)
	}
	results = states.final_states(states.SELECTED) if selected_only else states.final_states()
	if not rounds or not results:
		return []
	case = frappe.qb.DocType("Case Application")
	conditions = [case.round.isin(list(rounds)), case.workflow_state.isin(list(results))]
	if uscc:
		conditions.append(case.uscc == uscc)
	if unit_name:
		pattern = unit_name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
		conditions.append(case.unit_name.like(f"%{pattern}%"))
	# Read past the row rules on purpose: the callers were checked above (city roles read these cases
	# anyway; an integration user reads nothing else), and only published results are selected.
	rows = (
		frappe.qb.from_(case)
		.select(
			case.name,
			case.case_title,
			case.unit_name,
			case.uscc,
			case.district,
			case.direction,
			case.domain,
			case.round,
			case.workflow_state,
		)
		.where(Criterion.all(conditions))
		.orderby(case.round, order=frappe.qb.desc)
		.orderby(case.unit_name)
		.limit(MAX_ROWS)
		.run(as_dict=True)
	)
	out = []
	for row in rows:
		r = rounds[row.round]
		out.append(
			{
				"round": row.round,
				"year": r.year,
				"round_title": r.round_title,
				"published_on": str(getdate(r.published_on or r.modified)),
				"direction": row.direction,
				"domain": row.domain,
				"case": row.name,
				"case_title": row.case_title,
				"unit_name": row.unit_name,
				"uscc": row.uscc,
				"district": row.district,
				"result": states.label(row.workflow_state),
				"selected": states.final_result(row.workflow_state) == states.SELECTED,
			}
		)
	return out


# allow_guest only so that a call without credentials is answered 401 (Frappe answers 403 to Guest): the first
# thing it does is refuse Guest, and anyone but an integration user or a city role.
@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
@frappe.read_only()
def selected_units(uscc: str | None = None, unit_name: str | None = None) -> dict:
	"""REST for other government systems: the unit's selected cases in published rounds (入选 only: what the
	bonus points need)."""
	require_integration_or_city()
	rows = published_results(uscc=uscc, unit_name=unit_name, selected_only=True)
	return {"count": len(rows), "results": rows}


# Set-up -----------------------------------------------------------------------------------------------------


def sync_report_roles(*_args, **_kwargs):
	"""The report's roles follow the city roles of the settings (roles are data): Frappe's Custom Role for
	the report (Role Permission for Page and Report) holds them."""
	if not frappe.db.exists("Report", REPORT):
		return
	actors.clear_cache()
	roles = sorted(actors.city_roles().all)
	name = frappe.db.get_value("Custom Role", {"report": REPORT})
	doc = frappe.get_doc("Custom Role", name) if name else frappe.new_doc("Custom Role")
	if name and sorted(r.role for r in doc.roles) == roles:
		return
	doc.report = REPORT
	doc.ref_doctype = frappe.db.get_value("Report", REPORT, "ref_doctype")
	doc.set("roles", [{"role": r} for r in roles])
	doc.save(ignore_permissions=True)


def remove_report_roles():
	frappe.db.delete("Has Role", {"parenttype": "Custom Role", "parent": ("in", _custom_roles())})
	frappe.db.delete("Custom Role", {"report": REPORT})


def _custom_roles() -> list[str]:
	return frappe.get_all("Custom Role", filters={"report": REPORT}, pluck="name") or [""]


def make_integration_user(email: str, full_name: str | None = None) -> dict:
	"""An integration user for another department's system: the integration role only, no Desk, and a fresh
	API key and secret (printed once; `bench --site SITE execute case_selection.api.lookup.make_integration_user
	--kwargs "{'email': 'kjj-system@example.gov.cn'}"`). Calling it again issues a new secret."""
	frappe.only_for(ADMIN_ROLE)
	role = actors.integration_role()
	if not role:
		frappe.throw(_("请先在案例遴选设置中设置「外部系统查询角色」。"))
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": full_name or email.split("@")[0],
				"user_type": "Website User",
				"send_welcome_email": 0,
				"language": "zh",
			}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	if role not in [r.role for r in user.roles]:
		user.append("roles", {"role": role})
	user.api_key = user.api_key or frappe.generate_hash(length=15)
	secret = frappe.generate_hash(length=15)
	user.api_secret = secret
	user.save(ignore_permissions=True)
	return {"user": email, "api_key": user.api_key, "api_secret": secret}
