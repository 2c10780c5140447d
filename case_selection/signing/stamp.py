"""The seal's picture: a red round official seal (红色圆形印章) drawn with Pillow.

An outer ring, the department's name set clockwise along the upper arc, a five-pointed star in the middle, on a
transparent background. The characters come from a Noto CJK font on the machine (Debian's fonts-noto-cjk);
without one, `CJKFontNotFound` says what to install.
"""

import functools
import io
import math
import os
import shutil
import subprocess

from PIL import Image, ImageDraw, ImageFont

from case_selection.checks.words import _

SEAL_RED = (220, 20, 30)
NOTO_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto", "/usr/share/fonts/noto-cjk")
# In order of preference: a seal is cut in a Song (serif) face, bold; Sans is the fallback.
NOTO_FILES = (
	"NotoSerifCJK-Bold.ttc",
	"NotoSansCJK-Bold.ttc",
	"NotoSerifCJK-Regular.ttc",
	"NotoSansCJK-Regular.ttc",
	"NotoSansCJKsc-Regular.otf",
	"NotoSerifCJKsc-Regular.otf",
)


class CJKFontNotFound(RuntimeError):
	pass


def _candidates() -> list[str]:
	paths = [os.path.join(d, f) for f in NOTO_FILES for d in NOTO_DIRS]
	fc_list = shutil.which("fc-list")
	if fc_list:
		try:
			out = subprocess.run(
				[fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
			).stdout
		except (OSError, subprocess.SubprocessError):
			out = ""
		found = sorted(line.split(":", 1)[0].strip() for line in out.splitlines() if line.strip())
		# Noto CJK first (in the order above), then whatever else fontconfig knows for Chinese.
		noto = [p for f in NOTO_FILES for p in found if os.path.basename(p) == f]
		paths += noto + [p for p in found if p not in noto]
	return list(dict.fromkeys(p for p in paths if os.path.isfile(p)))


def _simplified_chinese_index(path: str) -> int:
	"""The face of a font collection (.ttc) that is for Simplified Chinese (SC); 0 for a single font."""
	if not path.lower().endswith((".ttc", ".otc")):
		return 0
	first = None
	for index in range(32):
		try:
			family = ImageFont.truetype(path, 10, index=index).getname()[0] or ""
		except OSError:
			break
		first = index if first is None else first
		if family.endswith(" SC") and "Mono" not in family:
			return index
	if first is None:
		raise CJKFontNotFound(_("无法读取中文字体文件 {0}").format(path))
	return first


@functools.cache
def find_cjk_font(serif: bool = True, bold: bool = True) -> tuple[str, int]:
	"""(path, face index) of a Noto CJK font for Simplified Chinese found on this machine."""
	paths = _candidates()
	want = ("Serif" if serif else "Sans", "Bold" if bold else "Regular")
	preferred = [p for p in paths if all(w in os.path.basename(p) for w in want)]
	for path in preferred + paths:
		try:
			return path, _simplified_chinese_index(path)
		except (OSError, CJKFontNotFound):
			continue
	raise CJKFontNotFound(
		_(
			"未找到中文字体（Noto CJK），无法绘制印章或签章文字：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）"
		)
	)


def _star(cx: float, cy: float, outer: float) -> list[tuple[float, float]]:
	inner = outer * math.sin(math.radians(18)) / math.sin(math.radians(54))
	points = []
	for k in range(10):
		r = outer if k % 2 == 0 else inner
		a = math.radians(90 + k * 36)
		points.append((cx + r * math.cos(a), cy - r * math.sin(a)))
	return points


def seal_png(name: str, size_px: int = 400) -> bytes:
	"""A red round seal with `name` along its upper arc, as a PNG with a transparent background."""
	name = "".join((name or "").split())
	if not name:
		raise ValueError(_("「印章名称」不能为空"))
	if not 64 <= size_px <= 4000:
		raise ValueError(_("「印章尺寸」应在 64 至 4000 像素之间"))
	path, index = find_cjk_font()

	scale = 3  # draw large, then shrink: smooth edges
	s = size_px * scale
	c = s / 2
	img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
	draw = ImageDraw.Draw(img)
	red = (*SEAL_RED, 255)

	ring = s * 0.035
	outer = s / 2 - s * 0.01
	draw.ellipse((c - outer, c - outer, c + outer, c + outer), outline=red, width=round(ring))
	draw.polygon(_star(c, c, s * 0.16), fill=red)

	# The name: clockwise along the upper arc, each character upright towards the rim; long names get
	# narrower characters (as a seal cutter does), never smaller ones.
	n = len(name)
	span = min(260.0, 24.0 * n + 20) if n > 1 else 0.0
	radius_text = outer - ring - s * 0.02
	step = span / (n - 1) if n > 1 else 0.0
	char_h = round(s * 0.14)
	arc_per_char = math.radians(step) * (radius_text - char_h / 2) if n > 1 else char_h
	char_w = max(4, round(min(char_h, arc_per_char * 0.92)))
	font = ImageFont.truetype(path, char_h, index=index)
	centre_radius = radius_text - char_h * 0.55
	for i, ch in enumerate(name):
		theta = 90 + span / 2 - i * step
		glyph = Image.new("RGBA", (char_h * 2, char_h * 2), (0, 0, 0, 0))
		ImageDraw.Draw(glyph).text((char_h, char_h), ch, font=font, fill=red, anchor="mm")
		glyph = glyph.resize((char_w * 2, char_h * 2), Image.LANCZOS)
		glyph = glyph.rotate(theta - 90, resample=Image.BICUBIC, expand=True)
		x = c + centre_radius * math.cos(math.radians(theta))
		y = c - centre_radius * math.sin(math.radians(theta))
		img.alpha_composite(glyph, (round(x - glyph.width / 2), round(y - glyph.height / 2)))

	img = img.resize((size_px, size_px), Image.LANCZOS)
	out = io.BytesIO()
	img.save(out, format="PNG", optimize=True)
	return out.getvalue()
