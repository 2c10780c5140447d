"""Writes and requests refused before they reach the app's documents: comments, shares, tags, follows,
assignments and files on a document need read permission on it; child rows are written with their parent and
only their own; a DELETE is asked first (so a refusal is a 403, not a lock timeout); a print of a caller's
document dict is refused. Installed from hooks.py (doc_events, auth_hooks).
"""

import frappe
from frappe import _
from frappe.api.v1 import get_request_form_data
from frappe.utils import cint, cstr
from werkzeug.exceptions import Forbidden

from case_selection.access import allowlist
from case_selection.access.actors import actor
from case_selection.access.permissions import may_read
from case_selection.access.system_write import in_system_write
from case_selection.access.write_policy import POLICY, Context, WritePolicyError, may_attach
from case_selection.constants import ROW_RULE_DOCTYPES


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

	calls = allowlist.requested(request, frappe.local.form_dict)  # read once, for both checks
	refuse_broken_calls(calls)
	refuse_malformed_documents(request)
	allowlist.guard_request(calls)
	refuse_values_that_are_not_values(request, calls)
	path = request.path
	if path.rstrip("/") == "/printview":
		# Refused as a bare 403 (werkzeug's, which Frappe returns as it is), not through Frappe's rendered
		# "Not Permitted" web page: nothing of the website is rendered for a request that is refused.
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


# Frappe calls a method as frappe.call(fn, **form): a form key named "fn" collides with that parameter, a
# parameter the function cannot do without missing from the form is a TypeError too (both answered 500), and a
# module attribute that is not a function fails Frappe's whitelist check the same way. All are refused first,
# for every caller, Guest included (the allow-list checks its users' arguments further: allowlist.check_arguments).
RESERVED_ARGUMENTS = ("fn",)


# Frappe's REST list (v1 and v2 `document_list`) calls frappe.client.get_list(doctype, **form): a query argument
# named "doctype" meets the DocType of the path as a second value for the same parameter (a TypeError: 500).
LIST_ENDPOINTS = ("document_list",)
DOCUMENT_ROUTES = (
	"document_list",
	"create_doc",
	"read_doc",
	"update_doc",
	"delete_doc",
	"execute_doc_method",
	"count",
	"get_meta",
)
LIST_RESERVED = ("doctype",)


def refuse_malformed_documents(request):
	"""REST's document routes (v1 /api/resource, v2 /api/v2/document and /api/v2/doctype), for every caller: the
	DocType the path names must exist (404: another name met Frappe's module loader as an ImportError, a 500); a
	list's arguments are checked as frappe.client.get_list's (allowlist.check_values: fields, filters, orders and
	page numbers that Frappe reads without checking were TypeErrors, JSONDecodeErrors and MariaDB errors), its own
	`doctype` argument refused; a document written must be one JSON object (a list or a text met `data.pop` as a
	TypeError)."""
	if not request.path.startswith("/api/"):
		return
	endpoint, args = allowlist.api_route(request)
	if endpoint is None:
		return
	name, form = endpoint.__name__, frappe.local.form_dict
	doctype = args.get("doctype")
	if doctype is not None and name in DOCUMENT_ROUTES and not allowlist.doctype_exists(doctype):
		raise frappe.DoesNotExistError(_("没有名为「{0}」的单据类型。").format(doctype[:140]))
	if name in LIST_ENDPOINTS:
		reserved = next((k for k in LIST_RESERVED if k in form), None)
		if reserved:
			raise frappe.ValidationError(_("参数「{0}」是系统保留的名称，不能随请求传入。").format(reserved))
		allowlist.check_values("frappe.client.get_list", form)
	if name in WRITE_ENDPOINTS and request.method in ("POST", "PUT", "PATCH"):
		data = get_request_form_data() if endpoint.__module__ == "frappe.api.v1" else form
		if not isinstance(data, dict):
			raise frappe.ValidationError(_("请求的内容须为一个单据（JSON 对象）。"))


