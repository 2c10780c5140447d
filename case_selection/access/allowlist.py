"""Closed unless allowed: the platform methods the app's users may call.

Frappe v15 whitelists about a thousand methods, and each release adds more; many of them read or write a
document without asking the row rules the app relies on (access/permissions.py). Closing them one at a time left
the next one open. So for every signed-in user who is not a System Manager (applicants, the districts'
departments, the city's roles, experts, integration users — and anyone else without System Manager), a
request that calls a method is refused with 403 unless the method is on the reviewed list below:

- ALLOWED: the methods Desk itself calls on the screens these users use (recorded from the browser tests of
  every role and from Frappe's Desk scripts), each with one line on why it is safe for the app's DocTypes;
- the app's own methods (`case_selection.`), which check permission themselves;
- ALLOWED_DOC_METHODS: controller methods reached through run_doc_method or POST /api/resource/<dt>/<name>.

Every way Frappe v15 dispatches a call is covered: /api/method/<m> and /api/v1/method/<m>, the deprecated
`cmd` form field, /api/v2/method/<m> and /api/v2/method/<doctype>/<m>, run_doc_method, and the document
method routes of v1 and v2. REST document routes (/api/resource, /api/v2/document) are not methods: the
row rules and the write policy govern them. Routes of /api/v2 that are neither (count, meta) are refused.

System Managers and the Administrator keep Frappe as it is; Guest keeps Frappe's allow_guest methods (the
login page, the website). `tests/test_method_allowlist.py` lists every whitelisted method of every installed
app, checks that each is either on the list or refused here, and calls every refused one over HTTP.
"""

import inspect
import json
import re

import frappe
from frappe import _
from frappe.api import API_URL_MAP
from frappe.model.db_query import DatabaseQuery
from werkzeug.exceptions import HTTPException

from case_selection.access.actors import actor

APP_PREFIX = "case_selection."

