"""Text that can be searched: ToUnicode maps that send each glyph to the ideograph that was printed.

CJK fonts draw a radical and the ideograph it looks like with one glyph: 一 and ⼀ (KANGXI RADICAL ONE)
share a glyph in Noto CJK, and so do 门 and ⻔ (CJK RADICAL C-SIMPLIFIED GATE). Qt writes each embedded
font's ToUnicode map by reading the font's cmap backwards and keeps the radical, so a reader extracts, copies
and searches "⼀⽅" where "一方" was printed. fix_to_unicode rewrites those entries of every ToUnicode map to
the unified ideograph. (A radical typed on purpose shares the glyph and so reads back as the ideograph too.)
"""

import re

from pypdf import PdfWriter
from pypdf.generic import EncodedStreamObject, NameObject

# Radical → unified ideograph, for U+2E80–U+2FDF: the ideograph that shares the radical's glyph in the Noto
# CJK SC fonts (Serif and Sans, Regular and Bold; the unified block preferred over extension A, then B+,
# never a compatibility ideograph), else the radical's NFKC equivalent (Kangxi radicals only).
RADICAL_PAIRS = (
	"⺂乛⺃乚⺅亻⺇𠘨⺉刂⺋㔾⺍𭕄⺎兀⺏尣⺐尢⺒巳⺓幺⺔彑⺕彐⺖忄⺘扌⺙攵⺛旡⺞歺⺟母⺠民⺡氵⺣灬⺤爫⺦丬⺨犭⺩𤣩⺫罒⺭礻⺮𥫗⺯糹⺰纟⺱罓⺲罒⺳㓁⺹耂⺺肀⺽𦥑⺾艹⻁虎"
	"⻂衤⻃覀⻅见⻆角⻇𧢲⻈讠⻉贝⻊𧾷⻋车⻌辶⻐钅⻑長⻒镸⻓长⻔门⻕𨸏⻖阝⻘青⻙韦⻚页⻛风⻜飞⻝食⻞𩙿⻟飠⻠饣⻡𩠐⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾⻫斉⻬齐⻮齿⻯竜"
	"⻰龙⻱龜⻲亀⻳龟⼀一⼁丨⼂丶⼃丿⼄乙⼅亅⼆二⼇亠⼈人⼉儿⼊入⼋八⼌冂⼍冖⼎冫⼏几⼐凵⼑刀⼒力⼓勹⼔匕⼕匚⼖匸⼗十⼘卜⼙卩⼚厂⼛厶⼜又⼝口⼞囗⼟土⼠士⼡夂⼢夊⼣夕"
	"⼤大⼥女⼦子⼧宀⼨寸⼩小⼪尢⼫尸⼬屮⼭山⼮巛⼯工⼰己⼱巾⼲干⼳幺⼴广⼵廴⼶廾⼷弋⼸弓⼹彐⼺彡⼻彳⼼心⼽戈⼾户⼿手⽀支⽁攴⽂文⽃斗⽄斤⽅方⽆无⽇日⽈曰⽉月⽊木⽋欠"
	"⽌止⽍歹⽎殳⽏毋⽐比⽑毛⽒氏⽓气⽔水⽕火⽖爪⽗父⽘爻⽙爿⽚片⽛牙⽜牛⽝犬⽞玄⽟玉⽠瓜⽡瓦⽢甘⽣生⽤用⽥田⽦疋⽧疒⽨癶⽩白⽪皮⽫皿⽬目⽭矛⽮矢⽯石⽰示⽱禸⽲禾⽳穴"
	"⽴立⽵竹⽶米⽷糸⽸缶⽹网⽺羊⽻羽⽼老⽽而⽾耒⽿耳⾀聿⾁肉⾂臣⾃自⾄至⾅臼⾆舌⾇舛⾈舟⾉艮⾊色⾋艸⾌虍⾍虫⾎血⾏行⾐衣⾑襾⾒見⾓角⾔言⾕谷⾖豆⾗豕⾘豸⾙貝⾚赤⾛走"
	"⾜足⾝身⾞車⾟辛⾠辰⾡辵⾢邑⾣酉⾤釆⾥里⾦金⾧長⾨門⾩阜⾪隶⾫隹⾬雨⾭靑⾮非⾯面⾰革⾱韋⾲韭⾳音⾴頁⾵風⾶飛⾷食⾸首⾹香⾺馬⾻骨⾼高⾽髟⾾鬥⾿鬯⿀鬲⿁鬼⿂魚⿃鳥"
	"⿄鹵⿅鹿⿆麥⿇麻⿈黃⿉黍⿊黑⿋黹⿌黽⿍鼎⿎鼓⿏鼠⿐鼻⿑齊⿒齒⿓龍⿔龜⿕龠"
)
RADICALS = dict(zip(RADICAL_PAIRS[0::2], RADICAL_PAIRS[1::2], strict=True))
RADICAL_RANGE = range(0x2E80, 0x2FE0)

