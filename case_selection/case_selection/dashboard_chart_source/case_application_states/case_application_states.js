// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Case Application States"] = {
	method: "case_selection.workspaces.charts.cases_by_state",
	filters: [
		{ fieldname: "round", label: __("遴选轮次"), fieldtype: "Link", options: "Selection Round" },
	],
};