# Read through a wrapper of the app (hooks.override_whitelisted_methods) that applies the row rules, or Frappe's
# own method that asks the row rules (frappe.get_list / has_permission) itself. No row any of them reads holds a
# sealed result: those are stored in the city-only Case Evaluation (access/sealing.py).
ALLOWED: dict[str, str] = {
	# Session and the user's own settings
	"login": "signs in; answers only the caller's own session",
	"logout": "ends the caller's own session",
	"ping": "answers pong, no data",
	"frappe.auth.get_logged_user": "the caller's own user name",
	"frappe.realtime.get_user_info": "socket.io: the caller's own user and its rooms",
	"frappe.realtime.can_subscribe_doc": "socket.io: asks has_permission for the document (our row rules)",
	"frappe.realtime.can_subscribe_doctype": "socket.io: asks the DocType's read permission",
	"frappe.sessions.clear": "clears the caller's own session cache (Reload)",
	"frappe.sessions.get_boot_assets_json": "the asset bundle names, no data",
	"frappe.translate.get_all_languages": "language names, no data",
	"frappe.core.doctype.user.user.switch_theme": "the caller's own theme",
	"frappe.core.doctype.user.user.update_password": "the caller's own password (old password asked)",
	"frappe.core.doctype.user.user.test_password_strength": "a strength score of the typed password",
	"frappe.utils.change_log.get_versions": "installed app versions, no data",
	"frappe.utils.change_log.show_update_popup": "the caller's own update note",
	"frappe.utils.change_log.update_last_known_versions": "the caller's own last seen versions",
	# Desk chrome
	"frappe.desk.desktop.get_workspace_sidebar_items": "the workspaces the caller's roles may see",
	"frappe.desk.desktop.get_desktop_page": "a workspace's layout; its numbers come from the app's card and "
	"chart methods, computed for the asker",
	"frappe.desk.doctype.dashboard_chart_source.dashboard_chart_source.get_config": "a chart source's "
	"script, no data",
	"frappe.desk.doctype.notification_log.notification_log.get_notification_logs": "the caller's own "
	"notifications (for_user = session user)",
	"frappe.desk.doctype.notification_log.notification_log.mark_as_read": "the caller's own notification",
	"frappe.desk.doctype.notification_log.notification_log.mark_all_as_read": "the caller's own notifications",
	"frappe.desk.doctype.notification_log.notification_log.trigger_indicator_hide": "the caller's own bell",
	"frappe.desk.doctype.notification_settings.notification_settings.get_subscribed_documents": "the "
	"caller's own notification settings",
	"frappe.desk.doctype.notification_settings.notification_settings.set_seen_value": "the caller's own bell",
	"frappe.desk.notifications.get_notification_info": "open-document counts of the caller's own "
	"notification config, through frappe.get_list",
	"frappe.desk.notifications.get_open_count": "a form's connection counts, through frappe.get_list",
	"frappe.desk.search.search_link": "link search: the app's DocTypes go through methods.search (row rules "
	"always applied, hooks.standard_queries)",
	"frappe.desk.search.search_widget": "as search_link",
	"frappe.desk.doctype.route_history.route_history.deferred_insert": "the caller's own route history",
	"frappe.desk.link_preview.get_preview_data": "methods.link_preview: no preview of the app's DocTypes",
	"frappe.desk.desk_page.getpage": "methods.getpage: the app's own Desk pages only (电子签章验证, 纸质材料签收), "
	"each with its roles checked by Frappe",
	"frappe.desk.search.get_link_title": "methods.get_link_title: a title only of a record the caller may read",
	"frappe.desk.doctype.event.event.get_events": "methods.get_events: the caller's own and public Events",
	"frappe.desk.doctype.dashboard_settings.dashboard_settings.create_dashboard_settings": "doors."
	"create_dashboard_settings: the caller's own chart settings",
	# Lists and reports
	"frappe.desk.reportview.get": "list and report view rows through frappe.get_list: row rules",
	"frappe.desk.reportview.get_list": "as reportview.get (frappe.db.get_list in Desk scripts)",
	"frappe.desk.reportview.get_count": "counts through frappe.get_list (row rules)",
	"frappe.desk.reportview.export_query": "exports through frappe.get_list (row rules)",
	"frappe.desk.listview.get_list_settings": "the caller's own list settings",
	"frappe.desk.listview.set_list_settings": "the caller's own list settings",
	"frappe.desk.listview.get_group_by_count": "methods.get_group_by_count: through frappe.get_list",
	"frappe.model.utils.user_settings.save": "the caller's own view settings",
	"frappe.client.get_count": "methods.get_count: through frappe.get_list (row rules)",
	"frappe.desk.query_report.run": "a report the caller's roles may run (the app's read through get_list)",
	"frappe.desk.query_report.get_script": "a report's script and filters, no data",
	"frappe.desk.query_report.export_query": "a report's own rows, as run returns them",
	"frappe.desk.doctype.dashboard_chart.dashboard_chart.get": "methods.dashboard_chart_get: computed per asker",
	"frappe.desk.doctype.number_card.number_card.get_result": "methods.number_card_get_result: per asker",
	"frappe.desk.doctype.number_card.number_card.get_percentage_difference": "doors: per asker",
	"frappe.desk.doctype.list_view_settings.list_view_settings.get_default_listview_fields": "meta only",
	# Forms
	"frappe.desk.form.load.getdoctype": "the DocType's meta (labels, fields), no records",
	"frappe.desk.form.load.getdoc": "has_permission; a case's row holds no sealed value (access/sealing.py)",
	"frappe.desk.form.load.get_docinfo": "methods.get_docinfo: has_permission; versions of a case are public",
	"frappe.desk.form.load.get_user_info_for_viewers": "names and images of users, no records",
	"frappe.desk.form.save.savedocs": "saves through the document: permission and the write policy",
	"frappe.client.validate_link": "methods.validate_link: a record of the app only if the caller may read it; "
	"its fetch_from values by bare field names (PLAIN_FIELD_ARGS) through frappe.get_list",
	"frappe.client.get_value": "bare field names only (PLAIN_FIELD_ARGS), through frappe.get_list (row rules)",
	"frappe.client.get": "methods.client_get: the app's records by name only, then has_permission (as REST "
	"GET); Desk reads Dashboard Charts with it",
	"frappe.client.save": "saves through the document: permission and the write policy",
	"frappe.client.insert": "inserts through the document: permission and the write policy",
	"frappe.client.set_value": "saves through the document: permission and the write policy",
	"frappe.client.delete": "guards.guard_request asks permission and the write policy first",
	"frappe.model.workflow.get_transitions": "the transitions the caller's roles may take on a document "
	"they may read",
	"frappe.model.workflow.apply_workflow": "the Workflow's own checks (role, condition) and the write policy",
	"frappe.model.workflow.bulk_workflow_approval": "apply_workflow for each document (list bulk actions)",
	"frappe.model.workflow.get_common_transition_actions": "transition names for documents the caller may read",
	"frappe.desk.form.assign_to.add": "guards.guard_todo: the assignee must be able to read the document",
	"frappe.desk.form.assign_to.remove": "the caller's permission on the ToDo",
	"frappe.desk.doctype.tag.tag.get_tags": "tag names, no records",
	"frappe.desk.doctype.tag.tag.get_tags_list_for_awesomebar": "tag names through frappe.get_list, no records",
	"frappe.desk.reportview.get_sidebar_stats": "methods.get_sidebar_stats: the list sidebar's tag counts only, "
	"through frappe.get_list (other stats would count the city's fields)",
	"frappe.desk.form.utils.remove_attach": "deletes a File through frappe.delete_doc: the File's permission, "
	"guards.guard_file_delete and the write policy's attach rule",
	"frappe.core.doctype.session_default_settings.session_default_settings.get_session_default_values": "the "
	"names of the session defaults an admin set up, no records",
	"frappe.desk.doctype.tag.tag.add_tag": "methods.add_tag: write permission first",
	"frappe.desk.doctype.tag.tag.remove_tag": "methods.remove_tag: write permission first",
	# Files, imports and printing
	"upload_file": "write permission on the document it is attached to; guards.guard_file and the write policy",
	"frappe.core.api.file.get_max_file_size": "a number, no data",
	"frappe.core.api.file.get_files_in_folder": "File records through frappe.get_list (files' row rules)",
	"frappe.core.api.file.get_files_by_search_text": "as get_files_in_folder",
	"frappe.core.api.file.get_attached_images": "images of a document the caller may read",
	"frappe.core.doctype.data_import.data_import.get_preview_from_template": "overrides/data_import.py: the caller's own "
	"import, a file its creator uploaded",
	"frappe.core.doctype.data_import.data_import.form_start_import": "overrides/data_import.py: the caller's own import",
	"frappe.core.doctype.data_import.data_import.get_import_status": "overrides/data_import.py: the caller's own import",
	"frappe.core.doctype.data_import.data_import.download_errored_template": "overrides/data_import.py: the caller's own",
	"frappe.core.doctype.data_import.data_import.download_import_log": "overrides/data_import.py: the caller's own import",
	"frappe.core.doctype.data_import.data_import.get_import_logs": "the rows of an import the caller may read "
	"(an importer's own: if_owner)",
	"frappe.utils.print_format.download_pdf": "export.pdf.download_pdf: read or print permission; the "
	"Standard format refused for the app's DocTypes",
	"frappe.www.printview.get_html_and_style": "methods.get_html_and_style: stored documents only, the "
	"Standard format refused for the app's DocTypes",
	"frappe.printing.page.print.print.get_print_settings_to_show": "print settings, no records",
}

