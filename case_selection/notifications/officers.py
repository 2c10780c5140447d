"""The officers of a district: enabled users holding a co-signing department's role with a User Permission on
that district (the same two facts case_selection/access/actors.py reads for permissions, queried for many users)."""

import frappe
from frappe.query_builder import DocType


def officers(districts, roles) -> list[frappe._dict]:
	"""Rows (district, user, role) for these districts and roles; a user with two of the roles appears twice."""
	districts, roles = list(districts or []), list(roles or [])
	if not districts or not roles:
		return []
	up, has_role, user = DocType("User Permission"), DocType("Has Role"), DocType("User")
	return (
		frappe.qb.from_(up)
		.join(has_role)
		.on((has_role.parent == up.user) & (has_role.parenttype == "User"))
		.join(user)
		.on(user.name == up.user)
		.select(up.for_value.as_("district"), up.user, has_role.role)
		.where(
			(up.allow == "Case District")
			& up.for_value.isin(districts)
			& has_role.role.isin(roles)
			& (user.enabled == 1)
		)
		.orderby(up.user)
		.run(as_dict=True)
	)
