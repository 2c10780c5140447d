"""The officers of a district: enabled users holding a co-signing department's role with a User Permission on
that district (the same two facts case_selection/access/actors.py reads for permissions, queried for many users)."""

import frappe


def officers(districts, roles) -> list[frappe._dict]:
	"""Rows (district, user, role) for these districts and roles; a user with two of the roles appears twice."""
	districts, roles = list(districts or []), list(roles or [])
	if not districts or not roles:
		return []
	# a plain query: it runs with every signature (the query builder took longer to build it than to run it)
	return frappe.db.sql(
		"""select up.for_value as district, up.user, hr.role
		from `tabUser Permission` up
		join `tabHas Role` hr on hr.parent = up.user and hr.parenttype = 'User'
		join `tabUser` u on u.name = up.user
		where up.allow = 'Case District' and up.for_value in %s and hr.role in %s and u.enabled = 1
		order by up.user""",
		(tuple(districts), tuple(roles)),
		as_dict=True,
	)
