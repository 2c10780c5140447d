"""Sealed results (SPEC §4): until the city publishes a round, applicants, district roles and experts see the
states marked 发布前保密 (拟入选, 公示中, 入选, 未入选 by default) as one neutral state (市级评审中), through
every door; city roles and administrators see the real state.

The real state stays in `workflow_state`, which Frappe's Workflow drives. Beside it the system keeps
`public_state`, the state as those users may know it, recomputed on every move and at publication. Then:

- a Case Application they load (REST, frappe.client.get, the Desk form) carries public_state in workflow_state
  and none of the city's own fields (seal_document, from CaseApplication.apply_fieldlevel_read_permissions,
  which every document door of Frappe calls);
- every query they send on Case Application (list and report views, REST lists, counts, group-by counts,
  filters, sorting, link search, exports) reads public_state where it names workflow_state, and may not
  filter, group or sort on a city field (guard_request, run for every request before Frappe dispatches it;
  the filter is rewritten, not just the column, so filtering on 入选 finds nothing sealed);
- history rows of the city's sealed steps stay out of their reach until publication (Case Action Log.sealed
  and the permission condition), and versions that name a sealed state or a city field leave the Desk
  timeline;
- publishing a round (api.publish_results) copies the real state into public_state for the whole round at once.
"""

import json
import re

import frappe
from frappe import _

from case_selection.actors import actor, settings
from case_selection.workflows import states

DOCTYPE = "Case Application"
STATE, PUBLIC = "workflow_state", "public_state"
# The city's own entries on a case: never shown to the others, never a filter, sort or group for them.
CITY_ONLY = (
	"review_score",
	"review_count",
	"formal_check",
	"formal_check_remark",
	"public_notice_start",
	"public_notice_end",
)
SEALED_FIELDS = (STATE, *CITY_ONLY)


def sees_city_stage(user: str | None = None) -> bool:
	a = actor(user)
	return a.admin or a.is_city


def published_rounds() -> tuple[str, ...]:
	key = ("case_selection", "published_rounds")
	if key not in frappe.local.cache:
		frappe.local.cache[key] = tuple(
			frappe.get_all("Selection Round", filters={"status": "Published"}, pluck="name")
		)
	return frappe.local.cache[key]


def sealed_state() -> str:
	return settings().sealed_state


def public_state_of(state: str | None, round_name: str | None) -> str | None:
	if not state or not states.has(state, "sealed") or round_name in published_rounds():
		return state
	return sealed_state()


def refresh(names: list[str] | None = None, round_name: str | None = None):
	"""Recompute public_state for these cases (or a round's, or all of them)."""
	frappe.local.cache.pop(("case_selection", "published_rounds"), None)
	filters = {}
	if names is not None:
		filters["name"] = ("in", names or [""])
	if round_name:
		filters["round"] = round_name
	for row in frappe.get_all(DOCTYPE, filters=filters, fields=["name", STATE, "round", PUBLIC]):
		public = public_state_of(row.get(STATE), row.round)
		if public != row.get(PUBLIC):
			frappe.db.set_value(DOCTYPE, row.name, PUBLIC, public, update_modified=False)


def refresh_all(*_args, **_kwargs):
	"""After the settings change (which states are sealed, what they show as)."""
	from case_selection.actors import clear_cache

	clear_cache()
	refresh()


# Documents ------------------------------------------------------------------------------------------------


def seal_document(doc):
	if sees_city_stage():
		return
	doc.set(STATE, doc.get(PUBLIC) or public_state_of(doc.get(STATE), doc.get("round")))
	for field in CITY_ONLY:
		doc.set(field, None)


def visible_history_filters(doctype: str) -> dict:
	"""Extra filters on Case Action Log rows for a user who does not see the city stage."""
	if doctype != DOCTYPE or sees_city_stage():
		return {}
	return {"sealed": 0}


def history_condition(table: str = "`tabCase Action Log`", user: str | None = None) -> str | None:
	"""SQL: a sealed history row is readable once its round is published."""
	if sees_city_stage(user):
		return None
	published = ", ".join(frappe.db.escape(r) for r in published_rounds()) or "''"
	return f"(ifnull({table}.`sealed`, 0) = 0 or {table}.`round` in ({published}))"


def is_sealed_step(from_state: str | None, to_state: str | None) -> bool:
	return states.has(to_state, "sealed") or states.has(from_state, "sealed")


def filter_versions(docinfo: dict):
	"""Versions in the Desk timeline that name a sealed state or a city field go."""
	versions = docinfo.get("versions") if docinfo else None
	if not versions:
		return
	sealed = set(states.where("sealed")) - {sealed_state()}
	keep = []
	for v in versions:
		data = v.get("data") or ""
		if any(f'"{f}"' in data for f in CITY_ONLY) or any(f'"{s}"' in data for s in sealed):
			continue
		keep.append(v)
	docinfo["versions"] = keep


# Queries ------------------------------------------------------------------------------------------------------

QUERY_KEYS = ("fields", "filters", "or_filters", "order_by", "group_by", "current_filters", "filter_fields")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SEALED_RE = re.compile(r"\b(" + "|".join(SEALED_FIELDS) + r")\b")
_CITY_RE = re.compile(r"\b(" + "|".join(CITY_ONLY) + r")\b")


def _refuse(field: str):
	raise frappe.PermissionError(
		_("不能按「{0}」查询：该信息在结果发布前只对市级开放。").format(_label(field))
	)


