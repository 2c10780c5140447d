"""Every role's day in Desk (issue 11), in headless Chromium against the demo on the test site.

Each demo user logs in, lands on their role's workspace, sees the counts the server gives them for it (and
something to do), and takes their step of one case through the UI: the applicant submits it, the three
departments sign it in the 会签 dialog, the lead assembles and sends the district's list, the city receives it,
passes the formal check, starts the review and assigns an expert, the expert scores, the reviewer reads the
score, the city shortlists, runs the 公示 and selects — while the applicant still sees 市级评审中 — and
publishes; then the applicant sees 入选. The tests run in this order, each on the previous one's result.
"""

import os

import desk  # tests/e2e/desk.py: the steps, each waiting for what it needs
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

SHOTS = os.environ.get("CASE_E2E_SHOTS", "/tmp")
CARDS = "case_selection.workspaces.cards."
APPLICANT_CARDS = {
	"待提交（草稿）": "my_drafts",
	"退回待修改": "my_returned",
	"办理中": "my_in_progress",
	"已公布结果": "my_results",
}
DISTRICT_CARDS = {
	"待我会签：申报书": "cases_to_sign",
	"待我会签：推荐名单": "lists_to_sign",
	"已推荐待报送": "recommended_to_send",
	"距报送截止（天）": "days_to_deadline",
}
CITY_CARDS = {
	"待受理名单": "lists_to_receive",
	"已受理待评审": "received_to_review",
	"专家评审中": "under_review",
	"公示中": "in_public_notice",
	"已报送区县": "districts_submitted",
}
EXPERT_CARDS = {"待我评审": "reviews_to_score", "已完成评审": "reviews_scored"}
STATE = {}


@pytest.fixture(autouse=True)
def explicit_waits_only(browser):
	"""A fresh Chromium for each step of the day (nothing a step left open reaches the next), and every step
	waits explicitly: an implicit wait would also delay each check that something is absent."""
	browser.implicitly_wait(0)


def arrive(
	browser, roles: dict, user: str, workspace: str, cards: dict[str, str], shot: str
) -> dict[str, int]:
	"""Log in; the user lands on their workspace, whose cards show what the server counts for them."""
	desk.login(browser, user, roles["password"])
	desk.on_workspace(browser, workspace)
	shown = desk.card_values(browser, list(cards))
	s = desk.session(user, roles["password"])
	counts = {}
	for label, method in cards.items():
		server = desk.call(s, CARDS + method)["value"]
		assert shown[label] == str(int(server)), (
			f"{user}: {label} shows {shown[label]}, the server counts {server}"
		)
		counts[label] = int(server)
	browser.save_screenshot(os.path.join(SHOTS, f"e2e-{shot}.png"))
	return counts


def test_1_applicant_submits(browser, data):
	r = data["roles"]
	counts = arrive(browser, r, r["applicant"], "申报单位工作台", APPLICANT_CARDS, "applicant")
	assert counts["待提交（草稿）"] >= 2 and counts["退回待修改"] >= 1  # the demo's and this test's drafts
	desk.click_card(browser, "待提交（草稿）")
	desk.open_from_list(browser, r["title"])
	desk.workflow_action(browser, "提交区县")
	desk.indicator(browser, "已提交区县")


def sign_case(browser, data, key: str, state: str):
	r = data["roles"]
	counts = arrive(browser, r, r["officers"][key], "区县工作台", DISTRICT_CARDS, f"district-{key}")
	assert counts["待我会签：申报书"] >= 1
	desk.click_card(browser, "待我会签：申报书")
	desk.open_from_list(browser, r["title"])
	desk.cosign(browser, f"{key}：同意推荐，示范性强")
	desk.indicator(browser, state)


def test_2_education_signs(browser, data):
	sign_case(browser, data, "jy", "区县会签中")


def test_3_science_signs(browser, data):
	sign_case(browser, data, "kj", "区县会签中")


def test_4_lead_signs_and_sends_the_list(browser, data):
	r = data["roles"]
	sign_case(browser, data, "jx", "区县已推荐")
	# The district's list of the round: the lead assembles it from the recommended cases and signs it ...
	browser.get(
		f"{desk.URL}/app/district-recommendation-list/new?round={r['round']}&district={r['district']}"
	)
	desk.wait_form(browser)
	desk.set_text(browser, "contact_person", "渝中区经信委科技科")
	desk.save(browser)
	desk.button(browser, "添加已推荐案例").click()
	desk.wait(browser).until(
		lambda b: b.execute_script(
			"return (cur_frm.doc.items || []).some(r => r.application === arguments[0])", r["case"]
		)
	)
	desk.save(browser)
	name = browser.execute_script("return cur_frm.doc.name")
	STATE["list"] = name
	desk.cosign(browser, "经信：同意报送")
	# ... the other two departments sign it (their dialog is the one they used for the case) ...
	for key in ("kj", "jy"):
		s = desk.session(r["officers"][key], r["password"])
		desk.call(
			s,
			"case_selection.api.cosigning.cosign",
			doctype="District Recommendation List",
			name=name,
			opinion="同意推荐",
			remarks="",
		)
	browser.refresh()
	desk.wait_form(browser)
	# ... and the lead sends it to the city.
	desk.button(browser, "报送市级").click()
	desk.dialog_primary(browser)
	desk.wait(browser).until(lambda b: b.execute_script("return cur_frm.doc.status") == "Submitted to City")


