"""What the Desk scripts need to know about the user (hooks.boot_session), from the same data as the server."""

from case_selection.access import sealing
from case_selection.access.actors import actor
from case_selection.access.write_policy import may_import
from case_selection.workspaces import current_round


def boot_session(bootinfo):
	a = actor()
	bootinfo.case_selection = {
		"city": a.sees_city,
		"city_manager": a.manages_city,
		"district": bool(a.district_roles),
		"sees_city_stage": sealing.sees_city_stage(),
		"import_cases": may_import("Case Application"),
		"current_round": current_round(),  # the workspaces' and reports' default round
	}
