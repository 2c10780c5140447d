"""The write policy (SPEC §4): which role may write which field of which DocType, in which state.

Declared once, in POLICY below, and enforced on the server for every door: Desk, REST PUT/POST,
frappe.client.set_value/save/insert/bulk_update, Data Import, workflow actions. Each save of an app document
runs `enforce` (doc_events before_validate, which Frappe runs even when validation is skipped): it compares the
document with what is stored, field by field and row by row, and refuses every change the policy does not
allow, naming the field in Chinese, before anything is written. `enforce_delete` guards deletion and
`may_attach` guards files attached to a document.

The system's own writes (co-signing, submission, receipt, review totals, history, casebook generation) run
inside `system_write()`; nothing a client sends can enter that context.

`describe()` renders the policy as the README's table "who may read and write what".
"""

import re
from dataclasses import dataclass, field

import frappe
from frappe import _
from frappe.utils import cint, cstr, flt, get_datetime, getdate

from case_selection.access.actors import actor, lead_role, lead_roles
from case_selection.access.permissions import may_read
from case_selection.access.sealing import real_state
from case_selection.access.system_write import in_system_write
from case_selection.checks.words import either
from case_selection.constants import PUBLISHED, ROW_RULE_DOCTYPES
from case_selection.workflow import list_moves, states
from case_selection.workflow.definition import LIST, flow_of, initial_state


class WritePolicyError(frappe.PermissionError):
	"""A change the write policy does not allow (HTTP 403)."""


# Who ------------------------------------------------------------------------------------------------------

WHO = {
	"applicant": "申报单位（本单位）",
	"lead": "本区县牵头部门",
	"city_manager": "市级管理部门",
	"expert": "评审专家（本人）",
	"admin": "系统管理员",
}


@dataclass(frozen=True)
class Rule:
	"""Allowed to any of `who`, when the document meets `when` (a condition of CONDITIONS)."""

	who: tuple[str, ...]
	when: str | None = None


# Kinds of field that are not a Rule:
FIXED = "fixed"  # set when the document is created, by whoever may create it; never changed afterwards
# The sealed 附件1 / 附件2 of a case or a list and its paper copies (signing/sealed_form.py, signing/paper.py):
# written by the sealing job and the city's intake only.
SEALED_FORM_FIELDS = (
	"sealed_form",
	"sealed_form_status",
	"sealed_form_note",
	"sealed_form_requested",
	"verification_code",
	"sealed_form_hash",
	"paper_copies_received",
)
DERIVED = "derived"  # computed by the server on every save; a client's value is replaced
WORKFLOW = "workflow"  # moved only by a Workflow transition (Frappe checks the role and the condition)
SYSTEM = Rule(who=())  # written by the system only


@dataclass(frozen=True)
class Table:
	"""A child table: `rows` governs adding, removing and reordering rows; `columns` the cells (a column
	not listed follows `rows`)."""

	rows: Rule
	columns: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DocPolicy:
	create: Rule
	delete: Rule
	default: Rule | str  # every field not in `fields`
	fields: dict = field(default_factory=dict)
	attach: Rule = SYSTEM  # adding or removing files attached to the document
	# Frappe's Data Import, one more door: who may create or change these documents through it (None: whoever
	# may create them). Every imported row is then held to the same rules as any other save.
	imports: Rule | None = None


# Conditions -------------------------------------------------------------------------------------------------


def _case_state(ctx) -> str | None:
	"""The stored state of the case a review or objection belongs to."""

	return real_state(ctx.facts.get("application"))


def _app_state(ctx) -> str | None:
	return ctx.facts.get("workflow_state") or initial_state()


