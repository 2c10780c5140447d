"""The door matrix (issue 7): every DocType of the app, child tables included, × every door Frappe opens ×
every user who must not get in, over HTTP against the served test site.

Reads must return nothing (a refusal, or an answer without the record), writes must be refused with exactly
403, 404 or 417 and leave the stored record as it was; any 5xx fails. Each record carries a marker string, and
an insider reading it through the same REST door must see the marker, so the matrix cannot pass by finding
nothing anywhere.
"""

import base64
import io
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import frappe
import frappe.desk.form.assign_to
import requests
from frappe.tests.utils import FrappeTestCase
from pypdf import PdfReader

from case_selection.access import allowlist
from case_selection.access.system_write import system_write
from case_selection.tests import flow
from case_selection.tests.factories import (
	clear_round,
	make_application,
	make_round,
	make_user,
)
from case_selection.tests.http import URL, login

ROUND_YEAR = 2096
ROUND = str(ROUND_YEAR)
REFUSED = {403, 404, 417}


@dataclass
class Target:
	doctype: str
	name: str
	marker: str
	field: str  # a field holding the marker, written to by the write doors
	outsiders: frozenset
	insider: str
	parent: tuple | None = None  # (parenttype, parent name, parentfield) of a child row
	extras: dict = field(default_factory=dict)

	@property
	def is_child(self) -> bool:
		return self.parent is not None


@dataclass
class Result:
	door: str
	status: int
	leaked: bool = False
	detail: str = ""  # for a 5xx: the end of what the server answered (its traceback, on the test server)


