// Copyright (c) 2026, case_selection contributors
// License: MIT. See LICENSE

frappe.ui.form.on("Selection Round", {
	refresh(frm) {
		if (frm.is_new()) return;
		frappe.xcall("case_selection.api.cases.form_actions", { doctype: frm.doctype, name: frm.doc.name }).then((can) => {
			if (can.assign_experts) {
				frm.add_custom_button(__("均衡分配评审专家"), () => assign_experts(frm), __("专家评审"));
				frm.add_custom_button(
					__("专家评审负荷"),
					() => frappe.set_route("query-report", "Expert Review Load", { round: frm.doc.name }),
					__("专家评审")
				);
				frm.add_custom_button(
					__("评分比较"),
					() => frappe.set_route("query-report", "Review Score Comparison", { round: frm.doc.name }),
					__("专家评审")
				);
				frm.add_custom_button(
					__("疑似雷同案例"),
					() => frappe.set_route("List", "Case Similarity", { round_a: frm.doc.name }),
					__("专家评审")
				);
				frm.add_custom_button(
					__("重新检查雷同"),
					() =>
						frappe
							.xcall("case_selection.api.review.check_round_similarity", { round_name: frm.doc.name })
							.then((n) => frappe.show_alert({ message: __("已排队检查 {0} 个案例", [n]), indicator: "green" })),
					__("专家评审")
				);
			}
			if (!can.publish) return;
			frm.add_custom_button(__("发布结果"), () =>
				frappe.confirm(
					__("发布后本轮全部入选与未入选结果对申报单位和区县同时可见，并通知他们；发布不能撤回。确认发布？"),
					() => frappe.xcall("case_selection.api.publication.publish_results", { round_name: frm.doc.name }).then(() => frm.reload_doc())
				)
			);
		});
	},
});

// Every case of the round under review gets the round's number of experts from the library: by direction, load
// spread evenly, never a conflicted expert (case_selection/review/service.py). Existing assignments are kept.
function assign_experts(frm) {
	frappe.confirm(
		__("将为本轮处于评审阶段的每个案例，从评审专家库中按遴选方向均衡分配 {0} 位专家（已分配的保留，利益冲突的专家不分配）。确认分配？", [
			frm.doc.experts_per_case || 3,
		]),
		() =>
			frappe.xcall("case_selection.api.review.assign_round_experts", { round_name: frm.doc.name }).then((r) => {
				const unfilled = Object.keys(r.unfilled || {}).length;
				const conflicted = (r.conflicted_existing || []).length;
				const lines = [
					__("评审中的案例 {0} 个，在库专家 {1} 位，新分配 {2} 项。", [r.cases, r.experts, r.added]),
					__("专家负荷最多与最少相差 {0}；方向不匹配 {1} 项。", [r.spread, r.direction_mismatches]),
				];
				if (unfilled) lines.push(__("{0} 个案例专家不足，请补充专家库。", [unfilled]));
				if (conflicted) lines.push(__("已有的 {0} 项分配存在利益冲突，请核查后撤回。", [conflicted]));
				frappe.msgprint({ title: __("均衡分配评审专家"), message: lines.map((l) => frappe.utils.escape_html(l)).join("<br>") });
			})
	);
}
