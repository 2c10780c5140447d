"""Seal images on the official PDFs, embedded as data: URIs read from the site's own files.

The PDF renderer then fetches nothing at all (no private file over HTTP without a session, no address a
user typed); a seal that is not an image file of this site is left out.
"""

import base64
import mimetypes

import frappe

from case_selection.access.write_policy import FILE_URL

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif"}


def seal_data_uri(url: str | None) -> str:
	if not url or not isinstance(url, str) or not FILE_URL.match(url):
		return ""
	url = url.split("?", 1)[0]
	mime = mimetypes.guess_type(url)[0]
	name = frappe.db.get_value("File", {"file_url": url, "is_folder": 0}, "name")
	if mime not in IMAGE_TYPES or not name:
		return ""
	try:
		content = frappe.get_doc("File", name).get_content()
	except OSError:
		return ""
	if isinstance(content, str):
		content = content.encode()
	return f"data:{mime};base64,{base64.b64encode(content).decode()}"
