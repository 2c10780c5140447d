// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

// Which buttons appear is decided by the server (case_selection.api.cases.form_actions) from the roles, the round's
// co-signing departments and the state classes, so this script names no role and no state.
frappe.ui.form.on("Case Application", {
	refresh(frm) {
		if (frm.is_new()) return;
		case_selection.render_cosign(frm);
		case_selection.render_history(frm);
		case_selection.form_data(frm, "actions", "case_selection.api.cases.form_actions").then((can) => {
			if (can.cosign) {
				frm.add_custom_button(__("会签"), () => case_selection.cosign_dialog(frm, can.cosign)).addClass("btn-primary");
			}
			if (can.assign_experts) {
				frm.add_custom_button(__("分配评审专家"), () => case_selection.assign_experts(frm));
			}
			if (can.return_case) {
				frm.add_custom_button(__("退回区县"), () =>
					frappe.prompt({ fieldname: "reason", fieldtype: "Small Text", label: __("退回原因"), reqd: 1 }, (v) =>
						frappe.xcall("case_selection.api.cases.return_case", { name: frm.doc.name, reason: v.reason }).then(() => frm.reload_doc())
					)
				);
			}
			const ev = can.evaluation;
			if (ev) {
				// The city's record of the case (Case Evaluation): the real state, formal check, scores, 公示 dates.
				frm.add_custom_button(__("市级评审记录"), () => frappe.set_route("Form", "Case Evaluation", ev.name));
				frm.dashboard.add_comment(
					__("市级评审记录：实际状态「{0}」，形式审查「{1}」，专家平均分 {2}（{3} 位专家）。", [
						frappe.utils.escape_html(ev.state || ""),
						frappe.utils.escape_html(ev.formal_check || __("未审查")),
						ev.review_count ? Number(ev.review_score || 0).toFixed(2) : "-",
						ev.review_count || 0,
					]),
					"blue",
					true
				);
				if (ev.public_notice_end) {
					frm.dashboard.add_comment(__("公示期至 {0} 届满，期满后方可作出入选决定。", [frappe.datetime.str_to_user(ev.public_notice_end)]), "blue", true);
				}
			}
		});
	},
	direction(frm) {
		frm.toggle_reqd("other_mode_description", !!frm.doc.is_other_mode);
	},
});

// Official outputs on the Case Application form: the 附件1 PDF (page-numbered by the server), and the sealed
// 附件1 (electronic seals of the co-signing departments) with its verification (case_selection.js).
frappe.ui.form.on("Case Application", {
	refresh(frm) {
		if (frm.is_new()) return;
		case_selection.pdf_button(frm, __("附件1 申报书 PDF"), "附件1 申报书");
		case_selection.sealed_form_buttons(frm);
	},
});
