"""Platform doors that would skip the permission hooks, closed for the app's documents.

Frappe v15 answers some requests without asking permission_query_conditions or has_permission, or with the
caller's copy of a document. Each is wrapped or guarded here, and the door matrix test
(case_selection/tests/test_doors.py) calls every one of them over HTTP:

- frappe.client.get_count counts with frappe.db.count (no permission at all): counted through frappe.get_list;
- frappe.desk.listview.get_group_by_count "assigned_to" filters with frappe.qb.get_query (no permission);
- frappe.desk.search.search_widget drops every row-level rule when the caller sends ignore_user_permissions=1:
  our DocTypes get a standard query (hooks.standard_queries) that always applies them;
- frappe.www.printview.get_html_and_style / get_rendered_raw_commands render a document dict sent by the
  caller: for our DocTypes only a stored document, by name, is rendered;
- sharing (DocShare, also made by "Assign To") would grant read past has_permission: refused for our DocTypes;
- comments, likes, tags, follows and assignments on a document need read permission on it; user comments on
  case documents are refused (the opinions and the 签核历程 are the record, and comments would be shown to
  the applicant);
- File: a File record pointing at an existing private file (no content uploaded) is refused unless the caller
  can already read that file; files attached to our documents follow the write policy (may_attach).
"""

import inspect

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, cstr, get_safe_filters

from case_selection.actors import actor
from case_selection.permissions import PROTECTED, may_read
from case_selection.write_policy import POLICY, Context, WritePolicyError, in_system_write, may_attach

# Counts --------------------------------------------------------------------------------------------------


@frappe.whitelist()
def get_count(doctype: str, filters=None, debug=False, cache=False) -> int:
	"""frappe.client.get_count, through frappe.get_list so that role and row rules apply."""
	if frappe.is_table(doctype):
		# Child rows are counted through their parent (frappe.client.get_list with parent=…).
		raise frappe.PermissionError(_("不能直接统计子表「{0}」。").format(_(doctype)))
	rows = frappe.get_list(doctype, filters=get_safe_filters(filters), fields=["count(*) as count"])
	return cint(rows[0].count) if rows else 0


@frappe.whitelist()
def get_group_by_count(doctype: str, current_filters: str, field: str) -> list[dict]:
	"""frappe.desk.listview.get_group_by_count with the records restricted to what the user may read."""
	from frappe.desk.listview import get_group_by_count as frappe_group_by_count
	from frappe.model import default_fields

	current_filters = frappe.parse_json(current_filters)
	if field == "assigned_to":
		names = frappe.get_list(doctype, filters=current_filters, pluck="name", limit_page_length=0)
		if not names:
			return []
		todo = frappe.qb.DocType("ToDo")
		user = frappe.qb.DocType("User")
		count = frappe.query_builder.functions.Count("*").as_("count")
		return (
			frappe.qb.from_(todo)
			.from_(user)
			.select(todo.allocated_to.as_("name"), count)
			.where(
				(todo.status != "Cancelled")
				& (todo.allocated_to == user.name)
				& (user.user_type == "System User")
				& (todo.reference_type == doctype)
				& (todo.reference_name.isin(names))
			)
			.groupby(todo.allocated_to)
			.orderby(count, order=frappe.qb.desc)
			.limit(50)
			.run(as_dict=True)
		)
	if not frappe.get_meta(doctype).has_field(field) and field not in default_fields:
		frappe.throw(_("「{0}」没有字段 {1}。").format(_(doctype), field), frappe.ValidationError)
	return frappe_group_by_count(doctype, frappe.as_json(current_filters), field)


# Link search ------------------------------------------------------------------------------------------------


