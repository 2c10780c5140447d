"""The words of messages: `_` that also works without a site, and lists joined the way a translator says.

A message is one whole sentence with placeholders, translated as a whole (the app's zh.csv, or a Translation
record an admin adds in Desk); lists are folded with the pattern 「{0}或{1}」, itself a whole phrase to
translate, never glued from a translated 「或」.
"""


def _(text: str) -> str:
	"""`frappe._(text)` when a site is active, else `text` as written, so the pure modules (the review core, the
	formats) run and are tested without a site. Called when a message is shown, never at import time."""
	try:
		import frappe  # deferred: the pure modules import and run without Frappe
	except ImportError:
		return text
	if not getattr(frappe.local, "site", None):
		return text
	try:
		return frappe._(text)
	except Exception:  # no translations reachable (site half set up): the source text is Chinese already
		return text


def either(items) -> str:
	"""「甲或乙或丙」: the items folded with the translatable pattern 「{0}或{1}」."""
	items = [str(i) for i in items]
	if not items:
		return ""
	text = items[0]
	for item in items[1:]:
		text = _("{0}或{1}").format(text, item)
	return text
