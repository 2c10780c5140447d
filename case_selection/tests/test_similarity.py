"""Copied or recycled cases flagged (issue 22, part 5): the MinHash/LSH core without a site, then on the site —
a case made from another by rewriting 20 % of its sentences is flagged when it is handed in, with the sentences
the two share, across rounds too; an unrelated case is not; a case rewritten since is checked again and its
pair dropped; only the city reads the pairs and the fingerprints.
"""

import random
import unittest

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.access.system_write import system_write
from case_selection.review import copies, similarity
from case_selection.tests import flow
from case_selection.tests.factories import delete_application, make_round, make_user
from case_selection.tests.http import User, fresh, message
from case_selection.tests.jobs import run_job

ROUNDS = ("2084", "2083")  # this year's and a past one
CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def sentence(rng: random.Random) -> str:
	return "".join(rng.choice(CJK) for _ in range(rng.randint(18, 36))) + "。"


def document(seed: int, n: int = 45) -> list[str]:
	rng = random.Random(seed)
	return [sentence(rng) for _ in range(n)]


def rewritten(sentences: list[str], share: float, seed: int) -> list[str]:
	"""The same case with `share` of its sentences replaced by new ones."""
	rng = random.Random(seed)
	out = list(sentences)
	for i in rng.sample(range(len(out)), round(share * len(out))):
		out[i] = sentence(rng)
	return out


class TestSimilarityCore(unittest.TestCase):
	def test_a_copy_with_a_fifth_rewritten_is_found_and_an_unrelated_case_is_not(self):
		original = document(1, 90)
		copy = "".join(rewritten(original, 0.2, 2))
		other = "".join(document(3, 90))
		sig, keys = similarity.fingerprint("".join(original))
		copy_sig, copy_keys = similarity.fingerprint(copy)
		other_sig, other_keys = similarity.fingerprint(other)
		true = len(similarity.shingles("".join(original)) & similarity.shingles(copy)) / len(
			similarity.shingles("".join(original)) | similarity.shingles(copy)
		)
		self.assertGreater(true, 0.5)
		self.assertLess(abs(similarity.estimate(sig, copy_sig) - true), 0.15)  # MinHash estimates Jaccard
		self.assertTrue(set(keys) & set(copy_keys))  # a candidate through the bands
		self.assertLess(similarity.estimate(sig, other_sig), 0.05)
		self.assertFalse(set(keys) & set(other_keys))
		shared = similarity.passages("".join(original), copy)
		self.assertGreaterEqual(len(shared), 15)
		for a, b in shared:
			self.assertEqual(similarity.normalise(a), similarity.normalise(b))

	def test_layout_and_punctuation_do_not_matter(self):
		text = "".join(document(4, 20))
		spaced = " ".join(text.replace("。", "，\n"))
		self.assertEqual(similarity.fingerprint(text), similarity.fingerprint(spaced))

	def test_signatures_survive_storage(self):
		sig, _keys = similarity.fingerprint("".join(document(5, 10)))
		self.assertEqual(similarity.unpack(similarity.pack(sig)), sig)
		self.assertEqual(len(similarity.band_keys(sig)), similarity.BANDS)


