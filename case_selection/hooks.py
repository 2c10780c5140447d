"""The app's hooks, in the order of Frappe's app template (frappe/utils/boilerplate.py), each written once.

The DocType groups come from case_selection/constants.py; tests/test_structure.py checks that every DocType of
the app is in the groups it should be and that every hook names a function that exists.
"""

from case_selection.constants import (
	APPLICATION,
	CHILD_TABLES,
	CITY_ONLY_DOCTYPES,
	DISTRICT,
	LIST,
	OPINION,
	POLICY_DOCTYPES,
	ROUND,
	ROW_RULE_DOCTYPES,
	SETTING_TABLES,
	SETTINGS,
)

app_name = "case_selection"
app_title = "Case Selection"
app_publisher = "case_selection contributors"
app_description = "推动科技创新和产业创新深度融合优秀案例遴选"
app_email = "case-selection@example.org"
app_license = "MIT"

# Includes in <head>
# ------------------
# The co-signing dialog, the history tables and the sealed forms' buttons (case_selection.js); background
# exports: queued, then a notification with the file (export_jobs.js). The DocTypes' own scripts are in their
# folders (case_application.js, case_application_list.js, …), as Frappe loads them.
app_include_js = [
	"/assets/case_selection/js/case_selection.js",
	"/assets/case_selection/js/export_jobs.js",
]

# Jinja
# -----
# The print context of the 附件1/附件2 templates, and the state labels of the Notifications' messages.
jinja = {
	"methods": [
		"case_selection.export.print_context.case_application_print_context",
		"case_selection.export.print_context.recommendation_list_print_context",
		"case_selection.notifications.case_state_label",
	],
}

# The compiled templates of the print formats, kept per process by their source (export/pdf.py): Frappe compiles a
# format's template again for every print.
get_print_format_template = "case_selection.export.pdf.print_format_template"

# Installation
# ------------
# No `fixtures`: roles, the workflow and master data are inserted-if-missing by setup/install.py, so what an
# admin edits in Desk survives every migrate (fixtures would overwrite it).
after_install = "case_selection.setup.install.after_install"
after_migrate = "case_selection.setup.install.after_migrate"

# Uninstallation
# --------------
before_uninstall = "case_selection.setup.install.before_uninstall"

# Boot
# ----
# What the Desk scripts need to know about the user, from the same data as the server.
boot_session = "case_selection.setup.boot.boot_session"

# Permissions
# -----------
# Row-level read access (access/permissions.py) for every DocType whose rows are somebody's, their child
# tables, and the platform's side tables that point at them (Workflow Action, File).
_P = "case_selection.access.permissions."
permission_query_conditions = {
	APPLICATION: _P + "application_condition",
	LIST: _P + "list_condition",
	OPINION: _P + "cosign_opinion_condition",
	"Case Action Log": _P + "action_log_condition",
	"Case Review": _P + "review_condition",
	"District Deadline": _P + "deadline_condition",
	**{doctype: _P + "city_only_condition" for doctype in CITY_ONLY_DOCTYPES},
	**{child: _P + "child_condition" for child in CHILD_TABLES},
	"Workflow Action": _P + "workflow_action_condition",
	"File": _P + "file_condition",
}
has_permission = {
	APPLICATION: _P + "application_has_permission",
	LIST: _P + "list_has_permission",
	OPINION: _P + "reference_has_permission",
	"Case Action Log": _P + "reference_has_permission",
	"Case Review": _P + "review_has_permission",
	"District Deadline": _P + "deadline_has_permission",
	**{doctype: _P + "city_only_has_permission" for doctype in CITY_ONLY_DOCTYPES},
	"Workflow Action": _P + "workflow_action_has_permission",
	"File": _P + "file_has_permission",
}
# Link search of these DocTypes always applies the row rules (Frappe's drops them on ignore_user_permissions=1).
standard_queries = {doctype: "case_selection.overrides.methods.search" for doctype in ROW_RULE_DOCTYPES}

# DocType Class
# -------------
override_doctype_class = {
	# File, as Frappe's, remembering whether content was uploaded and deleting only its own file.
	"File": "case_selection.overrides.file.CaseFile",
	# The minute sweeper on the short queue, ahead of the default queue's backlog (jobs/scheduling.py).
	"Scheduled Job Type": "case_selection.jobs.scheduling.CaseScheduledJobType",
}

