"""A role that enters the data gets what Frappe needs to let it work (SPEC §4 "Low-code").

When a round names a new co-signing department's role, or Case Selection Settings names a new city role,
Frappe still asks role-level permissions before any of the app's own rules: without them the new role could
not even open a case of its district. So the role is given, once, what the shipped role of the same kind has:
- the DocType permissions of that role on the app's DocTypes (Frappe's Custom DocPerm, as the Role
  Permissions Manager would add them);
- the reports that role may run (Frappe's Custom Role);
- for a round's lead department, the Workflow rows of the shipped lead (entering paper forms, returning a case
  for revision, and the states it may edit), in the case's Workflow and the district list's.
Nothing is taken away and nothing an admin set for the role is changed: a role that already has a permission on
a DocType is left as it is.
"""

import frappe
from frappe.permissions import setup_custom_perms

from case_selection.access import actors
from case_selection.setup.roles import ADMIN_ROLE, DEFAULT_CITY_ROLES, DEFAULT_LEAD_ROLE, DEFAULT_MEMBER_ROLE
from case_selection.workflow.definition import FLOWS

MODULE = "Case Selection"
REPORTS = ("Case Action History",)
PTYPES = ("read", "write", "create", "delete", "submit", "cancel", "amend", "print", "email", "report")
PTYPES += ("import", "export", "share", "select")
# Roles no data entry may turn into a department or a city role.
RESERVED = {ADMIN_ROLE, "Administrator", "Guest", "All", "Desk User"}


def template_for(kind: str) -> str:
	return {
		"lead": DEFAULT_LEAD_ROLE,
		"member": DEFAULT_MEMBER_ROLE,
		"city_manager": next(r["role"] for r in DEFAULT_CITY_ROLES if r["can_manage"]),
		"city_reader": next(r["role"] for r in DEFAULT_CITY_ROLES if not r["can_manage"]),
	}[kind]


def grant_like(role: str, kind: str) -> bool:
	"""Give `role` what the shipped role of this kind has; returns whether anything was added."""
	template = template_for(kind)
	if not role or role == template or role in RESERVED or not frappe.db.exists("Role", role):
		return False
	added = grant_doctype_permissions(role, template)
	added |= grant_reports(role, template)
	if kind == "lead":
		added |= grant_workflow_rows(role, template)
	return added


def _perms_of(doctype: str, role: str) -> list[dict]:
	table = "Custom DocPerm" if frappe.db.exists("Custom DocPerm", {"parent": doctype}) else "DocPerm"
	return frappe.get_all(table, filters={"parent": doctype, "role": role, "permlevel": 0}, fields=["*"])


def grant_doctype_permissions(role: str, template: str) -> bool:
	"""The template role's rights on each DocType of the app, added to the role's (never removed)."""
	added = False
	for doctype in frappe.get_all("DocType", filters={"module": MODULE, "istable": 0}, pluck="name"):
		wanted = {p for row in _perms_of(doctype, template) for p in PTYPES if row.get(p)}
		have = {p for row in _perms_of(doctype, role) for p in PTYPES if row.get(p)}
		if not wanted - have:
			continue
		setup_custom_perms(doctype)
		name = frappe.db.get_value(
			"Custom DocPerm", {"parent": doctype, "role": role, "permlevel": 0, "if_owner": 0}, "name"
		)
		doc = (
			frappe.get_doc("Custom DocPerm", name)
			if name
			else frappe.get_doc(
				{
					"doctype": "Custom DocPerm",
					"parent": doctype,
					"parenttype": "DocType",
					"parentfield": "permissions",
					"role": role,
					"permlevel": 0,
				}
			)
		)
		doc.update(dict.fromkeys(wanted, 1))
		doc.save(ignore_permissions=True)
		frappe.clear_cache(doctype=doctype)
		added = True
	return added


def grant_reports(role: str, template: str) -> bool:
	added = False
	for report in REPORTS:
		if not frappe.db.exists("Report", report):
			continue
		custom = frappe.db.get_value("Custom Role", {"report": report}, "name")
		doc = frappe.get_doc("Custom Role", custom) if custom else None
		roles = (
			[r.role for r in doc.roles] if doc else [r.role for r in frappe.get_doc("Report", report).roles]
		)
		if template not in roles or role in roles:
			continue
		if not doc:
			doc = frappe.get_doc({"doctype": "Custom Role", "report": report, "ref_doctype": None})
			doc.set("roles", [{"role": r} for r in roles])
		doc.append("roles", {"role": role})
		doc.save(ignore_permissions=True)
		added = True
	return added


def grant_workflow_rows(role: str, template: str) -> bool:
	"""The template role's transitions and editable states, for `role`, in each of the app's Workflows (the
	case's and the district list's)."""
	added = False
	for flow in FLOWS:
		added = _grant_rows(flow.name, role, template) or added
	return added


def _grant_rows(workflow_name: str, role: str, template: str) -> bool:
	if not frappe.db.exists("Workflow", workflow_name):
		return False
	workflow = frappe.get_doc("Workflow", workflow_name)
	have_t = {(t.state, t.action) for t in workflow.transitions if t.allowed == role}
	have_s = {s.state for s in workflow.states if s.allow_edit == role}
	added = False
	for t in [t for t in workflow.transitions if t.allowed == template]:
		if (t.state, t.action) not in have_t:
			workflow.append(
				"transitions",
				{
					"state": t.state,
					"action": t.action,
					"next_state": t.next_state,
					"allowed": role,
					"allow_self_approval": t.allow_self_approval,
					"condition": t.condition,
				},
			)
			added = True
	for s in [s for s in workflow.states if s.allow_edit == template]:
		if s.state not in have_s:
			workflow.append(
				"states",
				{
					"state": s.state,
					"doc_status": s.doc_status,
					"allow_edit": role,
					"update_field": s.update_field,
					"update_value": s.update_value,
					"is_optional_state": s.is_optional_state,
				},
			)
			added = True
	if added:
		workflow.save(ignore_permissions=True)
	return added


def grant_round_roles(round_doc, method=None):
	"""Selection Round on_update: every co-signing department's role can work, the lead as a lead."""
	for d in round_doc.cosign_departments:
		grant_like(d.role, "lead" if d.is_lead else "member")


def grant_settings_roles(settings, method=None):
	"""Case Selection Settings on_update: every city role can work."""
	for r in settings.city_roles:
		grant_like(r.role, "city_manager" if r.can_manage else "city_reader")


def reserved_roles() -> set[str]:
	"""Roles a round may not name as a co-signing department: they act for the whole city, or are not a
	department at all."""

	return RESERVED | {actors.applicant_role(), actors.expert_role()} | set(actors.city_roles().all)


def remove_all():
	"""Uninstall: the permissions and report roles granted here go with the app's DocTypes (Frappe keeps a
	DocType's Custom DocPerm rows when the DocType is deleted, and a reinstall would then read them)."""
	doctypes = frappe.get_all("DocType", filters={"module": MODULE}, pluck="name")
	if doctypes:
		frappe.db.delete("Custom DocPerm", {"parent": ("in", doctypes)})
	for report in REPORTS:
		for name in frappe.get_all("Custom Role", filters={"report": report}, pluck="name"):
			frappe.delete_doc("Custom Role", name, force=True, ignore_permissions=True)
