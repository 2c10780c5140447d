"""Case Cosign Opinion rows get the round of the document they were signed on (the list opens on the current round)."""

import frappe


def execute():
	for doctype in ("Case Application", "District Recommendation List"):
		frappe.db.sql(
			f"""update `tabCase Cosign Opinion` o join `tab{doctype}` d on d.name = o.reference_name
			set o.round = d.round where o.reference_doctype = %s and o.round is null""",
			doctype,
		)
