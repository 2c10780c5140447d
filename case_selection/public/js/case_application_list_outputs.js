// City-wide summary of recommended cases, for the city roles (the server checks the role again).
frappe.listview_settings["Case Application"] = frappe.listview_settings["Case Application"] || {};
(function (settings) {
	const previous = settings.onload;
	settings.onload = function (listview) {
		if (previous) previous(listview);
		if (!(frappe.boot.case_selection || {}).city) return;
		listview.page.add_inner_button(__("导出推荐案例汇总表"), () => {
			const round = (listview.filter_area.get() || []).find((f) => f[1] === "round");
			case_selection.export_jobs.queue_city_summary(round ? round[3] : null);
		});
	};
})(frappe.listview_settings["Case Application"]);
