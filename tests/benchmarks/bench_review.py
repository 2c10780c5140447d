"""Benchmark of the city's review tools (issue 22): figures, not a test. Run by `make bench-report`:

    ../env/bin/python ../apps/case_selection/tests/benchmarks/bench_review.py --site SITE --out FILE

1. Similarity check per new case, with FINGERPRINTS stored fingerprints. The benchmark site's cases are written
   from one sentence template (seed_data.py), so their own texts would all be near-copies of each other; the
   stored fingerprints are made instead from synthetic 2,700-character documents of random Chinese sentences
   (seeded, made once, bulk-inserted, several processes), each filed under one of the site's cases. Then
   NEW_CASES cases of the site get a new text — half of them an existing document with 20 % of its sentences
   rewritten, half unrelated — and `review.copies.run` (the queue job: fingerprint, band lookup, estimates,
   pairs) is timed on each; found copies and false alarms are counted.
2. Balanced assignment (`review.assignment.assign`) of 1,000 cases, 3 experts each, from a pool of 60 with
   directions and conflicts, as the round's 均衡分配评审专家 computes it before writing the reviews.
"""

import argparse
import os
import random
import statistics
import sys
import time
from multiprocessing import Pool

import frappe

from case_selection.access.system_write import system_write
from case_selection.review import assignment, copies, similarity

FINGERPRINTS = 10_000
NEW_CASES = 20
CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def document(seed: int, n: int = 95) -> list[str]:
	rng = random.Random(seed)
	return ["".join(rng.choice(CJK) for _ in range(rng.randint(18, 38))) + "。" for _ in range(n)]


def fingerprint_of(seed: int) -> tuple[int, str, list[str]]:
	sig, keys = similarity.fingerprint("".join(document(seed)))
	return seed, similarity.pack(sig), keys


def seed_fingerprints(names: list[str]) -> float:
	"""FINGERPRINTS fingerprints (document i filed under names[i]); the seconds it took (0 when present)."""
	have = frappe.db.count(copies.FINGERPRINT)
	if have >= FINGERPRINTS:
		return 0.0
	t0 = time.perf_counter()
	frappe.db.delete(copies.BAND, {"parenttype": copies.FINGERPRINT})
	frappe.db.delete(copies.FINGERPRINT)
	rounds = dict(
		frappe.get_all(
			"Case Application", filters={"name": ("in", names)}, fields=["name", "round"], as_list=True
		)
	)
	now = frappe.utils.now()
	with Pool(os.cpu_count() or 2) as pool:
		for chunk_start in range(0, FINGERPRINTS, 1000):
			rows = pool.map(fingerprint_of, range(chunk_start, min(FINGERPRINTS, chunk_start + 1000)))
			parents, bands = [], []
			for i, packed, keys in rows:
				name = names[i]
				parents.append(
					(
						name,
						name,
						rounds.get(name),
						"bench",
						packed,
						now,
						now,
						"Administrator",
						"Administrator",
					)
				)
				bands += [
					(frappe.generate_hash(length=10), name, copies.FINGERPRINT, "bands", k, j + 1, now, now)
					for j, k in enumerate(keys)
				]
			frappe.db.bulk_insert(
				copies.FINGERPRINT,
				[
					"name",
					"application",
					"round",
					"text_hash",
					"signature",
					"creation",
					"modified",
					"owner",
					"modified_by",
				],
				parents,
			)
			frappe.db.bulk_insert(
				copies.BAND,
				["name", "parent", "parenttype", "parentfield", "band_key", "idx", "creation", "modified"],
				bands,
			)
			frappe.db.commit()
	return time.perf_counter() - t0


