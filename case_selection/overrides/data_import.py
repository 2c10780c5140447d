"""Paper forms in bulk: Frappe's Data Import for Case Application, as one more door the write policy governs.

Notice 三(二): units hand paper forms (一式5份) to the district, whose lead department (经信, the round's
牵头部门) enters them. In the last week before the deadline that is hundreds of forms, so the lead imports an
xlsx through Frappe's own Data Import instead of typing each form:

- who: write_policy.POLICY["Case Application"].imports (the district's lead department, the administrator;
  an applicant imports nothing). `guard_data_import` refuses a Data Import of an app DocType to anyone else,
  and every imported row is saved through the same write policy, permissions and validations as a form, so
  a row for another district or with a wrong 统一社会信用代码 fails with a Chinese message naming the field,
  and Frappe's importer rolls that row back whole (parent, child rows and history);
- Data Import itself is System Manager's in Frappe: `sync_import_permissions` gives the roles allowed to
  import (data: the rounds' lead departments) create/read/write on their own Data Imports only (if_owner);
- the job runs on RQ in the language of the user who started it, so Frappe's own row messages are Chinese too;
- `template` hands out an xlsx whose Chinese column headers are exactly what the importer matches (the
  form's labels; child-table columns as "列名 (表名)"), with drop-down lists and a sheet of instructions.
"""

import io
from types import SimpleNamespace

import frappe
from frappe import _
from frappe.permissions import setup_custom_perms
from frappe.utils.background_jobs import get_queues_timeout, is_job_enqueued
from frappe.utils.scheduler import is_scheduler_inactive
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from case_selection.access import actors, write_policy
from case_selection.access.actors import actor
from case_selection.export.excel import XLSX_MIME
from case_selection.workflow.definition import initial_state

DATA_IMPORT = "Data Import"
START_IMPORT_JOB = "frappe.core.doctype.data_import.data_import.start_import"
IMPORT_QUEUE = "import"  # a queue of its own (scripts/prod.sh gives it a worker); see import_queue
# Data Import rights of a role allowed to import: its own imports only.
IMPORTER_PERM = {"read": 1, "write": 1, "create": 1, "delete": 1, "if_owner": 1}
TEMPLATE_ROWS = 2000  # rows the drop-down lists cover
SKIPPED_TYPES = {"Attach", "Attach Image", "Read Only", "HTML", "Button", "Image"}


# Doors ------------------------------------------------------------------------------------------------------


def guard_data_import(doc, method=None):
	"""doc_events Data Import before_validate: importing an app DocType is for those its policy names; the file
	an import reads is one its creator uploaded (Frappe would read whatever file URL the record names)."""
	check_import_file(doc)
	if doc.reference_doctype not in write_policy.POLICY:
		return
	if not frappe.get_meta(doc.reference_doctype).allow_import:
		# Frappe v15's Data Import does not check allow_import itself (only its Desk link filter does).
		frappe.throw(
			_("「{0}」不开放导入。").format(_(doc.reference_doctype)),
			write_policy.WritePolicyError,
			title=_("不允许的导入"),
		)
	if not write_policy.may_import(doc.reference_doctype):
		policy = write_policy.POLICY[doc.reference_doctype]
		frappe.throw(
			_("您不能导入「{0}」：{1}。").format(
				_(doc.reference_doctype),
				write_policy.describe_rule(write_policy.import_rule(policy), "import"),
			),
			write_policy.WritePolicyError,
			title=_("不允许的导入"),
		)


def own_upload(url, owner: str) -> bool:
	"""Whether `url` is a file `owner` uploaded (a File record of theirs with that URL)."""
	return isinstance(url, str) and bool(frappe.db.exists("File", {"file_url": url, "owner": owner}))


def check_import_file(doc):
	"""An import reads only a file its creator uploaded for it (System Managers: Frappe's own rules)."""
	if not doc.import_file or actor().admin or frappe.session.user == "Administrator":
		return
	owner = doc.owner or frappe.session.user
	if not own_upload(doc.import_file, owner):
		frappe.throw(
			_("「导入文件」只能是本导入的创建人上传的文件。"), frappe.PermissionError, title=_("不允许的导入")
		)


def speak_users_language(method: str | None = None, **_kwargs):
	"""before_job: RQ starts in the system language; an import's row messages speak its user's."""
	if method == START_IMPORT_JOB and frappe.session.user not in ("Guest", "Administrator"):
		frappe.set_user_lang(frappe.session.user)


