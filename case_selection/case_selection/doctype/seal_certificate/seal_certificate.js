// 印章证书：吊销、签发新证书、导入证书（系统管理员、市级管理部门）与下载根证书
frappe.ui.form.on("Seal Certificate", {
	refresh(frm) {
		const manager = frappe.user.has_role("System Manager") || frappe.user.has_role("City Case Manager");
		if (manager && !frm.doc.is_authority && frm.doc.status === "Active") {
			frm.add_custom_button(__("吊销证书"), () => {
				frappe.prompt(
					{ fieldname: "reason", fieldtype: "Small Text", label: __("吊销原因"), reqd: 1 },
					(values) =>
						frappe
							.call({
								method: "case_selection.signing.certificates.revoke",
								args: { name: frm.doc.name, reason: values.reason },
							})
							.then(() => frm.reload_doc()),
					__("吊销印章证书"),
					__("吊销")
				);
			});
		}
		if (manager && !frm.doc.is_authority && frm.doc.status === "Revoked") {
			// the department signs again only with a new certificate (signing/certificates.issue)
			frm.add_custom_button(__("签发新证书"), () =>
				frappe
					.call({
						method: "case_selection.signing.certificates.issue",
						args: { district: frm.doc.district, role: frm.doc.role },
					})
					.then((r) => frappe.set_route("Form", "Seal Certificate", r.message.name))
			);
		}
		if (manager) {
			frm.add_custom_button(__("导入证书（PKCS#12）"), () => case_selection.import_pkcs12(frm.doc));
		}
		frm.add_custom_button(__("下载根证书"), () => {
			window.open("/api/method/case_selection.signing.certificates.root_certificate_pem");
		});
	},
});

