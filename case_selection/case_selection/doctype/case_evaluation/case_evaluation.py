# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe.model.document import Document


class CaseEvaluation(Document):
	"""The city's record of a case (access/sealing.py): only city roles read it; the case's row holds nothing of it
	until the round is published. Written by the system, but for the formal check (the write policy)."""


def on_doctype_update():
	# The city's lists: a round's cases in a state, newest first.
	frappe.db.add_index("Case Evaluation", ["round", "workflow_state"], "round_state")
	# The city's list opens on the current round, last changed first.
	frappe.db.add_index("Case Evaluation", ["round", "modified"], "round_modified")
