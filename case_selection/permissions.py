"""Row-level access of SPEC §1, one definition for every door: list views, reports, form load, print/PDF,
attachments (File checks the attached document) and the REST API all go through these two hooks.

- district roles: their own district(s) only, by User Permission on Case District (none set: nothing);
- applicants: the applications they created;
- city roles: what a district list has sent up to the city;
- experts: the cases assigned to them in Case Review.
"""

import frappe

from case_selection.setup.roles import CITY_ROLES, DISTRICT_ROLES
from case_selection.workflows import CITY_STATES

LIST_CITY_STATUSES = ("Submitted to City", "Received", "City Returned")


def _is_admin(user: str, roles: set[str]) -> bool:
	return user == "Administrator" or "System Manager" in roles


def user_districts(user: str) -> list[str]:
	key = ("case_selection_districts", user)
	if key not in frappe.local.cache:
		frappe.local.cache[key] = frappe.get_all(
			"User Permission", filters={"user": user, "allow": "Case District"}, pluck="for_value"
		)
	return frappe.local.cache[key]


def _in(column: str, values) -> str:
	if not values:
		return "1=0"
	return f"{column} in ({', '.join(frappe.db.escape(v) for v in values)})"


def _district_and_city(table: str, user: str, roles: set[str], city_column: str, city_values) -> list[str]:
	"""The conditions every case DocType shares: a district's own rows, and what has reached the city."""
	conds = []
	if roles & set(DISTRICT_ROLES):
		conds.append(_in(f"{table}.district", user_districts(user)))
	if roles & set(CITY_ROLES):
		conds.append(_in(f"{table}.{city_column}", city_values))
	return conds


def _own_district_or_at_city(doc, user: str, roles: set[str], city_field: str, city_values) -> bool:
	"""The single-document twin of _district_and_city."""
	if roles & set(DISTRICT_ROLES) and doc.get("district") in user_districts(user):
		return True
	return bool(roles & set(CITY_ROLES) and doc.get(city_field) in city_values)


def _any_of(conds: list[str]) -> str:
	return "(" + " or ".join(conds) + ")" if conds else "1=0"


def application_condition(user: str | None = None) -> str:
	user = user or frappe.session.user
	roles = set(frappe.get_roles(user))
	if _is_admin(user, roles):
		return ""
	t = "`tabCase Application`"
	conds = _district_and_city(t, user, roles, "workflow_state", CITY_STATES)
	if "Case Expert" in roles:
		conds.append(
			f"{t}.name in (select application from `tabCase Review` where expert = {frappe.db.escape(user)})"
		)
	if "Case Applicant" in roles:
		conds.append(f"{t}.owner = {frappe.db.escape(user)}")
	return _any_of(conds)


def application_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	user = user or frappe.session.user
	roles = set(frappe.get_roles(user))
	if _is_admin(user, roles):
		return True
	if _own_district_or_at_city(doc, user, roles, "workflow_state", CITY_STATES):
		return True
	if (
		"Case Expert" in roles
		and ptype in ("read", "print")
		and doc.name
		and frappe.db.exists("Case Review", {"application": doc.name, "expert": user})
	):
		return True
	if "Case Applicant" in roles and (doc.get("owner") == user or doc.is_new()):
		return True
	return False


def list_condition(user: str | None = None) -> str:
	user = user or frappe.session.user
	roles = set(frappe.get_roles(user))
	if _is_admin(user, roles):
		return ""
	t = "`tabDistrict Recommendation List`"
	return _any_of(_district_and_city(t, user, roles, "status", LIST_CITY_STATUSES))


def list_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	user = user or frappe.session.user
	roles = set(frappe.get_roles(user))
	if _is_admin(user, roles):
		return True
	return _own_district_or_at_city(doc, user, roles, "status", LIST_CITY_STATUSES)


def _reference_condition(table: str, user: str | None) -> str:
	app, lst = application_condition(user), list_condition(user)
	if not app and not lst:
		return ""
	t = f"`tab{table}`"
	return (
		f"(({t}.reference_doctype = 'Case Application' and {t}.reference_name in "
		f"(select `tabCase Application`.name from `tabCase Application` where {app or '1=1'})) or "
		f"({t}.reference_doctype = 'District Recommendation List' and {t}.reference_name in "
		f"(select `tabDistrict Recommendation List`.name from `tabDistrict Recommendation List` where {lst or '1=1'})))"
	)


def reference_has_permission(doc, ptype=None, user=None) -> bool:
	if not doc.get("reference_name"):
		return True
	ref = frappe.get_doc(doc.reference_doctype, doc.reference_name)
	if doc.reference_doctype == "Case Application":
		return application_has_permission(ref, "read", user)
	return list_has_permission(ref, "read", user)


def cosign_opinion_condition(user=None):
	return _reference_condition("Case Cosign Opinion", user)


def action_log_condition(user=None):
	return _reference_condition("Case Action Log", user)


def review_condition(user: str | None = None) -> str:
	user = user or frappe.session.user
	roles = set(frappe.get_roles(user))
	if _is_admin(user, roles) or roles & set(CITY_ROLES):
		return ""
	return f"`tabCase Review`.expert = {frappe.db.escape(user)}"


def review_has_permission(doc, ptype=None, user=None) -> bool:
	user = user or frappe.session.user
	roles = set(frappe.get_roles(user))
	return _is_admin(user, roles) or bool(roles & set(CITY_ROLES)) or doc.get("expert") == user