CONDITIONS = {
	"applicant_editable": (
		lambda ctx: states.has(_app_state(ctx), "applicant_editable"),
		lambda: _("申报书处于可修改状态（{0}）时").format(_state_labels("applicant_editable")),
	),
	"city_stage": (
		lambda ctx: states.has(_app_state(ctx), "city_visible") and not states.final_result(_app_state(ctx)),
		lambda: _("案例已报送市级、尚未作出入选决定时"),
	),
	"draft": (
		lambda ctx: _app_state(ctx) == initial_state(),
		lambda: _("申报书仍为草稿（从未提交）时"),
	),
	"list_editable": (
		lambda ctx: list_moves.means(_list_state(ctx), "district_editable"),
		lambda: _("名单处于区县可修改的状态（{0}）时").format(_list_state_labels("district_editable")),
	),
	"list_draft": (
		lambda ctx: list_moves.means(_list_state(ctx), "deletable"),
		lambda: _("名单处于可删除的状态（{0}）时").format(_list_state_labels("deletable")),
	),
	"review_open": (
		lambda ctx: states.has(_case_state(ctx), "review_open"),
		lambda: _("案例处于专家评审阶段（{0}）时").format(_state_labels("review_open")),
	),
	"review_unscored": (
		lambda ctx: ctx.facts.get("status") != "Scored",
		lambda: _("专家尚未评分时"),
	),
	"public_notice": (
		lambda ctx: states.has(_case_state(ctx), "public_notice"),
		lambda: _("案例处于公示期（{0}）时").format(_state_labels("public_notice")),
	),
	"not_publishing": (
		lambda ctx: PUBLISHED not in (ctx.doc.get("status"), ctx.before and ctx.before.get("status")),
		lambda: _("轮次未发布时（“已发布”只能由“发布结果”设置）"),
	),
	"round_not_reviewed": (
		lambda ctx: (
			ctx.doc.is_new()
			or not frappe.db.sql(
				"""select 1 from `tabCase Review` r join `tabCase Application` a on a.name = r.application
			where a.round = %s limit 1""",
				ctx.doc.name,
			)
		),
		lambda: _("本轮尚未开始专家评审时"),
	),
}


def _state_labels(flag: str) -> str:
	return "、".join(states.label(s) for s in states.where(flag)) or _("无")


def _list_state(ctx) -> str | None:
	return ctx.facts.get("status") or initial_state(LIST)


def _list_state_labels(flag: str) -> str:
	return "、".join(states.label(s, LIST) for s in states.where(flag, LIST)) or _("无")


# The policy ---------------------------------------------------------------------------------------------

APPLICANT_TEXT = Rule(("applicant", "lead", "admin"), "applicant_editable")
CITY_ENTRY = Rule(("city_manager", "admin"), "city_stage")
LIST_EDIT = Rule(("lead", "admin"), "list_editable")
EXPERT_OWN = Rule(("expert",), "review_open")
OBJECTION_EDIT = Rule(("city_manager", "admin"), "public_notice")
CITY_CONFIG = Rule(("city_manager", "admin"))
ADMIN_ONLY = Rule(("admin",))
OWNED = {"owner": FIXED}

