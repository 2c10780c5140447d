"""The Notification records the app ships (notifications.json), inserted when missing on install and migrate.

They are ordinary (not "standard") records of the module Case Selection, so an admin edits, disables or
duplicates them in Desk; a migrate never overwrites them. The city's notification is addressed to the city
roles that manage (Case Selection Settings) as they are when it is installed.
"""

import json
import os

import frappe

from case_selection.access.actors import city_roles

DEFINITIONS = os.path.join(os.path.dirname(__file__), "notifications.json")
MODULE = "Case Selection"


def definitions() -> list[dict]:
	with open(DEFINITIONS, encoding="utf-8") as f:
		return json.load(f)


def recipients(value) -> list[dict]:
	if value == "city_managers":
		return [{"receiver_by_role": role} for role in sorted(city_roles().manage)]
	return value or []


def ensure_notifications():
	for d in definitions():
		if frappe.db.exists("Notification", d["name"]):
			continue
		doc = frappe.get_doc(
			{
				"doctype": "Notification",
				"enabled": 1,
				"channel": "Email",
				"send_system_notification": 1,
				"message_type": "HTML",
				"module": MODULE,
				"is_standard": 0,
				**d,
				"recipients": recipients(d.get("recipients")),
			}
		)
		doc.insert(ignore_permissions=True)
