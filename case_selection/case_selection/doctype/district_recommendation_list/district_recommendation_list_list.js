// 附件2 xlsx of the selected district list, and the city-wide summary for city roles.
frappe.listview_settings["District Recommendation List"] =
	frappe.listview_settings["District Recommendation List"] || {};
(function (settings) {
	const previous = settings.onload;
	settings.onload = function (listview) {
		if (previous) previous(listview);
		listview.page.add_inner_button(__("导出附件2 Excel"), () => {
			const selected = listview.get_checked_items(true);
			if (selected.length !== 1) {
				frappe.msgprint(__("请勾选一个推荐名单"));
				return;
			}
			const params = new URLSearchParams({ name: selected[0] });
			window.open(`/api/method/case_selection.api.exports.district_list_xlsx?${params}`);
		});
		if ((frappe.boot.case_selection || {}).city) {
			listview.page.add_inner_button(__("导出推荐案例汇总表"), () => {
				case_selection.export_jobs.queue_city_summary(null);
			});
		}
	};
})(frappe.listview_settings["District Recommendation List"]);