def refuse_broken_calls(calls: list[tuple[str, str]]):
	calls = [key for kind, key in calls if kind == "method"]
	if not calls:
		return
	for name in RESERVED_ARGUMENTS:
		if name in frappe.local.form_dict:
			raise frappe.ValidationError(_("参数「{0}」是系统保留的名称，不能随请求传入。").format(name))
	form = frappe.local.form_dict
	for cmd in calls:
		if refuses_first(cmd):
			continue
		missing = [p for p in allowlist.required_arguments(cmd) if p not in form]
		if missing:
			raise frappe.ValidationError(
				_("调用「{0}」缺少参数：{1}。").format(cmd[:140], "、".join(missing))
			)
	if "frappe.client.set_value" in calls and frappe.session.user != "Guest":  # a guest: Frappe's 403
		refuse_missing_child_row(form)
	overrides = frappe.get_hooks("override_whitelisted_methods", {})
	for cmd in calls:
		cmd = (overrides.get(cmd) or [cmd])[-1]
		if not cmd.startswith(allowlist.APP_PREFIX):
			continue
		try:
			target = frappe.get_attr(cmd)
		except Exception:
			target = None
		if not callable(target):
			raise frappe.DoesNotExistError(_("没有名为「{0}」的方法。").format(cmd[:140]))


# A field's value sent as a list or an object (JSON) where text or a number goes: Frappe's link check runs before
# any hook of the document and answers 500 (a dict becomes a query's filters, a list an unhashable key), and a text
# field's value a TypeError in the query. For every caller and every DocType, whatever door writes: REST (v1 and
# v2), frappe.client's save/insert/insert_many/bulk_update/set_value, Desk's savedocs — refused first with a 417
# naming the field; child rows are read the same way.
DOC_ARGUMENT = {
	"frappe.client.save": "doc",
	"frappe.client.insert": "doc",
	"frappe.client.submit": "doc",
	"frappe.desk.form.save.savedocs": "doc",
}
DOCS_ARGUMENT = {"frappe.client.insert_many": "docs", "frappe.client.bulk_update": "docs"}
WRITE_ENDPOINTS = {"create_doc", "update_doc"}


def refuse_values_that_are_not_values(request, calls: list[tuple[str, str]]):
	for doctype, values in written_values(request, calls):
		where = not_a_value(doctype, values)
		if where:
			raise frappe.ValidationError(_("「{0}」须为文字或数字，不能是列表或对象。").format(where))


def written_values(request, calls) -> list[tuple]:
	"""(DocType, values) of each document the request writes, as Frappe will read them."""
	form = frappe.local.form_dict
	out = []
	if request.path.startswith("/api/") and request.method in ("POST", "PUT"):
		endpoint, args = allowlist.api_route(request)
		if endpoint and endpoint.__name__ in WRITE_ENDPOINTS:
			out.append((args.get("doctype"), get_request_form_data()))
	for kind, method in calls:
		if kind != "method":
			continue
		if method in DOC_ARGUMENT:
			doc = parsed(form.get(DOC_ARGUMENT[method]))
			out.append((doc.get("doctype") if isinstance(doc, dict) else None, doc))
		elif method in DOCS_ARGUMENT:
			docs = parsed(form.get(DOCS_ARGUMENT[method]))
			for doc in docs if isinstance(docs, list) else []:
				out.append((doc.get("doctype") if isinstance(doc, dict) else None, doc))
		elif method == "frappe.client.set_value":
			fieldname, value = form.get("fieldname"), form.get("value")
			values = (
				parsed(fieldname) if not value else {fieldname: value} if isinstance(fieldname, str) else None
			)
			out.append((form.get("doctype"), values))
	return out


def parsed(value):
	if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
		try:
			return frappe.parse_json(value)
		except Exception:
			return None
	return value


SCALARS = (str, int, float, bool)
FREE_FORM = ("JSON",)  # fields whose value is itself JSON


def not_a_value(doctype, values, depth: int = 0) -> str | None:
	"""The label of the first field (a child row's as 「table」第 N 行「field」) whose value is a list or an
	object where text or a number goes; None when every value is a value."""
	if not isinstance(doctype, str) or not isinstance(values, dict) or depth > 1:
		return None
	if not frappe.db.exists("DocType", doctype, cache=True):
		return None
	meta = frappe.get_meta(doctype)
	standard = set(frappe.model.default_fields) | set(frappe.model.child_table_fields)
	for key, value in values.items():
		if not isinstance(key, str):
			continue
		df = meta.get_field(key)
		if df and df.fieldtype in frappe.model.table_fields:
			if value is None:
				continue
			if not isinstance(value, list):
				return field_label(df, key)
			for i, row in enumerate(value, start=1):
				if not isinstance(row, dict):
					return _("{0}第 {1} 行").format(field_label(df, key), i)
				inner = not_a_value(df.options, row, depth + 1)
				if inner:
					return _("{0}第 {1} 行「{2}」").format(field_label(df, key), i, inner)
		elif (df or key in standard) and value is not None and not isinstance(value, SCALARS):
			if df and df.fieldtype in FREE_FORM:
				continue
			return field_label(df, key)
	return None


