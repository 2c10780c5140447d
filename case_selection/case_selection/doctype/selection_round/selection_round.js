// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

frappe.ui.form.on("Selection Round", {
	refresh(frm) {
		if (frm.is_new()) return;
		frappe.xcall("case_selection.api.form_actions", { doctype: frm.doctype, name: frm.doc.name }).then((can) => {
			if (!can.publish) return;
			frm.add_custom_button(__("发布结果"), () =>
				frappe.confirm(
					__("发布后本轮全部入选与未入选结果对申报单位和区县同时可见，并通知他们；发布不能撤回。确认发布？"),
					() => frappe.xcall("case_selection.api.publish_results", { round_name: frm.doc.name }).then(() => frm.reload_doc())
				)
			);
		});
	},
});
