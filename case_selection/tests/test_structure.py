"""The codebase's shape, kept by tests: every DocType in the groups it should be, every hook naming a function
that exists, no import circle, no import inside a function without its reason, and the README's map of the
packages matching the tree."""

import ast
import json
import os
import re
import subprocess
import sys

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.workflow.doctype.workflow_action import workflow_action as frappe_workflow_action

from case_selection import constants, hooks
from case_selection.access.write_policy import POLICY
from case_selection.overrides import workflow_action

APP = frappe.get_app_path("case_selection")
ROOT = os.path.dirname(APP)
SIDE_TABLES = ("Workflow Action", "File")  # Frappe's, pointing at the app's documents


def app_doctypes() -> dict[str, dict]:
	"""The DocTypes the app ships, from their JSON (what the code says, not what a site holds)."""
	found = {}
	folder = os.path.join(APP, "case_selection", "doctype")
	for name in os.listdir(folder):
		path = os.path.join(folder, name, f"{name}.json")
		if os.path.isfile(path):
			with open(path) as f:
				meta = json.load(f)
			found[meta["name"]] = meta
	return found


def python_modules(include_tests=False) -> dict[str, str]:
	modules = {}
	for folder, dirs, files in os.walk(APP):
		dirs[:] = [d for d in dirs if d not in ("__pycache__", "node_modules", "public")]
		for f in files:
			if not f.endswith(".py"):
				continue
			testing = f.startswith("test_") or os.sep + "tests" in folder
			if testing and not include_tests:
				continue
			path = os.path.join(folder, f)
			name = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".").removesuffix(".__init__")
			modules[name] = path
	return modules


def module_imports(name: str, path: str, known: set[str]) -> set[str]:
	"""The app's modules that importing `name` imports at once: its module-level imports (also inside `if` and
	`try` at module level) and the packages above each of them."""
	with open(path) as f:
		tree = ast.parse(f.read())
	package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
	targets = set()

	def visit(body):
		for node in body:
			if isinstance(node, ast.Import):
				targets.update(a.name for a in node.names)
			elif isinstance(node, ast.ImportFrom):
				base = node.module or ""
				if node.level:
					parts = package.split(".")
					parts = parts[: len(parts) - node.level + 1]
					base = ".".join([*parts, base] if base else parts)
				targets.add(base)
				targets.update(f"{base}.{a.name}" for a in node.names)
			elif isinstance(node, ast.If | ast.Try):
				visit(node.body)
				visit(node.orelse)
				for handler in getattr(node, "handlers", []):
					visit(handler.body)

	visit(tree.body)
	found = set()
	for target in targets:
		parts = target.split(".")
		for i in range(1, len(parts) + 1):
			prefix = ".".join(parts[:i])
			if prefix in known and prefix != name and not name.startswith(prefix + "."):
				found.add(prefix)
	return found


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
	"""Strongly connected components of more than one module (Tarjan, iterative)."""
	index, low, on_stack, stack, circles, counter = {}, {}, set(), [], [], [0]
	for start in graph:
		if start in index:
			continue
		work = [(start, iter(sorted(graph[start])))]
		index[start] = low[start] = counter[0]
		counter[0] += 1
		stack.append(start)
		on_stack.add(start)
		while work:
			node, edges = work[-1]
			for nxt in edges:
				if nxt not in index:
					index[nxt] = low[nxt] = counter[0]
					counter[0] += 1
					stack.append(nxt)
					on_stack.add(nxt)
					work.append((nxt, iter(sorted(graph[nxt]))))
					break
				if nxt in on_stack:
					low[node] = min(low[node], index[nxt])
			else:
				work.pop()
				if work:
					low[work[-1][0]] = min(low[work[-1][0]], low[node])
				if low[node] == index[node]:
					component = []
					while True:
						member = stack.pop()
						on_stack.discard(member)
						component.append(member)
						if member == node:
							break
					if len(component) > 1:
						circles.append(sorted(component))
	return circles


