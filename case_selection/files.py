"""File, as Frappe's, remembering whether the request uploaded content (hooks.override_doctype_class).

Frappe creates a File record for whatever `file_url` a caller names and then lets the record's owner read the
file. doors.guard_file refuses such a record for an existing private file the caller cannot already read; to
tell that case from a real upload (which may be deduplicated onto an existing file by its content hash), it
needs to know whether content came with the request, which only the start of before_insert can see.
"""

from frappe.core.doctype.file.file import File


class CaseFile(File):
	def before_insert(self):
		self.flags.case_content_supplied = bool(self.content)
		super().before_insert()
