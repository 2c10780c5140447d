// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

frappe.query_reports["Selected Unit Lookup"] = {
	filters: [
		{ fieldname: "uscc", label: __("统一社会信用代码"), fieldtype: "Data" },
		{ fieldname: "unit_name", label: __("单位名称（可输入一部分）"), fieldtype: "Data" },
		{ fieldname: "round", label: __("遴选轮次"), fieldtype: "Link", options: "Selection Round" },
		{ fieldname: "result", label: __("结果"), fieldtype: "Select", options: ["入选", "全部"], default: "入选" },
	],
};
