"""A filter's value must be a value: text, a number, or for in / not in / between a list of them.

Frappe's list query (frappe.model.db_query.DatabaseQuery.prepare_filter_condition) writes a value that is not
text into the SQL as Python prints it: a Link or Data field compared with `=` to a JSON object (`{"a": 1}`) or a
list puts `{'a': 1}` into the statement (a syntax error: a 500), and `in` with a number fails in Python (a 500).
Every door that filters through it — REST lists, Desk's list, report view, counts and group-by counts, the
app's reports, frappe.client.get_list/get_value — is answered here instead with a 417 naming the field, before
any SQL is written; so is a filter Frappe cannot read at all (parse_args). Frappe's column check on each filter's
field (sanitize_column, through sqlparse) is asked once per column name and process. `install()` runs before every
request and job (hooks.before_request, before_job).
"""

import frappe
from frappe import _
from frappe.model import db_query
from frappe.model.db_query import DatabaseQuery
from frappe.utils import data as frappe_data
from frappe.utils import get_filter

ORIGINAL_PARSE = DatabaseQuery.parse_args
ORIGINAL_SANITIZE = frappe_data.sanitize_column
LIST_OPERATORS = ("in", "not in", "between")
# Column names sanitize_column has let through in this process. Its answer depends on the name only (sqlparse and
# regular expressions on the text; the database type is the site's), so a name it passed once passes again: it is
# not read through sqlparse a second time (~0.3 ms each, twenty-odd times a form load: every filter of its docinfo
# lists). A name it refuses is not kept and is refused again each time. Bounded: emptied when full.
PASSED_COLUMNS: set[str] = set()
PASSED_MAX = 4096


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


def sanitize_column(column_name: str) -> None:
	"""Frappe's column check (frappe.utils.data.sanitize_column, which get_filter calls for each filter), asked once
	per column name and process: the names it passed are kept (PASSED_COLUMNS), a refused one raises as Frappe's
	does, every time."""
	if column_name in PASSED_COLUMNS:
		return
	ORIGINAL_SANITIZE(column_name)  # raises frappe.DataError for a name that is not a column
	if isinstance(column_name, str) and frappe.db is not None:  # as connected: the site's database type
		if len(PASSED_COLUMNS) >= PASSED_MAX:
			PASSED_COLUMNS.clear()
		PASSED_COLUMNS.add(column_name)


def parse_args(self):
	"""Frappe's, with a filter it cannot read (`{"round": [["x"]]}`: an operator and no value) a 417, not a 500."""
	try:
		return ORIGINAL_PARSE(self)
	except (IndexError, KeyError, TypeError, AttributeError):
		frappe.throw(_("筛选条件的格式不正确。"), frappe.ValidationError)


def install():
	"""Idempotent."""
	db_query.get_filter = checked_get_filter  # the name prepare_filter_condition calls
	frappe_data.sanitize_column = sanitize_column  # the name get_filter calls
	DatabaseQuery.parse_args = parse_args
