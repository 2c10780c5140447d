"""The PDF renderer has no network.

wkhtmltopdf fetches every URL in what it prints (an image, a style sheet, an iframe), with the printing user's
session cookie that Frappe's get_pdf hands it: a URL in a document would make the server request itself or any
host it can reach. Every PDF of the site, Frappe's own paths included (Standard print, report PDFs), goes
through `pdfkit.from_string`, which `install` wraps so that:

- what a PDF needs from this site is read from local files before wkhtmltopdf starts: style sheets under
  /assets/ are inlined as <style>, images of /files/ as data: URIs (Frappe's get_pdf already inlines images of
  /private/files/ the user may read); the app's own formats are self-contained already (export/pdf.py: local
  fonts, data: style sheet, seals as data: URIs);
- wkhtmltopdf is started with a proxy that answers nothing (`--proxy`, honoured by Debian's build: the
  environment's http_proxy is not), so no URL left in the HTML reaches any host, loopback included; Frappe
  already passes --disable-local-file-access. A refused URL leaves a blank where it was: wkhtmltopdf still
  writes the whole PDF, then exits with "network error", which is accepted here as Frappe accepts a missing
  image;
- pdfkit's own `<meta name="pdfkit-…">` options (which would override the proxy) are read under a prefix no
  document can know (a random token of this process).

It is installed from hooks.py (before_request, before_job) and by export.pdf before each render, so web
workers, RQ workers and the command line all render sandboxed. tests/test_pdf_sandbox.py serves a page on
loopback, prints a document pointing at it through Frappe's get_pdf and counts the hits: none.
"""

import base64
import mimetypes
import os
import re
import secrets
import tempfile

import frappe
import pdfkit

# Nothing listens on TCP port 1 of the loopback (tcpmux, not served): every request through it fails at once.
PROXY = "http://127.0.0.1:1"
META_PREFIX = f"case-selection-{secrets.token_hex(16)}-"

STYLESHEET = re.compile(
	r"""<link\b[^>]*\bhref=["'](?:https?://[^/"']+)?(/assets/[^"'?#]+\.css)(?:\?[^"']*)?["'][^>]*>""", re.I
)
PUBLIC_IMAGE = re.compile(r"""(\bsrc=["'])(?:https?://[^/"']+)?(/files/[^"'?#]+)(?:\?[^"']*)?(["'])""", re.I)


def _local_stylesheet(match) -> str:
	path = os.path.realpath(os.path.join(frappe.local.sites_path, match.group(1).lstrip("/")))
	assets = os.path.realpath(os.path.join(frappe.local.sites_path, "assets"))
	if not path.startswith(assets + os.sep) or not os.path.isfile(path):
		return ""
	with open(path, encoding="utf-8", errors="replace") as f:
		return f"<style>{f.read()}</style>"


def _local_image(match) -> str:
	name = os.path.basename(match.group(2))
	mime = mimetypes.guess_type(name)[0]
	path = frappe.get_site_path("public", "files", name)
	if not mime or not mime.startswith("image/") or not os.path.isfile(path):
		return match.group(1) + "data:," + match.group(3)
	with open(path, "rb") as f:
		data = base64.b64encode(f.read()).decode()
	return f"{match.group(1)}data:{mime};base64,{data}{match.group(3)}"


def localise(html: str) -> str:
	"""The site's style sheets and public images read from disk into the HTML."""
	if getattr(frappe.local, "site", None):
		html = STYLESHEET.sub(_local_stylesheet, html)
		html = PUBLIC_IMAGE.sub(_local_image, html)
	return html


def sandboxed_options(options: dict | None) -> dict:
	options = dict(options or {})
	options["proxy"] = PROXY
	options["disable-local-file-access"] = ""
	# A URL that cannot be fetched leaves a blank where it was, instead of failing the whole PDF.
	options["load-error-handling"] = "ignore"
	options["load-media-error-handling"] = "ignore"
	return options


_CONFIGURATION = []


def _configuration():
	"""pdfkit's configuration, made once (pdfkit would look wkhtmltopdf up with `which` for every PDF)."""
	if not _CONFIGURATION:
		_CONFIGURATION.append(pdfkit.configuration(meta_tag_prefix=META_PREFIX))
	return _CONFIGURATION[0]


def install(*_args, **_kwargs):
	"""Wrap pdfkit.from_string once per process (idempotent)."""
	if getattr(pdfkit.from_string, "case_selection_sandbox", False):
		return
	original = pdfkit.from_string

	def from_string(
		input, output_path=None, options=None, toc=None, cover=None, css=None, configuration=None, **kw
	):
		if isinstance(input, str):
			input = localise(input)
		configuration = configuration or _configuration()
		configuration.meta_tag_prefix = META_PREFIX
		fd, path = tempfile.mkstemp(prefix="case-selection-", suffix=".pdf")
		os.close(fd)
		try:
			try:
				original(
					input,
					path,
					sandboxed_options(options),
					toc,
					cover,
					css,
					configuration=configuration,
					**kw,
				)
			except OSError as e:
				# A URL the proxy refused ends wkhtmltopdf with "network error" after it wrote the whole PDF
				# (blank where the URL was), as Frappe's get_pdf accepts a missing image.
				if "network error" not in str(e) or not os.path.getsize(path):
					raise
			with open(path, "rb") as f:
				data = f.read()
		finally:
			os.unlink(path)
		if output_path:
			with open(output_path, "wb") as f:
				f.write(data)
			return True
		return data

	from_string.case_selection_sandbox = True
	pdfkit.from_string = from_string
