"""The demo of the whole pipeline (`make demo`), built through the real flow as the users who act.

Two demo rounds beside the notice's own 2025 round, which stays as the notice has it:

- an earlier round, **published**: its results (入选 / 未入选) are everyone's to see, and its casebook is
  generated; its dates are set back to the year it stands for once it is done;
- the **open** round of this year, dates around today: in 渝中区 (the demo users' district) a draft, a case
  returned to the applicant, cases waiting for one, two or all three departments' signatures, recommended
  cases, a case not recommended and the district's list under co-signing; 江北区's list sent and received with
  cases at every stage of the city's review (received, under review with expert scores and without,
  shortlisted, in 公示, selected, not selected — sealed to the districts and the applicants until
  publication); 九龙坡区's list sent, waiting for the city's receipt (with an extended deadline); 沙坪坝区
  still co-signing.

Every step goes through the code a user's request runs (the Workflow, the co-signing service, the list's
methods, the review and publication endpoints), as that user, so the data is what the app would have made,
notifications and assignments included. Calling it again adds nothing: when every case has reached its state
the demo is complete; a demo left half-built (an interrupted run) is removed and built again.
"""

import random

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, getdate, nowdate

from case_selection.access.actors import as_user
from case_selection.access.sealing import real_state
from case_selection.access.system_write import system_write
from case_selection.api.cosigning import cosign
from case_selection.api.publication import publish_results
from case_selection.api.review import assign_experts
from case_selection.checks.formats import uscc_check_char
from case_selection.constants import DECLARATIONS, PUBLISHED
from case_selection.cosign.service import clear_opinions
from case_selection.jobs import service

AGREE, DISAGREE, RETURN = "同意推荐", "不同意", "退回"
PUBLISHED_YEAR = 2024


def open_year() -> int:
	return max(getdate(nowdate()).year, 2026)


# The narrative of a demo case: its own opening sentence and two of six sentences per section, chosen by the
# case's seed, so that demo cases differ as real ones do and the similarity check (review/copies.py) flags only
# what shares most of its text.
NARRATIVE = {
	"background": (
		"产业链关键环节存在共性技术难题，企业研发投入分散、成果转化慢。",
		"区域内中小企业数字化基础薄弱，缺少可负担的技术服务。",
		"行业标准更新快，检测认证能力不足制约了产品进入高端市场。",
		"高校和科研院所的科研成果与企业需求对接不畅，专利闲置较多。",
		"传统业态面临用工成本上升和消费需求变化的双重压力。",
		"跨部门数据分散在多个系统中，难以支撑精细化管理和服务。",
	),
	"approach": (
		"组建由企业牵头、高校和科研院所参与的联合团队，设立攻关课题。",
		"建设中试验证平台，开展工程化放大和小批量试制。",
		"引入第三方检测机构，建立从研发到量产的质量追溯体系。",
		"搭建开放数据平台，按统一标准汇聚业务数据并向合作单位开放接口。",
		"设立成果转化专项基金，以“先使用后付费”方式降低企业试用门槛。",
		"与行业协会合作举办供需对接会，推动技术成果在园区企业落地。",
	),
	"innovation": (
		"首创“企业出题、院校答题、政府助题”的协同机制。",
		"将数字孪生模型与现场传感数据实时联动，实现预测性维护。",
		"采用模块化设计，核心部件可按场景快速组合和替换。",
		"建立知识产权共享和收益分配规则，激发科研人员转化积极性。",
		"以场景开放带动技术迭代，形成“应用—反馈—改进”的闭环。",
		"把服务流程标准化、线上化，服务响应时间大幅缩短。",
	),
	"results": (
		"项目实施以来新增产值明显，带动上下游企业协同创新。",
		"授权发明专利和软件著作权数量大幅增长，部分成果实现出口。",
		"服务企业数量逐年增加，企业满意度保持在较高水平。",
		"单位产品能耗下降，生产效率和良品率显著提升。",
		"吸引多家链主企业落户，形成一定规模的产业集聚。",
		"培养了一批懂技术、会管理的复合型人才队伍。",
	),
	"promotion_value": (
		"具有较强的代表性和示范性，做法可在同类产业和区县复制推广。",
		"机制设计简单清晰，适合科技型中小企业借鉴。",
		"平台接口开放，其他区县可低成本接入使用。",
		"形成了可量化的评价指标，便于推广时对照评估。",
		"相关经验已在行业会议上交流，得到同行认可。",
		"可与现有产业政策衔接，推广阻力较小。",
	),
}


