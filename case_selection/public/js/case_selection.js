// Shared Desk helpers of case_selection: co-signing dialog, opinion and history tables.
// Loaded on every Desk page (hooks.app_include_js); user-typed text is escaped before it is shown.

frappe.provide("case_selection");

Object.assign(case_selection, {
	// Closes a dialog whose action the server has answered. Bootstrap ignores hide() while a modal is still
	// opening (its fade-in): an answer that came back within it (a signature takes ~20 ms) left the dialog open
	// over the updated form, the page unscrollable. Such a dialog is closed as soon as it has opened.
	close_dialog(d) {
		if (d.display) d.hide();
		else d.$wrapper.one("shown.bs.modal", () => d.hide());
	},

	// What the server sent with the document for its form (api.cases.form_onload: __onload.case_form — opinions,
	// history, actions), taken once: a later refresh of the same form (after a workflow move, a signature) asks
	// `method` again, so what it shows is never older than the document.
	form_data(frm, key, method) {
		const sent = frm.doc.__onload && frm.doc.__onload.case_form;
		if (sent && key in sent) {
			const value = sent[key];
			delete sent[key];
			return Promise.resolve(value);
		}
		return frappe.xcall(method, { doctype: frm.doctype, name: frm.doc.name });
	},

	render_cosign(frm, field = "cosign_html") {
		case_selection
			.form_data(frm, "opinions", "case_selection.api.cosigning.get_cosign_opinions")
			.then((rows) => {
				const esc = frappe.utils.escape_html;
				const body = rows.length
					? rows
							.map(
								(r) => `<tr><td>${esc(r.department)}</td><td>${esc(r.opinion)}</td>
								<td>${esc(r.remarks || "")}</td><td>${esc(r.signer_name || "")}</td>
								<td>${esc(frappe.datetime.str_to_user(r.signed_at))}</td></tr>`
							)
							.join("")
					: `<tr><td colspan="5" class="text-muted">${__("尚无会签意见")}</td></tr>`;
				frm.get_field(field).$wrapper.html(`<table class="table table-bordered table-sm">
					<thead><tr><th>${__("会签部门")}</th><th>${__("意见")}</th><th>${__("意见说明")}</th>
					<th>${__("签署人")}</th><th>${__("签署时间")}</th></tr></thead><tbody>${body}</tbody></table>`);
			});
	},

	render_history(frm, field = "history_html") {
		case_selection.form_data(frm, "history", "case_selection.api.cases.get_history").then((rows) => {
			const esc = frappe.utils.escape_html;
			const body = rows
				.map(
					(r) => `<tr><td>${esc(frappe.datetime.str_to_user(r.action_time))}</td>
					<td>${esc(__(r.action))}</td><td>${esc(__(r.from_state || ""))} → ${esc(__(r.to_state || ""))}</td>
					<td>${esc(r.actor_name || r.actor)}</td><td>${esc(r.actor_role || "")}</td><td>${esc(r.remark || "")}</td></tr>`
				)
				.join("");
			frm.get_field(field).$wrapper.html(`<table class="table table-bordered table-sm">
				<thead><tr><th>${__("时间")}</th><th>${__("操作")}</th><th>${__("状态")}</th>
				<th>${__("操作人")}</th><th>${__("身份")}</th><th>${__("意见/备注")}</th></tr></thead><tbody>${body}</tbody></table>`);
		});
	},

	// departments: the round's co-signing departments the user signs for (from case_selection.api.cases.form_actions)
	cosign_dialog(frm, departments = []) {
		const d = new frappe.ui.Dialog({
			title: __("签署会签意见"),
			fields: [
				{
					fieldname: "department",
					fieldtype: "Select",
					label: __("会签部门"),
					options: departments,
					default: departments[0],
					reqd: 1,
					hidden: departments.length < 2 ? 1 : 0,
				},
				{ fieldname: "opinion", fieldtype: "Select", label: __("意见"), options: ["同意推荐", "不同意", "退回"], reqd: 1, default: "同意推荐" },
				{
					fieldname: "remarks",
					fieldtype: "Small Text",
					label: __("意见说明"),
					mandatory_depends_on: "eval:doc.opinion!='同意推荐'",
					description: __("只填写文字，最多 2000 字；选择「不同意」或「退回」时须写明理由。"),
				},
				{ fieldname: "seal", fieldtype: "Attach Image", label: __("公章图片") },
			],
			primary_action_label: __("签署"),
			primary_action(values) {
				frappe
					.xcall("case_selection.api.cosigning.cosign", { doctype: frm.doctype, name: frm.doc.name, ...values })
					.then((r) => {
						case_selection.close_dialog(d);
						frappe.show_alert({ message: __("已签署，会签结果：{0}", [__(r.cosign_status)]), indicator: "green" });
						frm.reload_doc();
					});
			},
		});
		d.show();
	},

	assign_experts(frm) {
		const d = new frappe.ui.Dialog({
			title: __("分配评审专家"),
			fields: [
				{
					fieldname: "experts",
					fieldtype: "MultiSelectList",
					label: __("评审专家"),
					reqd: 1,
					get_data: (txt) => frappe.xcall("case_selection.api.review.list_experts", { txt }),
				},
			],
			primary_action_label: __("分配"),
			primary_action(values) {
				const experts = values.experts || [];
				frappe.xcall("case_selection.api.review.assign_experts", { application: frm.doc.name, experts }).then(() => {
					case_selection.close_dialog(d);
					frm.reload_doc();
				});
			},
		});
		d.show();
	},

	// The official PDF of a document (page numbers and QR code added by the server), in the print format the admin
	// chose for its DocType (Customize Form → 默认打印格式), else the one the app ships.
	pdf_button(frm, label, shipped_format) {
		frm.add_custom_button(
			label,
			() => {
				const params = new URLSearchParams({
					doctype: frm.doctype,
					name: frm.doc.name,
					format: frm.meta.default_print_format || shipped_format,
					no_letterhead: 1,
				});
				window.open(`/api/method/frappe.utils.print_format.download_pdf?${params}`);
			},
			__("导出"),
		);
	},

	// The sealed 附件1 / 附件2 (signing/sealed_form.py): its verification, and a reload when the queue is done.
	sealed_form_buttons(frm) {
		if (frm.doc.sealed_form_status) {
			frm.add_custom_button(__("验证电子签章"), () => case_selection.verify_seals(frm), __("导出"));
		}
		if (!frm.__case_sealed_listener) {
			frm.__case_sealed_listener = true;
			frappe.realtime.on("case_sealed_form", (data) => {
				if (data && cur_frm && cur_frm.doctype === frm.doctype && cur_frm.doc.name === data.name) {
					cur_frm.reload_doc();
				}
			});
		}
	},

	verify_seals(frm) {
		const yes = (v) => (v ? __("是") : __("否"));
		const esc = frappe.utils.escape_html;
		frappe
			.call({
				method: "case_selection.signing.sealed_form.verify_sealed_pdf",
				type: "GET",
				args: { doctype: frm.doctype, name: frm.doc.name },
			})
			.then((r) => {
				const m = r.message || {};
				let html = "";
				if (!m.file) {
					html = `<p>${esc(m.note || __("尚未生成电子签章文件"))}</p>`;
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
	},

	// An accredited CA's seal for a department: a .p12/.pfx uploaded as a private file, and its password
	// (signing/certificates.import_pkcs12; the uploaded key file is deleted once the key is stored encrypted).
	import_pkcs12(defaults = {}) {
		const d = new frappe.ui.Dialog({
			title: __("导入印章证书（PKCS#12）"),
			fields: [
				{ fieldname: "district", fieldtype: "Link", options: "Case District", label: __("区县"), reqd: 1 },
				{ fieldname: "role", fieldtype: "Link", options: "Role", label: __("会签部门角色"), reqd: 1 },
				{
					fieldname: "file",
					fieldtype: "Attach",
					label: __("证书文件（.p12 / .pfx）"),
					reqd: 1,
					options: { restrictions: { allowed_file_types: [".p12", ".pfx"] }, make_attachments_public: false },
				},
				{ fieldname: "password", fieldtype: "Password", label: __("证书密码"), reqd: 1 },
			],
			primary_action_label: __("导入"),
			primary_action(values) {
				frappe
					.call({ method: "case_selection.signing.certificates.import_pkcs12", args: values })
					.then((r) => {
						case_selection.close_dialog(d);
						frappe.set_route("Form", "Seal Certificate", r.message.name);
					});
			},
		});
		d.set_values({ district: defaults.district, role: defaults.role });
		d.show();
	},
});

// The lists (and report views) of the app's per-round DocTypes open on the current round, as the workspaces do:
// their first page, count and group-by counts then read one round's rows, whatever the number of past rounds.
// A user's own saved filters, and filters a link or card brings (route options), still win; the round filter is
// an ordinary filter the user removes to see every year.
(function () {
	const ListView = frappe.views && frappe.views.ListView;
	if (!ListView || ListView.prototype.case_round_default) return;
	const setup_defaults = ListView.prototype.setup_defaults;
	ListView.prototype.case_round_default = true;
	ListView.prototype.setup_defaults = function () {
		const out = setup_defaults.apply(this, arguments);
		const boot = frappe.boot.case_selection || {};
		const saved = this.view_user_settings && Array.isArray(this.view_user_settings.filters);
		if (
			boot.current_round &&
			(boot.round_doctypes || []).includes(this.doctype) &&
			!saved &&
			!(this.filters || []).some((f) => f[1] === "round")
		) {
			this.filters = [...(this.filters || []), [this.doctype, "round", "=", boot.current_round]];
		}
		return out;
	};
})();
