app_name = "case_selection"
app_title = "Case Selection"
app_publisher = "case_selection contributors"
app_description = "推动科技创新和产业创新深度融合优秀案例遴选"
app_email = "case-selection@example.org"
app_license = "MIT"

# Desk: shared co-signing dialog and history tables (public/js, no build step needed)
app_include_js = [
	"/assets/case_selection/js/case_selection.js",
	"/assets/case_selection/js/export_jobs.js",  # background exports: queue, then notify with the file
]

# Installation
# ------------
after_install = "case_selection.install.after_install"
after_migrate = "case_selection.install.after_migrate"
before_uninstall = "case_selection.install.before_uninstall"

# No `fixtures`: roles, workflow vocabulary and master data are inserted-if-missing by install.py, so what an
# admin edits in Desk survives every migrate (fixtures would overwrite it).

# Permissions: row-level access of SPEC §1 (see case_selection/permissions.py)
# ----------------------------------------------------------------------------
permission_query_conditions = {
	"Case Application": "case_selection.permissions.application_condition",
	"District Recommendation List": "case_selection.permissions.list_condition",
	"Case Cosign Opinion": "case_selection.permissions.cosign_opinion_condition",
	"Case Action Log": "case_selection.permissions.action_log_condition",
	"Case Review": "case_selection.permissions.review_condition",
}
has_permission = {
	"Case Application": "case_selection.permissions.application_has_permission",
	"District Recommendation List": "case_selection.permissions.list_has_permission",
	"Case Cosign Opinion": "case_selection.permissions.reference_has_permission",
	"Case Action Log": "case_selection.permissions.reference_has_permission",
	"Case Review": "case_selection.permissions.review_has_permission",
}

# Official outputs: print context for the 附件1/附件2 templates, page numbers on their PDF download (wraps
# Frappe's download_pdf, which keeps its own permission check), export buttons on forms and lists.
jinja = {
	"methods": [
		"case_selection.export.print_context.case_application_print_context",
		"case_selection.export.print_context.recommendation_list_print_context",
	],
}
override_whitelisted_methods = {
	"frappe.utils.print_format.download_pdf": "case_selection.export.pdf.download_pdf",
}
doctype_js = {
	"Case Application": "public/js/case_application_outputs.js",
	"District Recommendation List": "public/js/district_recommendation_list_outputs.js",
}
doctype_list_js = {
	"Case Application": "public/js/case_application_list_outputs.js",
	"District Recommendation List": "public/js/district_recommendation_list_list_outputs.js",
}
