"""Seal images on the official PDFs, embedded as data: URIs read from the site's own files.

The PDF renderer then fetches nothing at all (no private file over HTTP without a session, no address a
user typed); a seal that is not an image file of this site is left out.
"""

import base64
import mimetypes

import frappe

from case_selection.access.write_policy import FILE_URL

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif"}


# Seals already read, per process, by their File record as it stands (name and modified: a File whose address or
# content changed is a new key). A round's PDFs show the same few dozen seals again and again.
READ: dict[tuple, str] = {}
READ_MAX = 256


def seal_data_uri(url: str | None) -> str:
	if not url or not isinstance(url, str) or not FILE_URL.match(url):
		return ""
	url = url.split("?", 1)[0]
	mime = mimetypes.guess_type(url)[0]
	row = frappe.db.get_value("File", {"file_url": url, "is_folder": 0}, ["name", "modified"])
	if mime not in IMAGE_TYPES or not row:
		return ""
	key = (frappe.local.site, url, *row)
	if key in READ:
		return READ[key]
	try:
		content = frappe.get_doc("File", row[0]).get_content()
	except OSError:
		return ""
	if isinstance(content, str):
		content = content.encode()
	if len(READ) >= READ_MAX:
		READ.clear()
	READ[key] = f"data:{mime};base64,{base64.b64encode(content).decode()}"
	return READ[key]
