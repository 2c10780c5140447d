"""Install-time set-up: roles, the default workflow, the settings, master data of the notice and the 2025 round.

Every step inserts only what is missing, so reinstalling or migrating never duplicates a record and never
overwrites what an admin changed in Desk; a migrate also merges a release's new default transitions into the
installed Workflows, the case's and the district list's (definition.sync_workflow).
"""

from case_selection.api import lookup
from case_selection.notifications import defaults as notifications
from case_selection.overrides import data_import
from case_selection.setup import grants, master_data, roles, settings
from case_selection.signing import certificates
from case_selection.workflow import deadlines, definition


def after_install():
	roles.ensure_roles()
	for flow in definition.FLOWS:
		definition.ensure_workflow(flow)
	settings.ensure_settings()
	for flow in definition.FLOWS:
		definition.record_defaults(definition.shipped_defaults(flow=flow), flow)
	master_data.ensure_all()
	master_data.ensure_print_format_html()
	master_data.ensure_default_print_formats()
	data_import.sync_import_permissions()
	lookup.sync_report_roles()
	deadlines.sync_all()
	notifications.ensure_notifications()
	certificates.ensure_root()  # the city's seal CA, once
	certificates.ensure_district_names()


def after_migrate():
	roles.ensure_roles()
	for flow in definition.FLOWS:
		definition.ensure_workflow(flow)
	settings.ensure_settings()
	for flow in definition.FLOWS:
		definition.sync_workflow(flow=flow)
	master_data.ensure_all()
	master_data.ensure_print_format_html()
	master_data.ensure_default_print_formats()
	data_import.sync_import_permissions()
	lookup.sync_report_roles()
	deadlines.sync_all()
	notifications.ensure_notifications()
	certificates.ensure_root()
	certificates.ensure_district_names()


def before_uninstall():
	for flow in definition.FLOWS:
		definition.remove_workflow(flow)
	grants.remove_all()
	roles.remove_roles()
	lookup.remove_report_roles()
