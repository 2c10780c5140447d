"""Selection Round.declarations (申报承诺事项) decides which check boxes of 附件1 are required and printed. A round
made before the table existed gets the notice's seven, which is what the code required and printed until now."""

import frappe

from case_selection.setup.master_data import DEFAULT_DECLARATIONS


def execute():
	for name in frappe.get_all("Selection Round", pluck="name"):
		if frappe.db.exists("Round Declaration", {"parent": name, "parenttype": "Selection Round"}):
			continue
		for idx, row in enumerate(DEFAULT_DECLARATIONS, start=1):
			frappe.get_doc(
				{
					"doctype": "Round Declaration",
					"parent": name,
					"parenttype": "Selection Round",
					"parentfield": "declarations",
					"idx": idx,
					**row,
				}
			).db_insert()