POLICY: dict[str, DocPolicy] = {
	"Case Application": DocPolicy(
		create=Rule(("applicant", "lead", "admin")),
		delete=Rule(("applicant", "lead", "admin"), "draft"),
		default=APPLICANT_TEXT,
		attach=APPLICANT_TEXT,
		# Paper forms handed in to the district are entered by its lead department; an applicant fills its own.
		imports=Rule(("lead", "admin")),
		fields={
			**OWNED,
			"round": FIXED,
			"district": FIXED,
			"workflow_state": WORKFLOW,
			"at_city": DERIVED,
			"domain": DERIVED,
			"is_other_mode": DERIVED,
			"cosign_status": SYSTEM,
			"recommendation_list": SYSTEM,
			# The sealed 附件1 (signing/sealed_form.py): made by the sealing job only.
			**dict.fromkeys(SEALED_FORM_FIELDS, SYSTEM),
			"city_remark": CITY_ENTRY,
		},
	),
	# The city's record of a case (access/sealing.py): the formal check is entered by the city; the rest is the system's.
	"Case Evaluation": DocPolicy(
		create=SYSTEM,
		delete=SYSTEM,
		default=SYSTEM,
		fields={"formal_check": CITY_ENTRY, "formal_check_remark": CITY_ENTRY},
	),
	"District Recommendation List": DocPolicy(
		create=Rule(("lead", "admin")),
		delete=Rule(("lead", "admin"), "list_draft"),
		default=LIST_EDIT,
		attach=LIST_EDIT,
		fields={
			**OWNED,
			"round": FIXED,
			"district": FIXED,
			"status": WORKFLOW,
			**dict.fromkeys(
				(
					"cosign_status",
					"signed_departments",
					"submitted_at",
					"submitted_by",
					"received_at",
					"city_remark",
				),
				SYSTEM,
			),
			# the facts the Workflow's conditions read, recomputed by the list on every save
			**dict.fromkeys(("within_deadline", "within_quota"), DERIVED),
			# The sealed 附件2 (signing/sealed_form.py): made by the sealing job only.
			**dict.fromkeys(SEALED_FORM_FIELDS, SYSTEM),
			"items": Table(
				rows=LIST_EDIT,
				columns={
					"application": LIST_EDIT,
					"remarks": LIST_EDIT,
					"paper_copies": DERIVED,  # the case's count from the city's intake (signing/paper.py)
					**dict.fromkeys(
						(
							"rank",
							"case_title",
							"unit_name",
							"unit_type",
							"direction",
							"contact_person",
							"contact_phone",
						),
						DERIVED,
					),
				},
			),
		},
	),
	"Case Cosign Opinion": DocPolicy(create=SYSTEM, delete=SYSTEM, default=SYSTEM),
	"Case Action Log": DocPolicy(create=SYSTEM, delete=SYSTEM, default=SYSTEM),
	"Case Review": DocPolicy(
		create=Rule(("city_manager", "admin"), "review_open"),
		delete=Rule(("city_manager", "admin"), "review_unscored"),
		default=SYSTEM,
		fields={
			**OWNED,
			"application": FIXED,
			"expert": FIXED,
			"case_title": DERIVED,
			"no_conflict_declared": EXPERT_OWN,
			"recused": EXPERT_OWN,
			"recusal_reason": EXPERT_OWN,
			"blind": DERIVED,
			"case_content": DERIVED,
			"comments": EXPERT_OWN,
			"scores": Table(rows=SYSTEM, columns={"score": EXPERT_OWN}),
		},
	),
	"Case Objection": DocPolicy(
		create=OBJECTION_EDIT,
		delete=SYSTEM,
		default=OBJECTION_EDIT,
		attach=OBJECTION_EDIT,
		fields={**OWNED, "application": FIXED, "case_title": DERIVED},
	),
	"Case Collection": DocPolicy(
		create=CITY_CONFIG,
		delete=CITY_CONFIG,
		default=CITY_CONFIG,
		fields={
			**OWNED,
			"round": FIXED,
			**dict.fromkeys(("status", "generated_on", "page_count", "generated_file", "error"), SYSTEM),
			"cases": Table(
				rows=CITY_CONFIG,
				columns={
					"application": CITY_CONFIG,
					"start_page": SYSTEM,
					**dict.fromkeys(("case_title", "unit_name", "district", "direction"), DERIVED),
				},
			),
		},
	),
	"Selection Round": DocPolicy(
		create=CITY_CONFIG,
		delete=ADMIN_ONLY,
		default=CITY_CONFIG,
		fields={
			**OWNED,
			"year": FIXED,
			"status": Rule(("city_manager", "admin"), "not_publishing"),
			"published_on": SYSTEM,
			"results_notified_on": SYSTEM,
			"results_notified": SYSTEM,
			"review_criteria": Rule(("city_manager", "admin"), "round_not_reviewed"),
		},
	),
	"Case District": DocPolicy(create=CITY_CONFIG, delete=ADMIN_ONLY, default=CITY_CONFIG, fields=OWNED),
	"Selection Direction": DocPolicy(
		create=CITY_CONFIG, delete=ADMIN_ONLY, default=CITY_CONFIG, fields=OWNED
	),
	"Selection Domain": DocPolicy(create=CITY_CONFIG, delete=ADMIN_ONLY, default=CITY_CONFIG, fields=OWNED),
	"Case Selection Settings": DocPolicy(create=ADMIN_ONLY, delete=SYSTEM, default=ADMIN_ONLY),
	"Case Export Job": DocPolicy(create=SYSTEM, delete=ADMIN_ONLY, default=SYSTEM, fields=OWNED),
	"District Deadline": DocPolicy(create=SYSTEM, delete=SYSTEM, default=SYSTEM),
	# Seal certificates (signing/certificates.py): issued, imported and revoked by the app's methods only.
	"Seal Certificate": DocPolicy(create=SYSTEM, delete=SYSTEM, default=SYSTEM),
	# Text fingerprints and the pairs they find (review/copies.py): written by the similarity job only.
	"Case Fingerprint": DocPolicy(create=SYSTEM, delete=SYSTEM, default=SYSTEM),
	"Case Similarity": DocPolicy(create=SYSTEM, delete=SYSTEM, default=SYSTEM),
	"Paper Copy": DocPolicy(create=SYSTEM, delete=SYSTEM, default=SYSTEM),  # signing/paper.py only
	# The city's expert library (review/service.py reads it to find conflicts and to assign).
	"Review Expert": DocPolicy(
		create=CITY_CONFIG,
		delete=CITY_CONFIG,
		default=CITY_CONFIG,
		fields={**OWNED, "user": FIXED, "full_name": DERIVED},
	),
}

