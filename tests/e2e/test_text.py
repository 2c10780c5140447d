"""Text stays text, in a browser: markup an applicant sends is refused with the field's name and not saved (the
server refuses it over REST; Desk's form drops it as it is typed), and no screen of the roles that read a case
runs a script (lists, report view, form, the history report, the print view).
"""

import desk  # tests/e2e/desk.py, beside this file
from selenium.webdriver.common.by import By

URL = desk.URL
# Counts its own runs: an alert may be accepted by the driver before it can be seen, a counter cannot.
PAYLOAD = '<img src=x onerror="window.__xss=(window.__xss||0)+1">'
ENTITY_PAYLOAD = "&lt;img src=x onerror=alert(1)&gt;"


def fired(browser) -> int:
	return browser.execute_script("return window.__xss || 0")


def settle(browser):
	"""Wait until the page has finished loading and Desk's pending requests are answered."""
	desk.wait(browser).until(lambda b: b.execute_script("return document.readyState") == "complete")
	desk.wait(browser).until(
		lambda b: b.execute_script("return !window.frappe || !frappe.request || !frappe.request.ajax_count")
	)


def test_markup_typed_in_a_field_is_refused_with_its_name(browser, data):
	t = data["text"]
	s = desk.session(t["user"], data["password"])
	# Every door the applicant has tries to store it: REST and Desk's own save, for a line and a section.
	for field, label, value in (
		("case_title", "案例名称", PAYLOAD),
		("background", "案例背景与行业痛点", ENTITY_PAYLOAD),
	):
		r = s.put(f"{URL}/api/resource/Case Application/{t['draft']}", json={field: value}, timeout=30)
		assert r.status_code == 417 and label in r.json()["exception"] and "HTML" in r.json()["exception"], (
			r.text[:300]
		)
	desk.login(browser, t["user"], data["password"])
	desk.open_form(browser, "case-application", t["draft"])
	# In the form, Desk's own controls drop the markup as it is typed (a tag, or a tag written as entities), so
	# the section is left empty and Desk asks for it by name: nothing of the markup is kept or run.
	desk.set_text(browser, "background", PAYLOAD + ENTITY_PAYLOAD)
	browser.execute_script("cur_frm.save()")
	modal = desk.until_shown(browser, By.CSS_SELECTOR, ".modal.show .modal-body")
	assert "案例背景与行业痛点" in modal.text, modal.text
	assert fired(browser) == 0
	stored = s.get(f"{URL}/api/resource/Case Application/{t['draft']}", timeout=30).json()["data"]
	assert stored["case_title"] == t["title"] and "img" not in (stored["background"] or "")


def test_no_screen_runs_a_script(browser, data):
	"""Each reader of the district's case opens the screens they have; nothing planted runs."""
	case = data["application"]
	readers = {
		data["yz"]["kj"]: True,  # the district's department: its history report too
		data["roles"]["city"]: False,
	}
	pages = [
		"/app/case-application",
		"/app/case-application/view/report",
		f"/app/case-application/{case}",
		f"/printview?doctype=Case%20Application&name={case}&format=%E9%99%84%E4%BB%B61%20%E7%94%B3%E6%8A%A5%E4%B9%A6",
	]
	for user, history in readers.items():
		password = data["password"] if user in data["yz"].values() else data["roles"]["password"]
		desk.login(browser, user, password)
		for page in pages + (["/app/query-report/Case Action History"] if history else []):
			browser.get(f"{URL}{page}")
			settle(browser)
			assert fired(browser) == 0, f"{user} {page}"
