"""Selection Round.published_on (结果发布日期, 入选单位查询) is recorded when a round is published; rounds
published before the field existed take the day they were last changed, which was their publication."""

import frappe

from case_selection.constants import PUBLISHED


def execute():
	for r in frappe.get_all(
		"Selection Round",
		filters={"status": PUBLISHED, "published_on": ("is", "not set")},
		fields=["name", "modified"],
	):
		frappe.db.set_value(
			"Selection Round", r.name, "published_on", r.modified.date(), update_modified=False
		)