# Fields Frappe maintains itself; a client's value for them is replaced by the stored one.
RESTORED = ("creation", "idx", "_user_tags", "_comments", "_assign", "_liked_by", "_seen")
LAYOUT = {"Section Break", "Column Break", "Tab Break", "HTML", "Button", "Heading", "Fold", "Image"}
DERIVED_TYPES = {"Read Only"}


# Enforcement ----------------------------------------------------------------------------------------------


class Context:
	"""A document being written, what is stored of it, and the user writing it."""

	def __init__(self, doc, before=None):
		self.doc = doc
		self.before = before
		# Who and when are judged on what is stored; a new document has only its own values.
		self.facts = before or doc
		self.actor = actor()

	def is_(self, who: str) -> bool:
		a, f = self.actor, self.facts
		if who == "admin":
			return a.admin
		if who == "applicant":
			return a.is_applicant and f.get("owner") == a.user
		if who == "lead":
			return a.is_lead(f.get("round"), f.get("district"))
		if who == "city_manager":
			return a.is_city_manager
		if who == "expert":
			return a.is_expert and f.get("expert") == a.user
		raise ValueError(who)

	def allows(self, rule: Rule) -> bool:
		if not any(self.is_(w) for w in rule.who):
			return False
		return not rule.when or CONDITIONS[rule.when][0](self)


def describe_rule(rule, action: str = "edit") -> str:
	"""Who may do `action` (edit, import, create, delete) under `rule`, as one whole clause to translate."""
	if rule == FIXED:
		return _("创建后不能修改")
	if rule == DERIVED:
		return _("由系统根据关联数据计算")
	if rule == WORKFLOW:
		return _("只能通过工作流操作改变")
	if not rule.who:
		return {
			"edit": _("由系统填写，不能直接修改"),
			"import": _("只由系统导入"),
			"create": _("只由系统新建"),
			"delete": _("只由系统删除"),
		}[action]
	who = either(_(WHO[w]) for w in rule.who)
	if rule.when:
		when = CONDITIONS[rule.when][1]()
		return {
			"edit": _("只能由{0}在{1}修改"),
			"import": _("只能由{0}在{1}导入"),
			"create": _("只能由{0}在{1}新建"),
			"delete": _("只能由{0}在{1}删除"),
		}[action].format(who, when)
	return {
		"edit": _("只能由{0}修改"),
		"import": _("只能由{0}导入"),
		"create": _("只能由{0}新建"),
		"delete": _("只能由{0}删除"),
	}[action].format(who)


def refuse(message: str):
	frappe.throw(message, WritePolicyError, title=_("不允许的修改"))


def _norm(df, value):
	ft = df.fieldtype
	if ft in ("Check", "Int"):
		return cint(value)
	if ft in ("Float", "Currency", "Percent", "Rating"):
		return round(flt(value), 6)
	if ft == "Date":
		return str(getdate(value)) if value else None
	if ft == "Datetime":
		return str(get_datetime(value)) if value else None
	return cstr(value) if value is not None else ""


def _default(df):
	"""A field's value in a new document, before anyone typed: its static default (dynamic ones like
	"Today" are the creator's to set)."""
	if df.fieldtype in ("Date", "Datetime", "Time") or cstr(df.default).startswith((":", "__")):
		return None
	return df.default


def _data_fields(meta):
	return [df for df in meta.fields if df.fieldtype not in LAYOUT]


