"""Upgrades reach existing sites (issue 9): a site that installed the previous release's workflow gets this
release's new and changed default transitions on migrate, and keeps what its admin added, changed or deleted."""

import json
import os

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.access.system_write import system_write
from case_selection.tests.factories import configuration, restore_configuration
from case_selection.workflow import definition
from case_selection.workflow.definition import WORKFLOW_NAME, load_definition, shipped_defaults, sync_workflow


def keyed(rows):
	return {(t.state, t.action, t.allowed): t for t in rows}


class TestWorkflowUpgrade(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.before = configuration()

	def tearDown(self):
		restore_configuration(self.before)
		definition.record_defaults(shipped_defaults())
		frappe.db.commit()

	def install_previous_release(self) -> dict:
		path = os.path.join(definition.VERSIONS_DIR, "2026-11-26.json")
		with open(path, encoding="utf-8") as f:
			previous = json.load(f)
		workflow = frappe.get_doc("Workflow", WORKFLOW_NAME)
		workflow.set("transitions", previous["transitions"])
		workflow.set("states", previous["states"])
		workflow.save(ignore_permissions=True)
		old_classes = dict(load_definition()["_state_classes"])
		old_classes["City Returned"] = {"city_visible": 1}
		settings = frappe.get_single("Case Selection Settings")
		for row in settings.states:
			if row.state == "City Returned":
				row.cosign_open = 0
		with system_write():
			settings.save(ignore_permissions=True)
		old = shipped_defaults({**previous, "_state_classes": old_classes})
		definition.record_defaults(old)
		return old

	def test_new_defaults_arrive_and_admin_edits_stay(self):
		self.install_previous_release()
		# the admin's own edits in Desk, made on the old release
		workflow = frappe.get_doc("Workflow", WORKFLOW_NAME)
		workflow.append(
			"transitions",
			{
				"state": "Under Review",
				"action": "Return to District",
				"next_state": "City Returned",
				"allowed": "City Case Manager",
				"allow_self_approval": 1,
			},
		)
		for t in workflow.transitions:
			if (t.state, t.action) == ("Received", "Start Review"):
				t.condition = 'doc.city_remark != "暂缓"'
		workflow.transitions = [
			t
			for t in workflow.transitions
			if (t.state, t.action, t.allowed) != ("Shortlisted", "Reject", "City Case Manager")
		]
		workflow.save(ignore_permissions=True)

		changes = sync_workflow()

		live = keyed(frappe.get_doc("Workflow", WORKFLOW_NAME).transitions)
		# new in this release
		self.assertIn(("Not Recommended", "Return for Revision", "District Economy Officer"), live)
		self.assertIn(("City Returned", "Start Co-signing", "Administrator"), live)
		self.assertEqual(
			live[("Recommended", "Submit to City", "Administrator")].next_state, "Submitted to City"
		)
		# dropped by this release (one row per department became one system row)
		self.assertNotIn(("Submitted", "Start Co-signing", "District Science Officer"), live)
		self.assertNotIn(("District Co-signing", "Co-sign Agreed", "All"), live)
		# changed by this release where the site still had the old default
		self.assertEqual(
			live[("Received", "Return to District", "City Case Manager")].condition, "doc.city_remark"
		)
		# the admin's edits
		self.assertIn(("Under Review", "Return to District", "City Case Manager"), live)
		self.assertIn("暂缓", live[("Received", "Start Review", "City Case Manager")].condition)
		self.assertNotIn(("Shortlisted", "Reject", "City Case Manager"), live)
		# a state whose meaning the release changed follows, as the admin had not touched it
		row = next(
			r for r in frappe.get_single("Case Selection Settings").states if r.state == "City Returned"
		)
		self.assertEqual((row.city_visible, row.cosign_open), (1, 1))
		self.assertGreater(changes["transitions"]["added_or_changed"], 5)
		# Frappe's Workflow Actions are off from this release (every state optional), on upgraded sites too
		states = frappe.get_doc("Workflow", WORKFLOW_NAME).states
		self.assertEqual({s.state for s in states if not s.is_optional_state}, set())
		# and a second migrate changes nothing
		again = sync_workflow()
		self.assertEqual(again["transitions"], {"added_or_changed": 0, "removed": 0})