class TestDocTypeGroups(FrappeTestCase):
	def test_every_doctype_is_in_the_groups_it_should_be(self):
		doctypes = app_doctypes()
		parents = {n for n, m in doctypes.items() if not m.get("istable")}
		children = {n for n, m in doctypes.items() if m.get("istable")}
		self.assertEqual(set(constants.POLICY_DOCTYPES), parents)
		self.assertEqual(len(constants.POLICY_DOCTYPES), len(set(constants.POLICY_DOCTYPES)))
		self.assertEqual(set(POLICY), parents, "the write policy declares every parent DocType once")
		self.assertLessEqual(set(constants.ROW_RULE_DOCTYPES), parents)
		self.assertLessEqual(set(constants.CITY_ONLY_DOCTYPES), set(constants.ROW_RULE_DOCTYPES))
		self.assertEqual(set(constants.CHILD_TABLES) | set(constants.SETTING_TABLES), children)
		self.assertFalse(set(constants.CHILD_TABLES) & set(constants.SETTING_TABLES))
		# A document's child table belongs to a DocType with row rules; a setting's table to one without.
		for parent, meta in doctypes.items():
			for df in meta.get("fields", []):
				if df.get("fieldtype") not in ("Table", "Table MultiSelect"):
					continue
				group = (
					constants.CHILD_TABLES
					if parent in constants.ROW_RULE_DOCTYPES
					else constants.SETTING_TABLES
				)
				self.assertIn(df["options"], group, f"{parent}.{df['fieldname']}")
		for attr in ("APPLICATION", "LIST", "ROUND", "DISTRICT", "SETTINGS", "EVALUATION", "DEADLINE"):
			self.assertIn(getattr(constants, attr), doctypes, attr)

	def test_hooks_follow_the_groups(self):
		rows = set(constants.ROW_RULE_DOCTYPES)
		self.assertEqual(
			set(hooks.permission_query_conditions), rows | set(constants.CHILD_TABLES) | set(SIDE_TABLES)
		)
		self.assertEqual(set(hooks.has_permission), rows | set(SIDE_TABLES))
		self.assertEqual(set(hooks.standard_queries), rows)
		for doctype in constants.POLICY_DOCTYPES:
			events = hooks.doc_events[doctype]
			self.assertIn("case_selection.access.write_policy.enforce", events["before_validate"], doctype)
			self.assertIn("case_selection.checks.text_rules.check_doc", events["before_validate"], doctype)
			on_trash = events["on_trash"]
			on_trash = on_trash if isinstance(on_trash, list) else [on_trash]
			self.assertIn("case_selection.access.write_policy.enforce_delete", on_trash, doctype)
		for child in constants.CHILD_TABLES + constants.SETTING_TABLES:
			self.assertEqual(
				hooks.doc_events[child]["before_validate"],
				"case_selection.access.guards.refuse_direct_child_write",
			)

	def test_every_hook_names_something_that_exists(self):
		paths = []

		def collect(value):
			if isinstance(value, str) and value.startswith("case_selection."):
				paths.append(value)
			elif isinstance(value, dict):
				for v in value.values():
					collect(v)
			elif isinstance(value, list | tuple):
				for v in value:
					collect(v)

		for name, value in vars(hooks).items():
			if not name.startswith("_"):
				collect(value)
		self.assertGreater(len(paths), 60)
		for path in paths:
			self.assertTrue(callable(frappe.get_attr(path)), path)
		# Every Frappe method replaced is one Frappe has (a renamed method would leave its door open).
		for method in hooks.override_whitelisted_methods:
			if method.startswith("frappe."):
				self.assertTrue(callable(frappe.get_attr(method)), method)

	def test_no_patch_of_frappe_at_import_time(self):
		"""Frappe's functions are replaced only by what hooks.py installs: a fresh process that imports every
		module of the app finds Frappe's Workflow Action module as Frappe wrote it, and the install hook is
		declared for requests and jobs."""
		script = (
			"import importlib, json, sys\n"
			"from frappe.workflow.doctype.workflow_action import workflow_action as module\n"
			"names = ('get_state_optional_field_value', 'get_next_possible_transitions', 'get_allowed_roles')\n"
			"for name in json.loads(sys.argv[1]):\n"
			"    importlib.import_module(name)\n"
			"print(json.dumps({n: getattr(module, n).__module__ for n in names}))\n"
		)
		sites = os.path.join(os.path.dirname(os.path.dirname(ROOT)), "sites")
		done = subprocess.run(
			[sys.executable, "-c", script, json.dumps(sorted(python_modules()))],
			cwd=sites,
			capture_output=True,
			text=True,
			timeout=300,
		)
		self.assertEqual(done.returncode, 0, done.stderr[-2000:])
		owners = json.loads(done.stdout.strip().splitlines()[-1])
		self.assertEqual(len(owners), 3)
		for name, module in owners.items():
			self.assertEqual(module, "frappe.workflow.doctype.workflow_action.workflow_action", name)
		install = "case_selection.overrides.workflow_action.install"
		self.assertIn(install, frappe.get_hooks("before_request"))
		self.assertIn(install, frappe.get_hooks("before_job"))

		workflow_action.install()
		for name, fn in workflow_action.REPLACEMENTS.items():
			self.assertIs(getattr(frappe_workflow_action, name), fn, name)


class TestImports(FrappeTestCase):
	def test_no_import_circle(self):
		modules = python_modules()
		known = set(modules)
		graph = {name: module_imports(name, path, known) for name, path in modules.items()}
		self.assertGreater(sum(len(v) for v in graph.values()), 200)  # the graph was read
		self.assertEqual(import_circles(graph), [])

	def test_the_circle_finder_finds_one(self):
		self.assertEqual(import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}), [["a", "b", "c"]])
		self.assertEqual(import_circles({"a": {"b"}, "b": set()}), [])

	def test_imports_inside_functions_say_why(self):
		unexplained = []
		for name, path in python_modules(include_tests=True).items():
			with open(path) as f:
				source = f.read()
			lines = source.splitlines()
			for node in ast.walk(ast.parse(source)):
				if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
					continue
				for inner in ast.walk(node):
					if not isinstance(inner, ast.Import | ast.ImportFrom):
						continue
					# The reason is on the import's line or on a comment above it (and the imports under it).
					line = inner.lineno - 1
					while line > 0 and re.match(r"\s*(from \S+ )?import ", lines[line - 1]):
						line -= 1
					here = lines[inner.lineno - 1]
					above = lines[line - 1].strip() if line > 0 else ""
					if "# deferred:" not in here and not above.startswith("# deferred:"):
						unexplained.append(f"{name}:{inner.lineno}: {here.strip()}")
		self.assertEqual(unexplained, [])


class TestReadmeMap(FrappeTestCase):
	def test_the_map_matches_the_tree(self):
		with open(os.path.join(ROOT, "README.md")) as f:
			readme = f.read()
		section = readme.split("## The code, package by package", 1)[1].split("\n## ", 1)[0]
		listed = set(re.findall(r"^\| `case_selection/([^`]+)` \|", section, re.M))
		tree = {
			f"{d}/" for d in os.listdir(APP) if os.path.isdir(os.path.join(APP, d)) and d != "__pycache__"
		}
		tree |= {f for f in os.listdir(APP) if f.endswith(".py") and f != "__init__.py"}
		self.assertEqual(listed, tree)
