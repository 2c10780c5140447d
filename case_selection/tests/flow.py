"""Drive cases through the real flow, as the users who act at each step (test helper).

Every step goes through the same code a user's request does (apply_workflow, the co-signing service, the
district list's methods), as that user, so the tests that build on it exercise the write policy and the
permissions on the way. A `District` holds one district's three officers.
"""

import frappe
from frappe.model.workflow import apply_workflow

from case_selection.access.actors import as_user
from case_selection.api.cosigning import cosign
from case_selection.api.review import assign_experts
from case_selection.tests.factories import district_users, make_application, make_user

AGREE = "同意推荐"


def act(user: str, doctype: str, name: str, action: str):
	"""A Workflow action, taken as `user` on the stored document."""
	return as_user(user, lambda: apply_workflow(frappe.get_doc(doctype, name), action))


class District:
	def __init__(self, district: str, tag: str):
		self.name = district
		self.users = district_users(district, tag)
		self.lead = self.users["jx"]

	def sign(self, doctype: str, name: str, opinion: str = AGREE, keys=("jx", "kj", "jy"), remark: str = ""):
		out = None
		for key in keys:
			out = as_user(
				self.users[key],
				cosign,
				doctype,
				name,
				opinion,
				remark or ("" if opinion == AGREE else f"{key}的理由"),
			)
		return out

	def make_list(self, round_name: str, names: list[str], **kw) -> str:
		def make():
			return (
				frappe.get_doc(
					{
						"doctype": "District Recommendation List",
						"round": round_name,
						"district": self.name,
						"items": [{"application": n} for n in names],
						**kw,
					}
				)
				.insert()
				.name
			)

		return as_user(self.lead, make)

	def submit_list(self, list_name: str):
		return as_user(
			self.lead, lambda: frappe.get_doc("District Recommendation List", list_name).submit_to_city()
		)


class City:
	def __init__(self, tag: str = "flow"):
		self.manager = make_user(f"city.{tag}@test.local", ["City Case Manager"])

	def receive(self, list_name: str):
		as_user(self.manager, lambda: frappe.get_doc("District Recommendation List", list_name).receive())

	def return_list(self, list_name: str, reason: str = "材料不全，请补充后重新报送"):
		as_user(
			self.manager,
			lambda: frappe.get_doc("District Recommendation List", list_name).return_to_district(reason),
		)

	def formal_check(self, name: str, result: str = "通过"):
		def check():
			doc = frappe.get_doc("Case Evaluation", name)  # the city's record of the case (access/sealing.py)
			doc.formal_check = result
			doc.save()

		as_user(self.manager, check)

	def to_review(self, name: str):
		self.formal_check(name)
		act(self.manager, "Case Application", name, "Start Review")

	def assign(self, name: str, expert: str) -> str:
		made = as_user(self.manager, assign_experts, name, [expert])
		return (
			made[0] if made else frappe.db.get_value("Case Review", {"application": name, "expert": expert})
		)

	def act(self, name: str, action: str):
		return act(self.manager, "Case Application", name, action)


def score(review: str, expert: str, scores=(90, 80, 70, 60, 100), comments: str = "示范性强"):
	def do():
		doc = frappe.get_doc("Case Review", review)
		doc.no_conflict_declared = 1
		doc.comments = comments
		for row, value in zip(doc.scores, scores, strict=False):
			row.score = value
		doc.save()

	as_user(expert, do)


def submitted(owner: str | None, seed: int, **kw) -> str:
	"""A case handed in to its district (已提交区县), created by `owner` (an applicant) or by the runner."""
	app = make_application(as_user=owner, seed=seed, **kw)
	act(owner or "Administrator", "Case Application", app.name, "Submit to District")
	return app.name


def to_city(district: District, city: City, round_name: str, names: list[str]) -> str:
	"""Co-signed by all departments, listed, the list co-signed, submitted and received by the city."""
	for name in names:
		district.sign("Case Application", name)
	lst = district.make_list(round_name, names)
	district.sign("District Recommendation List", lst)
	district.submit_list(lst)
	city.receive(lst)
	return lst
