"""An RQ worker of this bench loads, before it forks its first work horse, the modules this app's jobs use.

RQ runs every job in a work horse forked from the worker. The horse has what the worker process had imported and
imports the rest itself, for every job, since it ends with the job: Frappe's `bench worker` imports nothing of the
apps, so each job of this app — a Desk notification, a similarity check, a sealed 附件1, an export — began by
importing the app's hooks' modules, pypdf, pyHanko, openpyxl …: a job that does nothing cost 0.23 s of CPU
(`frappe.ping` on this machine), and on deadline day there is one after each submission and each completed
signature. Imported once in the worker, they are in every horse for free (fork shares them; Frappe freezes the
garbage collector's view of them before the first fork): the same job costs 0.01 s.

Frappe's bench_helper imports each app's `commands` module in every bench process, the worker's included
(case_selection/commands.py calls `preload_for(sys.argv)`): the modules are loaded when the command is `worker` or
`worker-pool`, and every other bench command is left as it was. A module that fails to import is reported on
stderr and skipped; the job that needs it meets the same error when it runs, as it would have.
"""

import importlib
import pkgutil
import sys
import traceback

WORKER_COMMANDS = ("worker", "worker-pool")
# Frappe's modules the app's jobs use that the app's own modules do not import at their top level.
FRAPPE_MODULES = (
	"frappe.utils.background_jobs",
	"frappe.desk.doctype.notification_log.notification_log",
	"frappe.email.doctype.email_queue.email_queue",
	"frappe.email.doctype.notification.notification",
	"frappe.desk.form.assign_to",
	"frappe.core.doctype.file.file",
	"frappe.core.doctype.version.version",
	"frappe.core.doctype.error_log.error_log",
	"frappe.model.workflow",
	"frappe.utils.pdf",
	"frappe.utils.print_format",
	"frappe.www.printview",
)
SKIP = (".tests", ".patches", ".demo")


def bench_command(argv: list[str]) -> str | None:
	"""The command a bench_helper command line runs (`… bench_helper frappe [--site S] worker --queue q` →
	worker)."""
	args = argv[argv.index("frappe") + 1 :] if "frappe" in argv else argv[1:]
	takes_value = False
	for arg in args:
		if takes_value:
			takes_value = False
		elif arg == "--site":
			takes_value = True
		elif not arg.startswith("-"):
			return arg
	return None


def app_modules(package: str = "case_selection") -> list[str]:
	root = importlib.import_module(package)
	return [
		m.name
		for m in pkgutil.walk_packages(root.__path__, f"{package}.")
		if not any(part in m.name for part in SKIP) and not m.name.rsplit(".", 1)[-1].startswith("test_")
	]


def preload() -> list[str]:
	"""Imports the modules; returns those that failed."""
	failed = []
	for name in (*FRAPPE_MODULES, *app_modules()):
		try:
			importlib.import_module(name)
		except Exception:
			failed.append(name)
			print(f"case_selection: {name} not preloaded for the worker's jobs", file=sys.stderr)
			traceback.print_exc()
	return failed


def preload_for(argv: list[str]) -> bool:
	if bench_command(argv) not in WORKER_COMMANDS:
		return False
	preload()
	return True
