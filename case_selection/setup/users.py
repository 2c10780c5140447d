"""Users of the case roles, as the demo and the tests need them; safe to call again."""

import frappe


def ensure_user(
	email: str, first_name: str, roles: list[str], password: str, district: str | None = None
) -> str:
	"""A user with these roles and, for district roles, a User Permission on its Case District."""
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
	missing = set(roles) - set(frappe.get_roles(email))
	if missing:
		frappe.get_doc("User", email).add_roles(*missing)
	if district and not frappe.db.exists(
		"User Permission", {"user": email, "allow": "Case District", "for_value": district}
	):
		frappe.get_doc(
			{"doctype": "User Permission", "user": email, "allow": "Case District", "for_value": district}
		).insert(ignore_permissions=True)
	return email
