"""Round District Setting.quota became text so that empty (the round's quota) and 0 (none allowed) differ. Before,
the column was a number whose 0 meant "the round's quota": those rows are emptied, so no district loses its
places by the change."""

import frappe


def execute():
	frappe.db.sql(
		"update `tabRound District Setting` set quota = null where quota is not null and trim(quota) in ('', '0')"
	)
