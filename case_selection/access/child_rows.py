"""The controller base of every child table of the app: a row is judged by the document it belongs to.

Frappe checks a child row loaded on its own (GET /api/resource/<child>/<row>, frappe.client.get with a
`parent` argument, PUT and DELETE on a row) against the parent *DocType* only: its has_child_permission passes
`parent_doc`, which is empty for a row loaded alone, so any user who may read some case could read any case's
rows by name. Here the stored parent document is checked instead, with its own row-level rules.
"""

import frappe
from frappe.model.document import Document


class ChildRow(Document):
	def has_permission(self, permtype="read", *, debug=False, user=None) -> bool:
		if self.flags.ignore_permissions:
			return True
		parent = self.parent_doc
		if parent is None:
			if not (self.parenttype and self.parent and frappe.db.exists(self.parenttype, self.parent)):
				return False
			parent = frappe.get_doc(self.parenttype, self.parent)
		return frappe.has_permission(self.parenttype, permtype, parent, user=user, debug=debug)
