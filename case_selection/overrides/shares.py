"""Frappe's `frappe.share.get_shared` as one plain query.

Every list, report view, count and group-by count a user without "all rows" rights sends asks which documents of
the DocType are shared with them (DatabaseQuery.build_match_conditions → get_shared), and so does each permission
check of a document the user's roles do not reach. Frappe answers through frappe.get_all on DocShare: a second
DatabaseQuery inside the first, its filters read through sqlparse, the DocShare meta loaded: in a district
officer's first page of cases about a quarter of the request's time (the answer is almost always "none").

Here the same question is one statement on DocShare's indexed columns, with the same answer: the names shared
with the user or with everyone (not with everyone for Guest) for all of the rights asked, at most `limit` of
them. A call with extra filters, or rights that are not DocShare's columns, goes to Frappe's own. `install()`
(hooks.before_request and hooks.before_job) puts it in place of Frappe's in frappe.share, where every caller looks
it up; console and `bench execute` keep Frappe's own.
"""

import frappe
from frappe import share
from frappe.utils import cint

ORIGINAL = share.get_shared
RIGHTS = ("read", "write", "submit", "share")  # DocShare's check columns


def get_shared(doctype, user=None, rights=None, *, filters=None, limit=None):
	rights = rights or ["read"]
	if filters or not all(r in RIGHTS for r in rights):
		return ORIGINAL(doctype, user, rights, filters=filters, limit=limit)
	user = user or frappe.session.user
	who = "(`user` = %(user)s or `everyone` = 1)" if user != "Guest" else "`user` = %(user)s"
	has = " and ".join(f"`{right}` = 1" for right in rights)
	query = f"select share_name from `tabDocShare` where share_doctype = %(doctype)s and {has} and {who}"
	if limit:
		query += f" limit {cint(limit)}"
	return frappe.db.sql(query, {"doctype": doctype, "user": user}, pluck=True)


def install():
	"""Idempotent."""
	share.get_shared = get_shared


def uninstall():
	share.get_shared = ORIGINAL