@frappe.whitelist()
def search(
	doctype: str,
	txt: str,
	searchfield: str | None = None,
	start: int = 0,
	page_len: int = 20,
	filters=None,
	as_dict: bool = False,
	reference_doctype: str | None = None,
):
	"""Link search for our DocTypes: name, title and search fields, through frappe.get_list (row rules apply
	whatever the caller asks)."""
	meta = frappe.get_meta(doctype)
	fields = ["name"]
	if meta.title_field and meta.title_field != "name":
		fields.append(meta.title_field)
	fields += [f for f in meta.get_search_fields() if f not in fields and meta.has_field(f)]
	or_filters = [[doctype, f, "like", f"%{txt}%"] for f in fields] if txt else None
	if isinstance(filters, str):
		filters = frappe.parse_json(filters)
	return frappe.get_list(
		doctype,
		filters=filters,
		or_filters=or_filters,
		fields=fields,
		limit_start=cint(start),
		limit_page_length=cint(page_len) or 20,
		order_by="modified desc",
		as_list=not as_dict,
	)


# Print preview ----------------------------------------------------------------------------------------------


def _stored_print_args(doc, name):
	"""For our DocTypes, only a stored document is rendered: a dict sent by the caller is replaced by the
	record it names (whose permission is then checked), or refused."""
	if isinstance(name, str) and isinstance(doc, str) and doc.lstrip()[:1] == "{":
		frappe.throw(_("「doc」须为单据类型名称（已给出「name」）。"), frappe.ValidationError)
	if isinstance(name, str) or not isinstance(doc, str | dict):
		return doc, name
	values = frappe.parse_json(doc) if isinstance(doc, str) else doc
	doctype = values.get("doctype") if isinstance(values, dict) else None
	if doctype not in PROTECTED:
		return doc, name
	if not values.get("name") or not frappe.db.exists(doctype, values.get("name")):
		raise frappe.PermissionError(_("只能打印已保存的单据。"))
	return doctype, values["name"]


@frappe.whitelist()
def get_html_and_style(
	doc: str,
	name: str | None = None,
	print_format: str | None = None,
	no_letterhead: bool | None = None,
	letterhead: str | None = None,
	trigger_print: bool = False,
	style: str | None = None,
	settings: str | None = None,
):
	from frappe.www import printview

	doc, name = _stored_print_args(doc, name)
	refuse_standard_format(doc if isinstance(doc, str) else None, print_format)
	return printview.get_html_and_style(
		doc,
		name,
		print_format=print_format,
		no_letterhead=no_letterhead,
		letterhead=letterhead,
		trigger_print=trigger_print,
		style=style,
		settings=settings,
	)


@frappe.whitelist()
def get_rendered_raw_commands(doc: str, name: str | None = None, print_format: str | None = None):
	from frappe.www import printview

	doc, name = _stored_print_args(doc, name)
	refuse_standard_format(doc if isinstance(doc, str) else None, print_format)
	return printview.get_rendered_raw_commands(doc, name, print_format=print_format)


def refuse_standard_format(doctype, print_format):
	"""Frappe's Standard format prints every field of a document as the form holds it (the city's own fields,
	whatever a field's text says): for the app's DocTypes only System Managers print with it. Everyone else
	prints with the formats the app ships or an admin made."""
	if not isinstance(doctype, str) or doctype not in POLICY or actor().admin:
		return
	print_format = print_format or frappe.get_meta(doctype).default_print_format  # what Frappe would print
	if not print_format or print_format == "Standard" or not isinstance(print_format, str):
		raise frappe.PermissionError(
			_("「{0}」不能用标准格式打印：请选择正式的打印格式。").format(_(doctype))
		)
	fmt = frappe.db.get_value("Print Format", print_format, ["doc_type", "disabled"], as_dict=True)
	if not fmt or fmt.doc_type != doctype or fmt.disabled:
		raise frappe.PermissionError(
			_("「{0}」没有名为「{1}」的打印格式。").format(_(doctype), print_format[:140])
		)


# Requests refused before Frappe handles them --------------------------------------------------------------------

DELETE_ROUTES = ("/api/resource/", "/api/v2/document/")


