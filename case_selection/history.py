"""签核历程: one Case Action Log row per action, whoever takes it and through whichever door."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from case_selection.setup.roles import ROLES

# The language of the official outputs and of the history they print, whatever the reader's own.
OUTPUT_LANG = "zh"


def acting_role(user: str | None = None) -> str:
	roles = frappe.get_roles(user or frappe.session.user)
	return next((ROLES[r] for r in ROLES if r in roles), "系统管理员" if "System Manager" in roles else "")


def log_action(
	doc, action: str, from_state: str | None = None, to_state: str | None = None, remark: str = ""
):
	user = frappe.session.user
	frappe.get_doc(
		{
			"doctype": "Case Action Log",
			"reference_doctype": doc.doctype,
			"reference_name": doc.name,
			"district": doc.get("district"),
			"action": action,
			"from_state": from_state,
			"to_state": to_state,
			"actor": user,
			"actor_name": frappe.utils.get_fullname(user),
			"actor_role": acting_role(user),
			"action_time": now_datetime(),
			"remark": remark or "",
		}
	).insert(ignore_permissions=True)  # a log row is written by the system on the actor's behalf


def history(doctype: str, name: str) -> list[dict]:
	return frappe.get_all(
		"Case Action Log",
		filters={"reference_doctype": doctype, "reference_name": name},
		fields=[
			"action",
			"from_state",
			"to_state",
			"actor",
			"actor_name",
			"actor_role",
			"action_time",
			"remark",
		],
		order_by="action_time asc, creation asc",
	)


# History rows keep what happened as it was logged: Workflow action and state names, and the role's label of
# the day. They are turned into words when shown, from the translations (the app's zh.csv and any
# Translation record an admin adds in Desk), so a renamed action, state or role shows up everywhere at once.
ROLE_NAMES = {**{label: role for role, label in ROLES.items()}, "系统管理员": "System Manager"}


def label(text: str | None, context: str | None = None, lang: str = OUTPUT_LANG) -> str:
	"""A Workflow action, state or role name in words; text with no translation is shown as it is."""
	return _(text, lang=lang, context=context) if text else ""


def role_label(stored: str | None, lang: str = OUTPUT_LANG) -> str:
	return label(ROLE_NAMES.get(stored, stored), lang=lang)


def display_row(row: dict, doctype: str | None = None, lang: str = OUTPUT_LANG) -> dict:
	"""One history row with its action, states and role in words (`doctype` gives translations a context)."""
	context = doctype or row.get("reference_doctype")
	return {
		**row,
		"action": label(row.get("action"), context, lang),
		"from_state": label(row.get("from_state"), context, lang),
		"to_state": label(row.get("to_state"), context, lang),
		"actor_role": role_label(row.get("actor_role"), lang),
	}
