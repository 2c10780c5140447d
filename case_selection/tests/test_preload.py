"""An RQ worker loads the app's job modules before it forks (case_selection/commands.py, jobs/preload.py): through
Frappe's own bench_helper, as `bench worker` starts, in a process of its own; any other bench command loads
none of them."""

import os
import subprocess
import sys

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.jobs import preload

PROBE = """
import sys
command = sys.argv[1]
sys.argv = ["bench_helper", "frappe", "--site", sys.argv[2], command, "--queue", "short"]
import frappe.utils.bench_helper as bench_helper
bench_helper.get_app_groups()  # what bench_helper.main() does first: every app's `commands` imported
print("LOADED=" + ",".join(m for m in MODULES if m in sys.modules))
"""
# The modules the app's jobs run (sealing, similarity check, notifications' job, exports) and a heavy library.
MODULES = (
	"case_selection.signing.sealed_form",
	"case_selection.review.copies",
	"case_selection.overrides.notification_log",
	"case_selection.jobs.service",
	"pyhanko.sign",
)


def loaded(command: str) -> set[str]:
	bench = frappe.utils.get_bench_path()
	r = subprocess.run(
		[
			os.path.join(bench, "env", "bin", "python"),
			"-c",
			f"MODULES = {MODULES!r}\n" + PROBE,
			command,
			frappe.local.site,
		],
		cwd=os.path.join(bench, "sites"),
		capture_output=True,
		text=True,
		timeout=120,
	)
	line = next((x for x in r.stdout.splitlines() if x.startswith("LOADED=")), None)
	assert line is not None, r.stdout[-2000:] + r.stderr[-2000:]
	return {m for m in line[len("LOADED=") :].split(",") if m}


class TestPreload(FrappeTestCase):
	def test_a_worker_has_the_job_modules_before_its_first_job(self):
		self.assertEqual(loaded("worker"), set(MODULES))
		self.assertEqual(loaded("worker-pool"), set(MODULES))

	def test_other_bench_commands_load_none_of_them(self):
		for command in ("migrate", "console", "execute"):
			self.assertEqual(loaded(command), set(), command)

	def test_the_command_is_read_from_bench_helpers_arguments(self):
		for argv, command in (
			(["bench_helper.py", "frappe", "worker", "--queue", "short,default"], "worker"),
			(["bench_helper.py", "frappe", "--site", "worker", "migrate"], "migrate"),
			(["bench_helper.py", "frappe", "--verbose", "worker-pool"], "worker-pool"),
			(["bench_helper.py", "frappe"], None),
		):
			self.assertEqual(preload.bench_command(argv), command, argv)

	def test_every_module_imports(self):
		self.assertEqual(preload.preload(), [])
		self.assertIn("case_selection.signing.sealed_form", preload.app_modules())
		self.assertFalse([m for m in preload.app_modules() if ".tests" in m or ".test_" in m])
		self.assertIn("case_selection.signing.sealed_form", sys.modules)