def guard_request():
	"""auth_hooks: runs once the caller is known (session cookie, API key or OAuth), before the request is
	dispatched.

	- /printview?doc=… renders a document sent by the caller: only doctype+name is accepted (Frappe's own Desk
	  sends nothing else);
	- DELETE of our records through REST or frappe.client.delete: Frappe locks the row without waiting
	  before it checks permission, so an outsider's delete while someone else works on the case would
	  answer 500; the permission and the write policy are asked here first, so a refusal is a 403.
	"""
	request = getattr(frappe.local, "request", None)
	if not request:
		return
	from case_selection import method_allowlist

	method_allowlist.guard_request()
	path = request.path
	if path.rstrip("/") == "/printview":
		# Refused as a bare 403 (werkzeug's, which Frappe returns as it is), not through Frappe's rendered
		# "Not Permitted" web page: nothing of the website is rendered for a request that is refused.
		from werkzeug.exceptions import Forbidden

		if frappe.form_dict.get("doc"):
			raise Forbidden(_("只能打印已保存的单据。"))
		try:
			refuse_standard_format(frappe.form_dict.get("doctype"), frappe.form_dict.get("format"))
		except frappe.PermissionError as e:
			raise Forbidden(str(e)) from e
	target = None
	if request.method == "DELETE":
		prefix = next((p for p in DELETE_ROUTES if path.startswith(p)), None)
		if prefix:
			doctype, _sep, name = path[len(prefix) :].partition("/")
			target = (doctype, name)
	elif path.rstrip("/") == "/api/method/frappe.client.delete":
		target = (frappe.form_dict.get("doctype"), frappe.form_dict.get("name"))
	if target:
		refuse_delete(*target)


def refuse_delete(doctype: str | None, name: str | None):
	if not doctype or not name or frappe.session.user == "Administrator":
		return
	if frappe.db.exists("DocType", {"name": doctype, "istable": 1}):
		parent = frappe.db.get_value(doctype, name, "parenttype") if frappe.db.table_exists(doctype) else None
		if parent in POLICY:
			raise frappe.PermissionError(_("「{0}」只能在「{1}」中删除。").format(_(doctype), _(parent)))
		return
	if doctype not in POLICY or not frappe.db.exists(doctype, name):
		return
	if not frappe.has_permission(doctype, "delete", doc=name):
		raise frappe.PermissionError(_("您无权删除「{0}」{1}。").format(_(doctype), name))
	doc = frappe.get_doc(doctype, name)
	if not Context(doc, doc).allows(POLICY[doctype].delete):
		raise frappe.PermissionError(_("不能删除「{0}」{1}。").format(_(doctype), name))


# The Desk form ---------------------------------------------------------------------------------------------------


@frappe.whitelist()
def get_docinfo(doc=None, doctype: str | None = None, name: str | None = None):
	from frappe.desk.form import load

	if not isinstance(doc, Document):
		doc = None  # over HTTP a document is named by doctype and name (Frappe reads `doc` as a loaded Document)
		if not (isinstance(doctype, str) and isinstance(name, str)):
			frappe.throw(_("须给出「doctype」和「name」。"), frappe.ValidationError)
	load.get_docinfo(doc, doctype, name)


# Tags --------------------------------------------------------------------------------------------------------


def _check_tag_write(dt: str, dn: str):
	"""Frappe writes a tag into the record before it checks write permission, and its refusal then ends in
	an IndexError (500); for our DocTypes the permission is asked first."""
	if dt in PROTECTED and not frappe.has_permission(dt, "write", doc=dn):
		raise frappe.PermissionError(_("您无权修改「{0}」{1}的标签。").format(_(dt), dn))


@frappe.whitelist()
def add_tag(tag, dt, dn, color=None):
	from frappe.desk.doctype.tag import tag as frappe_tag

	_check_tag_write(dt, dn)
	return frappe_tag.add_tag(tag, dt, dn, color)


