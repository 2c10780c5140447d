"""Users of the case roles, as the demo and the tests need them; safe to call again."""

import frappe

from case_selection.access.system_write import system_write
from case_selection.setup.roles import ADMIN_ROLE


def ensure_user(
	email: str, first_name: str, roles: list[str], password: str, district: str | None = None
) -> str:
	"""A user with these roles and, for district roles, a User Permission on its Case District.

	Frappe gives System Manager to a user saved while no other enabled System Manager exists (besides
	Administrator) once setup is complete; a case user must never hold it unless asked, so it is taken away
	again here (callers create an administrator first, see demo/__init__.py, so that it stays away).
	"""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"language": "zh",
				"send_welcome_email": 0,
				"new_password": password,
			}
		).insert(ignore_permissions=True)
	# Roles again every time: uninstalling the app removes its roles from existing users.
	current = set(frappe.get_roles(email))
	missing = set(roles) - current
	if missing:
		frappe.get_doc("User", email).add_roles(*missing)
	if ADMIN_ROLE in frappe.get_roles(email) and ADMIN_ROLE not in roles:
		frappe.get_doc("User", email).remove_roles(ADMIN_ROLE)
		if ADMIN_ROLE in frappe.get_roles(email):
			frappe.throw(f"{email} keeps {ADMIN_ROLE}: create an administrator user before case users")
	if district and not frappe.db.exists(
		"User Permission", {"user": email, "allow": "Case District", "for_value": district}
	):
		frappe.get_doc(
			{"doctype": "User Permission", "user": email, "allow": "Case District", "for_value": district}
		).insert(ignore_permissions=True)
	return email


def ensure_expert(
	email: str,
	unit: str,
	uscc: str | None = None,
	district: str | None = None,
	past_units: tuple = (),
	directions: tuple = (),
) -> str:
	"""The expert's record in the city's library (Review Expert): what the conflict check and the balanced
	assignment read (review/service.py). Made once; an existing record is left as the city keeps it."""

	if not frappe.db.exists("Review Expert", email):
		with system_write():
			frappe.get_doc(
				{
					"doctype": "Review Expert",
					"user": email,
					"unit_name": unit,
					"uscc": uscc,
					"district": district,
					"past_units": [{"unit_name": u, "uscc": c} for u, c in past_units],
					"directions": [{"direction": d} for d in directions],
				}
			).insert(ignore_permissions=True)
	return email