def importer_roles() -> set[str]:
	"""The roles the import rules of the app's DocTypes name (roles as data: lead departments of the rounds,
	the city's managing roles…). System Manager has Data Import already."""
	roles = set()
	for doctype, policy in write_policy.POLICY.items():
		if not frappe.get_meta(doctype).allow_import:
			continue
		who = write_policy.import_rule(policy).who
		if "lead" in who:
			roles |= actors.lead_roles()
		if "city_manager" in who:
			roles |= actors.city_roles().manage
		if "applicant" in who:
			roles.add(actors.applicant_role())
	return roles


def app_roles() -> set[str]:
	"""Every role the app knows of; Data Import rights of other roles are an admin's and left alone."""
	return (
		set(actors.district_roles())
		| set(actors.city_roles().all)
		| {actors.applicant_role(), actors.expert_role(), actors.integration_role()}
	) - {None, ""}


def sync_import_permissions(*_args, **_kwargs):
	"""Custom DocPerm rows of Data Import for the roles allowed to import (after install and migrate, and
	when a round's departments change); rows of the app's roles no longer allowed go."""

	actors.clear_cache()
	wanted = importer_roles()
	rows = frappe.get_all(
		"Custom DocPerm",
		filters={"parent": DATA_IMPORT, "permlevel": 0},
		fields=["name", "role", *IMPORTER_PERM],
	)
	have = {r.role: r for r in rows}
	changed = False
	for role in sorted(wanted):
		row = have.get(role)
		if row and all(row.get(k) == v for k, v in IMPORTER_PERM.items()):
			continue
		if not row:
			changed |= bool(setup_custom_perms(DATA_IMPORT))  # copies System Manager's row first
			row = frappe.get_doc(
				{"doctype": "Custom DocPerm", "parent": DATA_IMPORT, "parenttype": "DocType", "role": role}
			)
			row.update({"parentfield": "permissions", "permlevel": 0, **IMPORTER_PERM})
			row.insert(ignore_permissions=True)
		else:
			frappe.db.set_value("Custom DocPerm", row.name, IMPORTER_PERM)
		changed = True
	for role, row in have.items():
		if role in app_roles() and role not in wanted:
			frappe.delete_doc("Custom DocPerm", row.name, ignore_permissions=True)
			changed = True
	if changed:
		frappe.clear_cache(doctype=DATA_IMPORT)


# Frappe's Data Import methods that load an import by name without asking whether the caller may read it
# (v15: the preview, start, status and the error/log downloads; a dict passed as the name is even read as
# filters). hooks.override_whitelisted_methods sends them here: the caller must be able to read the import
# (an importer reads their own only, if_owner), start only what they may write, and preview only a file they
# may read themselves.
_FRAPPE_IMPORT = "frappe.core.doctype.data_import.data_import"


def _own_import(name, ptype: str = "read"):
	if not isinstance(name, str) or not name:
		frappe.throw(_("「数据导入」编号无效。"), frappe.PermissionError)
	if not frappe.db.exists(DATA_IMPORT, name):
		frappe.throw(_("「数据导入」{0} 不存在。").format(name), frappe.DoesNotExistError)
	doc = frappe.get_doc(DATA_IMPORT, name)
	doc.check_permission(ptype)
	check_import_file(doc)  # an import stored before this check existed is held to it too
	return doc


def _readable_file(url):
	if not url:
		return
	if not isinstance(url, str) or not any(
		frappe.has_permission("File", "read", doc=name)
		for name in frappe.get_all("File", filters={"file_url": url}, pluck="name")
	):
		frappe.throw(_("无权读取「导入文件」。"), frappe.PermissionError)


@frappe.whitelist()
def get_preview_from_template(data_import, import_file=None, google_sheets_url=None):
	doc = _own_import(data_import)
	_readable_file(import_file)
	if import_file and not actor().admin and not own_upload(import_file, doc.owner):
		frappe.throw(_("「导入文件」只能是本导入的创建人上传的文件。"), frappe.PermissionError)
	if google_sheets_url and google_sheets_url != doc.google_sheets_url and not actor().admin:
		frappe.throw(_("只能预览本导入的「Google 表格链接」。"), frappe.PermissionError)
	return frappe.get_attr(f"{_FRAPPE_IMPORT}.get_preview_from_template")(
		doc.name, import_file, google_sheets_url
	)


def import_queue() -> str:
	"""IMPORT_QUEUE when the bench has a worker for it (`make prod`: common config `workers`), else long: not
	Frappe's default queue, which a burst of signatures fills with notification jobs (make chaos saw an import
	wait behind ~120 of them)."""
	return IMPORT_QUEUE if IMPORT_QUEUE in get_queues_timeout() else "long"


