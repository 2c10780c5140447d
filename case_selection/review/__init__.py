"""The city's expert review, as pure Python (no site, no database): conflicts of interest found from
affiliations (`conflicts`), balanced assignment of experts to cases (`assignment`) and scores made comparable
across harsh and lenient experts (`scores`). The DocTypes (Case Review, the expert record, the round's
settings) feed these functions plain dicts and store what they return.
"""


def _(text: str) -> str:
	"""`frappe._(text)` when a site is active, else `text` as written, so the review core runs (and is tested)
	without a site. Called when a message is shown, never at import time."""
	try:
		import frappe
	except ImportError:
		return text
	if not getattr(frappe.local, "site", None):
		return text
	try:
		return frappe._(text)
	except Exception:  # no translations reachable (site half set up): the source text is Chinese already
		return text
