# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class PaperCopy(Document):
	"""One paper copy of a sealed 附件1 / 附件2 scanned at the city's intake desk (signing/paper.py)."""