def scan_pdf(name: str) -> bytes:
	"""A stand-in for the stamped scan an applicant uploads: one A4 page with a frame, a red round mark where
	the unit's seal would be, and the case's number in plain Latin text (no font to embed)."""
	ops = (
		"0.5 w 56 56 483 730 re S 0.8 0 0 RG 2 w 450 120 m 450 147.6 427.6 170 400 170 c "
		"372.4 170 350 147.6 350 120 c 350 92.4 372.4 70 400 70 c 427.6 70 450 92.4 450 120 c S "
		f"BT /F1 11 Tf 72 760 Td (Scanned, stamped application form - {name}) Tj ET"
	).encode("latin-1")
	objects = [
		b"<< /Type /Catalog /Pages 2 0 R >>",
		b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
		b"/Resources << /Font << /F1 5 0 R >> >> >>",
		b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream",
		b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
	]
	out, offsets = bytearray(b"%PDF-1.4\n"), []
	for i, body in enumerate(objects, start=1):
		offsets.append(len(out))
		out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
	xref = len(out)
	out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
	out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
	out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
	return bytes(out)


def attach_scan(name: str) -> None:
	"""The applicant uploads the stamped scan (盖章申报书扫描件) of their case, as in Desk."""
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"盖章申报书扫描件-{name}.pdf",
			"attached_to_doctype": "Case Application",
			"attached_to_name": name,
			"attached_to_field": "signed_form_scan",
			"is_private": 1,
			"content": scan_pdf(name),
		}
	).insert()
	doc = frappe.get_doc("Case Application", name)
	doc.signed_form_scan = file.file_url
	doc.save()


def narrative(seed: int, district: str, title: str) -> dict[str, str]:
	rng = random.Random(seed)
	own = {
		"background": f"{district}推进“{title}”，",
		"approach": f"围绕“{title}”，",
		"innovation": f"在“{title}”中，",
		"results": f"“{title}”",
		"promotion_value": f"“{title}”的经验",
	}
	out = {}
	for field, pool in NARRATIVE.items():
		out[field] = own[field] + "".join(rng.sample(pool, 2))
	return out


