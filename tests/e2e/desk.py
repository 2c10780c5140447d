"""Steps in Desk a user takes, for the browser tests and `make screenshots`: every step waits for what it needs
to see (explicit waits on the page's own elements), never for a fixed time."""

import json
import os
import tempfile

import requests
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

URL = os.environ.get("CASE_TEST_URL", "http://case-test.localhost:8011")
WAIT = int(os.environ.get("CASE_E2E_WAIT", "45"))  # seconds; a busy 2-core machine needs some


def chromium(window_size: str = "1400,1000", profile_prefix: str = "case-e2e-"):
	"""Debian's headless Chromium with a fresh profile, as these machines allow it."""
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
		f"--window-size={window_size}",
		f"--user-data-dir={tempfile.mkdtemp(prefix=profile_prefix)}",
	):
		options.add_argument(arg)
	# A page left with unsaved changes asks "leave site?" on the next navigation; a user says yes.
	options.set_capability("unhandledPromptBehavior", "accept")
	return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait(browser, seconds: int = WAIT) -> WebDriverWait:
	return WebDriverWait(browser, seconds)


def shown(browser, by: str, selector: str, clickable: bool = False):
	"""The first element matching `selector` that is on screen (Desk keeps the pages it showed before in the
	document, hidden), or False."""
	for el in browser.find_elements(by, selector):
		try:
			if el.is_displayed() and (not clickable or el.is_enabled()):
				return el
		except Exception:  # the page re-rendered under us: look again
			return False
	return False


def until_shown(browser, by: str, selector: str, clickable: bool = False, seconds: int = WAIT):
	el = wait(browser, seconds).until(lambda b: shown(b, by, selector, clickable))
	if clickable:  # in the middle of the screen, clear of Desk's sticky bars
		browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
	return el


def text_of(text: str) -> str:
	"""An XPath string literal for `text` (XPath 1.0 has no escapes: quotes are joined with concat())."""
	if '"' not in text:
		return f'"{text}"'
	if "'" not in text:
		return f"'{text}'"
	return "concat(" + ", '\"', ".join(f'"{part}"' for part in text.split('"')) + ")"


def login(browser, user: str, password: str, url: str = URL):
	# The previous user's session ends on the server first: a request the last page still had in flight
	# would otherwise set its cookie again after they are deleted, and /login would go on to /app.
	browser.get(f"{url}/api/method/logout")
	browser.delete_all_cookies()
	browser.get(f"{url}/login")
	wait(browser).until(EC.visibility_of_element_located((By.ID, "login_email"))).send_keys(user)
	browser.find_element(By.ID, "login_password").send_keys(password)
	browser.find_element(By.CSS_SELECTOR, ".btn-login").click()
	wait(browser).until(EC.url_contains("/app"))


def on_workspace(browser, title: str):
	"""Wait until Desk shows the workspace `title` (its page title; the URL is /app/<title>)."""
	wait(browser).until(
		lambda b: (el := shown(b, By.CSS_SELECTOR, ".page-head .title-text")) and el.text.strip() == title
	)


def card_values(browser, labels: list[str]) -> dict[str, str]:
	"""The numbers the workspace's cards show, once each has loaded."""
	out = {}
	for label in labels:
		xpath = (
			f"//div[contains(@class,'number-widget-box')][.//*[contains(@class,'widget-title')]"
			f"[normalize-space()={text_of(label)}]]//div[contains(concat(' ', normalize-space(@class), ' '), ' number ')]"
		)
		el = until_shown(browser, By.XPATH, xpath)
		out[label] = el.text.strip()
	return out


def click_card(browser, label: str):
	xpath = (
		f"//div[contains(@class,'number-widget-box')][.//*[contains(@class,'widget-title')]"
		f"[normalize-space()={text_of(label)}]]//div[contains(@class,'widget-content')]"
	)
	until_shown(browser, By.XPATH, xpath, clickable=True).click()


def list_row(browser, title: str):
	"""The row of the list view whose title link shows `title`."""
	xpath = f"//a[contains(@class,'ellipsis')][@title={text_of(title)}]"
	return until_shown(browser, By.XPATH, xpath, clickable=True)


def open_from_list(browser, title: str):
	list_row(browser, title).click()
	wait_form(browser)


def wait_form(browser):
	until_shown(browser, By.CSS_SELECTOR, ".form-layout")
	wait(browser).until(
		lambda b: b.execute_script("return !!(window.cur_frm && cur_frm.doc && cur_frm.layout)")
	)


def open_form(browser, doctype_slug: str, name: str, url: str = URL):
	browser.get(f"{url}/app/{doctype_slug}/{name}")
	wait_form(browser)


def indicator(browser, text: str):
	"""Wait until the form's status indicator shows `text`."""
	xpath = f"//span[contains(@class,'indicator-pill')][normalize-space()={text_of(text)}]"
	return until_shown(browser, By.XPATH, xpath)


def button(browser, label: str):
	to_top(browser)
	xpath = f"//div[contains(@class,'page-actions') or contains(@class,'form-inner-toolbar')]//button[normalize-space()={text_of(label)}]"
	return until_shown(browser, By.XPATH, xpath, clickable=True)


