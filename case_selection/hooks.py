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

boot_session = "case_selection.boot.boot_session"

# Installation
# ------------
after_install = "case_selection.install.after_install"
after_migrate = "case_selection.install.after_migrate"
before_uninstall = "case_selection.install.before_uninstall"

# No `fixtures`: roles, workflow vocabulary and master data are inserted-if-missing by install.py, so what an
# admin edits in Desk survives every migrate (fixtures would overwrite it).

# Permissions: row-level read access (case_selection/permissions.py), the write policy
# (case_selection/write_policy.py) and the platform doors that skip them (case_selection/doors.py).
# ------------------------------------------------------------------------------------------------------------
_P = "case_selection.permissions."
_CHILD_TABLES = (
	"Case Partner Unit",
	"Case Finance Year",
	"Case Result Indicator",
	"Case Evidence",
	"Recommendation List Item",
	"Case Review Score",
	"Case Collection Item",
	"Review Expert Past Unit",
	"Review Expert Direction",
	"Case Fingerprint Band",
)
permission_query_conditions = {
	"Case Application": _P + "application_condition",
	"District Recommendation List": _P + "list_condition",
	"Case Cosign Opinion": _P + "cosign_opinion_condition",
	"Case Action Log": _P + "action_log_condition",
	"Case Review": _P + "review_condition",
	"Case Objection": _P + "city_only_condition",
	"Case Collection": _P + "city_only_condition",
	"Case Evaluation": _P + "city_only_condition",
	"Seal Certificate": _P + "city_only_condition",
	"Review Expert": _P + "city_only_condition",
	"Case Fingerprint": _P + "city_only_condition",
	"Case Similarity": _P + "city_only_condition",
	"Paper Copy": _P + "city_only_condition",
	"District Deadline": _P + "deadline_condition",
	"Workflow Action": _P + "workflow_action_condition",
	"File": _P + "file_condition",
	**{child: _P + "child_condition" for child in _CHILD_TABLES},
}
has_permission = {
	"Case Application": _P + "application_has_permission",
	"District Recommendation List": _P + "list_has_permission",
	"Case Cosign Opinion": _P + "reference_has_permission",
	"Case Action Log": _P + "reference_has_permission",
	"Case Review": _P + "review_has_permission",
	"Case Objection": _P + "city_only_has_permission",
	"Case Collection": _P + "city_only_has_permission",
	"Case Evaluation": _P + "city_only_has_permission",
	"Seal Certificate": _P + "city_only_has_permission",
	"Review Expert": _P + "city_only_has_permission",
	"Case Fingerprint": _P + "city_only_has_permission",
	"Case Similarity": _P + "city_only_has_permission",
	"Paper Copy": _P + "city_only_has_permission",
	"District Deadline": _P + "deadline_has_permission",
	"Workflow Action": _P + "workflow_action_has_permission",
	"File": _P + "file_has_permission",
}
# Link search of our DocTypes always applies the row rules (Frappe's drops them on ignore_user_permissions=1).
standard_queries = {
	doctype: "case_selection.doors.search"
	for doctype in (
		"Case Application",
		"District Recommendation List",
		"Case Cosign Opinion",
		"Case Action Log",
		"Case Review",
		"Case Objection",
		"Case Collection",
		"District Deadline",
		"Case Evaluation",
		"Seal Certificate",
		"Review Expert",
		"Case Fingerprint",
		"Case Similarity",
		"Paper Copy",
	)
}
_POLICY_DOCTYPES = (
	"Case Application",
	"District Recommendation List",
	"Case Cosign Opinion",
	"Case Action Log",
	"Case Review",
	"Case Objection",
	"Case Collection",
	"Selection Round",
	"Case District",
	"Selection Direction",
	"Selection Domain",
	"Case Selection Settings",
	"Case Export Job",
	"District Deadline",
	"Case Evaluation",
	"Seal Certificate",
	"Review Expert",
	"Case Fingerprint",
	"Case Similarity",
	"Paper Copy",
)
_ROUND_TABLES = (
	"Round Contact",
	"Round District Setting",
	"Round Cosign Department",
	"Round Review Criterion",
	"Round Direction",
	"Case City Role",
	"Case State Setting",
	"District Department Name",  # Case District's official department names (seal certificates' subjects)
)
doc_events = {
	**{
		doctype: {
			"before_validate": [
				"case_selection.write_policy.enforce",
				"case_selection.text_rules.check_doc",  # text stays text, on every door
			],
			"on_trash": "case_selection.write_policy.enforce_delete",
		}
		for doctype in _POLICY_DOCTYPES
	},
	**{
		child: {
			"before_validate": "case_selection.doors.refuse_direct_child_write",
			"on_trash": "case_selection.doors.refuse_direct_child_write",
		}
		for child in _CHILD_TABLES + _ROUND_TABLES
	},
	# A child row a request names must be the saved document's own (every DocType: Frappe saves rows by name).
	"*": {"before_validate": "case_selection.doors.refuse_foreign_child_rows"},
	"Comment": {"before_insert": "case_selection.doors.guard_comment"},
	"DocShare": {"validate": "case_selection.doors.guard_share"},
	"Tag Link": {"before_insert": "case_selection.doors.guard_tag_link"},
	"Document Follow": {"before_insert": "case_selection.doors.guard_document_follow"},
	"ToDo": {"validate": "case_selection.doors.guard_todo"},
	"File": {
		"validate": "case_selection.doors.guard_file",
		"on_trash": "case_selection.doors.guard_file_delete",
	},
	"User Permission": {
		"on_update": [
			"case_selection.actors.clear_cache",
			"case_selection.deadlines.user_permission_changed",
		],
		"on_trash": "case_selection.actors.clear_cache",
		"after_delete": "case_selection.deadlines.user_permission_changed",
	},
	"User": {"on_update": "case_selection.deadlines.user_changed"},
	# Data Import of the app's DocTypes: for those the write policy lets import (case_selection/imports.py).
	"Data Import": {"before_validate": "case_selection.imports.guard_data_import"},
}
doc_events["Selection Round"]["on_update"] = [
	"case_selection.actors.clear_cache",
	"case_selection.setup.grants.grant_round_roles",
	"case_selection.imports.sync_import_permissions",  # the lead departments may import
	"case_selection.deadlines.sync_round",  # every district's deadline, reminder day and officers
	"case_selection.review.blind.sync_round",  # the round's reviews follow its 匿名评审 setting
]
doc_events["Case Selection Settings"]["on_update"] = [
	"case_selection.sealing.refresh_all",
	"case_selection.setup.grants.grant_settings_roles",
	"case_selection.lookup.sync_report_roles",  # 入选单位查询 follows the city roles
]
# An import runs on RQ in the language of the user who started it (its row messages are read by them).
# Every PDF rendered without network (export/sandbox.py wraps pdfkit once per process, web and RQ alike).
# Every minute: exports and publication messages lost with Redis or a killed worker are queued again from
# the database (case_selection/jobs/service.py, sweep).
scheduler_events = {"cron": {"* * * * *": ["case_selection.jobs.service.sweep"]}}
before_request = ["case_selection.export.sandbox.install"]
before_job = ["case_selection.imports.speak_users_language", "case_selection.export.sandbox.install"]
doc_events["Selection Round"]["on_trash"] = [
	doc_events["Selection Round"]["on_trash"],
	"case_selection.deadlines.round_deleted",
]
# Who must act next, and Frappe's Notifications told when it happens (case_selection/notifications/).
_N = "case_selection.notifications.events."
doc_events["Case Application"]["on_update"] = [
	_N + "case_updated",
	"case_selection.review.copies.case_updated",  # a case handed in: its similarity check is queued
]
doc_events["District Recommendation List"]["on_update"] = _N + "list_updated"
doc_events["District Recommendation List"]["after_delete"] = _N + "list_deleted"
doc_events["Case Cosign Opinion"]["on_update"] = _N + "opinion_saved"
doc_events["Case District"]["after_insert"] = "case_selection.deadlines.district_added"
override_doctype_class = {
	"File": "case_selection.files.CaseFile",
	# The minute sweeper on the short queue, ahead of the default queue's backlog (jobs/scheduling.py).
	"Scheduled Job Type": "case_selection.jobs.scheduling.CaseScheduledJobType",
}
# Runs once the caller is authenticated (cookie, API key or OAuth), before the request is dispatched.
auth_hooks = ["case_selection.doors.guard_request"]

