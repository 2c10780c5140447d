from case_selection.access import sealing


def execute():
	"""Case Application.at_city, the city's row rule, for the cases stored before it."""
	sealing.refresh_at_city()
