"""Publication of a round's results (入选 / 未入选) and the messages that tell the units."""

import frappe
from frappe import _

from case_selection.access import sealing
from case_selection.access.documents import load, require_city_manager
from case_selection.access.system_write import system_write
from case_selection.constants import EVALUATION, PUBLISHED
from case_selection.notifications import publication
from case_selection.workflow import states


@frappe.whitelist(methods=["POST"])
def publish_results(round_name: str) -> dict:
	"""Publishes every result of a round at once, once every case at the city has its decision: the sealed
	states become everyone's, and applicants and districts are told."""
	require_city_manager()
	round_doc = load("Selection Round", round_name, "write")
	if round_doc.status == PUBLISHED:
		frappe.throw(_("「{0}」的结果已经发布。").format(round_doc.round_title), frappe.ValidationError)
	at_city = [s for s in states.where("city_visible") if not states.has(s, "cosign_open")]
	pending = frappe.get_all(
		EVALUATION,  # the real states (access/sealing.py)
		filters={
			"round": round_name,
			"workflow_state": ("in", [s for s in at_city if not states.final_result(s)] or [""]),
		},
		pluck="name",
	)
	if pending:
		frappe.throw(
			_("尚有 {0} 个报送市级的案例未作出入选决定，不能发布：{1}").format(
				len(pending), "、".join(pending[:10])
			)
		)
	round_doc.status = PUBLISHED
	round_doc.published_on = frappe.utils.today()  # 结果发布日期, what 入选单位查询 reports
	with system_write():  # "Published" is set here only, once every decision is made
		round_doc.save()
	sealing.publish(round_name)
	notify_publication(round_doc)
	return {
		s: frappe.db.count("Case Application", {"round": round_name, "workflow_state": s})
		for s in states.final_states()
	}


def notify_publication(round_doc):
	"""Everyone who applied in the round hears their case's result, and the districts' officers that the round
	is out: Notification records (case_selection/notifications/), sent from the RQ queue once this commits."""

	publication.enqueue(round_doc.name)
