"""File, as Frappe's, with two differences (hooks.override_doctype_class):

- it remembers whether the request uploaded content: guards.guard_file refuses a record for an existing private
  file the caller cannot already read, and tells that case from a real upload (which may be deduplicated onto
  an existing file by its content hash) by this flag, which only the start of before_insert can see;
- deleting a record deletes only what is its own: Frappe removes the file from disk unless another record has
  the same content hash, so a record pointing at somebody else's file (no hash of its own) took their file
  with it. The disk file stays while any other record names the same URL;
- a full disk is the user's clear error, not a server error: the upload is refused with a message naming the
  field, the part written is removed, and no record is saved (the request rolls back).
"""

import errno
import os

import frappe
from frappe import _
from frappe.core.doctype.file.file import File

from case_selection.exceptions import StorageFullError

FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class CaseFile(File):
	def before_insert(self):
		self.flags.case_content_supplied = bool(self.content)
		super().before_insert()

	def write_file(self):
		path = self.get_full_path() if not self.is_remote_file else None
		existed = bool(path) and os.path.lexists(path)
		try:
			return super().write_file()
		except OSError as exc:
			if exc.errno not in FULL:
				raise
			if path and not existed and os.path.lexists(path):
				os.remove(path)  # what was written of it before the disk filled up
			frappe.throw(
				_("服务器存储空间已满，{0}「{1}」未能保存，请联系系统管理员后重新上传。").format(
					self.field_label(), self.file_name
				),
				StorageFullError,
				title=_("存储空间已满"),
			)

	def field_label(self) -> str:
		"""The form field the file was uploaded to, as the user saw it (or 附件)."""
		if self.attached_to_doctype and self.attached_to_field:
			label = frappe.get_meta(self.attached_to_doctype).get_label(self.attached_to_field)
			if label:
				return _("「{0}」的附件").format(_(label))
		return _("附件")

	def _delete_file_on_disk(self):
		shared = self.file_url and frappe.get_all(
			"File", filters={"file_url": self.file_url, "name": ("!=", self.name)}, limit=1
		)
		if shared:
			self.delete_file_data_content(only_thumbnail=True)
		else:
			super()._delete_file_on_disk()


# 盖章申报书扫描件 (notice: 盖章扫描电子版): a PDF or a picture of the stamped paper, told by its first bytes.
SCAN_MAX_BYTES = 20 * 1024 * 1024
SCAN_KINDS = {
	".pdf": b"%PDF-",
	".jpg": b"\xff\xd8\xff",
	".jpeg": b"\xff\xd8\xff",
	".png": b"\x89PNG\r\n\x1a\n",
}


def scan_problem(file_url: str) -> str | None:
	"""None when the stored file at `file_url` is a PDF, JPG or PNG of at most 20 MB, else what is wrong (the
	rest of a sentence that starts with the field's label)."""
	name = frappe.db.get_value("File", {"file_url": file_url}, "name")
	kind = os.path.splitext(file_url.split("?", 1)[0])[1].lower()
	if not name:
		return _("找不到上传的文件，请重新上传。")
	if kind not in SCAN_KINDS:
		return _("须为 PDF 或图片（JPG、PNG）。")
	try:
		path = frappe.get_doc("File", name).get_full_path()
		size = os.path.getsize(path)
		with open(path, "rb") as f:
			head = f.read(16)
	except OSError:
		return _("找不到上传的文件，请重新上传。")
	if size > SCAN_MAX_BYTES:
		return _("不能超过 20 MB（当前 {0:.1f} MB）。").format(size / 1024 / 1024)
	if size < 100 or not head.startswith(SCAN_KINDS[kind]):
		return _("的内容不是有效的 PDF 或图片文件。")
	return None
