// Official outputs on the Case Application form: the 附件1 PDF (page-numbered by the server), and the sealed
// 附件1 (electronic seals of the co-signing departments) with its verification.
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
		if (frm.doc.sealed_form_status) {
			frm.add_custom_button(__("验证电子签章"), () => case_selection_verify_seals(frm), __("导出"));
		}
		if (!frm.__case_sealed_listener) {
			frm.__case_sealed_listener = true;
			frappe.realtime.on("case_sealed_form", (data) => {
				if (data && cur_frm && cur_frm.doc.name === data.name) cur_frm.reload_doc();
			});
		}
	},
});

function case_selection_verify_seals(frm) {
	const yes = (v) => (v ? __("是") : __("否"));
	const esc = frappe.utils.escape_html;
	frappe
		.call({
			method: "case_selection.signing.sealed_form.verify_sealed_pdf",
			type: "GET",
			args: { name: frm.doc.name },
		})
		.then((r) => {
			const m = r.message || {};
			let html = "";
			if (!m.file) {
				html = `<p>${esc(m.note || __("尚未生成电子签章申报书"))}</p>`;
			} else {
				const rows = (m.signatures || [])
					.map(
						(s, i) => `<tr>
						<td>${i + 1}</td><td>${esc(s.department || "")}</td><td>${esc(s.signer)}</td>
						<td>${esc(s.signing_time || "")}</td><td>${yes(s.intact)}</td><td>${yes(s.valid)}</td>
						<td>${yes(s.trusted)}</td>
						<td>${s.revoked ? __("已吊销（{0}）", [esc(s.revoked_at || "")]) : __("否")}</td>
						<td>${yes(s.later_changes_allowed)}</td></tr>`
					)
					.join("");
				html = `<p>${__("文件")}：<a href="${esc(m.file)}" target="_blank">${esc(m.file_name || m.file)}</a>
					（${__("验证时间")} ${esc(m.validated_at || "")}）</p>
					<table class="table table-bordered table-condensed"><thead><tr>
					<th>#</th><th>${__("会签部门")}</th><th>${__("签章单位（证书主体）")}</th><th>${__("签章时间")}</th>
					<th>${__("文件完整")}</th><th>${__("签名有效")}</th><th>${__("证书可信")}</th>
					<th>${__("证书吊销")}</th><th>${__("其后修改均被允许")}</th></tr></thead><tbody>${rows}</tbody></table>
					<p><a href="${esc(m.root_certificate)}">${__("下载市级根证书（PEM）")}</a>：
					${__("在 Adobe Reader 或其他 PAdES 验证工具中导入后，可离线验证本文件。")}</p>`;
			}
			frappe.msgprint({ title: __("电子签章验证"), message: html, wide: true });
		});
}