# Controller methods, by DocType: what Desk's buttons call on the app's own documents.
ALLOWED_DOC_METHODS: dict[tuple[str, str], str] = {
	("Case Export Job", "retry"): "the job's owner runs it again (the controller checks it is theirs)",
	("Case Collection", "load_selected_cases"): "city managers only (the write policy of Case Collection)",
	("Case Collection", "generate"): "city managers only (the write policy of Case Collection)",
}

# Endpoints of /api and /api/v2 that are not method calls.
DOCUMENT_ENDPOINTS = {"document_list", "create_doc", "read_doc", "update_doc", "delete_doc"}
SESSION_ENDPOINTS = {"login", "logout", "ping", "upload_file"}
DOC_METHOD_CALLERS = {"run_doc_method", "frappe.handler.run_doc_method"}


class NotAllowed(frappe.PermissionError):
	"""A method outside the allow-list (HTTP 403)."""


def restricted(user: str | None = None) -> bool:
	"""Whether the allow-list applies to this user: signed in, and not a System Manager."""
	user = user or frappe.session.user
	if user in ("Guest", "Administrator"):
		return False
	return not actor(user).admin


def _doc_target(form) -> str | None:
	"""The DocType whose controller method run_doc_method would call."""
	if isinstance(form.get("dt"), str) and form.get("dt"):
		return form["dt"]
	docs = form.get("docs")
	if isinstance(docs, str):
		try:
			docs = frappe.parse_json(docs)
		except Exception:
			return None
	return docs.get("doctype") if isinstance(docs, dict) else None


