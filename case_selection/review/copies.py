"""Copied or recycled cases flagged for the city (review/similarity.py on the app's DocTypes).

- When a case is handed in (it leaves a state its applicant edits: 提交区县, or a resubmission), `enqueue` queues
  `run` on the short queue (job id per case, after the commit). The request that hands it in does no more; a web
  request has it run in the request's one background job, with its Desk notifications (overrides/notification_log.py).
- `run` fingerprints the case's narrative (the five sections, the platform and service texts, the other-mode
  description): a MinHash signature and its LSH band keys, stored in the city-only `Case Fingerprint` (its bands
  as indexed rows). Cases sharing a band key with it — this round's and every past round's — are the
  candidates, found with one indexed lookup however many years are stored; each candidate whose signature
  estimate reaches the round's 雷同提示阈值 becomes (or stays) a `Case Similarity` pair with the sentences the
  two cases share; a pair that no longer reaches it (the case was rewritten) is removed. A case whose text has
  not changed since its last fingerprint is not checked again.
- `check_round` (the city's 重新检查雷同 on the round) queues every handed-in case of a round that has no
  fingerprint yet (cases handed in before this check existed, or a job lost with Redis).

Both DocTypes are city-only (role permissions and the city-only row rule): applicants, districts and experts
never see that their case was compared, or with what.
"""

import hashlib

import frappe
from frappe import _
from frappe.utils import now_datetime

from case_selection.access.system_write import system_write
from case_selection.constants import APPLICATION
from case_selection.overrides import notification_log
from case_selection.review import similarity
from case_selection.workflow import states
from case_selection.workflow.definition import initial_state

FINGERPRINT = "Case Fingerprint"
BAND = "Case Fingerprint Band"
PAIR = "Case Similarity"
TEXT_FIELDS = (
	"background",
	"approach",
	"innovation",
	"results",
	"promotion_value",
	"platform_team",
	"service_capability",
	"other_mode_description",
)
CASE_FIELDS = ("name", "round", "case_title", "district", *TEXT_FIELDS)  # what a check reads of a case
QUEUE = "short"
JOB = "case_selection.review.copies.run"


def job_id(application: str) -> str:
	return f"case_similarity::{application}"


def case_text(values) -> str:
	return "\n".join((values.get(f) or "").strip() for f in TEXT_FIELDS if (values.get(f) or "").strip())


def case_updated(doc, method=None) -> None:
	"""Case Application on_update: a case handed in is checked on the queue."""
	before = doc.get_doc_before_save()
	old = before.workflow_state if before else initial_state()
	if (
		old != doc.workflow_state
		and states.has(old, "applicant_editable")
		and not states.has(doc.workflow_state, "applicant_editable")
	):
		if notification_log.deferring():  # in the request's one job, with its notifications
			notification_log.defer(JOB, application=doc.name)
		else:
			enqueue(doc.name)


def enqueue(application: str) -> None:
	frappe.enqueue(
		JOB,
		queue=QUEUE,
		job_id=job_id(application),
		deduplicate=True,
		enqueue_after_commit=True,
		application=application,
	)


def threshold(round_name: str | None) -> float:
	value = (
		frappe.get_cached_value("Selection Round", round_name, "similarity_threshold") if round_name else None
	)
	return similarity.THRESHOLD if value in (None, "") else float(value)


def run(application: str) -> dict:
	"""Fingerprint the case and record its pairs; returns what it found (for the benchmark and the tests).
	A system job: it reads every case and writes city-only records, whoever handed the case in."""
	frappe.set_user("Administrator")
	values = case_values([application]).get(application)
	if not values:
		return {"checked": False, "pairs": []}
	text = case_text(values)
	text_hash = hashlib.sha256(text.encode()).hexdigest()
	stored = frappe.db.get_value(FINGERPRINT, application, ["text_hash"], as_dict=True)
	if stored and stored.text_hash == text_hash:
		return {"checked": False, "pairs": []}
	sig, keys = similarity.fingerprint(text)
	store_fingerprint(values, text_hash, sig, keys)
	limit = threshold(values["round"])
	found = {}
	for other, other_sig in signatures(candidates(application, keys)).items():
		if not other_sig:
			continue
		score = similarity.estimate(sig, similarity.unpack(other_sig))
		if score >= limit:
			found[other] = score
	keep_pairs(values, text, found)
	return {"checked": True, "pairs": sorted(found.items(), key=lambda kv: -kv[1])}