# The cases: (key, district, owner key, title, unit, direction, unit type, target). Owner "applicant" is the demo
# applicant; "lead" is the district's 经信 officer entering a paper application.
PUBLISHED_CASES = (
	(
		"p1",
		"渝中区",
		"applicant",
		"渝中区智慧医疗产学研协同创新平台建设",
		"重庆渝中智慧医疗科技有限公司",
		"产学研协同创新",
		"企业",
		"selected",
	),
	(
		"p2",
		"渝中区",
		"applicant",
		"楼宇经济数字化服务平台研发与推广",
		"重庆渝中智慧医疗科技有限公司",
		"高科技产品研发",
		"企业",
		"not_selected",
	),
	(
		"p3",
		"江北区",
		"lead",
		"江北区汽车软件关键技术联合攻关",
		"重庆江北汽车软件有限公司",
		"产业关键技术攻关",
		"企业",
		"selected",
	),
	(
		"p4",
		"江北区",
		"lead",
		"高校科技成果转化服务站建设",
		"重庆江北科技成果转化服务中心",
		"科技成果转化服务",
		"科技服务机构",
		"not_selected",
	),
)
OPEN_CASES = (
	(
		"d1",
		"渝中区",
		"applicant",
		"渝中区数字文创关键技术攻关",
		"重庆渝中智慧医疗科技有限公司",
		"产业关键技术攻关",
		"企业",
		"draft",
	),
	(
		"d2",
		"渝中区",
		"applicant",
		"解放碑商圈智慧消费场景联合创新",
		"重庆渝中智慧医疗科技有限公司",
		"大中小企业融通创新",
		"企业",
		"returned",
	),
	(
		"d3",
		"渝中区",
		"applicant",
		"山城步道数字孪生技术研发与应用",
		"重庆渝中智慧医疗科技有限公司",
		"高科技产品研发",
		"企业",
		"submitted",
	),
	(
		"d4",
		"渝中区",
		"applicant",
		"渝中区科技型中小企业梯度培育",
		"重庆渝中科创服务有限公司",
		"科技型企业培育",
		"企业",
		"signed_1",
	),
	(
		"d5",
		"渝中区",
		"applicant",
		"临床科研成果转化机制改革",
		"重庆渝中医学研究院",
		"科技成果转化机制改革",
		"科研机构",
		"signed_2",
	),
	(
		"d6",
		"渝中区",
		"applicant",
		"渝中区人工智能联合创新平台",
		"重庆渝中智慧医疗科技有限公司",
		"建设联合创新平台",
		"企业",
		"listed",
	),
	(
		"d7",
		"渝中区",
		"lead",
		"校地共建产业创新人才培养基地",
		"重庆渝中职业技术学院",
		"加强产业创新人才培养",
		"高等学校",
		"listed",
	),
	(
		"d8",
		"渝中区",
		"lead",
		"文旅产业技术供需对接服务",
		"重庆渝中文旅科技服务中心",
		"推动技术供需对接",
		"科技服务机构",
		"recommended",
	),
	(
		"d9",
		"渝中区",
		"lead",
		"传统商贸企业数字化改造试点",
		"重庆渝中商贸集团有限公司",
		"强化先进技术扩散应用",
		"企业",
		"not_recommended",
	),
	(
		"e1",
		"江北区",
		"lead",
		"智能网联汽车线控底盘联合攻关",
		"重庆江北智能汽车有限公司",
		"产业关键技术攻关",
		"企业",
		"scored",
	),
	(
		"e2",
		"江北区",
		"lead",
		"校企共建未来出行实验室",
		"重庆江北出行科技有限公司",
		"未来产业源头创新",
		"企业",
		"assigned",
	),
	(
		"e3",
		"江北区",
		"lead",
		"江北嘴金融科技创新团队培育",
		"重庆江北嘴金融科技有限公司",
		"发现优秀创新创业团队",
		"企业",
		"shortlisted",
	),
	(
		"e4",
		"江北区",
		"lead",
		"科技成果“先用后付”转化改革",
		"重庆江北技术转移研究院",
		"科技成果转化机制改革",
		"科研机构",
		"public_notice",
	),
	(
		"e5",
		"江北区",
		"lead",
		"新能源汽车电池回收技术扩散应用",
		"重庆江北新能源科技有限公司",
		"强化先进技术扩散应用",
		"企业",
		"selected",
	),
	(
		"e6",
		"江北区",
		"lead",
		"企业研发人员与高校双向流动计划",
		"重庆江北精密制造有限公司",
		"推动企业高校人才流动",
		"企业",
		"not_selected",
	),
	(
		"e7",
		"江北区",
		"lead",
		"港城工业园区大中小企业融通平台",
		"重庆港城工业园区管理有限公司",
		"大中小企业融通创新",
		"企业",
		"received",
	),
	(
		"f1",
		"九龙坡区",
		"lead",
		"高端装备数控系统关键技术攻关",
		"重庆九龙数控装备有限公司",
		"产业关键技术攻关",
		"企业",
		"at_city",
	),
	(
		"f2",
		"九龙坡区",
		"lead",
		"西彭铝产业技术创新联合体",
		"重庆西彭铝业有限公司",
		"建设联合创新平台",
		"企业",
		"at_city",
	),
	(
		"g1",
		"沙坪坝区",
		"lead",
		"大学城科技成果转化中试基地",
		"重庆大学城科技服务中心",
		"科技成果转化服务",
		"科技服务机构",
		"recommended",
	),
	(
		"g2",
		"沙坪坝区",
		"lead",
		"高校人才服务企业专项行动",
		"重庆沙坪坝人才发展研究院",
		"推动企业高校人才流动",
		"科研机构",
		"signed_1",
	),
)
AT_CITY = {
	"scored",
	"assigned",
	"shortlisted",
	"public_notice",
	"selected",
	"not_selected",
	"received",
	"at_city",
}
REVIEWED = {"scored", "assigned", "shortlisted", "public_notice", "selected", "not_selected"}


