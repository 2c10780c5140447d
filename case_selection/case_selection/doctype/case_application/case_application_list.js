// The Case Application list: the city-wide summary of recommended cases for the city roles, and paper forms in
// bulk (case_selection/overrides/data_import.py) for those the write policy lets import — the import template and
// Frappe's Data Import. The server checks the role again for each.
frappe.listview_settings["Case Application"] = frappe.listview_settings["Case Application"] || {};
(function (settings) {
	const previous = settings.onload;
	settings.onload = function (listview) {
		if (previous) previous(listview);
		const boot = frappe.boot.case_selection || {};
		if (boot.city) {
			listview.page.add_inner_button(__("导出推荐案例汇总表"), () => {
				const round = (listview.filter_area.get() || []).find((f) => f[1] === "round");
				case_selection.export_jobs.queue_city_summary(round ? round[3] : null);
			});
		}
		if (boot.import_cases) {
			listview.page.add_menu_item(__("下载申报书导入模板"), () => {
				window.open("/api/method/case_selection.overrides.data_import.template");
			});
			listview.page.add_menu_item(__("导入纸质申报书"), () => {
				frappe.new_doc("Data Import", {
					reference_doctype: "Case Application",
					import_type: "Insert New Records",
				});
			});
		}
	};
})(frappe.listview_settings["Case Application"]);
