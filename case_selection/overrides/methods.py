"""Frappe's whitelisted methods that would skip the permission hooks, closed for the app's documents.

Frappe v15 answers some requests without asking permission_query_conditions or has_permission, or with the
caller's copy of a document. Each is wrapped or guarded here, and the door matrix test
(case_selection/tests/test_doors.py) calls every one of them over HTTP:

- frappe.client.get_count counts with frappe.db.count (no permission at all): counted through frappe.get_list;
- frappe.desk.listview.get_group_by_count "assigned_to" filters with frappe.qb.get_query (no permission);
- frappe.desk.search.search_widget drops every row-level rule when the caller sends ignore_user_permissions=1:
  our DocTypes get a standard query (hooks.standard_queries) that always applies them;
- frappe.www.printview.get_html_and_style / get_rendered_raw_commands render a document dict sent by the
  caller: for our DocTypes only a stored document, by name, is rendered;
- the form's docinfo, tags, link titles and previews, events, dashboard charts and number cards: computed for
  what the caller may read.

Sharing, comments, tags, follows, assignments and files on a document are guarded where they are written
(access/guards.py, from hooks.doc_events).
"""

import inspect

import frappe
from frappe import _, client
from frappe.desk import desk_page, reportview
from frappe.desk import link_preview as frappe_link_preview
from frappe.desk import search as frappe_search
from frappe.desk.doctype.dashboard_chart import dashboard_chart as frappe_chart
from frappe.desk.doctype.dashboard_settings import dashboard_settings
from frappe.desk.doctype.event import event
from frappe.desk.doctype.number_card import number_card
from frappe.desk.doctype.tag import tag as frappe_tag
from frappe.desk.form import load
from frappe.desk.listview import get_group_by_count as frappe_group_by_count
from frappe.model import default_fields
from frappe.model.document import Document
from frappe.model.naming import validate_name
from frappe.utils import cint, get_safe_filters
from frappe.www import printview

from case_selection.access.actors import actor
from case_selection.access.allowlist import TAG_LENGTH, doctype_exists
from case_selection.access.guards import refuse_standard_format
from case_selection.access.permissions import may_read
from case_selection.access.write_policy import POLICY
from case_selection.checks.text_rules import check_value
from case_selection.constants import ROW_RULE_DOCTYPES


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

	current_filters = frappe.parse_json(current_filters)
	if field == "assigned_to":
		# The records as a subquery of frappe.get_list (row rules included) that MariaDB joins, not their names
		# fetched and sent back as a list: the city's round is thousands of names, which cost half a second.
		records = frappe.get_list(doctype, filters=current_filters, fields=["name"], run=0, order_by=None)
		records = records.replace("%", "%%")  # literal in the statement below, which takes parameters
		return frappe.db.sql(
			f"""select todo.allocated_to as name, count(*) as count
			from `tabToDo` todo join `tabUser` user on user.name = todo.allocated_to
			where todo.status != 'Cancelled' and user.user_type = 'System User'
				and todo.reference_type = %(doctype)s and todo.reference_name in ({records})
			group by todo.allocated_to order by count desc limit 50""",
			{"doctype": doctype},
			as_dict=True,
		)
	if not frappe.get_meta(doctype).has_field(field) and field not in default_fields:
		frappe.throw(_("「{0}」没有字段 {1}。").format(_(doctype), field), frappe.ValidationError)
	return frappe_group_by_count(doctype, frappe.as_json(current_filters), field)


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


def _stored_print_args(doc, name):
	"""For our DocTypes, only a stored document is rendered: a dict sent by the caller is replaced by the
	record it names (whose permission is then checked), or refused."""
	if isinstance(name, str) and isinstance(doc, str) and doc.lstrip()[:1] == "{":
		frappe.throw(_("「doc」须为单据类型名称（已给出「name」）。"), frappe.ValidationError)
	if isinstance(name, str) or not isinstance(doc, str | dict):
		return doc, name
	values = frappe.parse_json(doc) if isinstance(doc, str) else doc
	doctype = values.get("doctype") if isinstance(values, dict) else None
	if doctype not in ROW_RULE_DOCTYPES:
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

	doc, name = _stored_print_args(doc, name)
	refuse_standard_format(doc if isinstance(doc, str) else None, print_format)
	return printview.get_rendered_raw_commands(doc, name, print_format=print_format)


