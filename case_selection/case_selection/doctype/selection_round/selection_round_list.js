// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

// The round's status in the words of this DocType ("Open" is 申报中 here, not a task's 开 or an objection's 待处理).
frappe.listview_settings["Selection Round"] = {
	get_indicator(doc) {
		const colors = { Draft: "gray", Open: "green", Closed: "orange", "Under Review": "blue", Published: "green" };
		return [__(doc.status, null, "Selection Round"), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
