# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class SealCertificate(Document):
	"""A seal certificate (signing/certificates.py): written by the app's methods only; its private key is kept
	encrypted with the site's key and returned by no method."""
