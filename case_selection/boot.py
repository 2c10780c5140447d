"""What the Desk scripts need to know about the user (hooks.boot_session), from the same data as the server."""

from case_selection import sealing
from case_selection.actors import actor
from case_selection.workspaces import current_round
from case_selection.write_policy import may_import


def boot_session(bootinfo):
	a = actor()
	bootinfo.case_selection = {
		"city": bool(a.is_city or a.admin),
		"city_manager": bool(a.is_city_manager or a.admin),
		"district": bool(a.district_roles),
		"sees_city_stage": sealing.sees_city_stage(),
		"import_cases": may_import("Case Application"),
		"current_round": current_round(),  # the workspaces' and reports' default round
	}
