# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class DistrictDeadline(Document):
	"""One per round and district, kept by the system from the round, the district's list and its officers
	(case_selection/workflow/deadlines.py)."""