def _rule_for(rules: dict, default, df):
	if df.fieldtype in DERIVED_TYPES:
		return DERIVED
	return rules.get(df.fieldname, default)


def _may(ctx, rule, creating: bool) -> bool:
	"""FIXED fields are set by whoever creates the document, and by nobody afterwards."""
	if rule == FIXED:
		return creating
	return ctx.allows(rule)


def enforce(doc, method=None):
	"""doc_events before_validate: refuse what the policy does not allow, before anything is written."""
	policy = POLICY.get(doc.doctype)
	if not policy or in_system_write():
		return
	before = None if doc.get("__islocal") else doc.get_doc_before_save()
	creating = before is None
	ctx = Context(doc, before)
	if creating:
		check_create(ctx, policy)
	elif is_import(doc) and not ctx.allows(import_rule(policy)):
		refuse(
			_("您不能通过导入修改「{0}」：{1}。").format(
				_(doc.doctype), describe_rule(import_rule(policy), "import")
			)
		)
	if not creating:
		for f in RESTORED:
			doc.set(f, before.get(f))
		if doc.get("owner") != before.get("owner"):
			refuse(_("「{0}」{1}。").format(_("创建人"), describe_rule(FIXED)))
	for df in _data_fields(doc.meta):
		rule = _rule_for(policy.fields, policy.default, df)
		if rule in (DERIVED, WORKFLOW):
			continue
		if df.fieldtype in frappe.model.table_fields:
			check_table(ctx, df, rule if isinstance(rule, Table) else Table(rows=rule), creating)
			continue
		value = doc.get(df.fieldname)
		new = _norm(df, value)
		old = _norm(df, _default(df) if creating else before.get(df.fieldname))
		if new == old and not (creating and rule == FIXED):
			continue
		if not _may(ctx, rule, creating):
			refuse(_("「{0}」{1}。").format(_(doc.meta.get_label(df.fieldname)), describe_rule(rule)))
		check_value(doc, df, value)
	if (
		not creating
		and doc.get(_state_field(doc)) == before.get(_state_field(doc))
		and not may_write_anything(ctx, policy)
	):
		# A save that changes nothing (any change was refused above, naming its field) still stamps the record
		# as modified by the caller: not by someone who may change nothing of it now.
		refuse(_("「{0}」{1} 在当前状态下您不能修改。").format(_(doc.doctype), doc.name))


def _state_field(doc) -> str:
	flow = flow_of(doc.doctype)
	return flow.state_field if flow else "workflow_state"


def may_write_anything(ctx, policy: DocPolicy) -> bool:
	"""Whether some rule of the policy lets this user change some part of the stored document now."""
	rules = [policy.default, *policy.fields.values()]
	for rule in list(rules):
		if isinstance(rule, Table):
			rules += [rule.rows, *rule.columns.values()]
	return any(isinstance(rule, Rule) and ctx.allows(rule) for rule in rules)


def is_import(doc) -> bool:
	"""Written by Frappe's Data Import (its importer marks every document it inserts or updates). A client
	cannot widen anything by faking the mark: the import rule is never wider than the create rule."""
	return (
		bool(frappe.flags.in_import) and (doc.flags.updater_reference or {}).get("doctype") == "Data Import"
	)


def import_rule(policy: DocPolicy) -> Rule:
	return policy.imports or policy.create


def enforce_create(doc):
	"""The creation check alone, for a controller to run before Frappe's own permission check (which would
	answer a generic "insufficient permission" where the user should read which field puts the document out
	of their reach)."""
	policy = POLICY.get(doc.doctype)
	if policy and not in_system_write():
		check_create(Context(doc), policy)


def check_create(ctx, policy: DocPolicy):
	importing = is_import(ctx.doc)
	rule, action = (import_rule(policy), "import") if importing else (policy.create, "create")
	if ctx.allows(rule):
		return
	blamed = _blame_scope(ctx, rule, action)
	if blamed:
		refuse(blamed)
	message = _("您不能导入「{0}」：{1}。") if importing else _("您不能新建「{0}」：{1}。")
	refuse(message.format(_(ctx.doc.doctype), describe_rule(rule, action)))


