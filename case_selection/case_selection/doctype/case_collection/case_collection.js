// Casebook: load the selected cases, compile the PDF in the background and follow its progress.
frappe.ui.form.on("Case Collection", {
	setup(frm) {
		frappe.realtime.on("case_collection_generated", (data) => {
			if (data && data.name === frm.doc.name) {
				frm.reload_doc();
				if (data.status === "Generated") {
					frappe.show_alert({ message: __("案例集已生成"), indicator: "green" });
				} else {
					frappe.msgprint({ title: __("生成失败"), message: data.error || "", indicator: "red" });
				}
			}
		});
	},
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("载入入选案例"), () =>
			frm.call("load_selected_cases").then(() => frm.reload_doc()),
		);
		const busy = ["Queued", "Generating"].includes(frm.doc.status);
		const button = frm.add_custom_button(__("生成案例集"), () =>
			frm.call("generate").then(() => {
				frappe.show_alert({ message: __("已加入后台队列，生成进度将在此显示"), indicator: "blue" });
				frm.reload_doc();
			}),
		);
		if (busy) button.prop("disabled", true);
		if (frm.doc.generated_file) {
			frm.add_custom_button(__("下载案例集"), () => window.open(frm.doc.generated_file));
		}
	},
});