def api_route(request) -> tuple:
	"""(endpoint, its arguments) of an /api/ request in Frappe's URL map, (None, {}) when none matches: matched once
	per request, for every check that asks."""
	route = getattr(request, "_case_selection_route", None)
	if route is None:
		try:
			route = API_URL_MAP.bind_to_environ(request.environ).match()
		except HTTPException:
			route = (None, {})
		request._case_selection_route = route
	return route


def requested(request, form) -> list[tuple[str, str]]:
	"""What a request calls: [("method", dotted name) | ("doc", "DocType.method") | ("route", endpoint)].
	Empty for a request that calls no method (pages, assets, files, REST documents)."""
	path = request.path
	if not path.startswith("/api/"):
		cmd = form.get("cmd")
		return [("method", cmd if isinstance(cmd, str) else repr(cmd))] if cmd else []
	endpoint, args = api_route(request)
	if endpoint is None:
		return []  # Frappe answers 404/405 itself
	name = endpoint.__name__
	if name in DOCUMENT_ENDPOINTS:
		return []
	if name in SESSION_ENDPOINTS:
		return [("method", name)]
	if name == "handle_rpc_call":
		method = args["method"]
		if args.get("doctype"):
			return [("method", f"{args['doctype']}/{method}")]  # v2: a controller module's function
		method = method.split("/")[0]
		calls = [("method", method)]
		if method in DOC_METHOD_CALLERS:
			calls.append(("doc", f"{_doc_target(form)}.{form.get('method')}"))
		return calls
	if name == "execute_doc_method":
		return [("doc", f"{args.get('doctype')}.{args.get('method') or form.get('run_method')}")]
	if name == "run_doc_method":  # /api/v2/method/run_doc_method
		document = form.get("document")
		if isinstance(document, str):
			try:
				document = frappe.parse_json(document)
			except Exception:
				document = None
		target = document.get("doctype") if isinstance(document, dict) else None
		return [("method", "run_doc_method"), ("doc", f"{target}.{args.get('method') or form.get('method')}")]
	return [("route", f"{endpoint.__module__}.{name}")]


def is_allowed(kind: str, key: str) -> bool:
	if kind == "method":
		return key in ALLOWED or key in DOC_METHOD_CALLERS or key.startswith(APP_PREFIX)
	if kind == "doc":
		doctype, _sep, method = key.rpartition(".")
		return (doctype, method) in ALLOWED_DOC_METHODS
	return False


def guard_request(calls: list[tuple[str, str]]):
	"""Called by guards.guard_request (auth_hooks) for every request once the caller is known, with what the
	request calls (`requested`)."""
	if not restricted():
		return
	form = frappe.local.form_dict
	for kind, key in calls:
		record(kind, key)
		if not is_allowed(kind, key):
			raise NotAllowed(
				_("不允许调用「{0}」：案例遴选的用户只能使用系统为其开放的功能。").format(key[:140])
			)
		if kind == "method":
			check_arguments(key, form)


# Arguments --------------------------------------------------------------------------------------------------
# Frappe answers many malformed calls with a 500 (a dict where a name is expected, JSON that does not parse, a
# parameter its query engine does not take). For the users of the list every allowed method gets its
# arguments checked first, by what they are named: a refusal is a 417 naming the argument.

