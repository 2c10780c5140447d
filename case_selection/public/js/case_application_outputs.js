// Official outputs on the Case Application form: the 附件1 PDF (page-numbered by the server), and the sealed
// 附件1 (electronic seals of the co-signing departments) with its verification (case_selection.js).
frappe.ui.form.on("Case Application", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(
			__("附件1 申报书 PDF"),
			() => {
				const params = new URLSearchParams({
					doctype: frm.doctype,
					name: frm.doc.name,
					format: frm.meta.default_print_format || "附件1 申报书", // the admin's choice (Customize Form)
					no_letterhead: 1,
				});
				window.open(`/api/method/frappe.utils.print_format.download_pdf?${params}`);
			},
			__("导出"),
		);
		case_selection.sealed_form_buttons(frm);
	},
});