BLOCK = re.compile(rb"(beginbf(char|range))(.*?)(endbf\2)", re.S)
TOKEN = re.compile(rb"<[0-9A-Fa-f\s]*>|\[|\]")


def fix_to_unicode(writer: PdfWriter) -> int:
	"""Rewrite the ToUnicode maps of every font on the writer's pages in place; returns how many changed."""
	seen, changed = set(), 0
	for page in writer.pages:
		resources = page.get("/Resources")
		fonts = resources.get_object().get("/Font") if resources else None
		for ref in (fonts.get_object() if fonts else {}).values():
			cmap_ref = ref.get_object().get("/ToUnicode")
			cmap = cmap_ref.get_object() if cmap_ref is not None else None
			if cmap is None or id(cmap) in seen:
				continue
			seen.add(id(cmap))
			data = cmap.get_data()
			fixed = fix_cmap(data)
			if fixed != data:
				cmap.set_data(fixed)  # Qt writes these maps uncompressed; pypdf re-encodes a Flate one
				changed += 1
	return changed


def fix_cmap(data: bytes) -> bytes:
	"""A ToUnicode CMap with every radical it maps to replaced by its ideograph; the same bytes if none."""
	return BLOCK.sub(lambda m: m.group(1) + fix_block(m.group(2), m.group(3)) + m.group(4), data)


def fix_block(kind: bytes, body: bytes) -> bytes:
	tokens = TOKEN.findall(body)
	entries, changed = [], False
	i = 0
	while i < len(tokens):
		if kind == b"char":
			source, target = tokens[i : i + 2]
			fixed = remap(target)
			changed |= fixed != target
			entries.append(source + b" " + fixed)
			i += 2
		elif tokens[i + 2] == b"[":
			low, high = tokens[i : i + 2]
			end = tokens.index(b"]", i + 2)
			targets = tokens[i + 3 : end]
			fixed = [remap(t) for t in targets]
			changed |= fixed != targets
			entries.append(low + b" " + high + b" [" + b" ".join(fixed) + b"]")
			i = end + 1
		else:
			# `<low> <high> <first>` maps low..high to first, first + 1, …: written out as an array when the
			# run crosses the radicals.
			low, high, first = tokens[i : i + 3]
			targets = run(low, high, first) if crosses_radicals(low, high, first) else []
			fixed = [remap(t) for t in targets]
			if fixed != targets:
				changed = True
				entries.append(low + b" " + high + b" [" + b" ".join(fixed) + b"]")
			else:
				entries.append(low + b" " + high + b" " + first)
			i += 3
	return b"\n" + b"\n".join(entries) + b"\n" if changed else body


def decode(token: bytes) -> str:
	return bytes.fromhex(token[1:-1].decode().replace(" ", "")).decode("utf-16-be", "surrogatepass")


def encode(text: str) -> bytes:
	return b"<" + text.encode("utf-16-be", "surrogatepass").hex().upper().encode() + b">"


def remap(token: bytes) -> bytes:
	text = decode(token)
	fixed = "".join(RADICALS.get(c, c) for c in text)
	return token if fixed == text else encode(fixed)


def span(low: bytes, high: bytes) -> int:
	return int(high[1:-1], 16) - int(low[1:-1], 16) + 1


def crosses_radicals(low: bytes, high: bytes, first: bytes) -> bool:
	text = decode(first)
	if len(text) != 1:
		return False
	start = ord(text)
	return start <= RADICAL_RANGE[-1] and start + span(low, high) - 1 >= RADICAL_RANGE[0]


def run(low: bytes, high: bytes, first: bytes) -> list[bytes]:
	start = ord(decode(first))
	return [encode(chr(start + k)) for k in range(span(low, high))]
