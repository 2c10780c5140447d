"""Who a user is to the selection: one place that turns roles and User Permissions into actors.

Roles are data (SPEC §4 "Low-code"), never lists in code:
- district roles: the roles of the co-signing departments of the rounds (Selection Round → 会签部门); a user
  acts for the districts of their User Permissions on Case District (none set: no district);
- the lead department of a round (its 牵头部门 row) enters paper applications, assembles and submits the list;
- city roles, the applicant role and the expert role: Case Selection Settings.

Everything here is cached for the current request only (frappe.local.cache), so a change in Desk takes effect
on the next request.
"""

import frappe
from frappe.permissions import get_user_permissions
from frappe.utils import cint

from case_selection.setup.roles import ADMIN_ROLE
from case_selection.workflow import states


def _cached(key, make):
	cache = frappe.local.cache
	if key not in cache:
		cache[key] = make()
	return cache[key]


DISTRICT_ROLES_KEY = "case_selection:district_roles"
ROUND_COSIGN_KEY = "case_selection:round_cosign"  # a hash: round name → round_cosign()'s facts
SHARED_KEYS = (DISTRICT_ROLES_KEY, ROUND_COSIGN_KEY)


def _clear_shared():
	frappe.cache.delete_value(list(SHARED_KEYS))


def clear_cache(*_args, **_kwargs):
	for key in [k for k in frappe.local.cache if isinstance(k, tuple) and k and k[0] == "case_selection"]:
		frappe.local.cache.pop(key, None)
	# Now, and again when the transaction ends, as Frappe clears its document cache: a request of this
	# transaction may have read the change back into Redis before it was committed or rolled back.
	_clear_shared()
	if hasattr(frappe.db, "after_commit"):
		frappe.db.after_commit.add(_clear_shared)
		frappe.db.after_rollback.add(_clear_shared)

	states.clear_cache()


def settings():
	return frappe.get_cached_doc("Case Selection Settings")


def applicant_role() -> str:
	return settings().applicant_role


def expert_role() -> str:
	return settings().expert_role


def city_roles() -> frappe._dict:
	"""{"all": roles that see the city stage, "manage": those that also act on it}."""

	def make():
		rows = settings().city_roles
		return frappe._dict(
			all=frozenset(r.role for r in rows), manage=frozenset(r.role for r in rows if r.can_manage)
		)

	return _cached(("case_selection", "city_roles"), make)


def district_roles() -> frozenset[str]:
	"""Every role that co-signs for a district in some round (kept in Redis until a round is saved)."""

	def load():
		return frappe.get_all(
			"Round Cosign Department", filters={"parenttype": "Selection Round"}, pluck="role", distinct=True
		)

	return _cached(
		("case_selection", "district_roles"),
		lambda: frozenset(frappe.cache.get_value(DISTRICT_ROLES_KEY, generator=load) or ()),
	)


def lead_roles() -> frozenset[str]:
	"""The roles that lead some round's co-signing departments (牵头部门)."""
	return _cached(
		("case_selection", "lead_roles"),
		lambda: frozenset(
			frappe.get_all(
				"Round Cosign Department",
				filters={"parenttype": "Selection Round", "is_lead": 1},
				pluck="role",
				distinct=True,
			)
		),
	)


def integration_role() -> str | None:
	"""The role of other government systems' integration users (入选单位查询 over REST)."""
	return settings().get("integration_role")


DEPARTMENT_FIELDS = ("department", "department_title", "role", "is_lead")


def round_cosign(round_name: str) -> frappe._dict:
	"""What co-signing needs of a round: its departments (DEPARTMENT_FIELDS, in the round's order) and whether a
	seal is required. Kept in Redis until a round is saved (clear_cache, the round's on_update): a few hundred
	bytes, where the cached round with all its tables took ~2 ms to read in every co-signing request."""

	def load():
		doc = frappe.get_cached_doc("Selection Round", round_name)
		return {
			"departments": [{f: d.get(f) for f in DEPARTMENT_FIELDS} for d in doc.cosign_departments],
			"seal_required": cint(doc.seal_required),
		}

	def make():
		facts = frappe.cache.hget(ROUND_COSIGN_KEY, round_name, generator=load)
		return frappe._dict(
			departments=tuple(frappe._dict(d) for d in facts["departments"]),
			seal_required=facts["seal_required"],
		)

	return _cached(("case_selection", "round_cosign", round_name), make)


def round_departments(round_name: str | None) -> list:
	"""The co-signing departments of a round, in the round's order (DEPARTMENT_FIELDS of each)."""
	if not round_name:
		return []
	return list(round_cosign(round_name).departments)


def lead_role(round_name: str | None) -> str | None:
	return next((d.role for d in round_departments(round_name) if d.is_lead), None)


def user_roles(user: str | None = None) -> frozenset[str]:
	user = user or frappe.session.user
	return _cached(("case_selection", "roles", user), lambda: frozenset(frappe.get_roles(user)))


def user_districts(user: str | None = None) -> tuple[str, ...]:
	"""The districts of the user's User Permissions on Case District (Frappe caches them in Redis and clears
	them when a User Permission changes)."""

	user = user or frappe.session.user
	return _cached(
		("case_selection", "districts", user),
		lambda: tuple(p.get("doc") for p in get_user_permissions(user).get("Case District", [])),
	)


class Actor:
	"""The current (or given) user, with questions the permission and policy code asks."""

	def __init__(self, user: str | None = None):
		self.user = user or frappe.session.user
		self.roles = user_roles(self.user)
		self.admin = self.user == "Administrator" or ADMIN_ROLE in self.roles

	@property
	def district_roles(self) -> frozenset[str]:
		return self.roles & district_roles()

	@property
	def districts(self) -> tuple[str, ...]:
		return user_districts(self.user) if self.district_roles else ()

	def is_officer(self, district: str | None) -> bool:
		"""Holds a district role and acts for this district."""
		return bool(district) and district in self.districts

	def is_cosigner(self, round_name: str | None, district: str | None) -> bool:
		"""Signs for a department of this round in this district."""
		return self.is_officer(district) and any(d.role in self.roles for d in round_departments(round_name))

	def is_lead(self, round_name: str | None, district: str | None) -> bool:
		"""The round's lead department (牵头部门) of this district."""
		return self.is_officer(district) and lead_role(round_name) in self.roles

	@property
	def is_city(self) -> bool:
		return bool(self.roles & city_roles().all)

	@property
	def is_city_manager(self) -> bool:
		return bool(self.roles & city_roles().manage)

	@property
	def sees_city(self) -> bool:
		"""A city role or an administrator: reads what only the city reads."""
		return self.admin or self.is_city

	@property
	def manages_city(self) -> bool:
		"""A city manager or an administrator: takes the city's decisions."""
		return self.admin or self.is_city_manager

	@property
	def is_applicant(self) -> bool:
		return applicant_role() in self.roles

	@property
	def is_expert(self) -> bool:
		return expert_role() in self.roles


def actor(user: str | None = None) -> Actor:
	user = user or frappe.session.user
	return _cached(("case_selection", "actor", user), lambda: Actor(user))


def as_user(user: str, fn, *args, **kw):
	"""`fn(*args, **kw)` run as `user` (the session's user put back after): the demo and the tests act through
	the same code a request of that user runs, permissions included."""
	previous = frappe.session.user
	frappe.set_user(user)
	try:
		return fn(*args, **kw)
	finally:
		frappe.set_user(previous)