class TestSimilarityOnTheSite(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		for r in ROUNDS:
			make_round(int(r), similarity_threshold=0.3)
		cls.clean()
		cls.owner = make_user("owner.similar@test.local", ["Case Applicant"])
		cls.yz = flow.District("渝中区", "similar")
		cls.city = flow.City("similar")
		cls.expert = make_user("expert.similar@test.local", ["Case Expert"])
		base = document(11)
		cls.texts = {
			"past": base,  # handed in a past round
			"copy": rewritten(base, 0.2, 12),  # this round: a fifth rewritten
			"other": document(13),  # this round: unrelated
		}
		cls.cases = {}
		for i, (key, text) in enumerate(cls.texts.items()):
			cls.cases[key] = flow.submitted(
				cls.owner,
				8400 + i,
				round=ROUNDS[1] if key == "past" else ROUNDS[0],
				district="渝中区",
				case_title=f"雷同检查{key}",
				approach="".join(text),
			)
		frappe.db.commit()
		for name in cls.cases.values():
			run_job(copies.job_id(name))  # the job the hand-in queued, as the worker runs it
		fresh()

	@classmethod
	def tearDownClass(cls):
		fresh()
		cls.clean()
		super().tearDownClass()

	@classmethod
	def clean(cls):
		with system_write():
			for r in ROUNDS:
				for name in frappe.get_all("Case Application", {"round": r}, pluck="name"):
					for pair in frappe.get_all(
						"Case Similarity", or_filters={"case_a": name, "case_b": name}, pluck="name"
					):
						frappe.delete_doc("Case Similarity", pair, force=True, ignore_permissions=True)
					if frappe.db.exists("Case Fingerprint", name):
						frappe.delete_doc("Case Fingerprint", name, force=True, ignore_permissions=True)
					delete_application(name)
		frappe.db.commit()

	def pairs_of(self, name: str) -> list[dict]:
		fresh()
		return frappe.get_all(
			"Case Similarity",
			or_filters={"case_a": name, "case_b": name},
			fields=["name", "case_a", "case_b", "similarity", "passages", "round_a", "round_b"],
		)

	def test_the_copy_is_flagged_across_rounds_with_its_shared_sentences(self):
		pairs = self.pairs_of(self.cases["copy"])
		self.assertEqual(len(pairs), 1, pairs)
		pair = pairs[0]
		self.assertEqual({pair.case_a, pair.case_b}, {self.cases["copy"], self.cases["past"]})
		self.assertEqual({pair.round_a, pair.round_b}, set(ROUNDS))
		self.assertGreaterEqual(pair.similarity, 50)
		kept = [s for s in self.texts["copy"] if s in self.texts["past"]]
		self.assertIn(kept[0], pair.passages)  # a sentence both share, quoted for the city
		self.assertEqual(self.pairs_of(self.cases["other"]), [])

	def test_only_the_city_reads_pairs_and_fingerprints(self):
		manager = User(self.city.manager)
		r = manager.ok(manager.get("/api/resource/Case Similarity", filters='[["case_b","!=",""]]'))
		self.assertTrue(r.json()["data"])
		for user in (self.owner, self.yz.lead, self.expert):
			u = User(user)
			for doctype in ("Case Similarity", "Case Fingerprint"):
				r = u.get(f"/api/resource/{doctype}", fields='["*"]')
				self.assertIn(r.status_code, (403, 200), message(r)[:200])
				self.assertNotIn(self.cases["copy"], r.text, (user, doctype))
			pair = self.pairs_of(self.cases["copy"])[0].name
			r = u.get(f"/api/resource/Case Similarity/{pair}")
			self.assertIn(r.status_code, (403, 404), (user, message(r)[:200]))
			r = u.call("case_selection.api.review.check_round_similarity", round_name=ROUNDS[0])
			self.assertEqual(r.status_code, 403, (user, message(r)[:200]))

	def test_a_rewritten_case_is_checked_again_and_its_pair_dropped(self):
		fingerprint = frappe.db.get_value("Case Fingerprint", self.cases["copy"], "text_hash")
		self.assertFalse(copies.run(self.cases["copy"])["checked"])  # unchanged: not checked again
		with system_write():
			frappe.db.set_value("Case Application", self.cases["copy"], "approach", "".join(document(99)))
		try:
			result = copies.run(self.cases["copy"])
			frappe.db.commit()  # as the worker commits its job
			self.assertTrue(result["checked"])
			self.assertEqual(result["pairs"], [])
			self.assertEqual(self.pairs_of(self.cases["copy"]), [])
			self.assertNotEqual(
				frappe.db.get_value("Case Fingerprint", self.cases["copy"], "text_hash"), fingerprint
			)
		finally:
			with system_write():
				frappe.db.set_value(
					"Case Application", self.cases["copy"], "approach", "".join(self.texts["copy"])
				)
			copies.run(self.cases["copy"])
			frappe.db.commit()
		self.assertEqual(len(self.pairs_of(self.cases["copy"])), 1)

	def test_the_city_can_queue_a_round_again(self):
		with system_write():
			frappe.delete_doc("Case Fingerprint", self.cases["other"], force=True, ignore_permissions=True)
		frappe.db.commit()
		manager = User(self.city.manager)
		n = manager.ok(
			manager.call("case_selection.api.review.check_round_similarity", round_name=ROUNDS[0])
		).json()["message"]
		self.assertEqual(n, 1)
		run_job(copies.job_id(self.cases["other"]))
		fresh()
		self.assertTrue(frappe.db.exists("Case Fingerprint", self.cases["other"]))
