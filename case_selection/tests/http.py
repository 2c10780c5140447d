"""The tests' one set of HTTP helpers: the served test site's URL (scripts/test.sh passes it as CASE_TEST_URL), a
logged-in session, and a response's message as the user reads it."""

import json
import os

import frappe
import requests

from case_selection.tests.factories import PASSWORD, as_new
from case_selection.workflow.definition import LIST_WORKFLOW_NAME

URL = os.environ.get("CASE_TEST_URL", "http://case-test.localhost:8011")
REFUSED = {403, 417}


def login(user: str, url: str = URL, password: str = PASSWORD) -> requests.Session:
	"""A session of `user` on the served test site."""
	s = requests.Session()
	s.post(f"{url}/api/method/login", data={"usr": user, "pwd": password}, timeout=30).raise_for_status()
	return s


class User:
	def __init__(self, user: str):
		self.user = user
		self.s = login(user)

	def get(self, path: str, **params) -> requests.Response:
		return self.s.get(f"{URL}{path}", params=params, timeout=120)

	def call(self, method: str, http: str = "POST", **data) -> requests.Response:
		data = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in data.items()}
		if http == "GET":
			return self.s.get(f"{URL}/api/method/{method}", params=data, timeout=120)
		return self.s.post(f"{URL}/api/method/{method}", data=data, timeout=120)

	def doc(self, doctype: str, name: str) -> dict:
		r = self.get(f"/api/resource/{doctype}/{name}")
		r.raise_for_status()
		return r.json()["data"]

	def put(self, doctype: str, name: str, values: dict) -> requests.Response:
		return self.s.put(f"{URL}/api/resource/{doctype}/{name}", json=values, timeout=60)

	def act(self, doctype: str, name: str, action: str) -> requests.Response:
		return self.call(
			"frappe.model.workflow.apply_workflow",
			doc=json.dumps({"doctype": doctype, "name": name}),
			action=action,
		)

	def ok(self, r: requests.Response) -> requests.Response:
		if r.status_code != 200:
			raise AssertionError(f"{self.user}: {r.status_code} {message(r)[:500]}")
		return r


class AdminSession(User):
	"""Administrator over REST: the admin configuring in Desk, without code."""

	def __init__(self):
		self.user = "Administrator"
		self.s = login("Administrator", password=os.environ.get("ADMIN_PASSWORD", "admin"))

	def post(self, path: str, values: dict) -> requests.Response:
		return self.s.post(f"{URL}{path}", json=values, timeout=60)


def message(r: requests.Response) -> str:
	"""A response as the user reads it: the exception text and messages, unescaped."""
	try:
		body = r.json()
	except ValueError:
		return r.text
	said = []
	for m in json.loads(body.get("_server_messages", "[]")):
		try:
			said.append(json.loads(m).get("message", m))  # each message is a JSON object of its own
		except (ValueError, AttributeError):
			said.append(m)
	return body.get("exception", "") + " ".join(str(m) for m in said)


def fresh():
	"""See what the server committed (the test's own transaction would show an older snapshot)."""
	frappe.db.rollback()


# A step added to the district list's Workflow as a System Manager does it in Desk (test_list_workflow,
# test_admin_without_code): 区县审核 between 名单草稿 and 名单会签中, taken by the lead; the first signature is taken
# there, no longer on the draft.
REVIEW_STEP = "区县审核"
REVIEW_ACTION = "提交区县审核"


def add_list_review_step(admin: User):
	"""Through REST only: a Workflow State, a Workflow Action Master, two transitions and the step's meaning."""
	if not frappe.db.exists("Workflow State", REVIEW_STEP):
		admin.ok(post_doc(admin, "Workflow State", {"workflow_state_name": REVIEW_STEP, "style": "Info"}))
	if not frappe.db.exists("Workflow Action Master", REVIEW_ACTION):
		admin.ok(post_doc(admin, "Workflow Action Master", {"workflow_action_name": REVIEW_ACTION}))
	workflow = admin.doc("Workflow", LIST_WORKFLOW_NAME)
	start = next(
		t for t in workflow["transitions"] if t["state"] == "Draft" and t["next_state"] == "Co-signing"
	)
	transitions = [t for t in workflow["transitions"] if t is not start]
	transitions += [
		{
			"state": "Draft",
			"action": REVIEW_ACTION,
			"next_state": REVIEW_STEP,
			"allowed": "District Economy Officer",
			"allow_self_approval": 1,
		},
		{**as_new(start), "state": REVIEW_STEP},  # the first signature moves the reviewed list to 会签中
	]
	states = [
		*workflow["states"],
		{
			"state": REVIEW_STEP,
			"doc_status": "0",
			"allow_edit": "District Economy Officer",
			"is_optional_state": 1,
		},
	]
	admin.ok(admin.put("Workflow", LIST_WORKFLOW_NAME, {"transitions": transitions, "states": states}))
	settings = admin.doc("Case Selection Settings", "Case Selection Settings")
	rows = [{**r, "cosign_open": 0} if r["state"] == "Draft" else r for r in settings["list_states"]] + [
		{"state": REVIEW_STEP, "label": REVIEW_STEP, "district_editable": 1, "cosign_open": 1}
	]
	admin.ok(admin.put("Case Selection Settings", "Case Selection Settings", {"list_states": rows}))


def post_doc(u: User, doctype: str, values: dict) -> requests.Response:
	return u.s.post(f"{URL}/api/resource/{doctype}", json=values, timeout=60)