def _blame_scope(ctx, rule: Rule, action: str) -> str | None:
	"""When the user holds the role a rule names but the document lies outside their scope (another
	district, a round their department does not lead), the field that puts it there, in words."""
	a, doc = ctx.actor, ctx.doc
	if "lead" not in rule.who or not a.district_roles:
		return None
	meta = doc.meta
	for fieldname in ("district", "round"):
		if meta.get_field(fieldname) and not doc.get(fieldname):
			return _("「{0}」必须填写。").format(_(meta.get_label(fieldname)))
	if meta.get_field("district") and doc.district not in a.districts:
		message = (
			_("「{0}」：您只能为本区县（{1}）导入「{2}」，这里填的是「{3}」。")
			if action == "import"
			else _("「{0}」：您只能为本区县（{1}）新建「{2}」，这里填的是「{3}」。")
		)
		return message.format(
			_(meta.get_label("district")), "、".join(a.districts) or _("无"), _(doc.doctype), doc.district
		)
	if meta.get_field("round") and lead_role(doc.round) not in a.roles:
		message = (
			_("「{0}」：您的部门不是「{1}」的牵头部门，不能导入「{2}」。")
			if action == "import"
			else _("「{0}」：您的部门不是「{1}」的牵头部门，不能新建「{2}」。")
		)
		return message.format(_(meta.get_label("round")), doc.round, _(doc.doctype))
	return None


def may_import(doctype: str) -> bool:
	"""Whether the current user may use Data Import for this DocType at all (each row is judged again)."""
	policy = POLICY.get(doctype)
	if not policy:
		return True
	a = actor()
	could_be = {
		"admin": a.admin,
		"lead": bool(a.districts) and bool(a.roles & lead_roles()),
		"city_manager": a.is_city_manager,
		"applicant": a.is_applicant,
		"expert": a.is_expert,
	}
	return any(could_be[w] for w in import_rule(policy).who)


def check_table(ctx, df, table: Table, creating: bool):
	doc, before = ctx.doc, ctx.before
	label = _(doc.meta.get_label(df.fieldname))
	rows = doc.get(df.fieldname) or []
	old_rows = before.get(df.fieldname) or [] if before else []
	old_by_name = {r.name: r for r in old_rows}
	kept = [r.name for r in rows if r.name in old_by_name]
	same_rows = len(kept) == len(rows) == len(old_rows) and kept == [r.name for r in old_rows]
	if not same_rows and not _may(ctx, table.rows, creating):
		refuse(_("「{0}」不能增删或调整行：{1}。").format(label, describe_rule(table.rows)))
	child_meta = frappe.get_meta(df.options)
	for i, row in enumerate(rows, start=1):
		old = old_by_name.get(row.name)
		for cdf in _data_fields(child_meta):
			rule = _rule_for(table.columns, table.rows, cdf)
			if rule in (DERIVED, WORKFLOW):
				continue
			value = row.get(cdf.fieldname)
			new = _norm(cdf, value)
			if old is None:
				# A new row is allowed by the rows rule; its other columns must keep their defaults.
				if rule is table.rows or rule == FIXED or new == _norm(cdf, _default(cdf)):
					check_value(doc, cdf, value, (label, i))
					continue
			elif new == _norm(cdf, old.get(cdf.fieldname)):
				continue
			if not _may(ctx, rule, creating=False):
				refuse(
					_("「{0}」第 {1} 行的「{2}」{3}。").format(
						label, i, _(child_meta.get_label(cdf.fieldname)), describe_rule(rule)
					)
				)
			check_value(doc, cdf, value, (label, i))


# Values: links and attachments ----------------------------------------------------------------------------

FILE_URL = re.compile(r"^(?!.*\.\.)/(private/)?files/[^\s<>\"'`\\?#]+(\?fid=[A-Za-z0-9]+)?$")


def check_value(doc, df, value, row: tuple[str, int] | None = None):
	"""A value the policy lets the user write must still be one they may use: a link to a document they may
	read, an attachment uploaded for this document."""
	if not value:
		return
	label = _("「{0}」").format(_(df.label or df.fieldname))
	if row:
		label = _("「{0}」第 {1} 行的{2}").format(row[0], row[1], label)
	if df.fieldtype == "Link" and df.options in ROW_RULE_DOCTYPES and not may_read(df.options, value):
		refuse(_("{0}：找不到「{1}」或您无权查看。").format(label, value))
	if df.fieldtype in ("Attach", "Attach Image"):
		check_attachment(doc, label, value)


