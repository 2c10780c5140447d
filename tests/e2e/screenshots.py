"""Pictures of every role's workspace on the demo site (`make screenshots`): each demo user logs in, the workspace
is drawn (every card counted, every chart drawn), and a small PNG is written to --out.

Run as the bench user from the app folder (scripts/screenshots.sh does, against the site `make demo` serves):

    CASE_TEST_URL=http://case.localhost:8000 ../../env/bin/python tests/e2e/screenshots.py --out DIR
"""

import argparse
import os
import sys

from PIL import Image
from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(__file__))
import desk  # tests/e2e/desk.py, beside this file

PASSWORD = "Demo@2025"
ROLES = (
	("applicant", "applicant@demo.local", "申报单位工作台"),
	("district-economy", "jx.yuzhong@demo.local", "区县工作台"),
	("district-science", "kj.yuzhong@demo.local", "区县工作台"),
	("district-education", "jy.yuzhong@demo.local", "区县工作台"),
	("city-manager", "city@demo.local", "市级工作台"),
	("city-reviewer", "reviewer@demo.local", "市级工作台"),
	("expert", "expert@demo.local", "专家工作台"),
)
WIDTH = 1000  # pixels of the PNGs the README shows
LOADING = ".number-card-loading, .chart-loading-state"


def browser():
	return desk.chromium("1280,2400", "case-shots-")  # tall: the whole workspace, cropped below


def drawn(b) -> bool:
	"""The workspace is built (no skeleton), every card has its number and every chart its drawing (or its
	"no data" state)."""
	if desk.shown(b, By.CSS_SELECTOR, LOADING) or desk.shown(b, By.CSS_SELECTOR, ".workspace-skeleton"):
		return False
	cards = [e for e in b.find_elements(By.CSS_SELECTOR, ".number-widget-box") if e.is_displayed()]
	charts = [e for e in b.find_elements(By.CSS_SELECTOR, ".dashboard-widget-box") if e.is_displayed()]
	return (
		bool(cards)
		and all(c.find_elements(By.CSS_SELECTOR, ".widget-content .number") for c in cards)
		and all(c.find_elements(By.CSS_SELECTOR, ".widget-body svg, .chart-empty-state") for c in charts)
	)


class Settled:
	"""True once the charts' drawings are the same two polls running: frappe-charts animates its bars in."""

	def __init__(self):
		self.last = None

	def __call__(self, b) -> bool:
		if not drawn(b):
			return False
		now = b.execute_script(
			"return [...document.querySelectorAll('.dashboard-widget-box svg')].map(s => s.innerHTML).join()"
		)
		settled, self.last = now == self.last, now
		return settled


def shoot(b, user: str, workspace: str, path: str):
	desk.login(b, user, PASSWORD)
	desk.on_workspace(b, workspace)
	desk.wait(b).until(Settled())
	bottom = b.execute_script(
		"return Math.max(...[...document.querySelectorAll('.ce-block')]"
		".filter(e => e.offsetParent).map(e => e.getBoundingClientRect().bottom))"
	)
	b.save_screenshot(path)
	small(path, int(bottom) + 40)


def small(path: str, height: int):
	"""Cut below the workspace, scaled to the README's width, 256 colours: a few tens of kilobytes each."""
	image = Image.open(path).convert("RGB")
	scale = image.width / 1280  # the device pixels of a CSS pixel
	image = image.crop((0, 0, image.width, min(image.height, round(height * scale))))
	image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
	image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main():
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--out", required=True)
	args = parser.parse_args()
	os.makedirs(args.out, exist_ok=True)
	b = browser()
	try:
		for name, user, workspace in ROLES:
			path = os.path.join(args.out, f"{name}.png")
			shoot(b, user, workspace, path)
			print(f"{path} ({os.path.getsize(path) // 1024} KB)")
	finally:
		b.quit()


if __name__ == "__main__":
	main()