def test_5_city_receives_and_assigns_an_expert(browser, data):
	r = data["roles"]
	counts = arrive(browser, r, r["city"], "市级工作台", CITY_CARDS, "city")
	assert counts["待受理名单"] >= 2  # the demo's 九龙坡区 and this one
	desk.click_card(browser, "待受理名单")
	desk.list_row(browser, r["district"])
	desk.open_form(browser, "district-recommendation-list", STATE["list"])
	desk.button(browser, "受理").click()
	desk.wait(browser).until(lambda b: b.execute_script("return cur_frm.doc.status") == "Received")
	desk.open_form(browser, "case-application", r["case"])
	desk.indicator(browser, "市级已受理")
	# The formal check is entered in the city's own record of the case (Case Evaluation, access/sealing.py).
	desk.button(browser, "市级评审记录").click()
	desk.wait(browser).until(
		lambda b: b.execute_script("return cur_frm && cur_frm.doctype") == "Case Evaluation"
	)
	desk.set_select(browser, "formal_check", "通过")
	desk.save(browser)
	desk.open_form(browser, "case-application", r["case"])
	desk.workflow_action(browser, "进入评审")
	desk.indicator(browser, "市级评审中")
	desk.button(browser, "分配评审专家").click()
	modal = desk.dialog(browser)
	modal.find_element(By.CSS_SELECTOR, ".multiselect-list [data-toggle='dropdown']").click()
	option = f".multiselect-list .selectable-item[data-value='{r['expert'].replace('@', '%40')}']"
	desk.wait(browser).until(EC.element_to_be_clickable((By.CSS_SELECTOR, option))).click()
	modal.find_element(By.CSS_SELECTOR, ".modal-title").click()  # closes the list of experts
	desk.wait(browser).until(
		lambda b: not modal.find_element(By.CSS_SELECTOR, ".multiselect-list .dropdown-menu").is_displayed()
	)
	desk.dialog_primary(browser)
	s = desk.session(r["city"], r["password"])
	reviews = desk.call(
		s,
		"frappe.desk.reportview.get_list",  # what Desk's frappe.db.get_list calls
		doctype="Case Review",
		filters={"application": r["case"], "expert": r["expert"]},
		fields=["name"],
	)
	assert len(reviews) == 1
	STATE["review"] = reviews[0]["name"]


def test_6_expert_scores(browser, data):
	r = data["roles"]
	counts = arrive(browser, r, r["expert"], "专家工作台", EXPERT_CARDS, "expert")
	assert counts["待我评审"] >= 2  # the demo's and this one
	desk.click_card(browser, "待我评审")
	desk.open_from_list(browser, r["title"])
	desk.check(browser, "no_conflict_declared")
	for idx, score in enumerate((90, 85, 80, 95, 88), start=1):
		desk.grid_value(browser, "scores", idx, "score", str(score))
	desk.set_text(browser, "comments", "代表性和示范性突出，成效数据翔实。")
	desk.save(browser)
	desk.wait(browser).until(lambda b: b.execute_script("return cur_frm.doc.status") == "Scored")
	total = browser.execute_script("return cur_frm.doc.total_score")
	assert abs(total - 87.6) < 0.01, total  # five criteria of equal weight


def test_7_reviewer_reads_the_score(browser, data):
	r = data["roles"]
	arrive(browser, r, r["reviewer"], "市级工作台", CITY_CARDS, "reviewer")
	desk.open_form(browser, "case-application", r["case"])
	desk.indicator(browser, "市级评审中")
	desk.open_form(browser, "case-evaluation", r["case"])
	desk.wait(browser).until(lambda b: b.execute_script("return cur_frm.doc.review_score") == 87.6)
	desk.open_form(browser, "case-application", r["case"])
	# Reading only: no Workflow action and none of the city's buttons.
	assert not browser.find_elements(By.CSS_SELECTOR, ".page-actions .actions-btn-group:not(.hide) > button")
	assert not browser.find_elements(By.XPATH, "//button[normalize-space()='分配评审专家']")


def test_8_city_selects(browser, data):
	r = data["roles"]
	desk.login(browser, r["city"], r["password"])
	desk.open_form(browser, "case-application", r["case"])
	desk.workflow_action(browser, "拟入选")
	desk.indicator(browser, "拟入选")
	desk.workflow_action(browser, "开始公示")
	desk.indicator(browser, "公示中")
	desk.workflow_action(browser, "入选")
	desk.indicator(browser, "入选")


def test_9_result_is_sealed_until_published(browser, data):
	r = data["roles"]
	desk.login(browser, r["applicant"], r["password"])
	desk.open_form(browser, "case-application", r["case"])
	desk.indicator(browser, "市级评审中")
	assert "入选" not in browser.find_element(By.CSS_SELECTOR, ".page-head").text


def test_10_city_publishes(browser, data):
	r = data["roles"]
	desk.login(browser, r["city"], r["password"])
	desk.open_form(browser, "selection-round", r["round"])
	desk.button(browser, "发布结果").click()
	desk.dialog_primary(browser)
	desk.wait(browser).until(lambda b: b.execute_script("return cur_frm.doc.status") == "Published")


def test_11_applicant_sees_the_result(browser, data):
	r = data["roles"]
	counts = arrive(browser, r, r["applicant"], "申报单位工作台", APPLICANT_CARDS, "applicant-published")
	assert counts["已公布结果"] >= 1
	desk.open_form(browser, "case-application", r["case"])
	desk.indicator(browser, "入选")