class Demo:
	def __init__(self, people: dict):
		"""people: applicant, city, experts (list), and per district {"jx", "kj", "jy"}."""
		self.people = people
		self.city = people["city"]
		self.experts = people["experts"]

	# Acting as a user ---------------------------------------------------------------------------------------

	as_user = staticmethod(as_user)

	def act(self, user: str, name: str, action: str):
		self.as_user(user, lambda: apply_workflow(frappe.get_doc("Case Application", name), action))

	def officers(self, district: str) -> dict:
		return self.people["districts"][district]

	def owner(self, district: str, key: str) -> str:
		return self.people["applicant"] if key == "applicant" else self.officers(district)["jx"]

	def sign(self, district: str, doctype: str, name: str, keys=("jx", "kj", "jy"), opinion=AGREE, remark=""):
		for key in keys:
			self.as_user(self.officers(district)[key], cosign, doctype, name, opinion, remark)

	# Steps --------------------------------------------------------------------------------------------------

	def new_case(self, round_name: str, seed: int, case: tuple) -> str:
		_key, district, owner_key, title, unit, direction, unit_type, _target = case
		first17 = f"915001{seed:011d}"
		values = {
			"doctype": "Case Application",
			"round": round_name,
			"district": district,
			"case_title": title,
			"direction": direction,
			"unit_name": unit,
			"uscc": first17 + uscc_check_char(first17),
			"unit_type": unit_type,
			"legal_representative": "李明",
			"contact_person": "王芳",
			"contact_title": "科技部部长",
			"contact_mobile": f"139{seed:08d}"[:11],
			"contact_email": f"contact{seed}@example.com",
			"keywords": "关键技术、产学研、成果转化",
			"implementation_start": f"{int(round_name) - 2}-01-01",
			"implementation_end": f"{int(round_name)}-06-30",
			**narrative(seed, district, title),
			"indicators": [
				{"indicator": "新增产值", "value": str(1 + seed % 7), "unit": "亿元"},
				{"indicator": "授权发明专利", "value": str(5 + seed % 11), "unit": "件"},
			],
			**dict.fromkeys(DECLARATIONS, 1),
		}
		owner = self.owner(district, owner_key)
		return self.as_user(owner, lambda: frappe.get_doc(values).insert().name)

	def submit(self, district: str, owner_key: str, name: str):
		self.act(self.owner(district, owner_key), name, "Submit to District")

	def make_list(self, round_name: str, district: str, names: list[str]) -> str:
		lead = self.officers(district)["jx"]

		def make():
			return (
				frappe.get_doc(
					{
						"doctype": "District Recommendation List",
						"round": round_name,
						"district": district,
						"contact_person": f"{district}经信委科技科",
						"contact_phone": "023-60000000",
						"list_date": nowdate(),
						"items": [{"application": n} for n in names],
					}
				)
				.insert()
				.name
			)

		return self.as_user(lead, make)

	def submit_list(self, district: str, list_name: str):
		lead = self.officers(district)["jx"]
		self.as_user(lead, lambda: frappe.get_doc("District Recommendation List", list_name).submit_to_city())

	def receive(self, list_name: str):
		self.as_user(self.city, lambda: frappe.get_doc("District Recommendation List", list_name).receive())

	def to_review(self, name: str):
		def check():
			doc = frappe.get_doc("Case Evaluation", name)  # the city's record of the case (access/sealing.py)
			doc.formal_check = "通过"
			doc.formal_check_remark = "材料齐全，符合申报条件。"
			doc.save()

		self.as_user(self.city, check)
		self.act(self.city, name, "Start Review")

	def assign(self, name: str) -> list[str]:
		self.as_user(self.city, assign_experts, name, self.experts)
		return frappe.get_all(
			"Case Review", filters={"application": name}, fields=["name", "expert"], order_by="expert asc"
		)

	def score(self, review, seed: int):
		def do():
			doc = frappe.get_doc("Case Review", review.name)
			doc.no_conflict_declared = 1
			doc.comments = "案例代表性强，成效数据翔实，具有推广价值。"
			for i, row in enumerate(doc.scores):
				row.score = 70 + (seed * 7 + i * 5) % 28
			doc.save()

		self.as_user(review.expert, do)

	def set_round(self, round_name: str, **values):
		def save():
			doc = frappe.get_doc("Selection Round", round_name)
			doc.update(values)
			doc.save()

		self.as_user(self.city, save)

	# Rounds -------------------------------------------------------------------------------------------------

	def ensure_round(self, year: int, title: str, **values):
		name = str(year)
		if not frappe.db.exists("Selection Round", name):
			self.as_user(
				self.city,
				lambda: frappe.get_doc(
					{"doctype": "Selection Round", "year": year, "round_title": title, **values}
				).insert(),
			)
		else:
			with system_write():  # the demo's round, whatever an earlier run or a test left in it
				doc = frappe.get_doc("Selection Round", name)
				doc.update({"round_title": title, **values})
				doc.save(ignore_permissions=True)
		return name

	def build_case(self, round_name: str, seed: int, case: tuple) -> str:
		"""A case up to the district's part of its target; the city's part follows with its list."""
		_key, district, owner_key, _title, _unit, _direction, _type, target = case
		name = self.new_case(round_name, seed, case)
		if target == "draft":
			return name
		# handed in with its stamped scan (the round asks for it before the district's list is sent)
		self.as_user(self.owner(district, owner_key), attach_scan, name)
		self.submit(district, owner_key, name)
		if target == "returned":
			self.sign(district, "Case Application", name, keys=("kj",))
			self.sign(
				district,
				"Case Application",
				name,
				keys=("jy",),
				opinion=RETURN,
				remark="请补充近三年研发投入和量化成效数据后重新提交。",
			)
		elif target == "signed_1":
			self.sign(district, "Case Application", name, keys=("jx",))
		elif target == "signed_2":
			self.sign(district, "Case Application", name, keys=("jx", "kj"))
		elif target == "not_recommended":
			self.sign(district, "Case Application", name, keys=("jx", "kj"))
			self.sign(
				district,
				"Case Application",
				name,
				keys=("jy",),
				opinion=DISAGREE,
				remark="与本区县重点产业方向契合度不高，暂不推荐。",
			)
		elif target != "submitted":
			self.sign(district, "Case Application", name)
		return name

	def city_review(self, names: dict, cases: tuple, round_name: str):
		"""The city's part for the cases at the city: review, scores, decisions. Selected cases enter 公示
		while the round's 公示天数 is 0, so they may be selected today; then the round keeps 5 days."""
		for seed, case in enumerate(cases):
			target = case[7]
			if target not in REVIEWED:
				continue
			name = names[case[0]]
			self.to_review(name)
			for review in self.assign(name):
				if target != "assigned":
					self.score(review, seed)
		for case in cases:
			name, target = names[case[0]], case[7]
			if target in ("shortlisted", "selected"):
				self.act(self.city, name, "Shortlist")
			if target == "selected":
				self.act(self.city, name, "Start Public Notice")
				self.act(self.city, name, "Select")
			if target == "not_selected":
				self.act(self.city, name, "Reject")
		waiting = [names[c[0]] for c in cases if c[7] == "public_notice"]
		if waiting:
			self.set_round(round_name, public_notice_days=5)
			for name in waiting:
				self.act(self.city, name, "Shortlist")
				self.act(self.city, name, "Start Public Notice")

	def build_published(self):
		year = PUBLISHED_YEAR
		round_name = self.ensure_round(
			year,
			f"{year}年推动科技创新和产业创新深度融合优秀案例遴选（演示）",
			status="Open",
			open_date=add_days(nowdate(), -30),
			district_deadline=add_days(nowdate(), 10),
			public_notice_days=0,
			reminder_days=3,
			district_settings=[],
		)
		names = {c[0]: self.build_case(round_name, 100 + i, c) for i, c in enumerate(PUBLISHED_CASES)}
		for district in sorted({c[1] for c in PUBLISHED_CASES}):
			listed = [names[c[0]] for c in PUBLISHED_CASES if c[1] == district]
			lst = self.make_list(round_name, district, listed)
			self.sign(district, "District Recommendation List", lst)
			self.submit_list(district, lst)
			self.receive(lst)
		self.city_review(names, PUBLISHED_CASES, round_name)
		self.as_user(self.city, publish_results, round_name)
		self.generate_casebook(round_name)
		# The round stands for an earlier year: its dates go back there once its work is done.
		self.set_round(
			round_name,
			notice_date=f"{year}-10-08",
			open_date=f"{year}-10-08",
			district_deadline=f"{year}-10-31",
		)

	def generate_casebook(self, round_name: str):

		def make():
			collection = frappe.get_doc(
				{
					"doctype": "Case Collection",
					"round": round_name,
					"title": f"{round_name}年推动科技创新和产业创新深度融合优秀案例集",
				}
			).insert()
			return collection.generate()["job"]

		job = self.as_user(self.city, make)
		# The worker would run it after this commits; the demo runs it now so the casebook is there at once.
		self.as_user(self.city, service.run, job)

	def build_open(self):
		year = open_year()
		today = nowdate()
		round_name = self.ensure_round(
			year,
			f"{year}年推动科技创新和产业创新深度融合优秀案例遴选",
			status="Open",
			notice_reference=f"关于开展{year}年推动科技创新和产业创新深度融合优秀案例遴选工作的通知（演示）",
			notice_date=add_days(today, -25),
			open_date=add_days(today, -20),
			district_deadline=add_days(today, 10),
			public_notice_days=0,
			reminder_days=3,
			paper_copies=5,
			district_settings=[
				{
					"district": "九龙坡区",
					"extended_deadline": add_days(today, 17),
					"remarks": "因故申请延期一周",
				}
			],
		)
		names = {c[0]: self.build_case(round_name, 200 + i, c) for i, c in enumerate(OPEN_CASES)}
		# 渝中区: the list under co-signing (the lead signed), one recommended case not listed yet.
		yz = self.make_list(round_name, "渝中区", [names["d6"], names["d7"]])
		self.sign("渝中区", "District Recommendation List", yz, keys=("jx",))
		# 江北区 and 九龙坡区: lists signed and sent; 江北区's received and reviewed.
		for district in ("江北区", "九龙坡区"):
			listed = [names[c[0]] for c in OPEN_CASES if c[1] == district]
			lst = self.make_list(round_name, district, listed)
			self.sign(district, "District Recommendation List", lst)
			self.submit_list(district, lst)
			if district == "江北区":
				self.receive(lst)
		self.city_review(names, OPEN_CASES, round_name)

	# Completeness -------------------------------------------------------------------------------------------

	@staticmethod
	def state_of(round_name: str, title: str) -> str | None:

		return real_state(frappe.db.get_value("Case Application", {"round": round_name, "case_title": title}))

	def complete(self) -> bool:
		expected = {
			"draft": "Draft",
			"returned": "Returned",
			"submitted": "Submitted",
			"signed_1": "District Co-signing",
			"signed_2": "District Co-signing",
			"listed": "Recommended",
			"recommended": "Recommended",
			"not_recommended": "Not Recommended",
			"scored": "Under Review",
			"assigned": "Under Review",
			"shortlisted": "Shortlisted",
			"public_notice": "In Public Notice",
			"selected": "Selected",
			"not_selected": "Not Selected",
			"received": "Received",
			"at_city": "Submitted to City",
		}
		published, opened = str(PUBLISHED_YEAR), str(open_year())
		for round_name, cases in ((published, PUBLISHED_CASES), (opened, OPEN_CASES)):
			for case in cases:
				if self.state_of(round_name, case[3]) != expected[case[7]]:
					return False
		# a demo built before lists were sealed (附件2) and scans required is built again
		unsealed = frappe.db.exists(
			"District Recommendation List",
			{
				"round": ("in", [published, opened]),
				"submitted_at": ("is", "set"),
				"sealed_form_status": ("is", "not set"),
			},
		)
		return (
			not unsealed
			and frappe.db.get_value("Selection Round", published, "status") == PUBLISHED
			and bool(frappe.db.exists("Case Collection", {"round": published, "status": "Generated"}))
		)

	def remove(self):
		"""A half-built demo (an interrupted run) goes before it is built again: its cases, lists, reviews and
		casebook, nothing else of the rounds."""

		with system_write():
			for round_name, cases in ((str(PUBLISHED_YEAR), PUBLISHED_CASES), (str(open_year()), OPEN_CASES)):
				titles = [c[3] for c in cases]
				for name in frappe.get_all("Case Collection", filters={"round": round_name}, pluck="name"):
					frappe.delete_doc("Case Collection", name, force=True, ignore_permissions=True)
				for district in {c[1] for c in cases}:
					lst = frappe.db.get_value(
						"District Recommendation List", {"round": round_name, "district": district}
					)
					if lst:
						frappe.delete_doc(
							"District Recommendation List", lst, force=True, ignore_permissions=True
						)
				for name in frappe.get_all(
					"Case Application",
					filters={"round": round_name, "case_title": ("in", titles)},
					pluck="name",
				):
					clear_opinions("Case Application", name)
					frappe.db.delete(
						"Case Action Log", {"reference_doctype": "Case Application", "reference_name": name}
					)
					frappe.db.delete("Case Review", {"application": name})
					frappe.db.delete("Case Objection", {"application": name})
					frappe.delete_doc("Case Application", name, force=True, ignore_permissions=True)
				if frappe.db.get_value("Selection Round", round_name, "status") == PUBLISHED:
					frappe.db.set_value("Selection Round", round_name, "status", "Open")

	def build(self):
		if self.complete():
			return False
		self.remove()
		self.build_published()
		self.build_open()
		return True
