"""The document a method was asked about, loaded with the caller's permission checked (a typed refusal
otherwise), and the city manager's check the city's methods share.
"""

import frappe
from frappe import _

from case_selection.access.actors import actor

NAME_MAX = 140  # the length of every name column


def load(doctype, name, ptype: str = "read", doctypes=None):
	"""The document a method was asked about, or a typed refusal: 417 for an argument of the wrong kind, 404
	for a DocType the method does not serve or a record that does not exist, 403 without permission."""
	if not isinstance(doctype, str) or not isinstance(name, str) or not name or len(name) > NAME_MAX:
		frappe.throw(
			_("「单据类型」和「编号」须为不超过 {0} 个字符的文字。").format(NAME_MAX), frappe.ValidationError
		)
	if doctypes is not None and doctype not in doctypes:
		raise frappe.DoesNotExistError(_("这里不处理「{0}」。").format(doctype[:NAME_MAX]))
	if not frappe.db.exists(doctype, name):
		raise frappe.DoesNotExistError(_("「{0}」{1} 不存在。").format(_(doctype), name))
	doc = frappe.get_doc(doctype, name)
	doc.check_permission(ptype)
	return doc


def require_city_manager():
	a = actor()
	if not a.manages_city:
		frappe.throw(_("只有市级管理部门可以执行此操作。"), frappe.PermissionError)
