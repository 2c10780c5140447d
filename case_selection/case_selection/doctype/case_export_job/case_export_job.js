// Background export: progress while it runs, the file when done, the reason and a retry when it failed.
frappe.ui.form.on("Case Export Job", {
	refresh(frm) {
		frm.disable_save();
		if (["Queued", "Running"].includes(frm.doc.status)) {
			frm.dashboard.show_progress(
				__(frm.doc.job_type),
				frm.doc.progress || 0,
				frm.doc.progress_note || __("排队中"),
			);
		}
		if (frm.doc.status === "Completed" && frm.doc.file) {
			frm.add_custom_button(__("下载文件"), () => window.open(frm.doc.file));
		}
		if (frm.doc.status === "Failed") {
			frm.dashboard.set_headline(
				`<span class="text-danger">${frappe.utils.escape_html(
					(frm.doc.error || "").split("\n")[0],
				)}</span>`,
			);
			frm.add_custom_button(__("重试"), () =>
				frm.call("retry").then(() => {
					frappe.show_alert({ message: __("已重新加入后台队列"), indicator: "blue" });
					frm.reload_doc();
				}),
			);
		}
	},
});
