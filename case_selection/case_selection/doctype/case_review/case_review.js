// 查看其他专家评分: for the expert of this review, once scored (the round may hide them: review/service.py).
frappe.ui.form.on("Case Review", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.expert !== frappe.session.user || frm.doc.status !== "Scored") return;
		frm.add_custom_button(__("查看其他专家评分"), () =>
			frappe.call({
				method: "case_selection.api.review.peer_scores",
				args: { review: frm.doc.name },
				callback: ({ message: m }) => {
					const rows = m.others
						.map((o) => `<tr><td>${frappe.utils.escape_html(o.label)}</td><td>${o.total}</td></tr>`)
						.join("");
					frappe.msgprint({
						title: __("同一案例的专家评分"),
						message: `<table class="table table-bordered"><tr><th>${__("专家")}</th><th>${__("加权总分")}</th></tr>
							<tr><td>${__("本人")}</td><td>${m.own}</td></tr>${rows}
							<tr><td>${__("平均")}</td><td>${m.average}</td></tr></table>`,
					});
				},
			})
		);
	},
});
