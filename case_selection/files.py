"""File, as Frappe's, with two differences (hooks.override_doctype_class):

- it remembers whether the request uploaded content: doors.guard_file refuses a record for an existing private
  file the caller cannot already read, and tells that case from a real upload (which may be deduplicated onto
  an existing file by its content hash) by this flag, which only the start of before_insert can see;
- deleting a record deletes only what is its own: Frappe removes the file from disk unless another record has
  the same content hash, so a record pointing at somebody else's file (no hash of its own) took their file
  with it. The disk file stays while any other record names the same URL.
"""

import frappe
from frappe.core.doctype.file.file import File


class CaseFile(File):
	def before_insert(self):
		self.flags.case_content_supplied = bool(self.content)
		super().before_insert()

	def _delete_file_on_disk(self):
		shared = self.file_url and frappe.get_all(
			"File", filters={"file_url": self.file_url, "name": ("!=", self.name)}, limit=1
		)
		if shared:
			self.delete_file_data_content(only_thumbnail=True)
		else:
			super()._delete_file_on_disk()
