frappe.listview_settings["Case Export Job"] = {
	add_fields: ["status", "progress"],
	get_indicator(doc) {
		const colors = { Queued: "gray", Running: "blue", Completed: "green", Failed: "red" };
		return [__(doc.status), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