# Document Events
# ---------------
# Every write of a parent DocType is judged by the write policy (access/write_policy.py) and its text must stay
# text (checks/text_rules.py); a child row is written only with its parent and only its own (access/guards.py).
_GOVERNED = {
	"before_validate": [
		"case_selection.access.write_policy.enforce",
		"case_selection.checks.text_rules.check_doc",
	],
	"on_trash": "case_selection.access.write_policy.enforce_delete",
}
_ROWS_WITH_PARENT = {
	"before_validate": "case_selection.access.guards.refuse_direct_child_write",
	"on_trash": "case_selection.access.guards.refuse_direct_child_write",
}
_N = "case_selection.notifications.events."
_FORM = "case_selection.api.cases.form_onload"
doc_events = {
	**{
		doctype: _GOVERNED
		for doctype in POLICY_DOCTYPES
		if doctype not in (APPLICATION, LIST, OPINION, ROUND, SETTINGS, DISTRICT)
	},
	APPLICATION: {
		**_GOVERNED,
		"on_update": [
			_N + "case_updated",  # who must act next, and Frappe's Notifications told
			"case_selection.review.copies.case_updated",  # a case handed in: its similarity check is queued
		],
		"onload": _FORM,  # opinions, 签核历程 and actions sent with the document to its form
	},
	LIST: {
		**_GOVERNED,
		"on_update": _N + "list_updated",
		"after_delete": _N + "list_deleted",
		"onload": _FORM,
	},
	OPINION: {**_GOVERNED, "on_update": _N + "opinion_saved"},
	ROUND: {
		**_GOVERNED,
		"on_update": [
			"case_selection.access.actors.clear_cache",
			"case_selection.setup.grants.grant_round_roles",
			"case_selection.overrides.data_import.sync_import_permissions",  # the lead departments may import
			"case_selection.workflow.deadlines.sync_round",  # every district's deadline, reminder day, officers
			"case_selection.review.blind.sync_round",  # the round's reviews follow its 匿名评审 setting
		],
		"on_trash": [
			"case_selection.access.write_policy.enforce_delete",
			"case_selection.workflow.deadlines.round_deleted",
		],
	},
	SETTINGS: {
		**_GOVERNED,
		"on_update": [
			"case_selection.access.sealing.refresh_all",
			"case_selection.setup.grants.grant_settings_roles",
			"case_selection.api.lookup.sync_report_roles",  # 入选单位查询 follows the city roles
		],
	},
	DISTRICT: {**_GOVERNED, "after_insert": "case_selection.workflow.deadlines.district_added"},
	**{child: _ROWS_WITH_PARENT for child in CHILD_TABLES + SETTING_TABLES},
	# A child row a request names must be the saved document's own (every DocType: Frappe saves rows by name).
	"*": {"before_validate": "case_selection.access.guards.refuse_foreign_child_rows"},
	"Comment": {"before_insert": "case_selection.access.guards.guard_comment"},
	"DocShare": {"validate": "case_selection.access.guards.guard_share"},
	"Tag Link": {"before_insert": "case_selection.access.guards.guard_tag_link"},
	"Document Follow": {"before_insert": "case_selection.access.guards.guard_document_follow"},
	"ToDo": {"validate": "case_selection.access.guards.guard_todo"},
	"File": {
		"validate": "case_selection.access.guards.guard_file",
		"on_trash": "case_selection.access.guards.guard_file_delete",
	},
	"User Permission": {
		"on_update": [
			"case_selection.access.actors.clear_cache",
			"case_selection.workflow.deadlines.user_permission_changed",
		],
		"on_trash": "case_selection.access.actors.clear_cache",
		"after_delete": "case_selection.workflow.deadlines.user_permission_changed",
	},
	"User": {"on_update": "case_selection.workflow.deadlines.user_changed"},
	# Data Import of the app's DocTypes: for those the write policy lets import (overrides/data_import.py).
	"Data Import": {"before_validate": "case_selection.overrides.data_import.guard_data_import"},
}

# Scheduled Tasks
# ---------------
# Every minute: exports and publication messages lost with Redis or a killed worker are queued again from the
# database (jobs/service.py, sweep).
scheduler_events = {"cron": {"* * * * *": ["case_selection.jobs.service.sweep"]}}

