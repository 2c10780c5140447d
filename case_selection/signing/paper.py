"""Paper that matches the record: the city's intake desk scans the QR code of each paper copy (notice: 纸质版
一式5份) and the app counts the copies of the current sealed version.

`receive` (POST, 市级管理部门 or an admin) takes what the scanner typed — the QR code's address, or a code and
hash typed by hand — finds the sealed 附件1 / 附件2 by its verification code (signing/qr.py), and under the
document's row lock (two clerks scanning copies of one case at the same second count both, one after the
other) records a Paper Copy: 已签收 (第 n 份) when the copy's hash is the current sealed version's, 版本过期
when it is not (printed before a later change: not counted). The count is kept on the document
(`paper_copies_received`) and on the district list's row of the case (已收纸质份数); complete when it reaches
the round's 纸质申报书份数 (default 5).
"""

import frappe
from frappe import _
from frappe.utils import now_datetime

from case_selection.access.actors import actor
from case_selection.access.system_write import system_write
from case_selection.signing import qr
from case_selection.signing.sealed_form import READY

RECEIVED, STALE = "Received", "Stale"


def find(code: str) -> tuple[str, str]:
	"""(doctype, name) of the sealed document with this verification code."""
	for doctype in qr.QR_DOCTYPES:
		name = frappe.db.get_value(doctype, {"verification_code": code}, "name")
		if name:
			return doctype, name
	frappe.throw(
		_("验证码 {0} 不对应任何已电子签章的申报书或推荐名单。").format(qr.shown(code)),
		frappe.DoesNotExistError,
	)


def title_of(doctype: str, row) -> str:
	if doctype == "Case Application":
		return row.case_title or row.name
	return _("{0}推荐案例名单").format(row.district)


@frappe.whitelist(methods=["POST"])
def receive(scan: str) -> dict:
	"""One paper copy scanned at the city's intake desk."""
	a = actor()
	if not a.manages_city:
		frappe.throw(_("只有市级管理部门可以签收纸质材料。"), frappe.PermissionError)
	code, digest = qr.parse(scan)
	if digest is None:
		frappe.throw(
			_("「扫描内容」只有验证码，没有文件摘要：请扫描纸质件页脚的二维码。"), frappe.ValidationError
		)
	doctype, name = find(code)
	title_field = "case_title" if doctype == "Case Application" else "district"
	# one of QR_DOCTYPES: the table name is never the caller's text
	row = frappe.db.sql(
		f"""select name, round, district, {title_field}, sealed_form_status, sealed_form_hash,
			paper_copies_received from `tab{doctype}` where name = %s for update""",
		name,
		as_dict=True,
	)[0]
	if row.sealed_form_status != READY or not row.sealed_form_hash:
		frappe.throw(
			_("「{0}」的电子签章文件尚未生成，暂不能签收纸质件。").format(title_of(doctype, row)),
			frappe.ValidationError,
		)
	required = frappe.get_cached_value("Selection Round", row.round, "paper_copies") or 5
	current = digest == row.sealed_form_hash
	count = (row.paper_copies_received or 0) + (1 if current else 0)
	if current:
		note = _("第 {0} 份，共需 {1} 份").format(count, required)
		if count > required:
			note = _("第 {0} 份（已超过所需的 {1} 份）").format(count, required)
	else:
		note = _("版本过期：此纸质件打印后申报材料或会签意见有过变更，与当前电子签章版本不一致，未计入份数。")
	copy = frappe.get_doc(
		{
			"doctype": "Paper Copy",
			"reference_doctype": doctype,
			"reference_name": name,
			"title": title_of(doctype, row),
			"round": row.round,
			"district": row.district,
			"status": RECEIVED if current else STALE,
			"copy_number": count if current else 0,
			"received_by": frappe.session.user,
			"received_at": now_datetime(),
			"verification_code": code,
			"scanned_hash": digest,
			"sealed_hash": row.sealed_form_hash,
			"note": note,
		}
	)
	with system_write():
		copy.insert(ignore_permissions=True)
		if current:
			frappe.db.set_value(doctype, name, "paper_copies_received", count, update_modified=False)
			if doctype == "Case Application":
				frappe.db.set_value(
					"Recommendation List Item",
					{"application": name},
					"paper_copies",
					count,
					update_modified=False,
				)
	return {
		"doctype": doctype,
		"name": name,
		"title": copy.title,
		"district": row.district,
		"status": copy.status,
		"copy_number": copy.copy_number,
		"received": count,
		"required": required,
		"complete": count >= required,
		"note": note,
	}
