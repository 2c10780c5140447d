// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

frappe.query_reports["Expert Scoring Profile"] = {
	filters: [
		{
			fieldname: "round",
			label: __("遴选轮次"),
			fieldtype: "Link",
			options: "Selection Round",
			reqd: 1,
			default: (frappe.boot.case_selection || {}).current_round,
		},
	],
};
