// 印章证书列表：导入认证机构签发的印章证书（PKCS#12），对话框见 public/js/case_selection.js
frappe.listview_settings["Seal Certificate"] = {
	onload(listview) {
		if (frappe.user.has_role("System Manager") || frappe.user.has_role("City Case Manager")) {
			listview.page.add_inner_button(__("导入证书（PKCS#12）"), () => case_selection.import_pkcs12());
		}
	},
};