@frappe.whitelist()
def add_tags(tags, dt, docs, color=None):
	from frappe.desk.doctype.tag import tag as frappe_tag

	for dn in frappe.parse_json(docs):
		_check_tag_write(dt, dn)
	return frappe_tag.add_tags(tags, dt, docs, color)


@frappe.whitelist()
def remove_tag(tag, dt, dn):
	from frappe.desk.doctype.tag import tag as frappe_tag

	_check_tag_write(dt, dn)
	return frappe_tag.remove_tag(tag, dt, dn)


# Side tables: comments, shares, tags, follows, assignments ------------------------------------------------------

USER_COMMENT_TYPES = ("Comment", "Like")


def _refuse(message: str):
	frappe.throw(message, WritePolicyError, title=_("不允许的操作"))


def guard_comment(doc, method=None):
	if doc.reference_doctype not in PROTECTED or in_system_write() or frappe.session.user == "Administrator":
		return
	if doc.comment_type in USER_COMMENT_TYPES:
		_refuse(_("案例单据不使用评论和点赞：意见请填写在会签意见、审查意见或签核历程中。"))
	if not may_read(doc.reference_doctype, doc.reference_name):
		_refuse(_("您无权查看「{0}」{1}。").format(_(doc.reference_doctype), doc.reference_name))


def guard_share(doc, method=None):
	if doc.share_doctype in PROTECTED and not in_system_write():
		_refuse(_("「{0}」不能共享：谁能查看由区县、申报单位和市级角色决定。").format(_(doc.share_doctype)))


def guard_reference(doctype_field: str, name_field: str, user_field: str | None = None):
	"""A guard for side tables that point at a document: the caller (and the user it is for) must be able
	to read it."""

	def guard(doc, method=None):
		doctype, name = doc.get(doctype_field), doc.get(name_field)
		if doctype not in PROTECTED or in_system_write() or frappe.session.user == "Administrator":
			return
		if not may_read(doctype, name):
			_refuse(_("您无权查看「{0}」{1}。").format(_(doctype), name))
		if user_field and doc.get(user_field) and not may_read(doctype, name, doc.get(user_field)):
			_refuse(_("{0} 无权查看「{1}」{2}，不能分配给他。").format(doc.get(user_field), _(doctype), name))

	return guard


guard_tag_link = guard_reference("document_type", "document_name")
guard_document_follow = guard_reference("ref_doctype", "ref_docname")
guard_todo = guard_reference("reference_type", "reference_name", "allocated_to")


# Files -------------------------------------------------------------------------------------------------------


def guard_file(doc, method=None):
	"""File validate: attachments of our documents follow the write policy; a File record pointing at an
	existing private file needs read access to that file (Frappe would otherwise let its new owner read it)."""
	if in_system_write() or frappe.session.user == "Administrator" or doc.is_folder:
		return
	before = doc.get_doc_before_save()
	if before is not None and not actor().admin:
		refuse_file_change(doc, before)
	attached = (doc.attached_to_doctype, doc.attached_to_name)
	moved = not before or (before.attached_to_doctype, before.attached_to_name) != attached
	if doc.attached_to_doctype in PROTECTED and moved and not may_attach(*attached):
		_refuse(
			_("不能向「{0}」{1} 添加附件：该单据当前状态下您不能修改。").format(
				_(doc.attached_to_doctype), doc.attached_to_name
			)
		)
	if (
		before
		and before.attached_to_doctype in PROTECTED
		and moved
		and not may_attach(before.attached_to_doctype, before.attached_to_name)
	):
		_refuse(
			_("不能移动「{0}」{1} 的附件。").format(_(before.attached_to_doctype), before.attached_to_name)
		)
	if before is None and cint(doc.is_private) and not doc.flags.case_content_supplied:
		others = frappe.get_all(
			"File", filters={"file_url": doc.file_url, "name": ("!=", doc.name or "")}, pluck="name"
		)
		if others and not any(frappe.has_permission("File", "read", doc=o) for o in others):
			raise frappe.PermissionError(_("您无权使用该文件。"))


