"""A filter's value must be a value: text, a number, or for in / not in / between a list of them.

Frappe's list query (frappe.model.db_query.DatabaseQuery.prepare_filter_condition) writes a value that is not
text into the SQL as Python prints it: a Link or Data field compared with `=` to a JSON object (`{"a": 1}`) or a
list puts `{'a': 1}` into the statement (a syntax error: a 500), and `in` with a number fails in Python (a 500).
Every door that filters through it — REST lists, Desk's list, report view, counts and group-by counts, the
app's reports, frappe.client.get_list/get_value — is answered here instead with a 417 naming the field, before
any SQL is written; so is a filter Frappe cannot read at all (parse_args). `install()` runs before every request
and job (hooks.before_request, before_job).
"""

import frappe
from frappe import _
from frappe.model import db_query
from frappe.model.db_query import DatabaseQuery
from frappe.utils import get_filter

ORIGINAL_PARSE = DatabaseQuery.parse_args
LIST_OPERATORS = ("in", "not in", "between")


def checked_get_filter(doctype: str, f, filters_config=None):
	"""Frappe's get_filter, as DatabaseQuery.prepare_filter_condition calls it for each filter before it writes the
	filter's SQL, refusing (417) a filter whose value Frappe would write into the SQL as a Python object: an object,
	a list where one value goes, a list holding objects or lists, a number for in / not in. (The filter is read
	once: get_filter checks its column through sqlparse, a good part of a list request's own time.)"""
	try:
		filt = get_filter(doctype, f, filters_config)
	except (
		IndexError,
		KeyError,
		TypeError,
		ValueError,
		AttributeError,
	):  # a shape Frappe cannot read as a filter
		frappe.throw(_("筛选条件的格式不正确：{0}").format(frappe.as_json(f)[:200]), frappe.ValidationError)
	value, operator = filt.value, (filt.operator or "").lower()
	if isinstance(value, dict):
		ok = False
	elif isinstance(value, list | tuple | set | frozenset):
		ok = operator in LIST_OPERATORS and not any(isinstance(v, dict | list | tuple) for v in value)
	else:
		ok = not (operator in ("in", "not in") and isinstance(value, int | float))
	if not ok:
		frappe.throw(
			_("筛选条件「{0}」的值必须是文字或数字。").format(filt.fieldname), frappe.ValidationError
		)
	return filt


def parse_args(self):
	"""Frappe's, with a filter it cannot read (`{"round": [["x"]]}`: an operator and no value) a 417, not a 500."""
	try:
		return ORIGINAL_PARSE(self)
	except (IndexError, KeyError, TypeError, AttributeError):
		frappe.throw(_("筛选条件的格式不正确。"), frappe.ValidationError)


def install():
	"""Idempotent."""
	db_query.get_filter = checked_get_filter  # the name prepare_filter_condition calls
	DatabaseQuery.parse_args = parse_args
