// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

frappe.query_reports["Case Action History"] = {
	filters: [
		{
			fieldname: "round",
			label: __("遴选轮次"),
			fieldtype: "Link",
			options: "Selection Round",
			default: (frappe.boot.case_selection || {}).current_round,
		},
		{ fieldname: "reference_doctype", label: __("单据类型"), fieldtype: "Select", options: ["", "Case Application", "District Recommendation List"] },
		{ fieldname: "reference_name", label: __("单据编号"), fieldtype: "Data" },
		{ fieldname: "district", label: __("区县"), fieldtype: "Link", options: "Case District" },
		{ fieldname: "from_date", label: __("开始日期"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("结束日期"), fieldtype: "Date" },
	],
};
