// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

frappe.query_reports["District Submission Progress"] = {
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
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "days_left" && data && !data.at_city && data.days_left <= 3) {
			value = `<span class="text-danger">${value}</span>`;
		}
		if (column.fieldname === "on_time" && data && data.on_time === __("逾期")) {
			value = `<span class="text-danger">${value}</span>`;
		}
		return value;
	},
};