def check_attachment(doc, label: str, value: str):
	if not isinstance(value, str) or not FILE_URL.match(value):
		frappe.throw(
			_("{0}只能是本系统上传的文件（收到「{1}」）。").format(label, cstr(value)[:100]),
			WritePolicyError,
			title=_("附件无效"),
		)
	url = value.split("?", 1)[0]
	files = frappe.get_all(
		"File",
		filters={"file_url": url},
		fields=["owner", "is_private", "attached_to_doctype", "attached_to_name"],
	)
	user = frappe.session.user
	for f in files:
		if not cint(f.is_private) and url.startswith("/files/"):
			return
		if f.attached_to_doctype == doc.doctype and f.attached_to_name == doc.name and doc.name:
			return
		if not f.attached_to_doctype and f.owner == user:
			return
	frappe.throw(
		_("{0}只能使用为本单据上传的文件或公开文件。").format(label), WritePolicyError, title=_("附件无效")
	)


# Deletion and files ---------------------------------------------------------------------------------------


def enforce_delete(doc, method=None):
	policy = POLICY.get(doc.doctype)
	if not policy or in_system_write():
		return
	# frappe.delete_doc hands us the stored document.
	if not Context(doc, doc).allows(policy.delete):
		frappe.throw(
			_("不能删除「{0}」{1}：{2}。").format(
				_(doc.doctype), doc.name, describe_rule(policy.delete, "delete")
			),
			WritePolicyError,
			title=_("不允许的操作"),
		)


def may_attach(doctype: str, name: str) -> bool:
	"""Whether the current user may add or remove files attached to this document."""
	policy = POLICY.get(doctype)
	if not policy or in_system_write():
		return True
	if not name or not frappe.db.exists(doctype, name):
		return False
	doc = frappe.get_doc(doctype, name)
	return Context(doc, doc).allows(policy.attach)


# The README's table ---------------------------------------------------------------------------------------


def describe() -> str:
	"""Markdown: for every DocType, who may create, delete, and write each kind of field (in Chinese)."""
	previous = frappe.local.lang
	frappe.local.lang = "zh"
	try:
		return _describe()
	finally:
		frappe.local.lang = previous


def _describe() -> str:
	lines = [
		"| DocType | 新建 | 删除 | 导入（Data Import） | 字段 | 谁可以写、何时 |",
		"| --- | --- | --- | --- | --- | --- |",
	]
	for doctype, policy in POLICY.items():
		meta = frappe.get_meta(doctype)
		groups: dict[str, list[str]] = {}
		listed = set(policy.fields)
		for fieldname, rule in policy.fields.items():
			if isinstance(rule, Table):
				groups.setdefault(describe_rule(rule.rows), []).append(
					_("{0}（增删行）").format(_label(meta, fieldname))
				)
				for col, col_rule in rule.columns.items():
					child = frappe.get_meta(meta.get_field(fieldname).options)
					groups.setdefault(describe_rule(col_rule), []).append(
						f"{_label(meta, fieldname)}·{_label(child, col)}"
					)
			else:
				groups.setdefault(describe_rule(rule), []).append(_label(meta, fieldname))
		others = [df for df in _data_fields(meta) if df.fieldname not in listed]
		if others:
			groups.setdefault(describe_rule(policy.default), []).insert(0, _("其余字段"))
		importing = describe_rule(import_rule(policy), "import") if meta.allow_import else _("不开放导入")
		first = True
		for text, fields in groups.items():
			lines.append(
				"| {} | {} | {} | {} | {} | {} |".format(
					f"{doctype}（{_(doctype)}）" if first else "",
					describe_rule(policy.create, "create") if first else "",
					describe_rule(policy.delete, "delete") if first else "",
					importing if first else "",
					"、".join(fields),
					text,
				)
			)
			first = False
	return "\n".join(lines)


def _label(meta, fieldname: str) -> str:
	if fieldname == "owner":
		return _("创建人")
	return _(meta.get_label(fieldname))
