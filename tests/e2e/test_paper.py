"""The city's intake desk in a browser (issue 21): the clerk scans five paper copies of a sealed 附件1 — the QR
codes read from the rendered pages, typed into 纸质材料签收 as a scanner types — and one copy printed before
co-signing, which is flagged 版本过期 and not counted; then anyone holding the paper checks it on 电子签章验证."""

import glob
import os
import subprocess
import tempfile

import desk
import requests
import zxingcpp
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

URL = desk.URL
SHOTS = os.environ.get("CASE_E2E_SHOTS", "/tmp")


def scan_of(pdf_path: str) -> str:
	"""The QR code of the PDF's first page, as a scanner reads it from the printed page (here: rendered at
	300 dpi by poppler and read by zxing-cpp)."""
	with tempfile.TemporaryDirectory() as tmp:
		subprocess.run(
			["pdftoppm", "-r", "300", "-gray", "-png", "-f", "1", "-l", "1", pdf_path, f"{tmp}/p"], check=True
		)
		image = Image.open(glob.glob(f"{tmp}/p*.png")[0])
		codes = [b.text for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]
	assert len(codes) == 1, codes
	return codes[0]


def rows(browser) -> list:
	return browser.find_elements(By.CSS_SELECTOR, ".case-paper-intake .case-intake-row")


def test_the_clerk_records_five_copies_and_flags_a_stale_one(browser, data):
	paper = data["paper"]
	current, stale = scan_of(paper["sealed"]), scan_of(paper["early"])
	assert current != stale and current.split("?")[1].split("&")[0] == stale.split("?")[1].split("&")[0]
	desk.login(browser, paper["clerk"], paper["password"])
	browser.get(f"{URL}/app/paper-intake")
	box = desk.until_shown(browser, By.ID, "case-intake-scan", clickable=True)
	for n, scan in enumerate([current] * 5 + [stale], start=1):
		box.send_keys(scan + Keys.ENTER)
		desk.wait(browser).until(lambda b, n=n: len(rows(b)) == n)
		desk.wait(browser).until(lambda b: b.find_element(By.ID, "case-intake-scan").is_enabled())
	log = rows(browser)  # the newest first
	assert "case-intake-stale" in log[0].get_attribute("class")
	assert "版本过期" in log[0].text and paper["title"] in log[0].text
	assert "5 / 5" in log[0].text  # the stale copy is not counted
	assert "case-intake-ok" in log[1].get_attribute("class")
	assert "5 / 5" in log[1].text and "已收齐" in log[1].text
	for i, row in enumerate(reversed(log[1:]), start=1):
		assert f"{i} / 5" in row.text, row.text
	browser.save_screenshot(os.path.join(SHOTS, "e2e-paper-intake.png"))

	# The count on the case, as its district reads it (the case is not at the city yet: the city reads it
	# once the list is submitted, and its intake records the paper whenever it arrives).
	officer = desk.session(paper["officer"], paper["password"])
	case = officer.get(f"{URL}/api/resource/Case Application/{paper['case']}", timeout=30).json()["data"]
	assert case["paper_copies_received"] == 5
	s = desk.session(paper["clerk"], paper["password"])
	copies = s.get(
		f"{URL}/api/resource/Paper Copy",
		params={
			"filters": f'[["reference_name", "=", "{paper["case"]}"]]',
			"fields": '["status", "copy_number"]',
			"order_by": "creation asc",
			"limit_page_length": 0,
		},
		timeout=30,
	).json()["data"]
	assert [(c["status"], c["copy_number"]) for c in copies] == [
		*[("Received", i) for i in range(1, 6)],
		("Stale", 0),
	]
	# A district officer cannot open the intake desk, nor record a copy.
	for method, args in (
		("frappe.desk.desk_page.getpage", {"name": "paper-intake"}),
		("case_selection.signing.paper.receive", {"scan": current}),
	):
		assert officer.post(f"{URL}/api/method/{method}", data=args, timeout=30).status_code == 403, method


def test_the_verification_page_answers_a_scanned_code(browser, data):
	paper = data["paper"]
	current, stale = scan_of(paper["sealed"]), scan_of(paper["early"])
	desk.login(browser, paper["officer"], paper["password"])
	browser.get(current)  # the QR code's address opens the page with its code and hash
	desk.wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".case-verify-signature")) == 3)
	text = desk.until_shown(browser, By.CSS_SELECTOR, ".case-seal-verify").text
	assert paper["title"] in text
	assert "纸质件与当前电子签章版本一致" in text
	for row in browser.find_elements(By.CSS_SELECTOR, ".case-verify-signature"):
		assert "有效" in row.text and "无效" not in row.text
	assert "重庆市渝中区科学技术局" in text
	browser.get(stale)
	desk.wait(browser).until(
		lambda b: "版本过期" in b.find_element(By.CSS_SELECTOR, ".case-seal-verify .case-verify-result").text
	)
	browser.save_screenshot(os.path.join(SHOTS, "e2e-seal-verify.png"))
	assert (
		requests.get(
			f"{URL}/api/method/case_selection.signing.verification.lookup", params={"scan": current}
		).status_code
		== 403
	)