@frappe.whitelist()
def get_docinfo(doc=None, doctype: str | None = None, name: str | None = None):

	if not isinstance(doc, Document):
		doc = None  # over HTTP a document is named by doctype and name (Frappe reads `doc` as a loaded Document)
		if not (isinstance(doctype, str) and isinstance(name, str) and doctype and name):
			frappe.throw(_("须给出「doctype」和「name」。"), frappe.ValidationError)
	load.get_docinfo(doc, doctype, name)


# Tags. Frappe reads a record's tags without a lock and writes them back, and makes a new Tag after asking whether it
# exists: two users tagging at the same second lost one tag (the later write kept only its own) or answered 409
# (both made the same Tag). Here, once the user may write the record, its row is read with a lock (the tags as last
# committed, the second request waiting for the first), the Tag is made with INSERT IGNORE (a second maker waits and
# then finds it), and the column and the Tag Links are written as Frappe's DocTags.update and update_tags write
# them: as if the two requests had come one after the other.


def _taggable(dt: str, dn) -> Document:
	"""The record, if the user may write it and its DocType has rows of its own (not a child table, single or
	virtual). Asked before anything is written or locked (Frappe wrote the tag first, and a refusal of one of our
	records then ended in an IndexError, a 500)."""
	meta = frappe.get_meta(dt) if isinstance(dt, str) and doctype_exists(dt) else None
	if meta is None or meta.istable or meta.issingle or meta.is_virtual:
		frappe.throw(_("「{0}」的记录不能加标签。").format(dt), frappe.ValidationError)
	doc = frappe.get_doc(dt, dn)
	if not doc.has_permission("write"):
		raise frappe.PermissionError(_("您无权修改「{0}」{1}的标签。").format(_(dt), dn))
	return doc


def _tag_text(tag) -> str:
	"""A tag is text of at most the Tag table's length: Desk's list view puts a tag into its rows as HTML, so a tag
	with markup on a record others list ran as script in their browser (text stays text: checks.text_rules)."""
	if not isinstance(tag, str) or not 0 < len(tag.strip()) <= TAG_LENGTH:
		frappe.throw(_("标签须为 1 至 {0} 个字的文字。").format(TAG_LENGTH), frappe.ValidationError)
	check_value(_("「标签」"), tag)
	return tag


def _locked_tags(dt: str, dn: str) -> list[str]:
	"""The record's tags as last committed; its row locked until the request ends."""
	query = f"select `_user_tags` from `tab{dt}` where name = %s for update"
	try:
		row = frappe.db.sql(query, (dn,))
	except Exception as e:
		if not frappe.db.is_missing_column(e):
			raise
		frappe_tag.DocTags(dt).setup()  # Frappe adds the column on a DocType's first tag
		row = frappe.db.sql(query, (dn,))
	if not row:
		raise frappe.DoesNotExistError(_("{0} {1} 不存在。").format(_(dt), dn))
	return [t for t in (row[0][0] or "").split(",") if t]


def _make_tag(tag: str) -> None:
	tag = validate_name("Tag", tag)  # Frappe's rules for a name, which its insert of a Tag applied
	now, user = frappe.utils.now(), frappe.session.user
	frappe.db.sql(
		"insert ignore into `tabTag` (name, creation, modified, owner, modified_by) values (%s, %s, %s, %s, %s)",
		(tag, now, now, user, user),
	)


def _write_tags(doc: Document, tags: list[str]) -> None:
	"""frappe.desk.doctype.tag.tag.DocTags.update and update_tags, the Tag Links read with a lock (as last
	committed) and made without a link check: a Tag another request made at the same second is committed (the
	INSERT IGNORE waited for it) but not in this transaction's snapshot."""
	dt, dn = doc.doctype, doc.name
	tags = list(dict.fromkeys(t for t in tags if t))
	frappe.db.sql(
		f"update `tab{dt}` set `_user_tags` = %s where name = %s", ("," + ",".join(tags) if tags else "", dn)
	)
	wanted = {t.strip() for t in tags}
	linked = set(
		frappe.db.sql(
			"select tag from `tabTag Link` where document_type = %s and document_name = %s for update",
			(dt, dn),
			pluck=True,
		)
	)
	for tag in sorted(wanted - linked):
		link = frappe.get_doc(
			{
				"doctype": "Tag Link",
				"document_type": dt,
				"document_name": dn,
				"title": doc.get_title() or "",
				"tag": tag,
			}
		)
		link.flags.ignore_links = True
		link.insert(ignore_permissions=True)
	for tag in linked - wanted:
		frappe.db.delete("Tag Link", {"document_type": dt, "document_name": dn, "tag": tag})


