"""Download endpoints of the official outputs. Each checks permission explicitly before reading data.

(Kept beside the export code rather than in case_selection/api/, which holds the workflow endpoints.)
"""

import frappe
from frappe import _

from case_selection.access.actors import actor
from case_selection.export import excel
from case_selection.jobs import service


def send_file(filename: str, content: bytes):
	frappe.response.filename = filename
	frappe.response.filecontent = content
	frappe.response.type = "binary"


@frappe.whitelist()
def district_list_xlsx(name: str) -> None:
	"""附件2 of one District Recommendation List as xlsx, for whoever may read that list."""
	doc = frappe.get_doc("District Recommendation List", name)
	if not frappe.has_permission("District Recommendation List", "read", doc):
		frappe.throw(_("您无权导出该推荐名单"), frappe.PermissionError)
	send_file(_("附件2_{0}推荐案例名单.xlsx").format(doc.district), excel.district_list_xlsx(doc))


def check_city_summary(round: str | None) -> None:
	a = actor()
	if not a.sees_city:
		frappe.throw(_("仅市级用户可以导出推荐案例汇总表"), frappe.PermissionError)
	if not frappe.has_permission("Case Application", "read"):
		frappe.throw(_("您无权查看申报书"), frappe.PermissionError)
	if round and not frappe.db.exists("Selection Round", round):
		frappe.throw(_("遴选轮次 {0} 不存在").format(round), frappe.DoesNotExistError)


@frappe.whitelist()
@frappe.read_only()
def city_summary_xlsx(round: str | None = None) -> None:
	"""City-wide summary of recommended cases: city roles only; rows still go through frappe.get_list.
	Synchronous (kept for scripts); Desk queues it with enqueue_city_summary instead."""
	check_city_summary(round)
	send_file(_("推荐案例汇总表_{0}.xlsx").format(round or _("全部")), excel.city_summary_xlsx(round))


@frappe.whitelist(methods=["POST"])
def enqueue_city_summary(round: str | None = None) -> dict:
	"""The city summary as a background job (case_selection.jobs): same permission check as the download."""
	check_city_summary(round)
	return service.enqueue_city_summary(round)
