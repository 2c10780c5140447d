"""签核历程: one Case Action Log row per action, whoever takes it and through whichever door."""

import frappe
from frappe.utils import now_datetime

from case_selection import sealing


def acting_role(user: str | None = None) -> str:
	"""The capacity in which the user acts, as 签核历程 shows it (the Chinese name of their case role)."""
	from frappe import _

	from case_selection import actors

	a = actors.actor(user)
	case_roles = [
		*sorted(a.district_roles),
		*sorted(a.roles & actors.city_roles().all),
		*[r for r in (actors.expert_role(), actors.applicant_role()) if r in a.roles],
	]
	if case_roles:
		return _(case_roles[0])
	return _("系统管理员") if a.admin else ""


def log_action(
	doc, action: str, from_state: str | None = None, to_state: str | None = None, remark: str = ""
):
	from case_selection.write_policy import system_write

	user = frappe.session.user
	doc_ = frappe.get_doc(
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
			"round": doc.get("round"),
			"sealed": int(doc.doctype == "Case Application" and sealing.is_sealed_step(from_state, to_state)),
		}
	)
	with system_write():  # a log row is written by the system on the actor's behalf
		doc_.insert(ignore_permissions=True)


def visible_history(doctype: str, name: str) -> list[dict]:
	"""The history the current user may see: a sealed step (the city's decisions) only once its round is
	published, unless the user sees the city stage."""
	rows = history(doctype, name)
	if doctype != "Case Application" or sealing.sees_city_stage():
		return rows
	published = sealing.published_rounds()
	return [r for r in rows if not r.sealed or r.round in published]


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
			"round",
			"sealed",
		],
		order_by="action_time asc, creation asc",
	)
