import frappe

from case_selection.access import sealing
from case_selection.constants import EVALUATION

OLD_COLUMNS = ("public_state", *sealing.CITY_FIELDS)


def execute():
	"""The city's entries and the real state of sealed cases move from the case's row to its Case Evaluation
	(access/sealing.py); the row keeps the public state, and the columns that held the city's entries are dropped."""
	table = "tabCase Application"
	columns = set(frappe.db.get_table_columns("Case Application"))
	present = [c for c in OLD_COLUMNS if c in columns]
	if not present:
		return
	sealing.clear_published_cache()
	fields = ["name", "round", "district", "case_title", "workflow_state", *present]
	for row in frappe.db.sql(f"select {', '.join(f'`{f}`' for f in fields)} from `{table}`", as_dict=True):
		city = {
			f: row.get(f) for f in sealing.CITY_FIELDS if f in present and row.get(f) not in (None, "", 0)
		}
		real = row.workflow_state
		public = sealing.public_state_of(real, row.round)
		if city or real != public or (real and sealing.states.has(real, "city_visible")):
			if not frappe.db.exists(EVALUATION, row.name):
				sealing.set_values(row, {sealing.STATE: real, **city})
		if public != real:
			frappe.db.set_value("Case Application", row.name, "workflow_state", public, update_modified=False)
	# 签核历程 rows of sealed steps, and Versions that named a sealed state or a city field, go with the evaluation.
	published = sealing.published_rounds() or ("",)
	frappe.db.sql(
		"""update `tabCase Action Log` set reference_doctype = %s
		where reference_doctype = 'Case Application' and ifnull(sealed, 0) = 1 and `round` not in %s""",
		(EVALUATION, published),
	)
	hidden = [f'"{f}"' for f in OLD_COLUMNS] + [
		f'"{s}"' for s in sealing.states.where("sealed") if s != sealing.sealed_state()
	]
	for name, data in frappe.db.sql(
		"select name, data from `tabVersion` where ref_doctype = 'Case Application'"
	):
		if any(h in (data or "") for h in hidden):
			frappe.db.set_value("Version", name, "ref_doctype", EVALUATION, update_modified=False)
	# The shipped notifications named the old column; the case's row now holds what they may tell.
	for field in ("subject", "message", "condition"):
		frappe.db.sql(
			f"""update `tabNotification` set `{field}` = replace(`{field}`, 'doc.public_state', 'doc.workflow_state')
			where document_type = 'Case Application' and `{field}` like '%%doc.public_state%%'"""
		)
	frappe.db.commit()
	for column in present:
		frappe.db.sql_ddl(f"alter table `{table}` drop column `{column}`")
