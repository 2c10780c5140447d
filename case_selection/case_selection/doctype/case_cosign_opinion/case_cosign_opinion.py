# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe.model.document import Document


class CaseCosignOpinion(Document):
	pass


def on_doctype_update():
	# The list opens on the current round, newest first (the round is the document's, written with the opinion).
	frappe.db.add_index("Case Cosign Opinion", ["round", "creation"], "round_creation")
	# A district officer's list of the round: their district's rows (access/permissions.reference_condition).
	frappe.db.add_index("Case Cosign Opinion", ["district", "round", "creation"], "district_round_creation")
