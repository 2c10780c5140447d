"""District Deadline: one record per round and district, kept by the system.

Each district has its own deadline (the round's, or its extension), its officers must be reminded N days before
it (N is the round's 截止前提醒天数), and nobody else may be told. Frappe's Notification reminds "N days
before a date" of documents that carry the date and name their recipients; a round carries one deadline and
no district's people. So the system keeps, for every round that is not a draft and every district, a record
with the district's deadline, the day of its reminder, its list's progress and its officers (the users of the
round's co-signing roles with a User Permission on the district): rebuilt when a round is saved and on every
migrate, when a list moves, when a user's roles or districts change. The Notifications "报送截止提醒"
(Days Before, on remind_on) and "遴选结果已发布（区县）" send to `officers`; the city's report of the
districts' lists and the district's "days left" read it.
"""

import frappe
from frappe.utils import add_days, date_diff, getdate, nowdate

from case_selection.access.system_write import system_write
from case_selection.constants import DEADLINE, LIST
from case_selection.notifications.officers import officers


def name_of(round_name: str, district: str) -> str:
	return f"{round_name}-{district}"


def sync_round(round_doc, method=None):
	"""Selection Round on_update: a record per district (rounds in Draft have none yet)."""
	if round_doc.status == "Draft":
		return
	districts = frappe.get_all("Case District", pluck="name", order_by="sort_order asc")
	roles = [d.role for d in round_doc.cosign_departments]
	people = officers_by_district(districts, roles)
	lists = {
		r.district: r
		for r in frappe.get_all(
			LIST,
			filters={"round": round_doc.name},
			fields=["name", "district", "status", "submitted_at", "received_at"],
		)
	}
	existing = {
		r.district: r
		for r in frappe.get_all(
			DEADLINE, filters={"round": round_doc.name}, fields=["name", "district", *FIELDS]
		)
	}
	days = round_doc.get("reminder_days") or 0
	for district in districts:
		setting = round_doc.district_setting(district)
		deadline = round_doc.deadline_for(district)
		values = {
			"deadline": deadline,
			"extended": int(bool(setting and setting.extended_deadline)),
			"remind_on": add_days(deadline, -days) if days > 0 else None,
			"officers": ",".join(people.get(district, [])),
			**list_values(lists.get(district)),
		}
		write(round_doc.name, district, values, existing.get(district))


FIELDS = (
	"deadline",
	"extended",
	"remind_on",
	"officers",
	"recommendation_list",
	"list_status",
	"submitted_at",
	"received_at",
)


def list_values(lst) -> dict:
	if not lst:
		return {"recommendation_list": None, "list_status": None, "submitted_at": None, "received_at": None}
	return {
		"recommendation_list": lst.name,
		"list_status": lst.status,
		"submitted_at": lst.submitted_at,
		"received_at": lst.received_at,
	}


def _same(a, b) -> bool:
	if a in (None, "") and b in (None, ""):
		return True
	return str(a) == str(b)


def write(round_name: str, district: str, values: dict, stored=None):
	"""Insert or update one record, writing only what changed."""
	if stored is None:
		doc = frappe.get_doc({"doctype": DEADLINE, "round": round_name, "district": district, **values})
		with system_write():
			doc.insert(ignore_permissions=True)
		return
	changed = {k: v for k, v in values.items() if not _same(stored.get(k), v)}
	if changed:
		frappe.db.set_value(DEADLINE, stored.name, changed)


def officers_by_district(districts, roles) -> dict[str, list[str]]:
	out: dict[str, set] = {}
	for row in officers(districts, roles):
		out.setdefault(row.district, set()).add(row.user)
	return {d: sorted(users) for d, users in out.items()}


def sync_list(round_name: str, district: str):
	"""A list moved (or was deleted): its district's record shows where it stands."""
	name = name_of(round_name, district)
	stored = frappe.db.get_value(DEADLINE, name, ["name", *FIELDS], as_dict=True)
	if not stored:
		return
	lst = frappe.db.get_value(
		LIST,
		{"round": round_name, "district": district},
		["name", "status", "submitted_at", "received_at"],
		as_dict=True,
	)
	write(round_name, district, list_values(lst), stored)


def sync_all():
	"""On migrate: every round that is not a draft."""
	for name in frappe.get_all("Selection Round", filters={"status": ("!=", "Draft")}, pluck="name"):
		sync_round(frappe.get_doc("Selection Round", name))


def district_added(doc, method=None):
	"""Case District after_insert: a district added in Desk is ready at once in every open round (its deadline
	record, reminder day and officers), not only at the next save of a round or migrate."""
	for name in frappe.get_all("Selection Round", filters={"status": ("!=", "Draft")}, pluck="name"):
		sync_round(frappe.get_doc("Selection Round", name))


def refresh_officers(districts):
	"""A user's roles or districts changed: the records of these districts name the right people again."""
	districts = [d for d in set(districts or []) if d]
	if not districts:
		return
	for r in frappe.get_all(
		DEADLINE, filters={"district": ("in", districts)}, fields=["name", "round", "district", "officers"]
	):
		roles = [d.role for d in frappe.get_cached_doc("Selection Round", r.round).cosign_departments]
		now = ",".join(officers_by_district([r.district], roles).get(r.district, []))
		if not _same(now, r.officers):
			frappe.db.set_value(DEADLINE, r.name, "officers", now)


def user_permission_changed(doc, method=None):
	"""User Permission on_update / after_delete."""
	if doc.allow == "Case District":
		refresh_officers([doc.for_value])


def user_changed(doc, method=None):
	"""User on_update (roles or enabled may have changed)."""
	districts = frappe.get_all(
		"User Permission", filters={"user": doc.name, "allow": "Case District"}, pluck="for_value"
	)
	refresh_officers(districts)


def days_left(deadline) -> int:
	return date_diff(getdate(deadline), getdate(nowdate()))


def round_deleted(round_doc, method=None):
	"""Selection Round on_trash (administrators only): its districts' records go with it."""
	with system_write():
		for name in frappe.get_all(DEADLINE, filters={"round": round_doc.name}, pluck="name"):
			frappe.delete_doc(DEADLINE, name, force=True, ignore_permissions=True)
