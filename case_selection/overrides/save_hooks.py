"""Two of Frappe's hooks that run after the save of every document (hooks "*"), made to skip what they need not do.

- `process_energy_points` (on_change) first asks whether energy points are enabled, `is_energy_point_enabled`,
  through frappe.db.get_single_value: a query built through the query builder on each save (its value cache lasts
  one request). Energy points are off unless an admin turns them on (Frappe's default; a selection's officers
  and applicants are not scored), so every signature, submission and review score paid that query for nothing.
  Here the setting is read from the Energy Point Settings document in Frappe's document cache, which Frappe
  clears whenever the settings are saved in Desk or set with frappe.db.set_value: an admin who turns energy
  points on sees them from the next save.
- `attach_files_to_document` (on_update) looks up, for each Attach field holding a file, whether that file is
  attached to the document, one query each. A move of state the system takes on a case
  (CaseApplication.advance: a signature, a submission, the city's receipt) changes the state and the
  co-signing status only; the Attach fields are as the last save of the content left them, and that save
  attached their files. Such a move skips the lookups; every other save runs Frappe's own.

`install()` (hooks.before_request and hooks.before_job) puts both in place in the modules Frappe calls them from
(a doc event handler is looked up by its dotted path at each save); console and `bench execute` keep Frappe's own.
"""

import frappe
from frappe.core.doctype.file import utils as file_utils
from frappe.social.doctype.energy_point_rule import energy_point_rule
from frappe.social.doctype.energy_point_settings import energy_point_settings

SETTINGS = "Energy Point Settings"
ORIGINAL = {
	"is_energy_point_enabled": energy_point_settings.is_energy_point_enabled,
	"attach_files_to_document": file_utils.attach_files_to_document,
}


def is_energy_point_enabled() -> bool:
	return bool(frappe.get_cached_doc(SETTINGS).enabled)


def attach_files_to_document(doc, event) -> None:
	if doc.flags.case_system_transition:
		return  # a move of state: no Attach field changed since the save that attached their files
	ORIGINAL["attach_files_to_document"](doc, event)


def install():
	"""Idempotent."""
	energy_point_rule.is_energy_point_enabled = is_energy_point_enabled
	file_utils.attach_files_to_document = attach_files_to_document


def uninstall():
	energy_point_rule.is_energy_point_enabled = ORIGINAL["is_energy_point_enabled"]
	file_utils.attach_files_to_document = ORIGINAL["attach_files_to_document"]
