"""Which site answered (for the scripts that talk to a server)."""

import frappe


@frappe.whitelist(allow_guest=True, methods=["GET"])
def served_site() -> str:
	"""The site that answered, for the scripts (lib.sh assert_serves): a server pinned to one site (make demo's
	`bench --site X serve`) answers every host name with that site's data, and a test or figure taken through it
	would be about the wrong site. Nothing but the name of the site the caller has reached."""
	return frappe.local.site