@frappe.whitelist()
def form_start_import(data_import):
	"""Frappe's DataImport.start_import with the import's queue chosen here: Frappe's own puts it on the default
	queue, and takes no queue argument. The job is Frappe's own `start_import`, which resumes after the rows its
	log records as imported (a retry after a fault imports no row twice)."""
	doc = _own_import(data_import, "write")
	run_now = frappe.flags.in_test or frappe.conf.developer_mode
	if is_scheduler_inactive() and not run_now:
		frappe.throw(_("后台调度器未启用，无法开始导入，请联系系统管理员。"), title=_("调度器未启用"))
	job_id = f"data_import::{doc.name}"
	if is_job_enqueued(job_id):
		return False
	frappe.enqueue(
		START_IMPORT_JOB,
		queue=import_queue(),
		timeout=10000,
		event="data_import",
		job_id=job_id,
		data_import=doc.name,
		now=run_now,
	)
	return True


@frappe.whitelist()
def download_errored_template(data_import_name):
	return frappe.get_attr(f"{_FRAPPE_IMPORT}.download_errored_template")(_own_import(data_import_name).name)


@frappe.whitelist()
def download_import_log(data_import_name):
	return frappe.get_attr(f"{_FRAPPE_IMPORT}.download_import_log")(_own_import(data_import_name).name)


@frappe.whitelist()
def get_import_status(data_import_name):
	return frappe.get_attr(f"{_FRAPPE_IMPORT}.get_import_status")(_own_import(data_import_name).name)


# The template ---------------------------------------------------------------------------------------------


def _creatable(rule) -> bool:
	"""A field the lead department may fill in a new case (what a paper form carries)."""
	if rule == write_policy.FIXED:
		return True
	if not isinstance(rule, write_policy.Rule) or "lead" not in rule.who:
		return False
	if not rule.when:
		return True
	draft = SimpleNamespace(facts=frappe._dict(workflow_state=initial_state()), doc=frappe._dict())
	return write_policy.CONDITIONS[rule.when][0](draft)


def _fields(meta, policy_fields: dict, default) -> list:
	out = []
	for df in meta.fields:
		if df.fieldtype in write_policy.LAYOUT or df.fieldtype in SKIPPED_TYPES or df.hidden or df.read_only:
			continue
		rule = write_policy._rule_for(policy_fields, default, df)
		if df.fieldtype in frappe.model.table_fields:
			out.append(df)
		elif _creatable(rule):
			out.append(df)
	return out


def template_columns(doctype: str = "Case Application") -> list[frappe._dict]:
	"""The columns of the import template, in the form's order: what a new document's creator may fill,
	each with the header Frappe's importer matches (the label; a child table's column as "列名 (表名)")."""
	policy = write_policy.POLICY[doctype]
	meta = frappe.get_meta(doctype)
	columns = []
	for df in _fields(meta, policy.fields, policy.default):
		if df.fieldtype not in frappe.model.table_fields:
			columns.append(frappe._dict(df=df, header=_(df.label), table=None))
			continue
		table_rule = policy.fields.get(df.fieldname, policy.default)
		table = (
			table_rule if isinstance(table_rule, write_policy.Table) else write_policy.Table(rows=table_rule)
		)
		if not _creatable(table.rows):
			continue
		child = frappe.get_meta(df.options)
		for cdf in _fields(child, table.columns, table.rows):
			columns.append(frappe._dict(df=cdf, header=f"{_(cdf.label)} ({_(df.label)})", table=df))
	return columns


def _choices(df) -> list[str] | None:
	"""The values a column takes, for its drop-down list."""
	if df.fieldtype == "Select":
		return [o for o in (df.options or "").split("\n") if o]
	if df.fieldtype == "Check":
		return ["1", "0"]
	if df.fieldtype != "Link":
		return None
	a = actor()
	if df.options == "Selection Round":
		return frappe.get_all(
			"Selection Round", filters={"status": "Open"}, pluck="name", order_by="year desc"
		)
	if df.options == "Case District":
		return (
			list(a.districts)
			if a.districts and not a.admin
			else frappe.get_all("Case District", pluck="name")
		)
	if df.options == "Selection Direction":
		rounds = frappe.get_all("Selection Round", filters={"status": "Open"}, pluck="name")
		return frappe.get_all(
			"Round Direction",
			filters={"parent": ("in", rounds or [""]), "parenttype": "Selection Round"},
			pluck="direction",
			distinct=True,
			order_by="idx asc",
		)
	return None


def _note(df, table) -> str:
	parts = []
	if df.reqd:
		parts.append(_("必填") + (_("（填这一表时）") if table else ""))
	if df.fieldtype == "Check":
		parts.append(_("1 表示已勾选承诺，0 表示未勾选"))
	elif df.fieldtype == "Date":
		parts.append(_("日期，如 2025-10-20"))
	elif df.fieldtype in ("Int", "Float", "Currency"):
		parts.append(_("数字"))
	if df.fieldtype in ("Select", "Link"):
		parts.append(_("从下拉列表中选择"))
	if df.description:
		parts.append(_(df.description))
	return "；".join(parts)


