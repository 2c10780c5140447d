// 附件2 of one district list: PDF (through Frappe's print path), xlsx, and the sealed 附件2's verification.
frappe.ui.form.on("District Recommendation List", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(
			__("附件2 PDF"),
			() => {
				const params = new URLSearchParams({
					doctype: frm.doctype,
					name: frm.doc.name,
					format: frm.meta.default_print_format || "附件2 区县推荐案例名单", // the admin's choice (Customize Form)
					no_letterhead: 1,
				});
				window.open(`/api/method/frappe.utils.print_format.download_pdf?${params}`);
			},
			__("导出"),
		);
		frm.add_custom_button(
			__("附件2 Excel"),
			() => {
				const params = new URLSearchParams({ name: frm.doc.name });
				window.open(`/api/method/case_selection.export.api.district_list_xlsx?${params}`);
			},
			__("导出"),
		);
		case_selection.sealed_form_buttons(frm);
	},
});