# What a File record is: where its content lies, whether it is private, and what it belongs to. Only a System
# Manager changes these on a stored record; anyone else uploads a new file (Frappe would otherwise let a
# record's owner point it at another user's private file, publish it or delete it from disk with the record).
FILE_IDENTITY = (
	"file_url",
	"is_private",
	"content_hash",
	"attached_to_doctype",
	"attached_to_name",
	"attached_to_field",
)


def refuse_file_change(doc, before):
	changed = [f for f in FILE_IDENTITY if cstr(doc.get(f)) != cstr(before.get(f))]
	first_attach = not before.attached_to_doctype and set(changed) <= {
		"attached_to_doctype",
		"attached_to_name",
		"attached_to_field",
	}
	if not changed or (first_attach and before.owner == frappe.session.user):
		return  # a file uploaded before its document was saved is attached to it once, by its uploader
	label = doc.meta.get_label(changed[0])
	raise frappe.PermissionError(
		_("不能修改文件「{0}」的「{1}」：如需更换，请重新上传文件。").format(
			doc.file_name or doc.name, _(label)
		)
	)


def guard_file_delete(doc, method=None):
	if in_system_write() or frappe.session.user == "Administrator":
		return
	if doc.attached_to_doctype in PROTECTED and not may_attach(doc.attached_to_doctype, doc.attached_to_name):
		_refuse(
			_("不能删除「{0}」{1} 的附件：该单据当前状态下您不能修改。").format(
				_(doc.attached_to_doctype), doc.attached_to_name
			)
		)


# Child rows written on their own -------------------------------------------------------------------------------


def refuse_direct_child_write(doc, method=None):
	"""A child row of our DocTypes is written with its parent (whose write policy then applies), never on its
	own through /api/resource/<child>."""
	if in_system_write() or doc.get("parenttype") not in POLICY:
		return
	_refuse(_("「{0}」只能在「{1}」中修改。").format(_(doc.doctype), _(doc.get("parenttype") or "")))


def refuse_foreign_child_rows(doc, method=None):
	"""doc_events "*" before_validate: a row a request names must belong to the document being saved. Frappe
	saves a child row by its name whatever its parent (an UPDATE … WHERE name=…), so a PUT of one's own draft
	naming a row of a case at the city would move that row into the draft and overwrite it."""
	if frappe.flags.in_install or frappe.flags.in_migrate or frappe.flags.in_patch:
		return
	before = None if doc.get("__islocal") else doc.get_doc_before_save()
	for df in doc.meta.get_table_fields():
		# Rows the stored document already holds are its own: only names new to it are looked up.
		own = {r.name for r in before.get(df.fieldname) or []} if before else set()
		rows = [
			r for r in doc.get(df.fieldname) or [] if r.name and not r.get("__islocal") and r.name not in own
		]
		if not rows:
			continue
		stored = frappe.get_all(
			df.options,
			filters={"name": ("in", [r.name for r in rows])},
			fields=["name", "parent", "parenttype", "parentfield"],
			limit_page_length=0,
			ignore_permissions=True,
		)
		for row in stored:
			if (row.parent, row.parenttype, row.parentfield) != (doc.name, doc.doctype, df.fieldname):
				raise frappe.PermissionError(
					_("「{0}」中的行 {1} 属于另一份单据，不能在这里修改。").format(
						_(doc.meta.get_label(df.fieldname)), row.name
					)
				)


# Reads of single values ----------------------------------------------------------------------------------------


@frappe.whitelist()
def validate_link(doctype: str, docname: str, fields=None):
	"""frappe.client.validate_link, which Desk calls for every link typed in a form: Frappe answers whether any
	record of that name exists (no row rule) and fetches the asked fields; a record of the app the caller may not
	read is answered as missing (the fields are bare names: method_allowlist.PLAIN_FIELD_ARGS)."""
	from frappe import client

	if doctype in PROTECTED and not may_read(doctype, docname):
		return frappe._dict()
	return client.validate_link(doctype, docname, fields)