@frappe.whitelist(methods=["GET"])
def template(doctype: str = "Case Application") -> None:
	"""The xlsx to fill for Data Import (申报书导入模板). Given to those who may import it."""
	if doctype not in write_policy.POLICY or not frappe.get_meta(doctype).allow_import:
		frappe.throw(_("「{0}」不开放导入。").format(_(doctype)), frappe.PermissionError)
	if not write_policy.may_import(doctype):
		guard_data_import(frappe._dict(reference_doctype=doctype))
	frappe.response.filename = _("申报书导入模板") + ".xlsx"
	frappe.response.filecontent = build_template(doctype)
	frappe.response.type = "binary"
	frappe.response.content_type = XLSX_MIME


def build_template(doctype: str = "Case Application") -> bytes:
	columns = template_columns(doctype)
	wb = Workbook()
	ws = wb.active
	ws.title = _("申报书")
	lists = wb.create_sheet(_("可选值"))
	guide = wb.create_sheet(_("填写说明"))
	head_font, table_fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
	list_col = 0
	for i, col in enumerate(columns, start=1):
		cell = ws.cell(row=1, column=i, value=col.header)
		cell.font = head_font
		cell.alignment = Alignment(wrap_text=True, vertical="center")
		if col.table:
			cell.fill = table_fill
		note = _note(col.df, col.table)
		if note:
			cell.comment = Comment(note, _("案例遴选"))
		letter = get_column_letter(i)
		ws.column_dimensions[letter].width = 14 if col.df.fieldtype in ("Check", "Int", "Date") else 22
		if col.df.fieldtype == "Date":
			ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
		choices = _choices(col.df)
		if not choices:
			continue
		list_col += 1
		list_letter = get_column_letter(list_col)
		lists.cell(row=1, column=list_col, value=col.header).font = head_font
		for r, value in enumerate(choices, start=2):
			lists.cell(row=r, column=list_col, value=value)
		lists.column_dimensions[list_letter].width = 30
		dv = DataValidation(
			type="list",
			formula1=f"'{lists.title}'!${list_letter}$2:${list_letter}${len(choices) + 1}",
			allow_blank=True,
			showErrorMessage=True,
			errorTitle=_("不在可选值中"),
			error=_("请从下拉列表中选择（见「可选值」表）。"),
		)
		dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
		ws.add_data_validation(dv)
	ws.freeze_panes = "B2"
	ws.row_dimensions[1].height = 48
	for line in guide_lines(doctype, columns):
		guide.append([line])
	guide.column_dimensions["A"].width = 120
	out = io.BytesIO()
	wb.save(out)
	return out.getvalue()


def guide_lines(doctype: str, columns: list) -> list[str]:
	tables = list(dict.fromkeys(_(c.table.label) for c in columns if c.table))
	return [
		_("{0}导入模板 — 填写说明").format(_(doctype)),
		"",
		_("1. 每份纸质申报书占一行，从第 2 行起填写；第 1 行的列名不要改动，不需要的列可以留空。"),
		_("2. 表格类内容（{0}，列名带括号、底色为黄色）有多行时：第一行与申报书写在同一行，").format(
			"、".join(tables)
		)
		+ _("其余各行写在紧接着的下面几行，这几行的申报书各列（白色列）必须留空。"),
		_(
			"3. 遴选轮次、所属区县、遴选方向、单位类型从下拉列表中选择（见「可选值」表）；区县牵头部门只能导入本区县的申报书。"
		),
		_(
			"4. 统一社会信用代码为 18 位，系统按 GB 32100-2015 核对校验位；手机为 11 位；日期写成 2025-10-20。"
		),
		_("5. 申报承诺各列填 1 表示单位已在纸质申报书上勾选承诺，0 表示未勾选；提交区县前须全部为 1。"),
		_("6. 导入：申报书列表 → 菜单「导入」（或「数据导入」→ 新建），导入类型选「Insert New Records」，")
		+ _("上传本文件，保存后点「开始导入」。"),
		_("7. 每一行单独导入：有错误的行不会导入任何内容，导入日志中逐行说明原因（哪一列、为什么）；")
		+ _(
			"改正后可用「导出错误行」下载出错的行再次导入。导入的申报书为草稿，核对后在列表中勾选并「提交区县」。"
		),
		_("8. 附件（盖章扫描件、佐证材料文件）不能通过表格导入，请在申报书中上传。"),
	]