class TestDoors(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.tag = frappe.generate_hash(length=6)
		make_round(ROUND_YEAR)
		cls.yz = flow.District("渝中区", "yz")
		cls.wz = flow.District("万州区", "wz")
		cls.city = flow.City("doors")
		cls.reviewer = make_user("reviewer.doors@test.local", ["City Reviewer"])
		cls.owner = make_user("owner.doors@test.local", ["Case Applicant"])
		cls.other = make_user("other.doors@test.local", ["Case Applicant"])
		cls.expert = make_user("expert1.doors@test.local", ["Case Expert"])
		cls.stranger_expert = make_user("expert2.doors@test.local", ["Case Expert"])
		cls.build_district_case()
		cls.build_city_case()
		frappe.db.commit()  # the server's workers read committed data only
		cls.targets = cls.make_targets()
		cls.snapshot_before = {(t.doctype, t.name): cls.snapshot(t) for t in cls.targets}
		cls.stored = {
			t.name: json.loads(frappe.as_json(frappe.get_doc(t.doctype, t.name).as_dict()))
			for t in cls.targets
			if not t.is_child
		}
		cls.side_before = cls.side_counts()
		users = {u for t in cls.targets for u in t.outsiders} | {t.insider for t in cls.targets}
		cls.sessions = {u: login(u) for u in users}

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		with system_write():
			for name in frappe.get_all("Case Collection", {"round": ROUND}, pluck="name"):
				frappe.delete_doc("Case Collection", name, force=True, ignore_permissions=True)
			clear_round(ROUND)
			for f in frappe.get_all("File", {"file_name": ("like", f"%{cls.tag}%")}, pluck="name"):
				frappe.delete_doc("File", f, force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	# Data -----------------------------------------------------------------------------------------------

	@classmethod
	def private_file(cls, user: str, label: str, attached_to: str | None = None, pdf: bool = False) -> str:
		text = f"{label} {cls.tag} 机密内容"
		# the stamped scan must be a PDF or an image (files.scan_problem): the same marker inside a PDF
		content = f"%PDF-1.4\n% {text}\n{'%' * 100}\n" if pdf else text

		def make():
			return (
				frappe.get_doc(
					{
						"doctype": "File",
						"file_name": f"{label}-{cls.tag}.{'pdf' if pdf else 'txt'}",
						"content": content,
						"is_private": 1,
						"attached_to_doctype": "Case Application" if attached_to else None,
						"attached_to_name": attached_to,
					}
				)
				.insert()
				.file_url
			)

		return flow.as_user(user, make)

	@classmethod
	def build_district_case(cls):
		"""D: a 渝中区 case under co-signing, with every child table, private attachments, an opinion, history
		and an assignment."""
		t = cls.tag
		cls.d = make_application(
			as_user=cls.owner,
			seed=960,
			round=ROUND,
			case_title=f"门禁D-{t}",
			partners=[{"partner_name": f"门禁伙伴-{t}", "partner_type": "企业"}],
			finance_years=[{"year": 2024, "revenue": 96123.45, "rd_spend": 3}],
			indicators=[{"indicator": f"门禁指标-{t}", "value": "1", "unit": "项"}],
		).name
		scan = cls.private_file(cls.owner, "盖章申报书", cls.d, pdf=True)
		evidence = cls.private_file(cls.owner, "佐证", cls.d)

		def attach():
			doc = frappe.get_doc("Case Application", cls.d)
			doc.signed_form_scan = scan
			doc.append("evidence", {"evidence_type": "专利", "title": f"门禁佐证-{t}", "file": evidence})
			doc.save()

		flow.as_user(cls.owner, attach)
		cls.d_files = (scan, evidence)
		flow.act(cls.owner, "Case Application", cls.d, "Submit to District")
		cls.yz.sign("Case Application", cls.d, keys=("kj",), remark=f"门禁意见-{t}")
		flow.as_user(
			cls.yz.lead,
			frappe.desk.form.assign_to.add,
			{"doctype": "Case Application", "name": cls.d, "assign_to": [cls.yz.lead]},
		)

	@classmethod
	def build_city_case(cls):
		"""C: a 渝中区 case at the city, in 公示, with its list L, a scored review R, an objection J and a
		casebook K."""
		t = cls.tag
		cls.c = flow.submitted(cls.owner, 961, round=ROUND, case_title=f"门禁C-{t}")
		for name in (cls.c,):
			cls.yz.sign("Case Application", name)
		cls.lst = cls.yz.make_list(ROUND, [cls.c], contact_person=f"门禁联络-{t}")

		def remark():
			doc = frappe.get_doc("District Recommendation List", cls.lst)
			doc.items[0].remarks = f"门禁备注-{t}"
			doc.save()

		flow.as_user(cls.yz.lead, remark)
		cls.yz.sign("District Recommendation List", cls.lst)
		cls.yz.submit_list(cls.lst)
		cls.city.receive(cls.lst)
		cls.city.to_review(cls.c)

		def formal_check_remark():
			doc = frappe.get_doc("Case Evaluation", cls.c)
			doc.formal_check_remark = f"门禁形审-{t}"
			doc.save()

		flow.as_user(cls.city.manager, formal_check_remark)
		cls.review = cls.city.assign(cls.c, cls.expert)
		flow.score(cls.review, cls.expert, comments=f"门禁评审-{t}")
		cls.city.act(cls.c, "Shortlist")
		cls.city.act(cls.c, "Start Public Notice")

		def objection():
			return (
				frappe.get_doc(
					{"doctype": "Case Objection", "application": cls.c, "content": f"门禁异议-{t}"}
				)
				.insert()
				.name
			)

		cls.objection = flow.as_user(cls.city.manager, objection)

		def collection():
			return (
				frappe.get_doc(
					{
						"doctype": "Case Collection",
						"round": ROUND,
						"title": f"门禁案例集-{t}",
						"cases": [{"application": cls.c}],
					}
				)
				.insert()
				.name
			)

		cls.collection = flow.as_user(cls.city.manager, collection)

	@classmethod
	def make_targets(cls) -> list[Target]:
		t = cls.tag
		wz = frozenset(cls.wz.users.values())
		yz = frozenset(cls.yz.users.values())
		outside_d = wz | {cls.other, cls.expert, cls.stranger_expert, cls.city.manager, cls.reviewer}
		outside_c = wz | {cls.other, cls.stranger_expert}
		outside_list = wz | {cls.owner, cls.other, cls.expert, cls.stranger_expert}
		outside_review = wz | yz | {cls.owner, cls.other, cls.stranger_expert}
		outside_city = wz | yz | {cls.owner, cls.other, cls.expert, cls.stranger_expert}
		d = frappe.get_doc("Case Application", cls.d)
		lst = frappe.get_doc("District Recommendation List", cls.lst)
		review = frappe.get_doc("Case Review", cls.review)
		coll = frappe.get_doc("Case Collection", cls.collection)
		opinion = frappe.db.get_value(
			"Case Cosign Opinion", {"reference_name": cls.d, "remarks": f"门禁意见-{t}"}, "name"
		)
		log = frappe.db.get_value(
			"Case Action Log", {"reference_name": cls.d, "remark": f"门禁意见-{t}"}, "name"
		)

		def child(doc, table, field, marker, outsiders, insider):
			row = doc.get(table)[0]
			return Target(
				row.doctype, row.name, marker, field, outsiders, insider, (doc.doctype, doc.name, table)
			)

		owner, lead, city = cls.owner, cls.yz.lead, cls.city.manager
		return [
			Target("Case Application", cls.d, f"门禁D-{t}", "case_title", outside_d, owner),
			child(d, "partners", "partner_name", f"门禁伙伴-{t}", outside_d, owner),
			child(d, "finance_years", "rd_spend", "96123.45", outside_d, owner),
			child(d, "indicators", "indicator", f"门禁指标-{t}", outside_d, owner),
			child(d, "evidence", "title", f"门禁佐证-{t}", outside_d, owner),
			Target("Case Cosign Opinion", opinion, f"门禁意见-{t}", "remarks", outside_d, lead),
			Target("Case Action Log", log, f"门禁意见-{t}", "remark", outside_d, lead),
			Target("Case Application", cls.c, f"门禁C-{t}", "case_title", outside_c, city),
			Target(
				"District Recommendation List", cls.lst, f"门禁联络-{t}", "contact_person", outside_list, lead
			),
			child(lst, "items", "remarks", f"门禁备注-{t}", outside_list, lead),
			Target("Case Review", cls.review, f"门禁评审-{t}", "comments", outside_review, cls.expert),
			child(review, "scores", "score", "门禁评分", outside_review, cls.expert),
			Target("Case Objection", cls.objection, f"门禁异议-{t}", "content", outside_city, city),
			# The city's record of C (access/sealing.py): its formal check remark, real state and scores.
			Target("Case Evaluation", cls.c, f"门禁形审-{t}", "formal_check_remark", outside_city, city),
			Target("Case Collection", cls.collection, f"门禁案例集-{t}", "title", outside_city, city),
			# the row's title is C's, which C's district, applicant and expert know
			child(coll, "cases", "case_title", f"门禁C-{t}", outside_c, city),
			# The district's deadline record names its officers: their district's and the city's only.
			Target(
				"District Deadline",
				f"{ROUND}-渝中区",
				lead,  # in its officers; its name (round-district) is no secret, every district's exists
				"officers",
				wz | {cls.owner, cls.other, cls.expert, cls.stranger_expert},
				lead,
			),
		]

	@classmethod
	def snapshot(cls, target: Target) -> str:
		doctype, name = (
			(target.parent[0], target.parent[1]) if target.is_child else (target.doctype, target.name)
		)
		frappe.db.rollback()
		doc = frappe.get_doc(doctype, name).as_dict(no_default_fields=False)
		for key in ("modified", "_seen", "_liked_by", "_user_tags", "_assign", "_comments"):
			doc.pop(key, None)
		return frappe.as_json(doc)  # whole, so that a failure shows what changed

	@classmethod
	def side_counts(cls) -> dict:
		frappe.db.rollback()
		names = [cls.d, cls.c, cls.lst, cls.review, cls.objection, cls.collection]
		return {
			"Comment": frappe.db.count("Comment", {"reference_name": ("in", names)}),
			"Tag Link": frappe.db.count("Tag Link", {"document_name": ("in", names)}),
			"ToDo": frappe.db.count("ToDo", {"reference_name": ("in", names)}),
			"DocShare": frappe.db.count("DocShare", {"share_name": ("in", names)}),
			"Document Follow": frappe.db.count("Document Follow", {"ref_docname": ("in", names)}),
			"File": frappe.db.count("File", {"attached_to_name": ("in", names)}),
			"Case Cosign Opinion": frappe.db.count("Case Cosign Opinion", {"reference_name": ("in", names)}),
			"Case Application": frappe.db.count("Case Application", {"round": ROUND}),
		}

	# Doors --------------------------------------------------------------------------------------------------

	def read_doors(self, s: requests.Session, t: Target, user: str) -> list[Result]:
		dt, name, marker = t.doctype, t.name, t.marker
		parent = {"parent": t.parent[0]} if t.is_child else {}
		api = f"{URL}/api/method"
		out = []

		def call(door, method, url, leaked, **kw):
			r = s.request(method, url, timeout=120, **kw)
			detail = r.text[-600:] if r.status_code >= 500 else ""
			out.append(Result(door, r.status_code, r.status_code == 200 and leaked(r, text_of(r)), detail))

		def shows(r, body):
			if dt == "Case Evaluation":
				# Named as its case, which the district and the applicant may read: the evaluation shows by its
				# marker or by the real state it keeps (C is in 公示, which they know as 市级评审中).
				return marker in body or "In Public Notice" in body or "公示中" in body
			return marker in body or name in body

		def count_of(r, body):
			msg = r.json().get("message")
			return bool(msg) if not isinstance(msg, list) else any(row.get("count") for row in msg)

		flt = json.dumps([[dt, "name", "=", name]])
		call("REST get", "GET", f"{URL}/api/resource/{dt}/{name}", shows)
		call(
			"REST list",
			"GET",
			f"{URL}/api/resource/{dt}",
			shows,
			params={"fields": '["*"]', "filters": flt, **parent},
		)
		call(
			"client.get",
			"GET",
			f"{api}/frappe.client.get",
			shows,
			params={"doctype": dt, "name": name, **parent},
		)
		call(
			"client.get_list",
			"GET",
			f"{api}/frappe.client.get_list",
			shows,
			params={"doctype": dt, "fields": '["*"]', "filters": flt, **parent},
		)
		call(
			"client.get_value",
			"GET",
			f"{api}/frappe.client.get_value",
			shows,
			params={"doctype": dt, "fieldname": json.dumps(["name", t.field]), "filters": flt, **parent},
		)
		call(
			"client.get_count",
			"GET",
			f"{api}/frappe.client.get_count",
			count_of,
			params={"doctype": dt, "filters": flt},
		)
		call(
			"reportview.get",
			"GET",
			f"{api}/frappe.desk.reportview.get",
			shows,
			params={
				"doctype": dt,
				"fields": json.dumps([f"`tab{dt}`.`name`", f"`tab{dt}`.`{t.field}`"]),
				"filters": flt,
			},
		)
		call(
			"reportview.get_count",
			"GET",
			f"{api}/frappe.desk.reportview.get_count",
			count_of,
			params={"doctype": dt, "filters": flt},
		)
		if t.is_child:
			return out
		for field_name in ("owner", "assigned_to"):
			call(
				f"group_by_count {field_name}",
				"GET",
				f"{api}/frappe.desk.listview.get_group_by_count",
				count_of,
				params={"doctype": dt, "current_filters": json.dumps({"name": name}), "field": field_name},
			)
		call(
			"search_link",
			"GET",
			f"{api}/frappe.desk.search.search_link",
			shows,
			params={"doctype": dt, "txt": name[:6], "ignore_user_permissions": 1, "page_length": 500},
		)
		call(
			"search_widget",
			"GET",
			f"{api}/frappe.desk.search.search_widget",
			shows,
			params={
				"doctype": dt,
				"txt": "",
				"ignore_user_permissions": 1,
				"page_length": 500,
				"filter_fields": json.dumps([t.field]),
			},
		)
		call(
			"form getdoc",
			"GET",
			f"{api}/frappe.desk.form.load.getdoc",
			shows,
			params={"doctype": dt, "name": name},
		)
		call(
			"form docinfo",
			"GET",
			f"{api}/frappe.desk.form.load.get_docinfo",
			lambda r, b: True,
			params={"doctype": dt, "name": name},
		)
		call(
			"print preview",
			"GET",
			f"{api}/frappe.www.printview.get_html_and_style",
			shows,
			params={"doc": dt, "name": name, "print_format": "Standard"},
		)
		made_up = json.dumps(
			{"doctype": dt, "name": name, "owner": user, "district": "万州区", "expert": user}
		)
		call(
			"print preview of a made-up document",
			"POST",
			f"{api}/frappe.www.printview.get_html_and_style",
			shows,
			data={"doc": made_up, "print_format": "Standard"},
		)
		call(
			"printview page",
			"GET",
			f"{URL}/printview",
			shows,
			params={"doctype": dt, "name": name, "format": "Standard"},
		)
		call(
			"printview page with doc",
			"GET",
			f"{URL}/printview",
			shows,
			params={"doc": made_up, "format": "Standard"},
		)
		call(
			"download_pdf",
			"GET",
			f"{api}/frappe.utils.print_format.download_pdf",
			lambda r, b: r.content.startswith(b"%PDF"),
			params={"doctype": dt, "name": name, "format": "Standard"},
		)
		call(
			"download_multi_pdf",
			"GET",
			f"{api}/frappe.utils.print_format.download_multi_pdf",
			lambda r, b: pdf_mentions(r.content, marker),
			params={"doctype": dt, "name": json.dumps([name]), "format": "Standard"},
		)
		call(
			"validate_link",
			"GET",
			f"{api}/frappe.client.validate_link",
			lambda r, b: marker in b,
			params={"doctype": dt, "docname": name, "fields": json.dumps([t.field])},
		)
		call(
			"Workflow Action list",
			"GET",
			f"{URL}/api/resource/Workflow Action",
			shows,
			params={"fields": '["*"]', "filters": json.dumps([["reference_name", "=", name]])},
		)
		call(
			"File list",
			"GET",
			f"{URL}/api/resource/File",
			lambda r, b: bool(r.json().get("data")),
			# The files of this record (a Case Evaluation shares its case's name; the case's own files, such as
			# its sealed 附件1, are its readers').
			params={
				"fields": '["*"]',
				"filters": json.dumps([["attached_to_doctype", "=", dt], ["attached_to_name", "=", name]]),
			},
		)
		call(
			"Version list",
			"GET",
			f"{URL}/api/resource/Version",
			lambda r, b: bool(r.json().get("data")),
			params={"filters": json.dumps([["docname", "=", name]])},
		)
		call(
			"Comment list",
			"GET",
			f"{URL}/api/resource/Comment",
			lambda r, b: bool(r.json().get("data")),
			params={"filters": json.dumps([["reference_name", "=", name]])},
		)
		call(
			"history report",
			"GET",
			f"{api}/frappe.desk.query_report.run",
			shows,
			params={"report_name": "Case Action History", "filters": json.dumps({"reference_name": name})},
		)
		call(
			"global search", "GET", f"{api}/frappe.utils.global_search.search", shows, params={"text": marker}
		)
		if dt in ("Case Application", "District Recommendation List"):
			for method in ("get_history", "get_cosign_opinions"):
				call(
					f"api.{method}",
					"GET",
					f"{api}/case_selection.api.{method}",
					lambda r, b: True,
					params={"doctype": dt, "name": name},
				)
		if dt == "District Recommendation List":
			call(
				"附件2 xlsx",
				"GET",
				f"{api}/case_selection.api.exports.district_list_xlsx",
				lambda r, b: True,
				params={"name": name},
			)
		if t.name == self.d:
			for url in self.d_files:
				call(f"private file {url}", "GET", f"{URL}{url}", lambda r, b: self.tag in b)
		return out

	def write_doors(self, s: requests.Session, t: Target, user: str) -> list[Result]:
		dt, name = t.doctype, t.name
		api = f"{URL}/api/method"
		value = "被改了" if t.field != "score" and t.field != "rd_spend" else 1
		out = []

		def call(door, method, url, ok_statuses=REFUSED, **kw):
			r = s.request(method, url, timeout=120, **kw)
			out.append(Result(door, r.status_code, r.status_code not in ok_statuses))

		call("REST put", "PUT", f"{URL}/api/resource/{dt}/{name}", json={t.field: value})
		call(
			"client.set_value",
			"POST",
			f"{api}/frappe.client.set_value",
			data={"doctype": dt, "name": name, "fieldname": t.field, "value": value},
		)
		call(
			"client.bulk_update",
			"POST",
			f"{api}/frappe.client.bulk_update",
			ok_statuses=REFUSED | {200},  # answers 200 with the failures listed; the snapshot must not change
			data={"docs": json.dumps([{"doctype": dt, "docname": name, t.field: value}])},
		)
		call("REST delete", "DELETE", f"{URL}/api/resource/{dt}/{name}")
		if t.is_child:
			ptype, pname, pfield = t.parent
			call(
				"client.insert child row",
				"POST",
				f"{api}/frappe.client.insert",
				data={
					"doc": json.dumps(
						{
							"doctype": dt,
							"parenttype": ptype,
							"parent": pname,
							"parentfield": pfield,
							t.field: value,
						}
					)
				},
			)
			return out
		stored = dict(self.stored[name])
		stored[t.field] = value
		call("client.save", "POST", f"{api}/frappe.client.save", data={"doc": json.dumps(stored)})
		call(
			"rename_doc",
			"POST",
			f"{api}/frappe.client.rename_doc",
			data={"doctype": dt, "old_name": name, "new_name": f"{name}-x"},
		)
		if dt == "Case Application":
			for action in ("Return for Revision", "Start Co-signing", "Select", "Reject"):
				call(
					f"apply_workflow {action}",
					"POST",
					f"{api}/frappe.model.workflow.apply_workflow",
					data={"doc": json.dumps({"doctype": dt, "name": name}), "action": action},
				)
		if dt in ("Case Application", "District Recommendation List"):
			call(
				"co-sign",
				"POST",
				f"{api}/case_selection.api.cosigning.cosign",
				data={"doctype": dt, "name": name, "opinion": "同意推荐"},
			)
		call(
			"add_comment",
			"POST",
			f"{api}/frappe.desk.form.utils.add_comment",
			data={
				"reference_doctype": dt,
				"reference_name": name,
				"content": "看看",
				"comment_email": user,
				"comment_by": user,
			},
		)
		call(
			"like",
			"POST",
			f"{api}/frappe.desk.like.toggle_like",
			data={"doctype": dt, "name": name, "add": "Yes"},
		)
		call(
			"tag",
			"POST",
			f"{api}/frappe.desk.doctype.tag.tag.add_tag",
			data={"tag": "门禁", "dt": dt, "dn": name},
		)
		call(
			"follow",
			"POST",
			f"{api}/frappe.desk.form.document_follow.update_follow",
			ok_statuses=REFUSED | {200},  # Frappe may decline quietly; the side count must not change
			data={"doctype": dt, "doc_name": name, "following": 1},
		)
		call(
			"assign to self",
			"POST",
			f"{api}/frappe.desk.form.assign_to.add",
			data={"doctype": dt, "name": name, "assign_to": json.dumps([user])},
		)
		call(
			"share with self",
			"POST",
			f"{api}/frappe.share.add",
			data={"doctype": dt, "name": name, "user": user, "read": 1},
		)
		call(
			"attach a file",
			"POST",
			f"{api}/frappe.client.attach_file",
			data={
				"filename": f"attack-{self.tag}.txt",
				"filecontent": base64.b64encode(b"x").decode(),
				"doctype": dt,
				"docname": name,
				"decode_base64": 1,
				"is_private": 1,
			},
		)
		return out

	# The matrix ----------------------------------------------------------------------------------------------

	def run_matrix(self, doors) -> list[str]:
		jobs = [(u, t) for t in self.targets for u in sorted(t.outsiders)]
		failures = []

		def run(job):
			user, target = job
			results = doors(self.sessions[user], target, user)
			return [
				f"{user} → {target.doctype} {target.name}: {r.door} answered {r.status}"
				+ (" with the record" if r.leaked else "")
				+ (f" — {r.detail}" if r.detail else "")
				for r in results
				if r.status >= 500 or r.leaked
			], len(results)

		total = 0
		with ThreadPoolExecutor(max_workers=4) as pool:
			for fails, n in pool.map(run, jobs):
				failures += fails
				total += n
		return failures, total

	def test_insiders_see_their_records(self):
		"""The control: through the first REST door, each record's insider sees its marker."""
		for t in self.targets:
			s = self.sessions[t.insider]
			if t.is_child:
				r = s.get(
					f"{URL}/api/method/frappe.client.get",
					params={"doctype": t.parent[0], "name": t.parent[1]},
					timeout=30,
				)
			else:
				r = s.get(f"{URL}/api/resource/{t.doctype}/{t.name}", timeout=30)
			self.assertEqual(r.status_code, 200, f"{t.insider} → {t.doctype} {t.name}: {r.text[:300]}")
			if t.field != "score":
				self.assertIn(t.marker, text_of(r), f"{t.insider} → {t.doctype}")

	def test_reads_return_nothing_through_every_door(self):
		failures, total = self.run_matrix(self.read_doors)
		self.assertGreater(total, 1000)
		self.assertEqual(failures, [], "\n".join(failures[:60]))

	def test_writes_are_refused_through_every_door(self):
		failures, total = self.run_matrix(self.write_doors)
		self.assertGreater(total, 500)
		self.assertEqual(failures, [], "\n".join(failures[:60]))
		for t in self.targets:
			self.assertEqual(
				self.snapshot(t), self.snapshot_before[t.doctype, t.name], f"{t.doctype} {t.name} changed"
			)
		self.assertEqual(self.side_counts(), self.side_before)

	# The hunt ------------------------------------------------------------------------------------------------

	SEALED_WORDS = ("In Public Notice", "公示中", "Shortlisted", "拟入选")

	@staticmethod
	def hostile_args(t: Target) -> list[dict]:
		"""Arguments every method is called with, naming the target every way Frappe reads a name, a field or
		a filter: plain, aliased and back-quoted fields, dicts where strings are expected, JSON, stats,
		export fields, sort fields. Frappe passes a method only the arguments it takes, so each set carries
		them all at once."""
		dt, name, field = t.doctype, t.name, t.field
		doc = json.dumps({"doctype": dt, "name": name})
		common = {
			"doctype": dt,
			"dt": dt,
			"reference_doctype": dt,
			"document_type": dt,
			"ref_doctype": dt,
			"name": name,
			"dn": name,
			"docname": name,
			"doc_name": name,
			"reference_name": name,
			"value": name,
			"txt": name[:8],
			"doc": doc,
			"docs": doc,
			"report_name": "Case Action History",
		}
		return [
			{
				**common,
				"fieldname": field,
				"field": field,
				"fields": json.dumps(["*"]),
				"filters": json.dumps({"name": name}),
				"current_filters": json.dumps({"name": name}),
				"sort_field": field,
				"stats": json.dumps([field, "workflow_state"]),
				"export_fields": json.dumps({dt: ["name", field]}),
				"filter_fields": json.dumps([field]),
			},
			{
				**common,
				"fieldname": f"`{field}` as x",
				"field": f"`tab{dt}`.`{field}`",
				"fields": json.dumps([f"{field} as x", f"`tab{dt}`.`workflow_state` as y", "name"]),
				"filters": json.dumps([[dt, "name", "=", name]]),
				"or_filters": json.dumps([[dt, "name", "like", f"%{name}%"]]),
				"sort_field": f"`{field}`",
				"sort_order": "desc",
				"order_by": f"`tab{dt}`.`{field}` desc",
				"group_by": field,
				"stats": json.dumps(["workflow_state", "owner"]),
				"prev": 0,
			},
			{
				**common,
				"fieldname": json.dumps({"a": field}),
				"field": json.dumps({"a": field}),
				"fields": json.dumps({"a": field}),
				"filters": name,
				"args": json.dumps({"name": name, "doctype": dt}),
				"prev": 1,
			},
		]

	def test_hunt_every_allowed_method_for_markers(self):
		"""Every method an outsider may call (the platform's allowed ones and the app's own), with hostile
		arguments naming each record: no body may hold the record's marker or, for the district and the
		applicant, a sealed state of the city's case; no call may answer 5xx."""
		# deferred: imported at the top, its TestCase would run a second time as this module's
		from case_selection.tests.test_method_allowlist import whitelisted_methods

		methods = sorted(
			m
			for m in set(allowlist.ALLOWED)
			| {m for m in whitelisted_methods() if m.startswith("case_selection.")}
			if m not in ("login", "logout", "upload_file", "frappe.handler.upload_file")
			and not m.startswith("case_selection.tests")
		)
		jobs = []
		for i, t in enumerate(self.targets):
			outsiders = sorted(t.outsiders)
			for j, args in enumerate(self.hostile_args(t)):
				jobs.append((outsiders[(i + j) % len(outsiders)], t, args, t.marker))
		# Insiders of the city's case who may not know its state before publication.
		c = next(t for t in self.targets if t.name == self.c)
		for user in (self.owner, self.yz.lead, self.yz.users["kj"]):
			for args in self.hostile_args(c):
				jobs.append((user, c, args, None))

		def run(job):
			user, t, args, marker = job
			s = self.sessions.setdefault(user, login(user))
			found = []
			for m in methods:
				r = s.post(f"{URL}/api/method/{m}", data=args, timeout=120)
				body = text_of(r)
				if r.status_code >= 500:
					found.append(f"{user} {m} on {t.doctype} {t.name}: {r.status_code} {body[:200]}")
				elif marker is not None and marker in body and r.status_code == 200:
					found.append(f"{user} {m} on {t.doctype} {t.name}: the marker")
				elif marker is None and sealed_state_of(r, t.name, self.SEALED_WORDS):
					found.append(f"{user} {m} on {t.doctype} {t.name}: a sealed state of the case")
			return found, len(methods)

		# The control: the city, which may know it, finds the case's sealed state the way the hunt looks for it.
		city = self.sessions.setdefault(self.city.manager, login(self.city.manager))
		r = city.post(
			f"{URL}/api/method/frappe.desk.form.load.getdoc",
			data={"doctype": c.doctype, "name": c.name},
			timeout=60,
		)
		self.assertTrue(sealed_state_of(r, c.name, self.SEALED_WORDS), r.text[:300])
		failures, total = [], 0
		with ThreadPoolExecutor(max_workers=4) as pool:
			for found, n in pool.map(run, jobs):
				failures += found
				total += n
		self.assertGreater(total, 3000)
		self.assertEqual(failures, [], "\n".join(failures[:80]))


def sealed_state_of(r: requests.Response, name: str, words) -> bool:
	"""Whether the response tells a sealed state of the case `name`: a row or object of the JSON body that holds
	the case's name and, beside it, a sealed state (the workflow's vocabulary in a DocType's meta or a card's
	route is not about the case)."""
	try:
		body = r.json()
	except ValueError:
		return False

	def rows(node):
		if isinstance(node, dict):
			yield list(node.values())
			for v in node.values():
				yield from rows(v)
		elif isinstance(node, list):
			yield node
			for v in node:
				yield from rows(v)

	for row in rows(body):
		values = [v for v in row if isinstance(v, str)]
		if name in values and any(w in v for v in values for w in words):
			return True
	return False


def text_of(r: requests.Response) -> str:
	"""The response as a reader sees it: JSON with its Chinese unescaped."""
	if "json" in r.headers.get("Content-Type", ""):
		try:
			return json.dumps(r.json(), ensure_ascii=False)
		except ValueError:
			pass
	return r.text


def pdf_mentions(content: bytes, marker: str) -> bool:

	if not content.startswith(b"%PDF"):
		return False
	text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
	return marker in text