@frappe.whitelist()
def client_get(doctype: str, name: str | None = None, filters=None, parent=None):
	"""frappe.client.get (Desk's frappe.db.get_doc): a record of the app is read by its name only. By filters,
	Frappe loads the first match before it asks permission, so 403 or 404 would tell whether a record the
	caller may not read matches (or which state a readable case really is in)."""
	from frappe import client

	if not name and filters is not None and doctype in PROTECTED and not actor().admin:
		frappe.throw(_("「{0}」只能按编号读取。").format(_(doctype)), frappe.ValidationError)
	return client.get(doctype, name, filters, parent)


@frappe.whitelist()
def get_link_title(doctype: str, docname: str):
	"""frappe.desk.search.get_link_title reads a record's title without asking permission: a record of the
	app the caller may not read shows its name only."""
	from frappe.desk import search as frappe_search

	if doctype in PROTECTED and not may_read(doctype, docname):
		return docname
	return frappe_search.get_link_title(doctype, docname)


@frappe.whitelist()
def get_events(start, end, user=None, for_reminder=False, filters=None):
	"""The bell's Events tab (frappe.desk.doctype.event.event.get_events): the caller's own events; Frappe reads
	those of whichever user the caller names."""
	from frappe.desk.doctype.event import event

	return event.get_events(start, end, frappe.session.user, for_reminder=False)


@frappe.whitelist()
def create_dashboard_settings(user: str):
	"""The caller's own Dashboard Settings only (Frappe makes them for whichever user is named)."""
	from frappe.desk.doctype.dashboard_settings import dashboard_settings

	if user != frappe.session.user and not actor().admin:
		raise frappe.PermissionError(_("只能创建自己的仪表板设置。"))
	return dashboard_settings.create_dashboard_settings(user)


@frappe.whitelist()
def get_sidebar_stats(stats, doctype: str, filters=None):
	"""frappe.desk.reportview.get_sidebar_stats, which the list sidebar asks for its tag counts: `stats` names the
	columns to count by, and any other column (the city's score, the real state) would be counted past the
	sealing; only the tags are, for anyone but a System Manager."""
	from frappe.desk import reportview

	wanted = frappe.parse_json(stats) if isinstance(stats, str) else stats
	if not actor().admin and wanted != ["_user_tags"]:
		frappe.throw(_("列表侧栏只统计标签。"), frappe.ValidationError)
	return reportview.get_sidebar_stats(stats, doctype, filters)


APP_PAGES = ("seal-verify", "paper-intake")  # the app's Desk pages (case_selection/case_selection/page)


@frappe.whitelist()
def getpage(name: str | None = None):
	"""frappe.desk.desk_page.getpage: a Desk page's script. Closed unless allowed: the app's own pages for
	every signed-in user (Frappe then checks each page's roles), Frappe's pages as before for System Managers
	(method_allowlist refuses this method to nobody else, so it must refuse their pages here)."""
	from frappe.desk import desk_page

	name = frappe.form_dict.get("name") if name is None else name
	if frappe.session.user == "Guest":  # Frappe's method is allow_guest; Desk pages are for signed-in users
		raise frappe.PermissionError(_("请先登录。"))
	if not isinstance(name, str) or (name not in APP_PAGES and not actor().admin):
		raise frappe.PermissionError(_("没有权限打开此页面。"))
	frappe.form_dict.name = name
	return desk_page.getpage()


@frappe.whitelist()
def link_preview(doctype: str, docname: str):
	"""frappe.desk.link_preview.get_preview_data: the hover card of a link reads the record's preview fields
	past the sealed state; for the app's DocTypes there is none but for System Managers (Desk shows nothing)."""
	from frappe.desk import link_preview as frappe_link_preview

	if doctype in POLICY and not actor().admin:
		return None
	return frappe_link_preview.get_preview_data(doctype, docname)