# Official outputs: print context for the 附件1/附件2 templates, page numbers on their PDF download (wraps
# Frappe's download_pdf, which keeps its own permission check), export buttons on forms and lists.
jinja = {
	"methods": [
		"case_selection.export.print_context.case_application_print_context",
		"case_selection.export.print_context.recommendation_list_print_context",
		"case_selection.notifications.case_state_label",  # the Notifications' messages
	],
}
override_whitelisted_methods = {
	"frappe.utils.print_format.download_pdf": "case_selection.export.pdf.download_pdf",
	"frappe.client.get_count": "case_selection.doors.get_count",
	"frappe.client.get": "case_selection.doors.client_get",
	# A seal certificate's private key is returned to nobody, Administrator included (signing/certificates.py).
	"frappe.client.get_password": "case_selection.signing.certificates.get_password",
	"frappe.desk.reportview.get_sidebar_stats": "case_selection.doors.get_sidebar_stats",
	"frappe.desk.doctype.event.event.get_events": "case_selection.doors.get_events",
	"frappe.desk.doctype.dashboard_settings.dashboard_settings.create_dashboard_settings": (
		"case_selection.doors.create_dashboard_settings"
	),
	"frappe.desk.search.get_link_title": "case_selection.doors.get_link_title",
	"frappe.client.validate_link": "case_selection.doors.validate_link",
	"frappe.desk.link_preview.get_preview_data": "case_selection.doors.link_preview",
	"frappe.desk.desk_page.getpage": "case_selection.doors.getpage",
	"frappe.desk.doctype.dashboard_chart.dashboard_chart.get": "case_selection.doors.dashboard_chart_get",
	"frappe.desk.doctype.number_card.number_card.get_result": "case_selection.doors.number_card_get_result",
	"frappe.desk.doctype.number_card.number_card.get_percentage_difference": (
		"case_selection.doors.number_card_get_percentage_difference"
	),
	"frappe.desk.listview.get_group_by_count": "case_selection.doors.get_group_by_count",
	"frappe.www.printview.get_html_and_style": "case_selection.doors.get_html_and_style",
	"frappe.www.printview.get_rendered_raw_commands": "case_selection.doors.get_rendered_raw_commands",
	"frappe.desk.form.load.get_docinfo": "case_selection.doors.get_docinfo",
	"frappe.desk.doctype.tag.tag.add_tag": "case_selection.doors.add_tag",
	"frappe.desk.doctype.tag.tag.add_tags": "case_selection.doors.add_tags",
	"frappe.desk.doctype.tag.tag.remove_tag": "case_selection.doors.remove_tag",
	# Data Import's methods that load an import by name without a permission check (imports.py).
	**{
		f"frappe.core.doctype.data_import.data_import.{method}": f"case_selection.imports.{method}"
		for method in (
			"get_preview_from_template",
			"form_start_import",
			"download_errored_template",
			"download_import_log",
			"get_import_status",
		)
	},
}
doctype_js = {
	"Case Application": "public/js/case_application_outputs.js",
	"District Recommendation List": "public/js/district_recommendation_list_outputs.js",
}
doctype_list_js = {
	"Case Application": [
		"public/js/case_application_list_outputs.js",
		"public/js/case_application_import.js",  # paper forms: template and Data Import
	],
	"District Recommendation List": "public/js/district_recommendation_list_list_outputs.js",
}
