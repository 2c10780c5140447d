"""Bench commands of the app: none. Frappe imports this module in every bench process (bench_helper collects
each app's `commands`); in an RQ worker it loads the modules the app's jobs use before the first job is forked
(jobs/preload.py)."""

import sys

from case_selection.jobs.preload import preload_for

commands = []

preload_for(sys.argv)
