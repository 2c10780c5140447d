# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe.model.document import Document


class CaseActionLog(Document):
	pass


def on_doctype_update():
	# The list and the 签核历程 report open on the current round, newest action first.
	frappe.db.add_index("Case Action Log", ["round", "action_time"], "round_action_time")
	# A district officer's: their district's rows of the round (access/permissions.reference_condition).
	frappe.db.add_index("Case Action Log", ["district", "round", "action_time"], "district_round_action_time")
