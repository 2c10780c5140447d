"""Browser tests: Debian's Chromium driven by Selenium against the test site served by scripts/test.sh."""

import json
import os
import subprocess

import desk  # tests/e2e/desk.py, beside this file
import pytest

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


@pytest.fixture
def browser():
	driver = desk.chromium()
	driver.implicitly_wait(10)
	yield driver
	driver.quit()