def workflow_action(browser, label: str):
	"""A Workflow action from the form's Actions menu (Frappe lists the ones the user may take)."""
	to_top(browser)
	until_shown(browser, By.CSS_SELECTOR, ".page-actions .actions-btn-group > button", clickable=True).click()
	xpath = (
		f"//div[contains(@class,'actions-btn-group')]//a[contains(@class,'dropdown-item')]"
		f"[normalize-space()={text_of(label)}]"
	)
	until_shown(browser, By.XPATH, xpath, clickable=True).click()


def to_top(browser):
	"""The page at its top and still (Desk scrolls smoothly after a save): the page head's buttons are then
	where they are drawn."""
	browser.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
	wait(browser).until(lambda b: b.execute_script("return window.scrollY") == 0)


def dialog(browser):
	"""The dialog on top, once Bootstrap has finished showing it: during its fade-in the dialog still slides
	down, and a click aimed at a button can land beside it."""
	modal = wait(browser).until(
		EC.visibility_of_element_located((By.CSS_SELECTOR, ".modal.show .modal-content"))
	)
	wait(browser).until(
		lambda b: b.execute_script(
			"""const m = arguments[0].closest('.modal'); const d = m.querySelector('.modal-dialog');
			const bs = window.jQuery && jQuery(m).data('bs.modal');
			return getComputedStyle(d).transform === 'none' && !(bs && bs._isTransitioning);""",
			modal,
		)
	)
	return modal


def dialog_primary(browser):
	modal = dialog(browser)
	modal.find_element(By.CSS_SELECTOR, ".btn-modal-primary, .modal-footer .btn-primary").click()
	try:
		wait(browser).until(
			EC.invisibility_of_element_located((By.CSS_SELECTOR, ".modal.show .modal-content"))
		)
	except TimeoutException:
		# What stayed open says why (a server message, or the same dialog): shown in the failure
		shown_text = browser.execute_script(
			"return [...document.querySelectorAll('.modal.show')].map(m => m.innerText).join(' | ')"
		)
		raise AssertionError(f"the dialog stayed open: {shown_text!r}") from None


def cosign(browser, remarks: str):
	"""会签 in the dialog, 同意推荐, and wait until the opinions table shows it."""
	button(browser, "会签").click()
	modal = dialog(browser)
	modal.find_element(By.CSS_SELECTOR, "textarea[data-fieldname='remarks']").send_keys(remarks)
	dialog_primary(browser)
	wait(browser).until(
		lambda b: (el := shown(b, By.CSS_SELECTOR, "[data-fieldname='cosign_html']")) and remarks in el.text
	)


def save(browser):
	"""Ctrl+S, then wait until the server's answer is on the form (a new `modified`, nothing left unsaved)."""
	before = browser.execute_script("return cur_frm.is_new() ? null : cur_frm.doc.modified")
	browser.find_element(By.TAG_NAME, "body").send_keys(Keys.CONTROL, "s")
	wait(browser).until(
		lambda b: b.execute_script(
			"return !cur_frm.is_new() && !cur_frm.is_dirty() && cur_frm.doc.modified !== arguments[0]", before
		)
	)


def set_select(browser, fieldname: str, value: str):
	el = until_shown(browser, By.CSS_SELECTOR, f".frappe-control[data-fieldname='{fieldname}'] select", True)
	Select(el).select_by_value(value)


def check(browser, fieldname: str):
	box = until_shown(
		browser,
		By.CSS_SELECTOR,
		f".frappe-control[data-fieldname='{fieldname}'] input[type='checkbox']",
		True,
	)
	if not box.is_selected():
		box.click()


def set_text(browser, fieldname: str, value: str):
	control = f".frappe-control[data-fieldname='{fieldname}']"
	el = until_shown(browser, By.CSS_SELECTOR, f"{control} textarea, {control} input", True)
	el.clear()
	el.send_keys(value)


def grid_value(browser, table: str, idx: int, fieldname: str, value: str):
	"""Type into a cell of a form's table: the cell becomes an input when clicked."""
	row = f".frappe-control[data-fieldname='{table}'] .grid-row[data-idx='{idx}']"
	until_shown(
		browser, By.CSS_SELECTOR, f"{row} .grid-static-col[data-fieldname='{fieldname}']", True
	).click()
	field = until_shown(browser, By.CSS_SELECTOR, f"{row} input[data-fieldname='{fieldname}']")
	field.send_keys(Keys.CONTROL, "a")
	field.send_keys(value)


def session(user: str, password: str, url: str = URL) -> requests.Session:
	"""The same user over HTTP, to read what the server says they may see."""
	s = requests.Session()
	s.post(f"{url}/api/method/login", data={"usr": user, "pwd": password}, timeout=30).raise_for_status()
	return s


def call(s: requests.Session, method: str, url: str = URL, **data):
	data = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in data.items()}
	r = s.post(f"{url}/api/method/{method}", data=data, timeout=60)
	r.raise_for_status()
	return r.json().get("message")
