"""Everything the app shows has its Chinese text (issue 11): a walk over what Desk displays, on the live site.

- the app's DocTypes as the site has them (Custom Fields and Property Setters included): names, field labels,
  section and tab headings, descriptions, Select options (translated as Desk does, with the DocType as
  context: Case Objection "Open" is 待处理, Selection Round "Open" is 申报中);
- the live Workflow's states and actions (an admin's new state or action needs its translation too);
- the app's roles (those of the settings and the rounds' co-signing departments), reports, print formats and
  workspaces;
- every literal string of the app's JavaScript `__()` and Python `_()` calls.

A text needs Chinese when it has Latin letters and no Chinese character (a few acronyms offices use as they
are excepted); it has it when its translation (zh.csv of the app or of Frappe, or a Translation record)
contains Chinese. The test lists every one missing.
"""

import glob
import json
import os
import re

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.access import actors
from case_selection.tests import flow
from case_selection.tests.factories import delete_application, make_round, make_user
from case_selection.workflow.action_log import display_row, visible_history
from case_selection.workflow.definition import WORKFLOW_NAME

APP = "case_selection"
COSIGNED = "Co-signed by {0}: {1}"  # the history key of a department's signature
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
LATIN = re.compile(r"[A-Za-z]")
# Written this way in Chinese offices' own documents and screens.
KEPT = {"ID", "PDF", "Excel", "xlsx", "API Key", "API Secret", "URL"}
JS_CALL = re.compile(r"""\b__\(\s*(["'`])((?:\\.|(?!\1).)*?)\1""", re.S)
PY_CALL = re.compile(r"""(?<![\w.])_\(\s*(["'])((?:\\.|(?!\1).)*?)\1""", re.S)


def shown_in_english(text: str | None) -> bool:
	text = (text or "").strip()
	return bool(LATIN.search(text)) and not CJK.search(text) and text not in KEPT


def app_path(*parts) -> str:
	return os.path.join(frappe.get_app_path(APP), *parts)


class TestTranslations(FrappeTestCase):
	def setUp(self):
		self.previous_lang = frappe.local.lang
		frappe.local.lang = "zh"

	def tearDown(self):
		frappe.local.lang = self.previous_lang

	def has_chinese(self, text: str, context: str | None = None) -> bool:
		return bool(CJK.search(frappe._(text, context=context)))

	# What Desk shows ------------------------------------------------------------------------------------

	def doctype_texts(self):
		modules = frappe.get_module_list(APP)
		for doctype in frappe.get_all("DocType", filters={"module": ("in", modules)}, pluck="name"):
			meta = frappe.get_meta(doctype)
			yield f"DocType {doctype}", doctype, None
			for df in meta.fields:
				where = f"{doctype}.{df.fieldname}"
				if df.label:
					yield f"{where} label", df.label, doctype
				if df.description:
					yield f"{where} description", df.description, doctype
				if df.fieldtype == "Select":
					for option in (df.options or "").split("\n"):
						if option.strip():
							yield f"{where} option", option, doctype

	def workflow_texts(self, workflow=None):
		workflow = workflow or frappe.get_doc("Workflow", WORKFLOW_NAME)
		for row in workflow.states:
			yield f"Workflow state ({row.idx})", row.state, None
		for row in workflow.transitions:
			yield f"Workflow action {row.state} → {row.next_state}", row.action, None

	def role_texts(self):
		roles = set(actors.district_roles()) | set(actors.city_roles().all)
		roles |= {actors.applicant_role(), actors.expert_role(), actors.integration_role()}
		for role in sorted(r for r in roles if r):
			yield "Role", role, None

	def page_texts(self):
		modules = frappe.get_module_list(APP)
		for report in frappe.get_all("Report", filters={"module": ("in", modules)}, pluck="name"):
			yield "Report", report, None
		for fmt in frappe.get_all("Print Format", filters={"module": ("in", modules)}, pluck="name"):
			yield "Print Format", fmt, None
		for name in frappe.get_all("Workspace", filters={"module": ("in", modules)}, pluck="name"):
			ws = frappe.get_doc("Workspace", name)
			yield f"Workspace {name}", ws.label, None
			yield f"Workspace {name} title", ws.title, None
			for row in [*ws.links, *ws.shortcuts, *ws.number_cards, *ws.charts, *ws.quick_lists]:
				if row.get("label"):
					yield f"Workspace {name} {row.doctype}", row.label, None
		for module in modules:
			yield "Module", module, None

	def source_texts(self):
		root = frappe.get_app_path(APP)
		for path in glob.glob(os.path.join(root, "**", "*.js"), recursive=True):
			with open(path, encoding="utf-8") as f:
				for m in JS_CALL.finditer(f.read()):
					yield f"{os.path.relpath(path, root)} __()", m.group(2), None
		for path in glob.glob(os.path.join(root, "**", "*.py"), recursive=True):
			if os.sep + "tests" + os.sep in path or os.path.basename(path).startswith("test_"):
				continue
			with open(path, encoding="utf-8") as f:
				for m in PY_CALL.finditer(f.read()):
					yield f"{os.path.relpath(path, root)} _()", m.group(2), None

	def all_texts(self):
		yield from self.doctype_texts()
		yield from self.workflow_texts()
		yield from self.role_texts()
		yield from self.page_texts()
		yield from self.source_texts()

	# The tests ----------------------------------------------------------------------------------------------

	def missing(self, texts, where: bool = False) -> list[str]:
		return sorted(
			{
				(f"{w}: {text!r}" if where else repr(text))
				for w, text, context in texts
				if shown_in_english(text) and not self.has_chinese(text, context)
			}
		)

	def test_everything_shown_has_chinese(self):
		texts = list(self.all_texts())
		self.assertGreater(len(texts), 500)  # the walk reaches the metadata, the workflow and the sources
		missing = self.missing(texts, where=True)
		self.assertEqual(missing, [], "English shown without a zh translation:\n" + "\n".join(missing))

	def test_the_walk_sees_english_and_its_translation(self):
		"""The check itself: English is recognised, a translation found, a missing one reported."""
		self.assertTrue(shown_in_english("Co-sign Agreed"))
		self.assertFalse(shown_in_english("附件1 PDF"))
		self.assertFalse(shown_in_english("PDF"))
		self.assertTrue(self.has_chinese("Co-sign Agreed"))
		self.assertEqual(frappe._("Open", context="Case Objection"), "待处理")
		self.assertEqual(frappe._("Open", context="Selection Round"), "申报中")
		self.assertFalse(self.has_chinese("Nobody translated this sentence"))
		walked = {text for _w, text, _c in self.all_texts()}
		for expected in ("Under Review", "Submit to District", "Case Objection", "Pending"):
			self.assertIn(expected, walked)

	def test_a_state_an_admin_adds_is_caught_until_translated(self):
		"""An admin adds a state and an action to the Workflow in Desk: the walk names both (nothing saved)."""
		workflow = frappe.get_doc("Workflow", WORKFLOW_NAME)
		workflow.append("states", {"state": "Awaiting Second Look"})
		workflow.append(
			"transitions", {"state": "Awaiting Second Look", "action": "Look Again", "next_state": "Draft"}
		)
		missing = self.missing(self.workflow_texts(workflow))
		self.assertEqual(missing, ["'Awaiting Second Look'", "'Look Again'"])


