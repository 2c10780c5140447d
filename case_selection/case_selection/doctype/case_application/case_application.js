// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

// Which buttons appear is decided by the server (case_selection.api.form_actions) from the roles, the round's
// co-signing departments and the state classes, so this script names no role and no state.
frappe.ui.form.on("Case Application", {
	refresh(frm) {
		if (frm.is_new()) return;
		case_selection.render_cosign(frm);
		case_selection.render_history(frm);
		frappe.xcall("case_selection.api.form_actions", { doctype: frm.doctype, name: frm.doc.name }).then((can) => {
			if (can.cosign) {
				frm.add_custom_button(__("会签"), () => case_selection.cosign_dialog(frm, can.cosign)).addClass("btn-primary");
			}
			if (can.assign_experts) {
				frm.add_custom_button(__("分配评审专家"), () => case_selection.assign_experts(frm));
			}
			if (can.return_case) {
				frm.add_custom_button(__("退回区县"), () =>
					frappe.prompt({ fieldname: "reason", fieldtype: "Small Text", label: __("退回原因"), reqd: 1 }, (v) =>
						frappe.xcall("case_selection.api.return_case", { name: frm.doc.name, reason: v.reason }).then(() => frm.reload_doc())
					)
				);
			}
		});
		if (frm.doc.public_notice_end) {
			frm.dashboard.add_comment(__("公示期至 {0} 届满，期满后方可作出入选决定。", [frappe.datetime.str_to_user(frm.doc.public_notice_end)]), "blue", true);
		}
	},
	direction(frm) {
		frm.toggle_reqd("other_mode_description", !!frm.doc.is_other_mode);
	},
});
