"""The README's picture of a sealed 附件1 as a PDF reader sees it (docs/outputs/sealed-annex1-signatures.png).

Run on a site with a sealed case (the demo's, after `make demo`), from the bench's sites directory:
    ../env/bin/python ../apps/case_selection/tests/docs/signature_panel.py case.localhost OUT.png
(needs poppler-utils and certutil, Debian's libnss3-tools).

The reader is poppler (the engine of Evince and Okular, and of `pdfsig`), with the city's root certificate
imported into its NSS trust store the way an office would install it (certutil -A -t "CT,C,C"): the panel lists
each signature's signer, time, and whether the signature and the certificate are valid. Beside it, the page
of the opinion blocks with the three seals, rendered by poppler at print resolution.
"""

import io
import os
import subprocess
import sys
import tempfile

import frappe
import pdfplumber
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def sealed_case() -> tuple[str, bytes, bytes]:
	from case_selection.signing import certificates

	name = frappe.get_all(
		"Case Application",
		filters={"sealed_form_status": "Ready"},
		pluck="name",
		order_by="modified desc",
		limit=1,
	)[0]
	url = frappe.db.get_value("Case Application", name, "sealed_form")
	pdf = frappe.get_doc("File", {"file_url": url}).get_content()
	root = certificates.authority.cert_to_pem(certificates.root_certificate())
	return name, pdf, root


def reader_panel(pdf: bytes, root_pem: bytes) -> str:
	with tempfile.TemporaryDirectory() as tmp:
		db = f"sql:{tmp}"
		subprocess.run(["certutil", "-N", "-d", db, "--empty-password"], check=True)
		with open(f"{tmp}/root.pem", "wb") as f:
			f.write(root_pem)
		subprocess.run(
			["certutil", "-A", "-d", db, "-n", "city-root", "-t", "CT,C,C", "-a", "-i", f"{tmp}/root.pem"],
			check=True,
		)
		with open(f"{tmp}/doc.pdf", "wb") as f:
			f.write(pdf)
		out = subprocess.run(
			["pdfsig", "-nssdir", db, f"{tmp}/doc.pdf"], capture_output=True, text=True, check=False
		).stdout
	keep = (
		"Signature #",
		"Signer Certificate Common Name",
		"Signing Time",
		"Signature Validation",
		"Certificate Validation",
	)
	return "\n".join(line for line in out.splitlines() if any(k in line for k in keep))


def opinion_page(pdf: bytes) -> Image.Image:
	"""The page of the signatures' widgets (the seals), as poppler renders it."""
	with pdfplumber.open(io.BytesIO(pdf)) as doc:
		index = next(
			i
			for i, page in enumerate(doc.pages)
			if any(a["data"].get("FT") and a["data"]["FT"].name == "Sig" for a in page.annots)
		)
	with tempfile.TemporaryDirectory() as tmp:
		with open(f"{tmp}/doc.pdf", "wb") as f:
			f.write(pdf)
		n = str(index + 1)
		subprocess.run(
			["pdftoppm", "-r", "80", "-png", "-f", n, "-l", n, f"{tmp}/doc.pdf", f"{tmp}/p"], check=True
		)
		path = next(os.path.join(tmp, p) for p in os.listdir(tmp) if p.endswith(".png"))
		return Image.open(path).convert("RGB")


def picture(page: Image.Image, panel: str) -> Image.Image:
	font = ImageFont.truetype(FONT, 15)
	title = ImageFont.truetype(FONT, 17)
	lines = panel.splitlines()
	width = 640
	height = max(page.height, 60 + 22 * len(lines))
	out = Image.new("RGB", (page.width + width + 30, height + 20), "white")
	out.paste(page, (10, 10))
	draw = ImageDraw.Draw(out)
	x = page.width + 25
	draw.text((x, 14), "签名面板（poppler / pdfsig，已导入市级根证书）", font=title, fill="black")
	for i, line in enumerate(lines):
		good = ("is Valid" in line or "is Trusted" in line) and "isn't" not in line
		colour = "darkgreen" if good else ("firebrick" if "Validation" in line else "black")
		draw.text((x, 50 + 22 * i), line.strip(), font=font, fill=colour)
	return out


if __name__ == "__main__":
	site, target = sys.argv[1], sys.argv[2]
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	_name, pdf, root = sealed_case()
	panel = reader_panel(pdf, root)
	print(panel)
	picture(opinion_page(pdf), panel).save(target)
