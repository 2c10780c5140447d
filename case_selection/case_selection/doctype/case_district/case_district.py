# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document

from case_selection.signing.authority import CN_MAX


class CaseDistrict(Document):
	def validate(self):
		# A department's full name is the common name of its seal certificate (signing/certificates.py), which
		# RFC 5280 bounds at 64 characters: a longer one would stop that department's every signature.
		for row in self.get("department_names") or []:
			name = (row.official_name or "").strip()
			if len(name) > CN_MAX:
				frappe.throw(
					_("「部门全称（印章名称）」第 {0} 行不能超过 {1} 个字（现为 {2} 个字）：{3}").format(
						row.idx, CN_MAX, len(name), name
					),
					frappe.ValidationError,
					title=_("区县设置有误"),
				)
