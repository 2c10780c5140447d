"""A filter's value must be a value: text, a number, or for in / not in / between a list of them.

Frappe's list query (frappe.model.db_query.DatabaseQuery.prepare_filter_condition) writes a value that is not
text into the SQL as Python prints it: a Link or Data field compared with `=` to a JSON object (`{"a": 1}`) or a
list puts `{'a': 1}` into the statement (a syntax error: a 500), and `in` with a number fails in Python (a 500).
Every door that filters through it — REST lists, Desk's list, report view, counts and group-by counts, the
app's reports, frappe.client.get_list/get_value — is answered here instead with a 417 naming the field, before
any SQL is written; so is a filter Frappe cannot read at all (parse_args), and one whose field is not a column
(is_column). A list query MariaDB refuses for a column it does not know or for words that are not SQL (an
order_by, a field list) is a 417 too (execute). Frappe's column check on each filter's field (sanitize_column,
through sqlparse) is asked once per column name and process. `install()` runs before every request and job
(hooks.before_request, before_job).
"""

import functools
import re

import frappe
import pymysql
from frappe import _
from frappe.model import db_query
from frappe.model.db_query import DatabaseQuery
from frappe.utils import data as frappe_data
from frappe.utils import get_filter

ORIGINAL_PARSE = DatabaseQuery.parse_args
ORIGINAL_EXECUTE = DatabaseQuery.execute
ORIGINAL_SANITIZE = frappe_data.sanitize_column
LIST_OPERATORS = ("in", "not in", "between")
# Frappe's own form of a field wrapped in ifnull (treeview: ifnull(`parent_field`,''); Desk's tag filters): the
# column, bare or back-quoted, optionally qualified by its table, as the first argument.
IFNULL_COLUMN = re.compile(r"^ifnull\(\s*(?:`tab([^`]+)`\.)?`?(\w+)`?\s*,")
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
	if not is_column(filt.doctype, filt.fieldname):
		frappe.throw(
			_("筛选条件的字段「{0}」不存在。").format(str(filt.fieldname)[:140]), frappe.ValidationError
		)
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


def is_column(doctype: str, fieldname: str) -> bool:
	"""Whether the filter's field is a column of its DocType's table, as prepare_filter_condition writes it
	(`tab<doctype>`.`<fieldname>`, or an ifnull(…) of a column as it is): a name that is not one ("zzz", a
	table-qualified "tabCase Application.name", back-quoted SQL) reached MariaDB and came back as a 500."""
	if not isinstance(fieldname, str) or not isinstance(doctype, str):
		return False
	if "ifnull(" in fieldname:
		found = IFNULL_COLUMN.match(fieldname.strip())
		if not found:
			return False
		doctype, fieldname = found.group(1) or doctype, found.group(2)
	try:
		return fieldname in frappe.db.get_table_columns(doctype)
	except frappe.db.TableMissingError:
		return False


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


class UnknownColumnError(frappe.ValidationError, pymysql.OperationalError):
	"""MariaDB's 1054 on a list query: still the database error it was (code first in its args, so Frappe's own
	`frappe.db.is_missing_column(e)` handlers around get_all see what they saw), answered 417 as a ValidationError."""


class NotSqlError(frappe.ValidationError, pymysql.ProgrammingError):
	"""MariaDB's 1064 on a list query, kept as that error and answered 417 (see UnknownColumnError)."""


class BadValueError(frappe.ValidationError, pymysql.DataError):
	"""MariaDB's refusal of a value in a list query (an order or group by "1e309": 1367), kept as that error and
	answered 417 (see UnknownColumnError)."""


# its signature is Frappe's: the allow-list reads the arguments a list request may carry from it
@functools.wraps(ORIGINAL_EXECUTE)
def execute(self, *args, **kwargs):
	"""Frappe's list query, with a statement MariaDB cannot run because of what it was asked — a column it does not
	know (1054: an order_by, a group-by field or a field list naming one), words that are not SQL (1064) or a value it
	refuses (1367, any DataError of a SELECT) — a 417, not a 500. Filters are checked before any SQL is written
	(checked_get_filter, naming the field); this is the net for the rest of a list request's arguments. A failed
	SELECT leaves the transaction as it was."""
	try:
		return ORIGINAL_EXECUTE(self, *args, **kwargs)
	except pymysql.MySQLError as e:  # only the database's own refusals (a PermissionError passes as it is)
		if not e.args or isinstance(e, UnknownColumnError | NotSqlError | BadValueError):
			raise
		if frappe.db.is_missing_column(e):
			kind = UnknownColumnError
		elif frappe.db.is_syntax_error(e):
			kind = NotSqlError
		elif isinstance(e, pymysql.DataError):
			kind = BadValueError
		else:
			raise
		frappe.msgprint(
			_("列表的字段、排序或分组条件不正确：{0}").format(str(e.args[-1])[:200]),
			title=_("查询条件有误"),
			indicator="red",
		)
		raise kind(*e.args) from e


def install():
	"""Idempotent."""
	db_query.get_filter = checked_get_filter  # the name prepare_filter_condition calls
	frappe_data.sanitize_column = sanitize_column  # the name get_filter calls
	DatabaseQuery.parse_args = parse_args
	DatabaseQuery.execute = execute
