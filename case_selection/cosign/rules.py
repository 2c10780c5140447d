"""The co-signing rule (会签), in one place: Frappe's Workflow has no "every department must agree".

A document is agreed only when every department the round lists has signed 同意推荐; any 退回 returns it at
once; once every department has signed and one said 不同意, it is not recommended. Until then it is pending.
"""

AGREE = "同意推荐"
DISAGREE = "不同意"
RETURN = "退回"

PENDING = "Pending"
AGREED = "Agreed"
DISAGREED = "Disagreed"
RETURNED = "Returned"


def outcome(departments: list[str], opinions: dict[str, str]) -> str:
	"""departments: the round's co-signing departments; opinions: department → opinion signed so far."""
	signed = [opinions[d] for d in departments if d in opinions]
	if RETURN in signed:
		return RETURNED
	if len(signed) < len(departments):
		return PENDING
	if all(o == AGREE for o in signed):
		return AGREED
	return DISAGREED
