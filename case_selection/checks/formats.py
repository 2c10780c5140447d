"""Checks of what applicants type, shared by Case Application and anything that imports applications."""

import re

from case_selection.checks.words import _

# GB 32100-2015: 18 characters from this 31-character alphabet (no I, O, S, V, Z); the last one is a
# check character computed from the first 17 with these weights, modulo 31.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")


def uscc_check_char(first17: str) -> str:
	total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
	return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_valid(code: str) -> bool:
	code = (code or "").strip()
	return (
		len(code) == 18 and all(c in USCC_ALPHABET for c in code) and code[17] == uscc_check_char(code[:17])
	)


def uscc_problem(code: str, label: str | None = None) -> str | None:
	"""None when `code` is a valid 统一社会信用代码, else the whole sentence saying what is wrong, naming the
	field (`label`, by default 统一社会信用代码) and the code typed."""
	code = (code or "").strip()
	label = label or _("统一社会信用代码")
	if len(code) != 18:
		return _("「{0}」应为18位（当前{1}位）：{2}").format(label, len(code), code)
	bad = [c for c in code if c not in USCC_ALPHABET]
	if bad:
		return _("「{0}」含有不允许的字符「{1}」（只允许数字和除 I、O、S、V、Z 外的大写字母）：{2}").format(
			label, "".join(dict.fromkeys(bad)), code
		)
	expected = uscc_check_char(code[:17])
	if code[17] != expected:
		return _("「{0}」校验位错误（第18位应为「{1}」）：{2}").format(label, expected, code)
	return None


def is_mobile(value: str) -> bool:
	return bool(MOBILE_RE.match(value or ""))


def is_email(value: str) -> bool:
	return bool(EMAIL_RE.match(value or ""))


def count_chars(text: str) -> int:
	"""字数 as offices count it: every character except white space (HTML tags from the editor excluded)."""
	text = re.sub(r"<[^>]+>", "", text or "")
	return len(re.sub(r"\s", "", text))