def measure_similarity(names: list[str]) -> dict:
	targets = names[FINGERPRINTS : FINGERPRINTS + NEW_CASES]
	times, copies_found, false_alarms, candidates = [], 0, 0, []
	for k, name in enumerate(targets):
		is_copy = k % 2 == 0
		source = k * 37 % FINGERPRINTS
		sentences = document(source)
		if is_copy:
			rng = random.Random(1000 + k)
			for i in rng.sample(range(len(sentences)), len(sentences) // 5):
				sentences[i] = document(10**6 + k * 100 + i, 1)[0]
		else:
			sentences = document(2 * 10**6 + k)
		with system_write():
			frappe.db.set_value(
				"Case Application",
				name,
				{f: "" for f in copies.TEXT_FIELDS} | {"approach": "".join(sentences)},
			)
			# A new case each time: its fingerprint and pairs from an earlier run are removed first.
			if frappe.db.exists(copies.FINGERPRINT, name):
				frappe.delete_doc(copies.FINGERPRINT, name, force=True, ignore_permissions=True)
			for pair in frappe.get_all(
				copies.PAIR, or_filters={"case_a": name, "case_b": name}, pluck="name"
			):
				frappe.delete_doc(copies.PAIR, pair, force=True, ignore_permissions=True)
		frappe.db.commit()
		t0 = time.perf_counter()
		result = copies.run(name)
		frappe.db.commit()
		times.append(time.perf_counter() - t0)
		_sig, keys = similarity.fingerprint("".join(sentences))
		candidates.append(len(copies.candidates(name, keys)))
		found = {other for other, _score in result["pairs"]}
		if is_copy and names[source] in found:
			copies_found += 1
		false_alarms += len(found - {names[source]}) if is_copy else len(found)
	return {
		"stored": frappe.db.count(copies.FINGERPRINT),
		"cases": len(targets),
		"median_ms": statistics.median(times) * 1000,
		"max_ms": max(times) * 1000,
		"candidates": statistics.mean(candidates),
		"copies": f"{copies_found} of {len(targets[::2])}",
		"false_alarms": false_alarms,
	}


def measure_assignment() -> dict:
	rng = random.Random(22)
	directions = [f"D{i}" for i in range(14)]
	experts = [
		{"id": f"e{i}", "directions": set(rng.sample(directions, 3)), "capacity": None} for i in range(60)
	]
	cases = [{"id": f"c{i}", "direction": rng.choice(directions)} for i in range(1000)]
	conflicted_pairs = {(f"c{rng.randrange(1000)}", f"e{rng.randrange(60)}") for _ in range(300)}
	times = []
	for _ in range(3):
		t0 = time.perf_counter()
		result = assignment.assign(
			cases, experts, 3, lambda e, c: (c["id"], e["id"]) in conflicted_pairs, {}, seed=1
		)
		times.append(time.perf_counter() - t0)
	return {"seconds": min(times), "spread": result.spread, "unfilled": len(result.unfilled)}


def main():
	p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	p.add_argument("--site", required=True)
	p.add_argument("--out", default="")
	a = p.parse_args()
	frappe.init(site=a.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	names = frappe.get_all(
		"Case Application", pluck="name", order_by="name asc", limit=FINGERPRINTS + NEW_CASES
	)
	if len(names) < FINGERPRINTS + NEW_CASES:
		sys.exit(
			f"{a.site} holds {len(names)} cases; the benchmark needs {FINGERPRINTS + NEW_CASES} (bench_flow.py seed)"
		)
	seeded = seed_fingerprints(names)
	sim = measure_similarity(names)
	assign = measure_assignment()
	lines = [
		"## Review tools (`bench_review.py`, issue 22)",
		"",
		"| measure | figure | target |",
		"| --- | --- | --- |",
		f"| similarity check of a new case (fingerprint, band lookup, estimates, pairs), {sim['stored']:,} stored"
		f" fingerprints, {sim['cases']} cases | median {sim['median_ms']:.0f} ms, max {sim['max_ms']:.0f} ms | < 1 s |",
		f"| candidates per case from the band lookup | {sim['candidates']:.1f} | |",
		f"| copies (20 % of sentences rewritten) found | {sim['copies']} | all |",
		f"| unrelated pairs flagged | {sim['false_alarms']} | 0 |",
		f"| balanced assignment, 1,000 cases × 3 of 60 experts | {assign['seconds']:.2f} s, load spread"
		f" {assign['spread']}, {assign['unfilled']} places unfilled | |",
		"",
		"Stored fingerprints are synthetic 2,700-character documents (the site's own case texts come from one"
		" template)"
		+ (f"; seeding them took {seeded:.0f} s this run." if seeded else "; seeded in an earlier run."),
	]
	report = "\n".join(lines) + "\n"
	print(report)
	if a.out:
		with open(a.out, "w", encoding="utf-8") as fh:
			fh.write(report)
	frappe.destroy()


if __name__ == "__main__":
	main()
