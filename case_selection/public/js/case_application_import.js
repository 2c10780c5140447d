// Paper forms in bulk (case_selection/imports.py): the district's lead department downloads the import
// template and imports it through Frappe's Data Import (Frappe's own "Import" entry of the list menu).
// Shown to those the write policy lets import; the server checks again.
frappe.listview_settings["Case Application"] = frappe.listview_settings["Case Application"] || {};
(function (settings) {
	const previous = settings.onload;
	settings.onload = function (listview) {
		if (previous) previous(listview);
		if (!(frappe.boot.case_selection || {}).import_cases) return;
		listview.page.add_menu_item(__("下载申报书导入模板"), () => {
			window.open("/api/method/case_selection.imports.template");
		});
		listview.page.add_menu_item(__("导入纸质申报书"), () => {
			frappe.new_doc("Data Import", {
				reference_doctype: "Case Application",
				import_type: "Insert New Records",
			});
		});
	};
})(frappe.listview_settings["Case Application"]);
