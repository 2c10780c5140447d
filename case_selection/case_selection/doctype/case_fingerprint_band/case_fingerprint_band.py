# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class CaseFingerprintBand(Document):
	pass