# Dashboard charts and number cards -----------------------------------------------------------------------------


CHART_COLUMNS = ("group_by_based_on", "aggregate_function_based_on", "value_based_on", "based_on")


@frappe.whitelist()
def dashboard_chart_get(
	chart_name=None,
	chart=None,
	no_cache=None,
	filters=None,
	from_date=None,
	to_date=None,
	timespan=None,
	time_interval=None,
	heatmap_year=None,
	refresh=None,
):
	"""frappe.desk.doctype.dashboard_chart.dashboard_chart.get. Frappe keeps one cached result per chart for
	every user; a chart on the app's DocTypes is computed for each asker instead (their row rules)."""
	from frappe.desk.doctype.dashboard_chart import dashboard_chart as frappe_chart

	kwargs = {
		"filters": filters,
		"from_date": from_date,
		"to_date": to_date,
		"timespan": timespan,
		"time_interval": time_interval,
		"heatmap_year": heatmap_year,
	}
	admin = actor().admin
	if not chart_name and not admin:
		# A chart the caller describes: only those who may make charts (Frappe's Heatmap reads the table
		# without row rules, and a described chart could carry any filter). Desk asks for saved charts by name.
		frappe.throw(_("只有系统管理员可以预览未保存的图表。"), frappe.PermissionError)
	doc = frappe.get_doc("Dashboard Chart", chart_name).as_dict() if chart_name else frappe.parse_json(chart)
	doc = frappe._dict(doc or {})
	if doc.document_type not in PROTECTED and doc.parent_document_type not in PROTECTED:
		return frappe_chart.get(
			chart_name=chart_name, chart=chart, no_cache=no_cache, refresh=refresh, **kwargs
		)
	if doc.type == "Heatmap" and doc.chart_type != "Group By" and not admin:
		frappe.throw(_("案例遴选的数据不提供热力图。"), frappe.PermissionError)
	kwargs["filters"] = frappe.parse_json(filters) or frappe.parse_json(doc.filters_json) or None
	# Frappe's function itself, under its whitelist and cache decorators: no shared cache for these charts.
	return inspect.unwrap(frappe_chart.get)(chart=doc, **kwargs)


def _stored_card(doc) -> frappe._dict:
	"""The Number Card a request names. Desk sends the whole card; anyone but a System Manager is answered
	from the stored card of that name (a card they describe themselves could count any field)."""
	card = frappe.parse_json(doc) if isinstance(doc, str) else doc
	if not isinstance(card, dict):
		frappe.throw(_("「doc」须为数字卡片。"), frappe.ValidationError)
	if actor().admin and card.get("document_type") is not None:
		return frappe._dict(card)
	name = card.get("name")
	if not isinstance(name, str) or not frappe.db.exists("Number Card", name):
		# As for charts: only those who may make cards count with a card they describe.
		raise frappe.PermissionError(_("只有系统管理员可以使用未保存的数字卡片。"))
	return frappe._dict(frappe.get_cached_doc("Number Card", name).as_dict())


@frappe.whitelist()
def number_card_get_result(doc, filters, to_date=None):
	"""frappe.desk.doctype.number_card.number_card.get_result, for the stored card only (a card's row rules are
	the user's; a Case Application row holds no sealed value, sealing.py)."""
	from frappe.desk.doctype.number_card import number_card

	return number_card.get_result(_stored_card(doc), filters, to_date)


@frappe.whitelist()
def number_card_get_percentage_difference(doc, filters, result):
	"""frappe.desk.doctype.number_card.number_card.get_percentage_difference: the stored card is counted again
	for an earlier date, with the same rules as get_result."""
	from frappe.desk.doctype.number_card import number_card

	card = _stored_card(doc)
	return number_card.get_percentage_difference(
		card, frappe.parse_json(filters) if filters else None, result
	)
