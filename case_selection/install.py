"""Install-time set-up: roles, master data of the notice and the 2025 round.

Every step inserts only what is missing, so reinstalling or migrating never duplicates a record and
never overwrites what an admin changed in Desk.
"""

import frappe

from case_selection import workflows
from case_selection.setup import master_data, roles, settings


def after_install():
	roles.ensure_roles()
	workflows.ensure_workflow()
	settings.ensure_settings()
	master_data.ensure_all()


def after_migrate():
	# Same steps: each inserts only what is missing, so a migrate brings an older site up to date.
	after_install()


def before_uninstall():
	workflows.remove_workflow()
	roles.remove_roles()
