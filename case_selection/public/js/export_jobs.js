// Background exports (case_selection.jobs): queue one, then tell the user when its file is ready.
// Loaded on every Desk page (hooks.app_include_js) so the message arrives wherever the user is.
frappe.provide("case_selection.export_jobs");

Object.assign(case_selection.export_jobs, {
	link(name) {
		return `<a href="/app/case-export-job/${encodeURIComponent(name)}">${frappe.utils.escape_html(name)}</a>`;
	},
	queue_city_summary(round) {
		frappe
			.xcall("case_selection.api.exports.enqueue_city_summary", round ? { round } : {})
			.then((r) => {
				const message = r.already_running
					? __("该轮次的汇总表已在生成中：{0}", [this.link(r.job)])
					: __("已加入后台队列：{0}，完成后将通知您", [this.link(r.job)]);
				frappe.show_alert({ message, indicator: "blue" }, 8);
			});
	},
});

frappe.realtime.on("case_export_job", (data) => {
	if (!data || !data.name) return;
	const esc = frappe.utils.escape_html;
	if (data.status === "Completed" && data.file) {
		frappe.msgprint({
			title: __("后台导出已完成"),
			indicator: "green",
			message: `${esc(data.subject)}：<a href="${esc(data.file)}" target="_blank">${__("下载文件")}</a>
				（${case_selection.export_jobs.link(data.name)}）`,
		});
	} else if (data.status === "Failed") {
		frappe.msgprint({
			title: __("后台导出失败"),
			indicator: "red",
			message: `${esc(data.subject)}（${case_selection.export_jobs.link(data.name)}）`,
		});
	}
});
