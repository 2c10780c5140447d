"""The columns of the configurable outputs as they ship: what Selection Round → 导出列设置 (Round Output Column)
starts with, and what an output prints for a round with no row of its own. Plain data, so the round's defaults
(setup/master_data.py) and the outputs (export/columns.py) read the same lists without importing each other.

A column's `field` is a Case Application field or one of NAMED_VALUES; an empty heading is the field's label as
the form shows it. Widths: characters in the city summary; in 附件2 shares of the table's width (PDF page width
and the sheet's total of LIST_SHEET_WIDTH characters); unused by the casebook's info table.
"""

DISTRICT_LIST = "附件2 区县推荐案例名单"
CITY_SUMMARY = "市级推荐案例汇总表"
CASEBOOK = "案例汇编"
OUTPUTS = (DISTRICT_LIST, CITY_SUMMARY, CASEBOOK)

LEFT, CENTER, RIGHT = "居左", "居中", "居右"

# Values that are no single field of Case Application, and the outputs each makes sense in.
INDEX = "序号"  # the row's number in the output
RANK = "推荐排序"  # the list item's rank (else its place in the list)
REMARKS = "备注"  # the list item's remarks
STATE = "状态"  # the case's state in words (the city's own state for those who see the city stage)
SCORE = "专家评审平均分"  # city stage only
COUNT = "已评审专家数"  # city stage only
NAME = "申报书编号"
DIRECTION = "遴选方向"  # with its code: "1.1 智能网联新能源汽车"
DOMAIN = "所属领域"  # the direction's domain
NAMED_VALUES = {
	INDEX: OUTPUTS,
	RANK: (DISTRICT_LIST,),
	REMARKS: (DISTRICT_LIST,),
	STATE: OUTPUTS,
	SCORE: OUTPUTS,
	COUNT: OUTPUTS,
	NAME: OUTPUTS,
	DIRECTION: OUTPUTS,
	DOMAIN: OUTPUTS,
}

# The 附件2 sheet's total width in characters, shared by its columns in proportion to their widths.
LIST_SHEET_WIDTH = 143


def column(field: str, width: float, align: str = LEFT, heading: str = "") -> dict:
	return {"field": field, "heading": heading, "width": width, "align": align}


DEFAULT_COLUMNS = {
	DISTRICT_LIST: [
		column(RANK, 6, CENTER, "序号"),
		column("case_title", 22),
		column("unit_name", 18, heading="申报单位"),
		column("unit_type", 9, CENTER),
		column("direction", 13),
		column("contact_person", 8, CENTER),
		column("contact_mobile", 15, CENTER, "联系电话"),
		column(REMARKS, 9),
	],
	CITY_SUMMARY: [
		column(INDEX, 6, CENTER),
		column("district", 14, CENTER, "区县"),
		column("case_title", 36),
		column("unit_name", 30, heading="申报单位"),
		column("uscc", 21),
		column("unit_type", 12, CENTER),
		column("direction", 24),
		column("contact_person", 10, CENTER),
		column("contact_mobile", 15, CENTER, "联系电话"),
		column(STATE, 12, CENTER),
		column(SCORE, 10, CENTER),
		column(COUNT, 9, CENTER),
		column(NAME, 18),
	],
	CASEBOOK: [
		column(DIRECTION, 10),
		column(DOMAIN, 10),
		column("keywords", 10),
	],
}


def default_output_columns() -> list[dict]:
	"""The rows of Selection Round.output_columns a round starts with, output by output."""
	return [{"output": output, **c} for output, columns in DEFAULT_COLUMNS.items() for c in columns]
