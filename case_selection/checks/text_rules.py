"""Text stays text: what people type into the app is plain text, on every write path.

Every text field people type in the app's DocTypes (Data, Small Text, Text — the app has no rich-text field) and
every remark or reason a service writes is checked before it is stored:

- no HTML: a tag (`<img …>`, `</x`, `<!--`, `<?`) or its entity-encoded form (`&lt;img`) is refused with a Chinese
  message naming the field, so nothing typed can become markup in a list, report, grid, form or print (Desk
  renders Data fields as HTML in several views, and wkhtmltopdf fetches every URL it meets). A "<" that starts no
  tag ("增长率<5%", "a < b": a browser opens a tag only at "<" followed by a letter, "!", "/" or "?") is text;
- a length the column holds: Small Text 2,000 characters, Text 10,000 (MariaDB's TEXT column holds 65,535 bytes,
  a Chinese character takes three), so an overlong remark is a 417 naming the field, never a 500.

`check_doc` runs as doc_events before_validate of every app DocType (Desk, REST, frappe.client, Data Import,
workflow actions, child rows with their parent); the co-signing service and the 签核历程 log, which insert
their rows directly, call `check_value` on what the user typed.
"""

import re

import frappe
from frappe import _

from case_selection.access.system_write import in_system_write

# Long Text is the system's own (an export's error, the shipped workflow).
TEXT_TYPES = ("Data", "Small Text", "Text")
MAX_CHARS = {"Small Text": 2000, "Text": 10000}
# A tag opening, closing, comment or processing instruction, also when its "<" is written as an entity.
MARKUP = re.compile(r"(?:<|&(?:lt|#0*60|#x0*3c);?)[A-Za-z!/?]", re.IGNORECASE)


class TextError(frappe.ValidationError):
	"""Text the app does not store (HTTP 417)."""


def markup_in(value) -> bool:
	return isinstance(value, str) and bool(MARKUP.search(value))


def check_value(label: str, value, fieldtype: str = "Small Text"):
	"""Refuse `value` for the field called `label` (already in 「」 or a phrase naming the row)."""
	if not isinstance(value, str) or not value:
		return
	if markup_in(value):
		frappe.throw(
			_("{0}不能包含 HTML 标记（如「<img」「<a」「</」等）：请只填写文字。").format(label),
			TextError,
			title=_("内容无效"),
		)
	limit = MAX_CHARS.get(fieldtype)
	if limit and len(value) > limit:
		frappe.throw(
			_("{0}最多 {1} 个字符（当前 {2} 个）。").format(label, limit, len(value)),
			TextError,
			title=_("内容过长"),
		)


def _check_fields(doc, before, label_prefix: str = ""):
	for df in doc.meta.fields:
		# What people type: a read-only or fetched field is the system's copy of text checked where it was typed
		# (a list row's 案例名称 is the case's), and the write policy refuses it to every door.
		if df.fieldtype in TEXT_TYPES and not df.read_only and not df.fetch_from:
			value = doc.get(df.fieldname)
			if value and (before is None or value != before.get(df.fieldname)):
				check_value(
					label_prefix + _("「{0}」").format(_(df.label or df.fieldname)), value, df.fieldtype
				)


def check_doc(doc, method=None):
	"""doc_events before_validate of every app DocType: what this save writes (a new document, a changed value,
	a new or changed row). Text stored before the rule existed does not stop a later save that leaves it as it is
	(a district's workflow action on an old case); whoever edits it fixes it. The system's own writes, which carry
	only what was checked where the user typed it or text the system made (an export's error), are not re-checked."""
	if in_system_write() or frappe.flags.in_install or frappe.flags.in_migrate:
		return
	before = None if doc.get("__islocal") else doc.get_doc_before_save()
	_check_fields(doc, before)
	for df in doc.meta.get_table_fields():
		table_label = _(df.label or df.fieldname)
		old_rows = {r.name: r for r in (before.get(df.fieldname) or [])} if before else {}
		for i, row in enumerate(doc.get(df.fieldname) or [], start=1):
			_check_fields(row, old_rows.get(row.name), _("「{0}」第 {1} 行的").format(table_label, i))