class TestHistoryInWords(FrappeTestCase):
	"""签核历程 stores what happened as keys and values, never translated text: a row reads in words when shown,
	from zh.csv or a Translation record an admin adds in Desk, old rows and new alike."""

	def setUp(self):
		frappe.set_user("Administrator")
		make_round(2078)
		self.yz = flow.District("渝中区", "hist")
		self.case = flow.submitted(make_user("owner.hist@test.local", ["Case Applicant"]), 781, round="2078")
		self.addCleanup(delete_application, self.case)
		self.addCleanup(frappe.db.delete, "Translation", {"source_text": COSIGNED})

	def rows(self) -> list[dict]:
		return visible_history("Case Application", self.case)

	def test_a_signature_is_stored_as_a_key_and_shown_in_words(self):
		self.yz.sign("Case Application", self.case, keys=("kj",))
		stored = [r for r in self.rows() if r.action == COSIGNED]
		self.assertEqual(len(stored), 1, [r.action for r in self.rows()])
		department = frappe.db.get_value("Case Cosign Opinion", {"reference_name": self.case}, "department")
		self.assertEqual(json.loads(stored[0].action_args), [department, flow.AGREE])
		self.assertEqual(display_row(stored[0])["action"], f"会签：{department} 同意推荐")
		# The first step is stored as its key too.
		self.assertEqual(self.rows()[0].action, "New Case")
		self.assertEqual(display_row(self.rows()[0])["action"], "新建")

		# An admin words it otherwise in Desk (Translation): every history shows the new words at once.
		frappe.get_doc(
			{
				"doctype": "Translation",
				"language": "zh",
				"source_text": COSIGNED,
				"translated_text": "{0}会签意见：{1}",
			}
		).insert()
		self.assertEqual(display_row(stored[0])["action"], f"{department}会签意见：同意推荐")

	def test_a_row_logged_as_text_before_keys_reads_as_it_was(self):
		row = frappe._dict(
			action="会签：经信 同意推荐", action_args=None, actor_role="", reference_doctype=""
		)
		self.assertEqual(display_row(row)["action"], "会签：经信 同意推荐")
