// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

const COSIGN_STATES = ["Submitted", "District Co-signing"];

frappe.ui.form.on("Case Application", {
	refresh(frm) {
		if (frm.is_new()) return;
		case_selection.render_cosign(frm);
		case_selection.render_history(frm);
		const can_sign = CASE_COSIGN_ROLES.some((r) => frappe.user.has_role(r));
		if (can_sign && COSIGN_STATES.includes(frm.doc.workflow_state)) {
			frm.add_custom_button(__("会签"), () => case_selection.cosign_dialog(frm)).addClass("btn-primary");
		}
		if (frappe.user.has_role("City Case Manager") && ["Received", "Under Review"].includes(frm.doc.workflow_state)) {
			frm.add_custom_button(__("分配评审专家"), () => case_selection.assign_experts(frm));
		}
	},
	direction(frm) {
		frm.toggle_reqd("other_mode_description", !!frm.doc.is_other_mode);
	},
});
