"""A district's 科技 officer co-signs in Desk; another district's officer cannot open the case."""

import os

import desk  # tests/e2e/desk.py: the tests' one login, and a wait long enough for a busy 2-core machine
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

SHOTS = os.environ.get("CASE_E2E_SHOTS", "/tmp")


def test_cosign_in_desk(browser, data):
	desk.login(browser, data["yz"]["kj"], data["password"])
	browser.get(f"{desk.URL}/app/case-application/{data['application']}")
	wait = desk.wait(browser)
	# Markup typed into the title is never rendered: the heading drops it, the field shows it as text.
	title = wait.until(
		EC.visibility_of_element_located(
			(By.XPATH, "//*[contains(@class, 'title-text') and contains(., '浏览器测试案例')]")
		)
	)
	assert not title.find_elements(By.TAG_NAME, "b")
	field = browser.find_element(By.CSS_SELECTOR, ".frappe-control[data-fieldname='case_title']")
	assert "浏览器测试案例<b>粗体</b>" in field.text
	button = wait.until(EC.element_to_be_clickable((By.XPATH, "//button[normalize-space()='会签']")))
	# The opinions, 签核历程 and actions came with the document (its __onload): the form asked for nothing more.
	assert browser.find_elements(By.CSS_SELECTOR, "[data-fieldname='history_html'] tbody tr")
	assert browser.find_elements(By.CSS_SELECTOR, "[data-fieldname='cosign_html'] table")
	assert not panel_requests(browser)
	button.click()
	dialog = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".modal.show")))
	dialog.find_element(By.CSS_SELECTOR, "textarea[data-fieldname='remarks']").send_keys("同意，示范性强")
	dialog.find_element(By.CSS_SELECTOR, ".btn-primary.btn-modal-primary").click()
	wait.until(
		EC.text_to_be_present_in_element(
			(By.CSS_SELECTOR, "[data-fieldname='cosign_html']"), "同意，示范性强"
		)
	)
	table = browser.find_element(By.CSS_SELECTOR, "[data-fieldname='cosign_html']").text
	assert "科技" in table and "同意推荐" in table
	wait.until(
		EC.visibility_of_element_located(
			(By.XPATH, "//*[contains(@class, 'indicator-pill') and contains(., '区县会签中')]")
		)
	)
	history = browser.find_element(By.CSS_SELECTOR, "[data-fieldname='history_html']").text
	assert "会签：科技 同意推荐" in history
	# the form reloaded after the signature: the new opinion and step came with the reloaded document too
	assert not panel_requests(browser)
	browser.save_screenshot(os.path.join(SHOTS, "e2e-cosign.png"))


def panel_requests(browser) -> list[str]:
	"""The requests the page sent for a form's opinions, 签核历程 or actions on their own."""
	sent = browser.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
	return [u for u in sent if any(m in u for m in ("get_cosign_opinions", "get_history", "form_actions"))]


def test_other_district_cannot_open_the_case(browser, data):
	desk.login(browser, data["wz"]["kj"], data["password"])
	browser.get(f"{desk.URL}/app/case-application/{data['application']}")
	desk.wait(browser).until(
		EC.visibility_of_element_located((By.CSS_SELECTOR, ".modal.show, .page-card-head, .msgprint"))
	)
	page = browser.find_element(By.TAG_NAME, "body").text
	assert "浏览器测试案例" not in page
	browser.get(f"{desk.URL}/app/case-application")
	desk.wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".frappe-list")))
	assert "浏览器测试案例" not in browser.find_element(By.CSS_SELECTOR, ".frappe-list").text


def test_lists_open_on_the_current_round(browser, data):
	"""A district officer's case list and report view open filtered on the current round (case_selection.js),
	and the filter is an ordinary one: removed, the list asks for every round."""
	desk.login(browser, data["yz"]["jy"], data["password"])
	for route in ("/app/case-application", "/app/case-application/view/report"):
		browser.get(f"{desk.URL}{route}")
		desk.wait(browser).until(
			lambda b: b.execute_script("return window.cur_list && cur_list.doctype === 'Case Application'")
		)
		current = browser.execute_script("return frappe.boot.case_selection.current_round")
		assert current
		desk.wait(browser).until(
			lambda b: b.execute_script(
				# (the view may still be setting up: its filter area comes after cur_list)
				"return !!cur_list.filter_area && "
				"cur_list.filter_area.get().some((f) => f[1] === 'round' && f[3] === arguments[0])",
				current,
			)
		)
		args = browser.execute_script("return cur_list.get_args().filters")
		assert ["Case Application", "round", "=", current] in [f[:4] for f in args], args
	browser.execute_script("cur_list.filter_area.remove('round')")
	desk.wait(browser).until(
		lambda b: not b.execute_script("return cur_list.get_args().filters.some((f) => f[1] === 'round')")
	)