def _tag(doc: Document, tag: str) -> None:
	tag = _tag_text(tag)
	tags = _locked_tags(doc.doctype, doc.name)
	if tag not in tags:
		_make_tag(tag.strip())
		_write_tags(doc, [*tags, tag])


@frappe.whitelist()
def add_tag(tag, dt, dn, color=None):

	_tag(_taggable(dt, dn), tag)
	return tag


@frappe.whitelist()
def add_tags(tags, dt, docs, color=None):

	records = [_taggable(dt, dn) for dn in frappe.parse_json(docs)]
	tags = frappe.parse_json(tags)
	for doc in records:
		for tag in tags:
			_tag(doc, tag)


@frappe.whitelist()
def remove_tag(tag, dt, dn):

	doc = _taggable(dt, dn)
	tags = _locked_tags(dt, dn)
	_write_tags(doc, [t for t in tags if t.lower() != str(tag).lower()])


@frappe.whitelist()
def validate_link(doctype: str, docname: str, fields=None):
	"""frappe.client.validate_link, which Desk calls for every link typed in a form: Frappe answers whether any
	record of that name exists (no row rule) and fetches the asked fields; a record of the app the caller may not
	read is answered as missing (the fields are bare names: method_allowlist.PLAIN_FIELD_ARGS)."""

	if doctype in ROW_RULE_DOCTYPES and not may_read(doctype, docname):
		return frappe._dict()
	return client.validate_link(doctype, docname, fields)


@frappe.whitelist()
def client_get(doctype: str, name: str | None = None, filters=None, parent=None):
	"""frappe.client.get (Desk's frappe.db.get_doc): a record of the app is read by its name only. By filters,
	Frappe loads the first match before it asks permission, so 403 or 404 would tell whether a record the
	caller may not read matches (or which state a readable case really is in)."""

	if not name and filters is not None and doctype in ROW_RULE_DOCTYPES and not actor().admin:
		frappe.throw(_("「{0}」只能按编号读取。").format(_(doctype)), frappe.ValidationError)
	return client.get(doctype, name, filters, parent)


@frappe.whitelist()
def get_link_title(doctype: str, docname: str):
	"""frappe.desk.search.get_link_title reads a record's title without asking permission: a record of the
	app the caller may not read shows its name only."""

	if doctype in ROW_RULE_DOCTYPES and not may_read(doctype, docname):
		return docname
	return frappe_search.get_link_title(doctype, docname)


@frappe.whitelist()
def get_events(start, end, user=None, for_reminder=False, filters=None):
	"""The bell's Events tab (frappe.desk.doctype.event.event.get_events): the caller's own events; Frappe reads
	those of whichever user the caller names."""

	return event.get_events(start, end, frappe.session.user, for_reminder=False)


@frappe.whitelist()
def create_dashboard_settings(user: str):
	"""The caller's own Dashboard Settings only (Frappe makes them for whichever user is named)."""

	if user != frappe.session.user and not actor().admin:
		raise frappe.PermissionError(_("只能创建自己的仪表板设置。"))
	return dashboard_settings.create_dashboard_settings(user)


@frappe.whitelist()
def get_sidebar_stats(stats, doctype: str, filters=None):
	"""frappe.desk.reportview.get_sidebar_stats, which the list sidebar asks for its tag counts: `stats` names the
	columns to count by, and any other column (the city's score, the real state) would be counted past the
	sealing; only the tags are, for anyone but a System Manager."""

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

	if doctype in POLICY and not actor().admin:
		return None
	return frappe_link_preview.get_preview_data(doctype, docname)


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
	if doc.document_type not in ROW_RULE_DOCTYPES and doc.parent_document_type not in ROW_RULE_DOCTYPES:
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
	the user's; a Case Application row holds no sealed value, access/sealing.py)."""

	return number_card.get_result(_stored_card(doc), filters, to_date)


@frappe.whitelist()
def number_card_get_percentage_difference(doc, filters, result):
	"""frappe.desk.doctype.number_card.number_card.get_percentage_difference: the stored card is counted again
	for an earlier date, with the same rules as get_result."""

	card = _stored_card(doc)
	return number_card.get_percentage_difference(
		card, frappe.parse_json(filters) if filters else None, result
	)
