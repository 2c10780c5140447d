"""Copied or recycled cases found: MinHash over character shingles with LSH banding, in plain Python.

Why this method. A case is Chinese prose of a few thousand characters; a copy is another case with some sentences
rewritten, reordered or added. Character 4-grams need no word segmentation (no jieba dictionary to keep) and
survive rewording of the rest of a sentence; the Jaccard similarity of two cases' 4-gram sets falls with the
share of sentences rewritten and stays near 0 between unrelated cases of the same field. MinHash estimates it
from a fixed-size signature (PERMUTATIONS values), and LSH banding (BANDS bands of ROWS values each) finds the
candidates among every case ever stored with one indexed lookup of BANDS keys, so the cost of checking a new case
does not grow with the years. TF-IDF cosine would need the whole corpus in memory to compare one case; datasketch
implements the same MinHash/LSH but brings numpy and scipy into the bench for a few dozen lines.

The numbers. With BANDS = 42 and ROWS = 3 (126 of the 128 values), a pair of Jaccard s becomes a candidate with
probability 1 − (1 − s³)⁴², 0.5 at s ≈ 0.29: a pair at 0.5 is found with probability 0.99+, a pair at 0.1 with
0.04. Candidates are then kept only when the signature estimate is at least the round's threshold (THRESHOLD,
0.3 by default), and the matching sentences are listed for the city to read.

Everything here is pure (no site, no database): `fingerprint` → (signature, band keys); `estimate` compares two
signatures; `passages` lists the sentences two texts share (exactly, or nearly: Jaccard of their shingles ≥ 0.5).
"""

import random
import re
import struct
import zlib
from collections.abc import Iterable

K = 4  # characters per shingle
PERMUTATIONS = 128
BANDS, ROWS = 42, 3
THRESHOLD = 0.3
PRIME = (1 << 61) - 1
MAX32 = (1 << 32) - 1
_rng = random.Random(20251020)  # fixed: signatures stored in past years stay comparable
_PERMS = [(_rng.randrange(1, PRIME), _rng.randrange(0, PRIME)) for _ in range(PERMUTATIONS)]
_KEEP = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n+")


def normalise(text: str) -> str:
	"""Letters, digits and CJK characters only, lower case: punctuation, spaces and layout never matter."""
	return "".join(_KEEP.findall((text or "").lower()))


def shingles(text: str, k: int = K) -> set[int]:
	s = normalise(text)
	if len(s) < k:
		return {zlib.crc32(s.encode())} if s else set()
	return {zlib.crc32(s[i : i + k].encode()) for i in range(len(s) - k + 1)}


def signature(shingle_set: Iterable[int]) -> list[int]:
	"""PERMUTATIONS minimum hash values ((a·x + b) mod PRIME, truncated to 32 bits); empty text: all MAX32."""
	xs = list(shingle_set)
	if not xs:
		return [MAX32] * PERMUTATIONS
	return [
		min([(a * x + b) % PRIME for x in xs]) & MAX32 for a, b in _PERMS
	]  # a list: twice a generator's speed


def band_keys(sig: list[int]) -> list[str]:
	"""BANDS keys ("band:hash" as short text, for an indexed column): equal key, equal band."""
	keys = []
	for band in range(BANDS):
		part = struct.pack(f"<{ROWS}I", *sig[band * ROWS : (band + 1) * ROWS])
		keys.append(f"{band:02d}{zlib.crc32(part):08x}")
	return keys


def fingerprint(text: str) -> tuple[list[int], list[str]]:
	sig = signature(shingles(text))
	return sig, band_keys(sig)


def pack(sig: list[int]) -> str:
	return struct.pack(f"<{PERMUTATIONS}I", *sig).hex()


def unpack(packed: str) -> list[int]:
	return list(struct.unpack(f"<{PERMUTATIONS}I", bytes.fromhex(packed)))


def estimate(a: list[int], b: list[int]) -> float:
	"""Estimated Jaccard similarity of the two texts' shingle sets (share of equal signature values)."""
	if a == [MAX32] * PERMUTATIONS or b == [MAX32] * PERMUTATIONS:
		return 0.0
	return sum(1 for x, y in zip(a, b, strict=True) if x == y) / PERMUTATIONS


def sentences(text: str) -> list[str]:
	return [s.strip() for s in _SENTENCE_END.split(text or "") if len(normalise(s)) >= 8]


def passages(text_a: str, text_b: str, near: float = 0.5, limit: int = 20) -> list[tuple[str, str]]:
	"""Sentences of A that B also has, exactly or nearly (shingle Jaccard ≥ near), each with B's sentence."""
	b_sentences = [(s, shingles(s)) for s in sentences(text_b)]
	exact = {normalise(s): s for s, _sh in b_sentences}
	out = []
	for s in sentences(text_a):
		n = normalise(s)
		if n in exact:
			out.append((s, exact[n]))
		else:
			sh = shingles(s)
			best, best_j = None, 0.0
			for t, th in b_sentences:
				j = len(sh & th) / len(sh | th) if sh and th else 0.0
				if j > best_j:
					best, best_j = t, j
			if best is not None and best_j >= near:
				out.append((s, best))
		if len(out) >= limit:
			break
	return out
