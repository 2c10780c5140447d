// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

// The objection's status in the words of this DocType ("Open" is 待处理 here, not a round's 申报中).
frappe.listview_settings["Case Objection"] = {
	get_indicator(doc) {
		const colors = { Open: "orange", Upheld: "red", Dismissed: "green" };
		return [__(doc.status, null, "Case Objection"), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