def _label(field: str) -> str:
	df = frappe.get_meta(DOCTYPE).get_field(field)
	return _(df.label) if df else field


def _parse(value):
	if isinstance(value, str):
		stripped = value.strip()
		if stripped[:1] in "[{":
			try:
				return json.loads(stripped), True
			except ValueError:
				return value, False
	return value, False


def _rewrite_column(text: str) -> str:
	"""A column expression of Case Application as the sealed user may read it."""
	if _CITY_RE.search(text):
		_refuse(_CITY_RE.search(text).group(1))
	return re.sub(r"\bworkflow_state\b", PUBLIC, text)


def _rewrite_field(field: str) -> str | None:
	"""A selected field: workflow_state reads public_state under its own name; city fields are left out."""
	if not isinstance(field, str):
		return field
	if field.strip() == "*":
		meta = frappe.get_meta(DOCTYPE)
		return [
			f"`tab{DOCTYPE}`.`{PUBLIC}` as `{STATE}`" if c == STATE else f"`tab{DOCTYPE}`.`{c}`"
			for c in meta.get_valid_columns()
			if c not in CITY_ONLY
		]
	if _CITY_RE.search(field):
		return None
	if not _SEALED_RE.search(field):
		return field
	if " as " in field.lower():
		return _rewrite_column(field)
	return f"{_rewrite_column(field)} as `{STATE}`"


def _rewrite_fields(fields):
	if isinstance(fields, str):
		fields = [f.strip() for f in fields.split(",")] if not fields.strip().startswith("[") else fields
	out = []
	for f in fields or []:
		r = _rewrite_field(f)
		if isinstance(r, list):
			out.extend(r)
		elif r is not None:
			out.append(r)
	return out


def _rewrite_filters(filters):
	if isinstance(filters, dict):
		out = {}
		for key, value in filters.items():
			if _CITY_RE.search(key):
				_refuse(_CITY_RE.search(key).group(1))
			out[_rewrite_column(key)] = value
		return out
	if isinstance(filters, list):
		out = []
		for cond in filters:
			if isinstance(cond, list | tuple) and cond:
				cond = list(cond)
				idx = 1 if len(cond) == 4 else 0
				if isinstance(cond[idx], str):
					cond[idx] = _rewrite_column(cond[idx])
				out.append(cond)
			elif isinstance(cond, str):
				out.append(_rewrite_column(cond))
			else:
				out.append(cond)
		return out
	if isinstance(filters, str):
		return _rewrite_column(filters)
	return filters


def rewrite_query_args(args: dict, doctype: str) -> bool:
	"""Rewrite, in place, the query arguments of a request by a user who does not see the city stage.
	Returns whether anything changed. Raises PermissionError for a city field in a filter, sort or group."""
	changed = False
	for key in QUERY_KEYS:
		if key not in args or args[key] in (None, ""):
			continue
		value, was_json = _parse(args[key])
		if doctype != DOCTYPE:
			# Another DocType may reach a case's state through a link (application.workflow_state) or a join.
			text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
			if re.search(r"(\.|`tabCase Application`\.)`?(" + "|".join(SEALED_FIELDS) + r")\b", text):
				_refuse(_SEALED_RE.search(text).group(1))
			continue
		if key in ("fields", "filter_fields"):
			new = _rewrite_fields(value)
		elif key in ("filters", "or_filters", "current_filters"):
			new = _rewrite_filters(value)
		else:
			new = _rewrite_column(value) if isinstance(value, str) else value
		if new != value:
			args[key] = json.dumps(new) if was_json or not isinstance(new, str) else new
			changed = True
	for key in ("field", "fieldname", "sort_by"):
		if doctype == DOCTYPE and isinstance(args.get(key), str) and args[key]:
			value, was_json = _parse(args[key])
			if not isinstance(value, str | list):
				frappe.throw(_("「{0}」须为字段名或字段名列表。").format(key), frappe.ValidationError)
			if isinstance(value, list):
				new = _rewrite_fields(value)
				if new != value:
					args[key] = json.dumps(new)
					changed = True
			elif _SEALED_RE.fullmatch(value.strip()):
				if _CITY_RE.fullmatch(value.strip()):
					_refuse(value.strip())
				args[key] = PUBLIC
				changed = True
	return changed


QUERY_ROUTES = ("/api/resource/", "/api/v2/document/")


def guard_request():
	"""Called by doors.guard_request for every request once the caller is known."""
	request = getattr(frappe.local, "request", None)
	if not request or frappe.session.user == "Guest" or sees_city_stage():
		return
	form = frappe.local.form_dict
	doctype = form.get("doctype") or form.get("dt")
	path = request.path
	prefix = next((p for p in QUERY_ROUTES if path.startswith(p)), None)
	if prefix and request.method == "GET":
		doctype = path[len(prefix) :].split("/", 1)[0]
	if isinstance(form.get("doc"), str) and path.endswith(("number_card.get_result", "dashboard_chart.get")):
		card, _json = _parse(form["doc"])
		if isinstance(card, dict):
			doctype = card.get("document_type") or doctype
			for key in ("filters_json", "dynamic_filters_json"):
				if card.get(key):
					rewritten = {"filters": card[key]}
					if rewrite_query_args(rewritten, doctype or ""):
						card[key] = rewritten["filters"]
			form["doc"] = json.dumps(card)
	if not isinstance(doctype, str) or not doctype:
		return
	rewrite_query_args(form, doctype)