# Overriding Methods
# ------------------
# Each replacement keeps Frappe's behaviour for what the caller may read, and closes what would skip the row
# rules (overrides/methods.py; the door matrix test calls every one over HTTP).
_M = "case_selection.overrides.methods."
override_whitelisted_methods = {
	# 附件1/附件2 PDFs with page numbers and the QR code (wraps Frappe's download_pdf and its permission check).
	"frappe.utils.print_format.download_pdf": "case_selection.export.pdf.download_pdf",
	# A seal certificate's private key is returned to nobody, Administrator included (signing/certificates.py).
	"frappe.client.get_password": "case_selection.signing.certificates.get_password",
	"frappe.client.get_count": _M + "get_count",
	"frappe.client.get": _M + "client_get",
	"frappe.client.validate_link": _M + "validate_link",
	"frappe.desk.reportview.get_sidebar_stats": _M + "get_sidebar_stats",
	"frappe.desk.listview.get_group_by_count": _M + "get_group_by_count",
	"frappe.desk.doctype.event.event.get_events": _M + "get_events",
	"frappe.desk.doctype.dashboard_settings.dashboard_settings.create_dashboard_settings": (
		_M + "create_dashboard_settings"
	),
	"frappe.desk.search.get_link_title": _M + "get_link_title",
	"frappe.desk.link_preview.get_preview_data": _M + "link_preview",
	"frappe.desk.desk_page.getpage": _M + "getpage",
	"frappe.desk.doctype.dashboard_chart.dashboard_chart.get": _M + "dashboard_chart_get",
	"frappe.desk.doctype.number_card.number_card.get_result": _M + "number_card_get_result",
	"frappe.desk.doctype.number_card.number_card.get_percentage_difference": (
		_M + "number_card_get_percentage_difference"
	),
	"frappe.www.printview.get_html_and_style": _M + "get_html_and_style",
	"frappe.www.printview.get_rendered_raw_commands": _M + "get_rendered_raw_commands",
	"frappe.desk.form.load.get_docinfo": _M + "get_docinfo",
	"frappe.desk.doctype.tag.tag.add_tag": _M + "add_tag",
	"frappe.desk.doctype.tag.tag.add_tags": _M + "add_tags",
	"frappe.desk.doctype.tag.tag.remove_tag": _M + "remove_tag",
	# 入选单位查询 at the address other departments' systems were given before the endpoints were grouped in api/.
	"case_selection.lookup.selected_units": "case_selection.api.lookup.selected_units",
	# Data Import's methods that load an import by name without a permission check (overrides/data_import.py).
	**{
		f"frappe.core.doctype.data_import.data_import.{method}": f"case_selection.overrides.data_import.{method}"
		for method in (
			"get_preview_from_template",
			"form_start_import",
			"download_errored_template",
			"download_import_log",
			"get_import_status",
		)
	},
}

# Request Events
# --------------
# Before each request and each job: every PDF rendered without network (export/sandbox.py wraps pdfkit once per
# process), and Frappe's Workflow Action hook given lookups that read the cached Workflow document
# (overrides/workflow_action.py: four functions of frappe.workflow.doctype.workflow_action replaced, for every
# workflow of the site; both installs are idempotent). Console and `bench execute` keep Frappe's own.
before_request = [
	"case_selection.export.sandbox.install",
	"case_selection.overrides.workflow_action.install",
	"case_selection.overrides.notification_log.install",  # Desk notifications: one job per transaction
	"case_selection.overrides.filters.install",  # a filter's value is a value (417, not a 500)
	"case_selection.overrides.save_hooks.install",  # Frappe's after-save hooks: energy points, attached files
	"case_selection.overrides.shares.install",  # documents shared with the user: one plain query
	"case_selection.overrides.retry.install",  # a deadlock victim runs again (not a 500)
]

# Job Events
# ----------
# The same, and an import runs in the language of the user who started it (its row messages are read by them).
before_job = [
	"case_selection.overrides.data_import.speak_users_language",
	"case_selection.export.sandbox.install",
	"case_selection.overrides.workflow_action.install",
	"case_selection.overrides.notification_log.install",  # in a job: Desk notifications made at once
	"case_selection.overrides.filters.install",
	"case_selection.overrides.save_hooks.install",
	"case_selection.overrides.shares.install",
]

# Authentication and authorization
# --------------------------------
# Runs once the caller is authenticated (cookie, API key or OAuth), before the request is dispatched: the
# allow-list of platform methods (access/allowlist.py), deletes asked first, prints of stored documents only.
auth_hooks = ["case_selection.access.guards.guard_request"]
