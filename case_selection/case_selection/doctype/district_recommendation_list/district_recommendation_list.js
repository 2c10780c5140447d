// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

frappe.ui.form.on("District Recommendation List", {
	refresh(frm) {
		if (frm.is_new()) return;
		const editable = ["Draft", "Co-signing", "City Returned"].includes(frm.doc.status);
		case_selection.render_cosign(frm);
		if (editable && frappe.user.has_role("District Economy Officer")) {
			frm.add_custom_button(__("添加已推荐案例"), () => add_recommended(frm));
		}
		if (editable && frm.doc.items.length && CASE_COSIGN_ROLES.some((r) => frappe.user.has_role(r))) {
			frm.add_custom_button(__("会签"), () => case_selection.cosign_dialog(frm));
		}
		if (frm.doc.status === "Co-signing" && frm.doc.cosign_status === "Agreed" && frappe.user.has_role("District Economy Officer")) {
			frm.add_custom_button(__("报送市级"), () =>
				frappe.confirm(__("报送后名单中的案例将锁定，不能再修改。确认报送？"), () =>
					frappe.xcall("case_selection.api.submit_list", { name: frm.doc.name }).then(() => frm.reload_doc())
				)
			).addClass("btn-primary");
		}
		if (frm.doc.status === "Submitted to City" && frappe.user.has_role("City Case Manager")) {
			frm.add_custom_button(__("受理"), () =>
				frappe.xcall("case_selection.api.receive_list", { name: frm.doc.name }).then(() => frm.reload_doc())
			);
			frm.add_custom_button(__("退回区县"), () =>
				frappe.prompt({ fieldname: "reason", fieldtype: "Small Text", label: __("退回原因"), reqd: 1 }, (v) =>
					frappe.xcall("case_selection.api.return_list", { name: frm.doc.name, reason: v.reason }).then(() => frm.reload_doc())
				)
			);
		}
	},
});

function add_recommended(frm) {
	const listed = new Set(frm.doc.items.map((r) => r.application));
	frappe.db
		.get_list("Case Application", {
			filters: { round: frm.doc.round, district: frm.doc.district, workflow_state: "Recommended" },
			fields: ["name"],
			limit: 500,
		})
		.then((rows) => {
			const fresh = rows.filter((r) => !listed.has(r.name));
			fresh.forEach((r) => frm.add_child("items", { application: r.name }));
			frm.refresh_field("items");
			frappe.show_alert(__("已添加 {0} 个区县已推荐案例，保存后生效", [fresh.length]));
		});
}
