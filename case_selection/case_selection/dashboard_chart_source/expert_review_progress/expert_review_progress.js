// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Expert Review Progress"] = {
	method: "case_selection.workspaces.charts.review_progress",
	filters: [
		{ fieldname: "round", label: __("遴选轮次"), fieldtype: "Link", options: "Selection Round" },
	],
};
