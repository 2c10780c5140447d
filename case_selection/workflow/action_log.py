"""签核历程: one Case Action Log row per action, whoever takes it and through whichever door."""

import json

import frappe
from frappe import _
from frappe.utils import now_datetime

from case_selection.access import actors, sealing
from case_selection.access.system_write import insert_row
from case_selection.checks.text_rules import check_value
from case_selection.constants import APPLICATION, EVALUATION
from case_selection.setup.roles import ROLES
from case_selection.workflow import states

# The language of the official outputs and of the history they print, whatever the reader's own.
OUTPUT_LANG = "zh"


def acting_role(user: str | None = None) -> str:
	"""The capacity in which the user acts, as 签核历程 stores it: the name of their case role (shown in words
	by display_row, like the Workflow's action and state names; nothing is translated while logging)."""

	a = actors.actor(user)
	case_roles = [
		*sorted(a.district_roles),
		*sorted(a.roles & actors.city_roles().all),
		*[r for r in (actors.expert_role(), actors.applicant_role()) if r in a.roles],
	]
	if case_roles:
		return case_roles[0]
	return "System Manager" if a.admin else ""


def log_action(
	doc,
	action: str,
	from_state: str | None = None,
	to_state: str | None = None,
	remark: str = "",
	args: tuple = (),
):
	"""`action` is a key (a Workflow action, or an app key such as "Co-signed by {0}: {1}"), `args` the values of
	its placeholders: both stored as they are and put into words when shown (display_row)."""
	user = frappe.session.user
	if remark:  # (an empty remark is nothing to check: not even the label's translation is loaded)
		check_value(_("「意见/备注」"), remark)
	# A step naming a sealed state is logged against the city-only Case Evaluation until publication (access/sealing.py).
	reference = sealing.history_doctype(doc, from_state, to_state)
	doc_ = frappe.get_doc(
		{
			"doctype": "Case Action Log",
			"reference_doctype": reference,
			"reference_name": doc.name,
			"district": doc.get("district"),
			"action": action,
			"action_args": json.dumps(list(args), ensure_ascii=False) if args else None,
			"from_state": from_state,
			"to_state": to_state,
			"actor": user,
			"actor_name": frappe.utils.get_fullname(user),
			"actor_role": acting_role(user),
			"action_time": now_datetime(),
			"remark": remark or "",
			"round": doc.get("round"),
			"sealed": int(reference != doc.doctype),
		}
	)
	# The ledger's rows are written by the system alone (the write policy refuses them to every door), every value
	# given above: Frappe's save has nothing to add (defaults, validation, hooks), and a signature that moves a
	# case writes two of them, so the row is inserted as it is.
	insert_row(doc_)


def visible_history(doctype: str, name: str) -> list[dict]:
	"""The history the current user may see: the city's sealed steps are stored against the case's evaluation,
	which only those who see the city stage read."""
	if doctype == APPLICATION and sealing.sees_city_stage():
		return history((doctype, EVALUATION), name)
	return history(doctype, name)


def history(doctype: str | tuple, name: str) -> list[dict]:
	return frappe.get_all(
		"Case Action Log",
		filters={
			"reference_doctype": ("in", doctype) if isinstance(doctype, tuple) else doctype,
			"reference_name": name,
		},
		fields=[
			"action",
			"action_args",
			"from_state",
			"to_state",
			"actor",
			"actor_name",
			"actor_role",
			"action_time",
			"remark",
			"round",
			"sealed",
		],
		order_by="action_time asc, creation asc",
	)


# History rows keep what happened as it was logged: Workflow action and state names, and the role's name (rows
# logged before 2026-11-28 hold the role's label of the day, read back by ROLE_NAMES). They are turned into words
# when shown, from the translations (the app's zh.csv and any Translation record an admin adds in Desk), so a
# renamed action, state or role shows up everywhere at once.
ROLE_NAMES = {**{label: role for role, label in ROLES.items()}, "系统管理员": "System Manager"}


def label(text: str | None, context: str | None = None, lang: str = OUTPUT_LANG) -> str:
	"""A Workflow action, state or role name in words; text with no translation is shown as it is."""
	return _(text, lang=lang, context=context) if text else ""


def role_label(stored: str | None, lang: str = OUTPUT_LANG) -> str:
	return label(ROLE_NAMES.get(stored, stored), lang=lang)


def state_label(state: str | None, context: str | None = None, lang: str = OUTPUT_LANG) -> str:
	"""A case's state in words: a name the admin gave it in Case Selection Settings (状态分类 → 中文名称),
	else its translation (zh.csv, or a Translation record an admin added)."""

	if context == "Case Application" and state:
		renamed = states.renamed_label(state)
		if renamed:
			return renamed
	return label(state, context, lang)


def action_label(row: dict, context: str | None = None, lang: str = OUTPUT_LANG) -> str:
	"""The action in words: its key translated as a whole, with the stored values put into its placeholders."""
	text = label(row.get("action"), context, lang)
	args = json.loads(row.get("action_args") or "[]")
	return text.format(*(label(a, context, lang) for a in args)) if args else text


def display_row(row: dict, doctype: str | None = None, lang: str = OUTPUT_LANG) -> dict:
	"""One history row with its action, states and role in words (`doctype` gives translations a context)."""
	context = doctype or row.get("reference_doctype")
	return {
		**row,
		"action": action_label(row, context, lang),
		"from_state": state_label(row.get("from_state"), context, lang),
		"to_state": state_label(row.get("to_state"), context, lang),
		"actor_role": role_label(row.get("actor_role"), lang),
	}
