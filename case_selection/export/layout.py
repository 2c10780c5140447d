"""The official page of GB/T 9704-2012 (党政机关公文格式), defined once for every official output.

The templates print these values into their CSS (through the print contexts), the PDF code places the page
numbers with them, and the tests measure the PDFs against them.

- A4 (210 × 297 mm); 天头 (top margin) 37 mm, 订口 (left margin) 28 mm, type area (版心) 156 × 225 mm.
- Landscape pages (附件2's table) turn the type area: 225 × 156 mm, the 订口 edge on top (GB/T 9704 §10:
  表头在订口一边) and the 天头 on the right.
- Title 2号 小标宋 (22 pt), body 3号 仿宋 (16 pt) at 22 lines a page, first-level headings 黑体 and
  second-level 楷体 in 3号, page numbers 4号 (14 pt) "— 1 —" 7 mm below the type area.
"""

from typing import NamedTuple

MM = 72 / 25.4  # PDF points per millimetre


class Page(NamedTuple):
	orientation: str
	width: float  # mm
	height: float
	top: float
	right: float
	bottom: float
	left: float

	@property
	def type_width(self) -> float:
		return self.width - self.left - self.right

	@property
	def type_height(self) -> float:
		return self.height - self.top - self.bottom

	def css(self) -> str:
		"""The `.print-format` rule Frappe's get_pdf reads its wkhtmltopdf page options from (and only them:
		the templates keep the element itself free of margins, see official_style.html)."""
		return (
			f".print-format {{ margin-top: {self.top}mm; margin-right: {self.right}mm; "
			f"margin-bottom: {self.bottom}mm; margin-left: {self.left}mm; page-size: A4; "
			f"orientation: {self.orientation}; }}"
		)


PORTRAIT = Page("Portrait", 210, 297, top=37, right=26, bottom=35, left=28)
LANDSCAPE = Page("Landscape", 297, 210, top=28, right=37, bottom=26, left=35)

TITLE_PT = 22  # 2号
BODY_PT = 16  # 3号
TABLE_PT = 14  # 4号: wide tables (附件2's list, the 签核历程 table)
PAGE_NUMBER_PT = 14  # 4号
LINE_PITCH_PT = 28.95  # 22 lines in the 225 mm type area, the "固定值" spacing of the official templates
CHARS_PER_LINE = 28  # of 3号 body text on the 156 mm line
PAGE_NUMBER_GAP_MM = 7  # from the foot of the type area to the top of the page number

# Local fonts only (never web fonts): the official ones when installed, else Debian's Noto CJK (SPEC §5).
FONTS = {
	"title": '"方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", serif',
	"body": '"仿宋_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC", serif',
	"hei": '"黑体", "SimHei", "Noto Sans CJK SC", sans-serif',
	"kai": '"楷体_GB2312", "楷体", "KaiTi", "STKaiti", "Noto Serif CJK SC", serif',
}


def page_for(width_pt: float, height_pt: float) -> Page:
	"""The official page of a PDF page of this size (landscape when wider than high)."""
	return LANDSCAPE if width_pt > height_pt else PORTRAIT


def style_context(page: Page) -> dict:
	"""What official_style.html needs: the page and the type sizes."""
	return {
		"page": page,
		"page_css": page.css(),
		"fonts": FONTS,
		"title_pt": TITLE_PT,
		"body_pt": BODY_PT,
		"table_pt": TABLE_PT,
		"line_pitch_pt": LINE_PITCH_PT,
	}
