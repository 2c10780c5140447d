import frappe


def execute():
	"""workflow_state is now a standard, indexed field of Case Application; drop the Workflow's custom one."""
	frappe.db.delete("Custom Field", {"dt": "Case Application", "fieldname": "workflow_state"})
	frappe.clear_cache(doctype="Case Application")
