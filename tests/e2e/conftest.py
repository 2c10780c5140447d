"""Browser tests: Debian's Chromium driven by Selenium against the test site served by scripts/test.sh."""

import json
import os
import subprocess
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

SITE = os.environ.get("CASE_TEST_SITE", "case-test.localhost")
URL = os.environ.get("CASE_TEST_URL", f"http://{SITE}:8011")
BENCH_DIR = os.environ.get("BENCH_DIR", os.path.abspath(os.path.join(os.getcwd(), "..", "..")))


@pytest.fixture(scope="session")
def data():
	out = subprocess.run(
		["bench", "--site", SITE, "execute", "case_selection.tests.e2e_fixtures.prepare"],
		cwd=BENCH_DIR,
		check=True,
		capture_output=True,
		text=True,
	).stdout
	return json.loads(out[out.index("{") :])


def chromium():
	options = webdriver.ChromeOptions()
	options.binary_location = "/usr/bin/chromium"
	for arg in (
		"--headless=new",
		"--no-sandbox",
		"--disable-gpu",
		"--disable-quic",
		"--no-first-run",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--window-size=1400,1000",
		f"--user-data-dir={tempfile.mkdtemp(prefix='case-e2e-')}",
	):
		options.add_argument(arg)
	# A page left with unsaved changes asks "leave site?" on the next navigation; a user says yes.
	options.set_capability("unhandledPromptBehavior", "accept")
	return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


@pytest.fixture
def browser():
	driver = chromium()
	driver.implicitly_wait(10)
	yield driver
	driver.quit()
