from setuptools import find_packages, setup

from case_selection import __version__ as version

setup(
	name="case_selection",
	version=version,
	description="重庆市推动科技创新和产业创新深度融合优秀案例遴选 — a Frappe v15 app",
	author="case_selection contributors",
	author_email="case-selection@example.org",
	packages=find_packages(include=["case_selection", "case_selection.*"]),
	include_package_data=True,
	zip_safe=False,
	python_requires=">=3.10",
	# frappe itself is installed and managed by bench; openpyxl and pdfkit come with frappe v15.
	# pyHanko signs and validates the sealed PDFs (case_selection/signing/): the newest pair that accepts the
	# cryptography 43 Frappe 15 pins.
	install_requires=[
		"openpyxl>=3.1",
		"pdfkit>=1.0",
		"pyhanko[opentype,image-support]==0.34.1",
		"pyhanko-certvalidator==0.30.2",
		"pdfplumber==0.11.4",  # the sealing job finds the opinion blocks in the rendered PDF (signing/sealed_form.py)
		"segno==1.6.6",  # the QR code on every page of 附件1 / 附件2 (signing/qr.py); pure Python
	],
)