def candidates(application: str, keys: list[str]) -> list[str]:
	band = frappe.qb.DocType(BAND)
	return (
		frappe.qb.from_(band)
		.select(band.parent)
		.distinct()
		.where(band.band_key.isin(keys) & (band.parent != application) & (band.parenttype == FINGERPRINT))
		.run(pluck=True)
	)


# The candidates' signatures and the matched cases' texts are read in one statement each, not one per case: a case
# handed in among many near-copies (one unit's cases rewritten from one draft) costs reads in proportion to the
# copies, not a query-builder round trip for each.
def signatures(names: list[str]) -> dict[str, str]:
	if not names:
		return {}
	return dict(
		frappe.db.sql(f"select name, signature from `tab{FINGERPRINT}` where name in %s", (tuple(names),))
	)


def case_values(names: list[str]) -> dict[str, dict]:
	if not names:
		return {}
	fields = ", ".join(f"`{f}`" for f in CASE_FIELDS)
	rows = frappe.db.sql(
		f"select {fields} from `tab{APPLICATION}` where name in %s", (tuple(names),), as_dict=True
	)
	return {r.name: r for r in rows}


def store_fingerprint(values, text_hash: str, sig: list[int], keys: list[str]) -> None:
	with system_write():
		if frappe.db.exists(FINGERPRINT, values["name"]):
			doc = frappe.get_doc(FINGERPRINT, values["name"])
		else:
			doc = frappe.new_doc(FINGERPRINT)
			doc.application = values["name"]
		doc.round = values["round"]
		doc.text_hash = text_hash
		doc.signature = similarity.pack(sig)
		doc.set("bands", [{"band_key": k} for k in keys])
		doc.save(ignore_permissions=True)


def keep_pairs(values, text: str, found: dict[str, float]) -> None:
	"""One Case Similarity per pair (case_a < case_b), made or updated for `found`, removed for the others."""
	name = values["name"]
	existing = {
		(p.case_b if p.case_a == name else p.case_a): p.name
		for p in frappe.get_all(
			PAIR, or_filters={"case_a": name, "case_b": name}, fields=["name", "case_a", "case_b"]
		)
	}
	with system_write():
		for other, pair in existing.items():
			if other not in found:
				frappe.delete_doc(PAIR, pair, ignore_permissions=True, force=True)
		others = case_values(list(found))
		for other, score in found.items():
			other_values = others.get(other)
			if not other_values:
				continue  # a fingerprint left by a case since deleted
			a, b = sorted((values, other_values), key=lambda v: v["name"])
			shared = similarity.passages(case_text(a), case_text(b))
			doc = frappe.get_doc(PAIR, existing[other]) if other in existing else frappe.new_doc(PAIR)
			doc.update(
				{
					"case_a": a["name"],
					"title_a": a["case_title"],
					"round_a": a["round"],
					"district_a": a["district"],
					"case_b": b["name"],
					"title_b": b["case_title"],
					"round_b": b["round"],
					"district_b": b["district"],
					"similarity": round(score * 100, 1),
					"detected_on": now_datetime(),
					"passages": "\n\n".join(
						f"【{a['name']}】{x}\n【{b['name']}】{y}"
						for x, y in shared  # names and quotes only
					)
					or _("（相似内容分散，未找到整句相同的段落）"),
				}
			)
			doc.flags.ignore_links = True  # both cases were just read from the database
			doc.save(ignore_permissions=True)


def check_round(round_name: str) -> int:
	"""Queue every handed-in case of the round that has no fingerprint yet; returns how many."""
	fp = frappe.qb.DocType(FINGERPRINT)
	app = frappe.qb.DocType(APPLICATION)
	editable = states.where("applicant_editable") or [""]
	names = (
		frappe.qb.from_(app)
		.left_join(fp)
		.on(fp.name == app.name)
		.select(app.name)
		.where((app.round == round_name) & app.workflow_state.notin(editable) & fp.name.isnull())
		.run(pluck=True)
	)
	for name in names:
		enqueue(name)
	return len(names)
