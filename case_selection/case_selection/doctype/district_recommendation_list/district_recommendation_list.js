// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

// Buttons follow case_selection.api.cases.form_actions: the server knows the round's lead and co-signing departments.
frappe.ui.form.on("District Recommendation List", {
	refresh(frm) {
		if (frm.is_new()) return;
		case_selection.render_cosign(frm);
		case_selection.render_history(frm);
		case_selection.form_data(frm, "actions", "case_selection.api.cases.form_actions").then((can) => {
			if (can.add_recommended) {
				frm.add_custom_button(__("添加已推荐案例"), () => add_recommended(frm));
			}
			if (can.cosign) {
				frm.add_custom_button(__("会签"), () => case_selection.cosign_dialog(frm, can.cosign));
			}
			if (can.submit) {
				frm.add_custom_button(__("报送市级"), () =>
					frappe.confirm(__("报送后名单中的案例将锁定，不能再修改。确认报送？"), () =>
						frappe.xcall("case_selection.api.lists.submit_list", { name: frm.doc.name }).then(() => frm.reload_doc())
					)
				).addClass("btn-primary");
			}
			if (can.receive) {
				frm.add_custom_button(__("受理"), () =>
					frappe.xcall("case_selection.api.lists.receive_list", { name: frm.doc.name }).then(() => frm.reload_doc())
				);
			}
			if (can.return) {
				frm.add_custom_button(__("退回区县"), () =>
					frappe.prompt({ fieldname: "reason", fieldtype: "Small Text", label: __("退回原因"), reqd: 1 }, (v) =>
						frappe.xcall("case_selection.api.lists.return_list", { name: frm.doc.name, reason: v.reason }).then(() => frm.reload_doc())
					)
				);
			}
		});
	},
});

function add_recommended(frm) {
	frappe.xcall("case_selection.api.lists.listable_cases", { name: frm.doc.name }).then((names) => {
		names.forEach((name) => frm.add_child("items", { application: name }));
		frm.refresh_field("items");
		frappe.show_alert(__("已添加 {0} 个区县已推荐案例，保存后生效（名单改动后须重新会签）", [names.length]));
	});
}

// 附件2 of one district list: PDF (through Frappe's print path), xlsx, and the sealed 附件2's verification.
frappe.ui.form.on("District Recommendation List", {
	refresh(frm) {
		if (frm.is_new()) return;
		case_selection.pdf_button(frm, __("附件2 PDF"), "附件2 区县推荐案例名单");
		frm.add_custom_button(
			__("附件2 Excel"),
			() => {
				const params = new URLSearchParams({ name: frm.doc.name });
				window.open(`/api/method/case_selection.api.exports.district_list_xlsx?${params}`);
			},
			__("导出"),
		);
		case_selection.sealed_form_buttons(frm);
	},
});
