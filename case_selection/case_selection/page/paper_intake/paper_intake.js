// 纸质材料签收: the city's intake desk. A scanner (or a clerk typing) enters each paper copy's QR code in the box
// and presses Enter; the server counts it against the current sealed version (signing/paper.py).
frappe.pages["paper-intake"].on_page_load = (wrapper) => {
	const page = frappe.ui.make_app_page({ parent: wrapper, title: __("纸质材料签收"), single_column: true });
	const esc = frappe.utils.escape_html;
	const $body = $(`<div class="case-paper-intake" style="padding: 15px; max-width: 980px">
		<p class="text-muted">${__(
			"逐份扫描纸质申报书（附件1）或推荐名单（附件2）页脚的二维码；与当前电子签章版本一致的计入份数，打印后有过变更的标为“版本过期”。"
		)}</p>
		<div class="form-group">
			<label for="case-intake-scan">${__("扫描内容")}</label>
			<input id="case-intake-scan" class="form-control input-lg" autocomplete="off" maxlength="2000">
		</div>
		<table class="table table-bordered table-condensed case-intake-log">
			<thead><tr><th>${__("时间")}</th><th>${__("名称")}</th><th>${__("区县")}</th>
			<th>${__("签收结果")}</th><th>${__("已收份数")}</th><th>${__("说明")}</th></tr></thead>
			<tbody></tbody>
		</table>
	</div>`).appendTo(page.main);
	const $input = $body.find("#case-intake-scan");
	const $log = $body.find(".case-intake-log tbody");
	const receive = () => {
		const scan = ($input.val() || "").trim();
		if (!scan) return;
		$input.val("").prop("disabled", true);
		frappe
			.xcall("case_selection.signing.paper.receive", { scan })
			.then((m) => {
				const stale = m.status === "Stale";
				const result = stale
					? `<span class="indicator-pill red">${__("版本过期")}</span>`
					: `<span class="indicator-pill ${m.complete ? "green" : "blue"}">${__("已签收")}</span>`;
				$log.prepend(`<tr class="case-intake-row ${stale ? "case-intake-stale" : "case-intake-ok"}">
					<td>${esc(frappe.datetime.now_time())}</td><td>${esc(m.title)}</td><td>${esc(m.district || "")}</td>
					<td>${result}</td><td class="case-intake-count">${m.received} / ${m.required}${
					m.complete ? " " + __("已收齐") : ""
				}</td><td>${esc(m.note || "")}</td></tr>`);
			})
			.finally(() => {
				$input.prop("disabled", false).trigger("focus");
			});
	};
	$input.on("keydown", (e) => {
		if (e.key === "Enter") receive();
	});
	wrapper.case_intake = { $input };
};

frappe.pages["paper-intake"].on_page_show = (wrapper) => {
	if (wrapper.case_intake) wrapper.case_intake.$input.trigger("focus");
};