def field_label(df, key: str) -> str:
	"""The field's label in the user's language, for the refusal (worked out only for a field refused: the
	translation was looked up for every field of every write, ~2 ms of a case's save)."""
	return _(df.label) if df and df.label else key


def refuses_first(cmd: str) -> bool:
	"""Whether the call is refused before its arguments matter: a user of the allow-list (which refuses what it
	does not list, then checks the arguments of what it does), or a guest calling what Frappe keeps from guests."""
	if frappe.session.user != "Guest":
		return allowlist.restricted()
	target = frappe.get_hooks("override_whitelisted_methods", {}).get(cmd, [cmd])[-1]
	try:
		return frappe.get_attr(target) not in frappe.guest_methods
	except Exception:
		return True


def refuse_missing_child_row(form: dict):
	"""frappe.client.set_value on a child table's row reads the row's parent without asking whether the row
	exists, and answers a 500 when it does not (any child DocType, any caller): a 404 instead."""
	doctype, name = form.get("doctype"), form.get("name")
	if not isinstance(doctype, str) or not frappe.db.exists("DocType", {"name": doctype, "istable": 1}):
		return
	if not isinstance(name, str | int) or not frappe.db.exists(doctype, name):
		raise frappe.DoesNotExistError(
			_("「{0}」中没有名为「{1}」的行。").format(_(doctype), str(name)[:140])
		)


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


USER_COMMENT_TYPES = ("Comment", "Like")


def _refuse(message: str):
	frappe.throw(message, WritePolicyError, title=_("不允许的操作"))


def guard_comment(doc, method=None):
	if (
		doc.reference_doctype not in ROW_RULE_DOCTYPES
		or in_system_write()
		or frappe.session.user == "Administrator"
	):
		return
	if doc.comment_type in USER_COMMENT_TYPES:
		_refuse(_("案例单据不使用评论和点赞：意见请填写在会签意见、审查意见或签核历程中。"))
	if not may_read(doc.reference_doctype, doc.reference_name):
		_refuse(_("您无权查看「{0}」{1}。").format(_(doc.reference_doctype), doc.reference_name))


def guard_share(doc, method=None):
	if doc.share_doctype in ROW_RULE_DOCTYPES and not in_system_write():
		_refuse(_("「{0}」不能共享：谁能查看由区县、申报单位和市级角色决定。").format(_(doc.share_doctype)))


def guard_reference(doctype_field: str, name_field: str, user_field: str | None = None):
	"""A guard for side tables that point at a document: the caller (and the user it is for) must be able
	to read it."""

	def guard(doc, method=None):
		doctype, name = doc.get(doctype_field), doc.get(name_field)
		if doctype not in ROW_RULE_DOCTYPES or in_system_write() or frappe.session.user == "Administrator":
			return
		if not may_read(doctype, name):
			_refuse(_("您无权查看「{0}」{1}。").format(_(doctype), name))
		if user_field and doc.get(user_field) and not may_read(doctype, name, doc.get(user_field)):
			_refuse(_("{0} 无权查看「{1}」{2}，不能分配给他。").format(doc.get(user_field), _(doctype), name))

	return guard


guard_tag_link = guard_reference("document_type", "document_name")


guard_document_follow = guard_reference("ref_doctype", "ref_docname")


guard_todo = guard_reference("reference_type", "reference_name", "allocated_to")


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
	if doc.attached_to_doctype in ROW_RULE_DOCTYPES and moved and not may_attach(*attached):
		_refuse(
			_("不能向「{0}」{1} 添加附件：该单据当前状态下您不能修改。").format(
				_(doc.attached_to_doctype), doc.attached_to_name
			)
		)
	if (
		before
		and before.attached_to_doctype in ROW_RULE_DOCTYPES
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
	if doc.attached_to_doctype in ROW_RULE_DOCTYPES and not may_attach(
		doc.attached_to_doctype, doc.attached_to_name
	):
		_refuse(
			_("不能删除「{0}」{1} 的附件：该单据当前状态下您不能修改。").format(
				_(doc.attached_to_doctype), doc.attached_to_name
			)
		)


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
