# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

from case_selection.access.child_rows import ChildRow


class RoundOutputColumn(ChildRow):
	pass
