"""Selection Round.output_columns (导出列设置) decides the columns of 附件2, the city summary and the casebook. A round
made before the table existed gets today's columns, which is what the code printed until now (an output with no
row would print them anyway; the rows are there for the admin to edit)."""

import frappe

from case_selection.export.column_defaults import default_output_columns


def execute():
	for name in frappe.get_all("Selection Round", pluck="name"):
		if frappe.db.exists("Round Output Column", {"parent": name, "parenttype": "Selection Round"}):
			continue
		for idx, row in enumerate(default_output_columns(), start=1):
			frappe.get_doc(
				{
					"doctype": "Round Output Column",
					"parent": name,
					"parenttype": "Selection Round",
					"parentfield": "output_columns",
					"idx": idx,
					**row,
				}
			).db_insert()
