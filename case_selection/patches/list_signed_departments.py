import frappe


def execute():
	"""District Recommendation List.signed_departments (read by its Workflow's co-signing conditions), for the
	lists stored before it: the departments that have signed each. Its status values are the Workflow's states
	as shipped (Draft, Co-signing, Submitted to City, Received, City Returned), so they stay as they are."""
	frappe.db.sql(
		"""update `tabDistrict Recommendation List` l set l.signed_departments = (
			select count(*) from `tabCase Cosign Opinion` o
			where o.reference_doctype = 'District Recommendation List' and o.reference_name = l.name)"""
	)