# Methods that read the whole request instead of parameters of their own (Frappe hands every key on to its query
# engine, which fails on one it does not know): the keys they understand; the others are dropped.
_QUERY_KEYS = frozenset(inspect.signature(DatabaseQuery.execute).parameters) - {
	"self",
	"ignore_permissions",
	"user",
	"debug",
	"run",
	"update",
	"user_settings",
	"join",
	"ignore_ddl",
	"strict",
}
_REPORTVIEW = _QUERY_KEYS | {
	"doctype",
	"view",
	"aggregate_function",
	"aggregate_on_field",
	"aggregate_on_doctype",
}
FORM_METHODS: dict[str, tuple[frozenset, tuple[str, ...]]] = {
	"frappe.desk.reportview.get": (_REPORTVIEW, ("doctype",)),
	"frappe.desk.reportview.get_list": (_REPORTVIEW, ("doctype",)),
	"frappe.desk.reportview.get_count": (
		_REPORTVIEW - {"group_by", "pluck", "with_childnames"},
		("doctype",),
	),
	"frappe.desk.reportview.export_query": (
		_REPORTVIEW
		| {"file_format_type", "title", "add_totals_row", "translate_values", "csv_delimiter", "csv_quoting"},
		("doctype", "file_format_type"),
	),
	"frappe.desk.form.assign_to.add": (
		frozenset({"doctype", "name", "assign_to", "description", "date", "priority", "assign_to_me"}),
		("doctype", "name", "assign_to"),
	),
}
# Arguments naming a DocType: a string naming one that exists.
DOCTYPE_ARGS = ("doctype", "dt", "reference_doctype", "ref_doctype", "document_type", "parent_doctype")
# Arguments holding a name or a single field: a string, not JSON.
NAME_ARGS = (
	"name",
	"dn",
	"docname",
	"reference_name",
	"field",
	"sort_by",
	"sort_order",
	"order_by",
	"group_by",
	"searchfield",
	"txt",
	"tag",
	"action",
	"file_format_type",
	"report_name",
	"print_format",
	"format",
	"fid",
)
# Arguments holding JSON: it must parse, to one of these kinds.
JSON_ARGS = {
	"fields": (list,),
	"filters": (dict, list),
	"or_filters": (dict, list),
	"current_filters": (dict, list),
	"stats": (list,),
	"docs": (list, dict),
	"docnames": (list,),
	"assign_to": (list,),
}
# Arguments counting rows (a page's start and length): whole numbers; MariaDB refused "1e309" (a 500) and Frappe's
# cint read "abc" as 0.
NUMBER_ARGS = ("limit", "limit_start", "limit_page_length", "start", "page_length")
MAX_NUMBER = 10**9
NOT_NUMBERS = {("start", "frappe.desk.doctype.event.event.get_events")}  # a date: the bell's events from then
# The methods that take a record's name for `filters` (any other reads them as JSON: a name there was a 500).
FILTERS_AS_NAME = {"frappe.client.get_value", "frappe.client.get"}
FILTER_ARGS = ("filters", "or_filters", "current_filters")
# Arguments that name fields to read: bare column names only. Frappe accepts an alias or a back-quoted name
# (`owner` as x, a column of another table), which the field checks cannot see through.
PLAIN_FIELD_ARGS = {"frappe.client.get_value": "fieldname", "frappe.client.validate_link": "fields"}
PLAIN_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Arguments some methods read further: a list of documents (dicts); filters as a dict (a report's).
DOC_LIST_ARGS = {"frappe.model.workflow.get_common_transition_actions": "docs"}
DICT_ARGS = {
	"frappe.desk.query_report.run": "filters",
	"frappe.desk.query_report.export_query": "filters",
	"frappe.desk.query_report.get_script": "filters",
	"frappe.model.workflow.get_transitions": "doc",
	"frappe.model.workflow.apply_workflow": "doc",
}


def _refuse_argument(method: str, arg: str, why: str | None = None):
	message = _("调用「{0}」的参数「{1}」格式无效。").format(method, arg)
	frappe.throw(f"{message}{why}" if why else message, frappe.ValidationError)


# Arguments of particular methods, by what each must be: the arguments Frappe (or the app) reads as a structure
# without checking it first, so that any other value is a TypeError, AttributeError or JSONDecodeError (a 500).
# Found by calling every method the list's users may call with each of two dozen malformed values
# (tests/test_argument_shapes.py). Keyed by Frappe's name; the app's wrapper of it is checked the same way
# (shape_of).
TAG_LENGTH = 140  # Tag's name column (varchar 140): a longer tag was MariaDB's "data too long", a 500
SAVE_ACTIONS = ("Save", "Submit", "Update", "Cancel")
REPORT_FORMATS = ("CSV", "Excel")
_CHARTS = "case_selection.workspaces.charts."
SHAPES: dict[str, dict[str, str | tuple]] = {
	"frappe.client.get_count": {"filters": "filters"},
	"frappe.client.save": {"doc": "document"},
	"frappe.client.insert": {"doc": "document"},
	"frappe.client.submit": {"doc": "document"},
	"frappe.desk.form.save.savedocs": {"doc": "document", "action": SAVE_ACTIONS},
	"frappe.desk.form.load.get_user_info_for_viewers": {"users": "texts"},
	"frappe.core.api.file.get_attached_images": {"names": "texts"},
	"frappe.desk.desktop.get_desktop_page": {"page": "object"},
	"frappe.desk.doctype.route_history.route_history.deferred_insert": {"routes": "objects"},
	"frappe.desk.listview.set_list_settings": {"values": "object"},
	"frappe.model.utils.user_settings.save": {"user_settings": "object"},
	"frappe.desk.doctype.number_card.number_card.get_result": {"filters": "filters"},
	"frappe.desk.doctype.number_card.number_card.get_percentage_difference": {
		"filters": "filters",
		"result": "number",
	},
	"frappe.desk.doctype.tag.tag.add_tag": {"tag": "tag"},
	"frappe.desk.doctype.tag.tag.add_tags": {"tags": "tags", "docs": "texts"},
	"frappe.www.printview.get_html_and_style": {"doc": "print_doc"},
	"frappe.www.printview.get_rendered_raw_commands": {"doc": "print_doc"},
	"frappe.desk.query_report.export_query": {
		"report_name": "report",
		"file_format_type": REPORT_FORMATS,
		"custom_columns": "objects",
		"visible_idx": "numbers",
	},
	**{
		_CHARTS + chart: {"filters": "filters"}
		for chart in ("cases_by_direction", "cases_by_state", "district_lists", "review_progress")
	},
}
REQUIRED_SHAPES = ("document", "report")  # the method cannot do without them (their absence was a 500 too)
_OVERRIDDEN: dict[str, str] = {}


def canonical(method: str) -> str:
	"""Frappe's name of a method the app wraps (hooks.override_whitelisted_methods), called either way."""
	if not _OVERRIDDEN:
		for original, targets in frappe.get_hooks("override_whitelisted_methods", {}).items():
			_OVERRIDDEN.setdefault(targets[-1], original)
	return _OVERRIDDEN.get(method, method)


def shape_of(method: str) -> dict:
	"""The shapes of `method`'s arguments: its own, or those of the Frappe method it wraps."""
	return SHAPES.get(method) or SHAPES.get(canonical(method), {})


def _parsed_json(value):
	"""A request value as Frappe's parse_json reads it: a string that is JSON becomes what it holds."""
	if isinstance(value, str):
		try:
			return json.loads(value)
		except ValueError:
			return value
	return value


def _is_filters(value) -> bool:
	if isinstance(value, dict):
		return all(isinstance(k, str) for k in value)
	return isinstance(value, list) and all(isinstance(f, list | dict) for f in value)


def _is_number(value) -> bool:
	return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < float("inf")


def shape_problem(shape, value) -> str | None:
	"""None when `value` (as sent) is of `shape`; else why not, in words for the message."""
	if isinstance(shape, tuple):
		return None if value in shape else _("须为以下之一：{0}").format("、".join(shape))
	parsed = _parsed_json(value)
	if shape == "filters":
		return None if _is_filters(parsed) else _("须为筛选条件（JSON 列表或对象）")
	if shape == "object":
		return None if isinstance(parsed, dict) else _("须为 JSON 对象")
	if shape == "objects":
		ok = isinstance(parsed, list) and all(isinstance(v, dict) for v in parsed)
		return None if ok else _("须为 JSON 对象的列表")
	if shape == "texts":
		ok = isinstance(parsed, list) and all(isinstance(v, str) and len(v) <= 140 for v in parsed)
		return None if ok else _("须为文字的列表")
	if shape == "numbers":
		return None if isinstance(parsed, list) and all(map(_is_number, parsed)) else _("须为数字的列表")
	if shape == "number":
		return None if _is_number(parsed) else _("须为数字")
	if shape == "tag":
		ok = isinstance(value, str) and 0 < len(value.strip()) <= TAG_LENGTH
		return None if ok else _("须为 1 至 {0} 个字的文字").format(TAG_LENGTH)
	if shape == "tags":
		ok = isinstance(parsed, list) and all(
			isinstance(t, str) and 0 < len(t.strip()) <= TAG_LENGTH for t in parsed
		)
		return None if ok else _("须为标签的列表，每个 1 至 {0} 个字").format(TAG_LENGTH)
	if shape == "document":
		doctype = parsed.get("doctype") if isinstance(parsed, dict) else None
		ok = isinstance(doctype, str) and doctype_exists(doctype)
		return None if ok else _("须为含有效「doctype」的单据（JSON 对象）")
	if shape == "print_doc":
		if isinstance(value, str) and value.lstrip()[:1] != "{":
			return None if doctype_exists(value) else _("须为单据类型名称")
		return shape_problem("document", value)
	if shape == "report":
		ok = isinstance(value, str) and frappe.db.exists("Report", value)
		return None if ok else _("须为已有的报表名称")
	raise ValueError(shape)


def check_shapes(method: str, form: dict):
	for arg, shape in shape_of(method).items():
		value = form.get(arg)
		if value in (None, "") and shape not in REQUIRED_SHAPES:
			continue
		why = shape_problem(shape, value)
		if why:
			_refuse_argument(method, arg, why)


# DocTypes this process has seen exist (per site). A DocType deleted since is still let through here, and the method
# then meets Frappe's own "not found" (404) when it loads it; names not found are asked again each time.
KNOWN_DOCTYPES: dict[str, set[str]] = {}


def doctype_exists(name: str) -> bool:
	known = KNOWN_DOCTYPES.setdefault(frappe.local.site, set())
	if name in known:
		return True
	# One plain indexed read (frappe.db.exists builds it through the query builder, ~1 ms of every call). The name
	# must be the DocType's own: MariaDB's comparison ignores case and trailing spaces, and "case application"
	# let through met Frappe's table lookups as a 500.
	row = frappe.db.sql("select name from `tabDocType` where name = %s", (name,))
	if not row or row[0][0] != name:
		return False
	if len(known) < 5000:
		known.add(name)
	return True


def check_arguments(method: str, form: dict):
	"""The arguments of an allowed method, before it runs: the required ones present, names as strings,
	DocTypes that exist, JSON that parses to the expected kind; keys a request-reading method does not take are
	dropped."""
	if method in FORM_METHODS:
		known, required = FORM_METHODS[method]
		for key in [k for k in form if k not in known and k != "cmd"]:
			form.pop(key)
	else:
		required = required_arguments(method)
	missing = [p for p in required if form.get(p) in (None, "")]
	if missing:
		frappe.throw(
			_("调用「{0}」缺少参数：{1}。").format(method, "、".join(missing)), frappe.ValidationError
		)
	check_values(method, form)


def check_values(method: str, form: dict):
	"""The values of `method`'s arguments in `form`, by their names and the method's shapes (a 417 naming the
	first that is not what it must be). Also REST's document list, as frappe.client.get_list (guards)."""
	for arg in NUMBER_ARGS:
		value = form.get(arg)
		if value in (None, "") or (arg, canonical(method)) in NOT_NUMBERS:
			continue
		if isinstance(value, bool) or not (
			(isinstance(value, int) and 0 <= value <= MAX_NUMBER)
			or (isinstance(value, str) and value.strip().isdigit() and int(value) <= MAX_NUMBER)
		):
			_refuse_argument(method, arg, _("须为不大于 {0} 的非负整数").format(MAX_NUMBER))
	if method in PLAIN_FIELD_ARGS and form.get(PLAIN_FIELD_ARGS[method]) not in (None, "", "[]"):
		# read as Frappe reads it (parse_json): "true", "1" or "null" is not a field's name but JSON
		value = _parsed_json(form[PLAIN_FIELD_ARGS[method]])
		fields = [value] if isinstance(value, str) else value
		if not isinstance(fields, list) or not all(
			isinstance(f, str) and PLAIN_FIELD.match(f) for f in fields
		):
			_refuse_argument(method, PLAIN_FIELD_ARGS[method])
	for arg in DOCTYPE_ARGS:
		value = form.get(arg)
		if value in (None, ""):
			continue
		if not isinstance(value, str) or len(value) > 140:
			_refuse_argument(method, arg)
		if not doctype_exists(value):
			raise frappe.DoesNotExistError(_("没有名为「{0}」的单据类型。").format(value))
	for arg in NAME_ARGS:
		value = form.get(arg)
		if value is not None and (not isinstance(value, str | int) or str(value).lstrip()[:1] in ("{", "[")):
			_refuse_argument(method, arg)
	for arg, kinds in JSON_ARGS.items():
		value = form.get(arg)
		if value in (None, ""):
			continue
		if isinstance(value, str):
			if value.lstrip()[:1] not in ("{", "["):
				if arg == "filters" and canonical(method) in FILTERS_AS_NAME:
					continue  # a record's name
				_refuse_argument(method, arg)
			try:
				value = json.loads(value)
			except ValueError:
				_refuse_argument(method, arg)
		if not isinstance(value, kinds):
			_refuse_argument(method, arg)
		if arg == "fields" and not all(isinstance(f, str) for f in value):
			_refuse_argument(method, arg, _("须为字段名的列表"))
		if arg in FILTER_ARGS and not _is_filters(value):
			_refuse_argument(method, arg, _("须为筛选条件（JSON 列表或对象）"))
		if DOC_LIST_ARGS.get(method) == arg and not all(isinstance(d, dict) for d in value):
			_refuse_argument(method, arg)
	check_shapes(method, form)
	if method in DICT_ARGS and form.get(DICT_ARGS[method]) not in (None, ""):
		value = form[DICT_ARGS[method]]
		if isinstance(value, str):
			try:
				value = json.loads(value)
			except ValueError:
				_refuse_argument(method, DICT_ARGS[method])
		if not isinstance(value, dict):
			_refuse_argument(method, DICT_ARGS[method])


_REQUIRED: dict[str, tuple[str, ...]] = {}


def required_arguments(method: str) -> tuple[str, ...]:
	"""The parameters an allowed method cannot run without (Frappe would answer their absence with a 500)."""
	if method not in _REQUIRED:
		target = frappe.get_hooks("override_whitelisted_methods", {}).get(method, [method])[-1]
		try:
			fn = frappe.get_attr(target) if "." in target else None
			params = inspect.signature(fn).parameters.values() if fn else ()
		except Exception:
			params = ()
		_REQUIRED[method] = tuple(
			p.name
			for p in params
			if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
		)
	return _REQUIRED[method]


def record(kind: str, key: str):
	"""With `case_selection_record_methods` (a file path) in the site config, every method a restricted user
	calls is appended to that file: how the list above was made from the browser tests of every role."""
	path = frappe.conf.get("case_selection_record_methods")
	if path:
		try:
			with open(path, "a") as f:
				f.write(f"{kind}\t{key}\t{frappe.session.user}\n")
		except OSError:
			pass  # a recorder that cannot write never stands in a user's way
