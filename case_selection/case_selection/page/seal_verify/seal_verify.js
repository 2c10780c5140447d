// 电子签章验证: a code (typed, or the address a page's QR code opens with ?c=…&h=…) or a dropped PDF, and what
// the server's pyHanko validation says (signing/verification.py). Every value shown is escaped.
frappe.pages["seal-verify"].on_page_load = (wrapper) => {
	const page = frappe.ui.make_app_page({ parent: wrapper, title: __("电子签章验证"), single_column: true });
	const esc = frappe.utils.escape_html;
	const $body = $(`<div class="case-seal-verify" style="padding: 15px; max-width: 980px">
		<p class="text-muted">${__(
			"输入纸质件页脚二维码下方的验证码（或用扫码枪扫描二维码），或选择一个电子签章 PDF 文件，系统将用市级根证书和吊销列表逐一验证其中的电子签章。"
		)}</p>
		<div class="form-group">
			<label for="case-verify-code">${__("验证码或二维码内容")}</label>
			<div class="input-group">
				<input id="case-verify-code" class="form-control" autocomplete="off" maxlength="2000">
				<span class="input-group-btn"><button class="btn btn-primary case-verify-go">${__("验证")}</button></span>
			</div>
		</div>
		<div class="form-group">
			<label for="case-verify-file">${__("或选择 PDF 文件")}</label>
			<input id="case-verify-file" type="file" accept="application/pdf,.pdf" class="form-control">
		</div>
		<div class="case-verify-result"></div>
	</div>`).appendTo(page.main);
	const $input = $body.find("#case-verify-code");
	const $result = $body.find(".case-verify-result");
	const yes = (v) => (v ? __("是") : __("否"));

	const signatures = (rows) => {
		if (!rows || !rows.length) return `<p class="text-danger">${__("此文件中没有电子签章。")}</p>`;
		const body = rows
			.map(
				(s, i) => `<tr class="case-verify-signature">
				<td>${i + 1}</td><td>${esc(s.department || "")}</td><td>${esc(s.signer || "")}</td>
				<td>${esc(s.signing_time || "")}</td><td>${yes(s.intact)}</td><td>${yes(s.valid)}</td>
				<td>${yes(s.trusted)}</td>
				<td>${s.revoked ? __("已吊销（{0}）", [esc(s.revoked_at || "")]) : __("否")}</td>
				<td>${yes(s.later_changes_allowed)}</td>
				<td><b>${s.bottom_line ? __("有效") : __("无效")}</b></td></tr>`
			)
			.join("");
		return `<table class="table table-bordered table-condensed"><thead><tr>
			<th>#</th><th>${__("会签部门")}</th><th>${__("签章单位（证书主体）")}</th><th>${__("签章时间")}</th>
			<th>${__("文件完整")}</th><th>${__("签名有效")}</th><th>${__("证书可信")}</th><th>${__("证书吊销")}</th>
			<th>${__("其后修改均被允许")}</th><th>${__("结论")}</th></tr></thead><tbody>${body}</tbody></table>`;
	};
	const documentFacts = (d) => {
		let version = "";
		if (d.version === "current") {
			version = `<p class="case-verify-version text-success">${__("纸质件与当前电子签章版本一致。")}</p>`;
		} else if (d.version === "stale") {
			version = `<p class="case-verify-version text-danger"><b>${__(
				"版本过期：此纸质件打印后申报材料或会签意见有过变更，与当前电子签章版本不一致。"
			)}</b></p>`;
		}
		const file = d.file
			? `<a href="${esc(d.file)}" target="_blank" rel="noopener">${__("下载电子签章文件")}</a>`
			: "";
		return `<p class="case-verify-document"><b>${esc(d.doctype_label)}</b>：${esc(d.title)}（${esc(
			d.district || ""
		)}，${esc(d.name)}） ${file}</p>${version}`;
	};
	const lookup = () => {
		const scan = ($input.val() || "").trim();
		if (!scan) return;
		frappe
			.call({ method: "case_selection.signing.verification.lookup", type: "GET", args: { scan } })
			.then((r) => {
				const m = r.message;
				$result.html(
					`<h5>${__("验证码")} ${esc(m.code)}</h5>${documentFacts(m)}${signatures(m.signatures)}`
				);
			});
	};
	$body.find(".case-verify-go").on("click", lookup);
	$input.on("keydown", (e) => {
		if (e.key === "Enter") lookup();
	});
	$body.find("#case-verify-file").on("change", (e) => {
		const file = e.target.files && e.target.files[0];
		if (!file) return;
		const reader = new FileReader();
		reader.onload = () => {
			frappe
				.xcall("case_selection.signing.verification.check_pdf", { pdf: reader.result })
				.then((m) => {
					let head = `<h5>${esc(file.name)}</h5>`;
					if (m.document) {
						head += documentFacts(m.document);
						head += m.same_as_current
							? `<p class="text-success">${__("与系统中当前的电子签章文件完全一致。")}</p>`
							: `<p class="text-warning">${__("与系统中当前的电子签章文件不是同一文件。")}</p>`;
					}
					$result.html(head + signatures(m.signatures));
				});
		};
		reader.readAsDataURL(file);
	});
	wrapper.case_verify = { $input, lookup };
};

frappe.pages["seal-verify"].on_page_show = (wrapper) => {
	const options = frappe.route_options || {};
	const params = new URLSearchParams(window.location.search);
	const code = options.c || params.get("c");
	const hash = options.h || params.get("h");
	frappe.route_options = null;
	if (code && wrapper.case_verify) {
		wrapper.case_verify.$input.val(hash ? `${code} ${hash}` : code);
		wrapper.case_verify.lookup();
	}
};
