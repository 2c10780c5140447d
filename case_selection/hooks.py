app_name = "case_selection"
app_title = "Case Selection"
app_publisher = "case_selection contributors"
app_description = "推动科技创新和产业创新深度融合优秀案例遴选"
app_email = "case-selection@example.org"
app_license = "MIT"

# Installation
# ------------
after_install = "case_selection.install.after_install"
after_migrate = "case_selection.install.after_migrate"
before_uninstall = "case_selection.install.before_uninstall"

# Fixtures: only this app's records, filtered by name (`bench export-fixtures` writes them back).
fixtures = [
	{
		"dt": "Role",
		"filters": [
			[
				"name",
				"in",
				[
					"Case Applicant",
					"District Economy Officer",
					"District Science Officer",
					"District Education Officer",
					"City Case Manager",
					"City Reviewer",
					"Case Expert",
				],
			]
		],
	},
]
