"""Stage 2: raw text to logical lines.

PDF-to-text conversion leaves artefacts that the later stages must not see:
lines broken mid-sentence (two-column layout, page breaks), bold text printed
twice (``11.. 标题标题。。``), stray ``**`` bold markers, page numbers. This stage
undoes them and returns :class:`Line` objects that remember which original lines
they came from, so every item can link back to its source paragraph.

:func:`fold` maps punctuation variants (〔〕［］（）：；，) and full-width letters to
one form *character for character*, so a regex match on the folded text has the
same offsets in the display text.
"""

from __future__ import annotations

import re

from gazette.lines import CN_NUM, DATE_LINE, DOC_NUMBER, MARKER, Line, cn_number, fold, line_date
from gazette.renderings import tables_to_tabs
from gazette.undouble import (
    _fully_doubled,
    _undouble_line,
)

_TERMINAL = set("。！？；：!?;:…")
_CLOSERS = set("〕］】）)]")
_OPENERS = set("〔［【（([")
_ANNOTATION_START = re.compile(r"^[\[(]\s*(?:责任|牵头|配合|分管|协办|主办|承办)")
_FIELD_LINE = re.compile(
    r"^\s*(?:牵头(?:责任)?(?:单位|部门)|责任(?:单位|部门|领导)|配合(?:单位|部门)|协同(?:责任)?(?:单位|部门)"
    r"|协办单位|主抓单位|牵头(?:市|区|县)?领导|分管(?:市|区|县)?领导|主要责任人|完成时限|时间节点"
    r"|进度安排|计划完成时间|完成时间)\s*:"
)
_RUNNING_TEXT = re.compile(r"[,，。;；]")
# lines that are complete by themselves although they end without punctuation
_STANDALONE = re.compile(
    r"^(?:附\s*件|附\s*表|联系人|联系电话|电话|邮箱|传真|地址|抄送|特此\S{2}$|\(此件.{0,8}\)$)|特此\S{2}$"
    # a web page's info lines: 时间：2021-09-01 15:45 / 来源：… / 发文字号：…
    r"|^\s*(?:时\s*间|日\s*期|来\s*源|作\s*者|发布时间|发布日期|成文日期|浏览次数|点击数|字号|索\s*引\s*号"
    r"|标\s*题|文件编号|发文字号|发布机构|发文机关|主题分类|信息来源)\s*:"
    # ASCII front matter of a saved page or export: # source: … / year: 2021
    r"|^\s*#*\s*[A-Za-z][A-Za-z_\- ]{0,20}:"
    # a page's date stamp: 2021-09-01 / 2021-09-01 15:45
    r"|^\s*(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d\d(?::\d\d)?)?\s*$"
)
# 某某市人民政府 2024年3月8日: issuer and signing date printed on one line
SIGNED_LINE = re.compile(r"^(\S{2,30}?(?:政府|办公室|办公厅|局|委员会|委|厅|中心))\s*(\S{8,14}日)$")
_CHRONICLE = re.compile(r"^\S{2,20}?\d{1,2}月大事记$")
_PAGE_NUMBER = re.compile(r"^[-—－\s]*\d{1,3}[-—－\s]*$")
_RUNNING_HEAD = re.compile(r"^\S{2,12}(?:人民政府|政府办公室)公报$")
_BOLD = re.compile(r"(?<!\*)\*\*(?!\*)")
_BOLD_HEADING = re.compile(r"(?<!\*)\*\*(?!\*)(?=\s*" + MARKER.pattern[1:] + ")")


def is_marker_line(key: str) -> bool:
    return bool(MARKER.match(key))


def unbalanced(key: str) -> bool:
    """More brackets opened than closed (``key`` is folded text)."""
    return key.count("(") + key.count("[") > key.count(")") + key.count("]")


# --- physical lines ---------------------------------------------------------


# pinyin a web page left in brackets after a character: 區(qū), 莆（pú）
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[1-5]?[)）]")


def _physical_lines(text: str) -> list[Line]:
    """Strip, split ``**``-glued headings, undouble bold, drop furniture."""
    out: list[Line] = []
    carry_doubling = False
    if "(" in text or "（" in text:
        text = _PINYIN.sub("", text)
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip() if "\t" not in raw else raw.strip(" \u3000\r")
        if not stripped:
            continue
        if carry_doubling and "\t" not in stripped:
            decoded = _fully_doubled(stripped)
            if decoded is not None:
                out.append(Line.make(decoded, number, bold=True))
                continue
        carry_doubling = False
        for piece in _BOLD_HEADING.split(stripped):
            piece = _BOLD.sub("", piece).strip(" \u3000\r" if "\t" in piece else None)
            if not piece:
                continue
            piece, whole = _undouble_line(piece)
            carry_doubling = whole
            if "\t" not in piece and _is_furniture(piece, number):
                continue
            out.append(Line.make(piece, number, bold=whole))
    return out


def _is_furniture(text: str, number: int) -> bool:
    # page numbers are dropped after tables are read (a 序号 cell is a bare number too)
    # the masthead on the cover is kept; repeated later it is a running head
    return number > 60 and bool(_RUNNING_HEAD.match(text))


# --- joining broken lines -----------------------------------------------------


def _wrap_width(lines: list[Line]) -> int:
    """Typical length of a wrapped line (small for two-column layouts)."""
    lengths = sorted(len(line.text) for line in lines if "\t" not in line.text)
    if not lengths:
        return 0
    return lengths[int(len(lengths) * 0.8)]


_ISSUER = re.compile(r"^\S{2,30}(?:政府|办公室|办公厅|局|委|委员会|部门|厅|院|中心|公司|会|署|办)$")
_TOC_ENTRY = re.compile(r"^-|\(\d{1,3}\)$|\d{1,3}$")
_MAX_TITLE_LINES = 4


def is_title_line(key: str) -> bool:
    """Could this line be (part of) a document title?"""
    key = key.strip()
    return (
        bool(key)
        and len(key) <= 90
        and key[-1] not in _TERMINAL
        and key[-1] not in _CLOSERS
        and "\t" not in key
        and not _TOC_ENTRY.search(key)
        and not DATE_LINE.match(key)
        and not DOC_NUMBER.match(key)
    ) or bool(re.search(r"[(（][^()（）]*[)）]$", key) and "关于" in key)


def title_start(keys: list[str], k: int, floor: int = 0) -> int:
    """Index of the first title line above the 文号 at ``k``.

    A title reads ``issuer 关于 subject 的通知``, possibly over several lines.
    Once the lines gathered have an issuer before 关于 the title is complete; if
    they start with 关于, only an issuer-like line may still precede them.
    """
    start = k
    while start - 1 >= floor and k - start < _MAX_TITLE_LINES:
        candidate = keys[start - 1]
        if not is_title_line(candidate):
            break
        gathered = "".join(keys[start:k])
        about = gathered.find("关于")
        if about > 0:
            break
        if about == 0 or gathered.startswith("印发"):
            if _ISSUER.match(re.sub(r"\s+", "", candidate)):
                start -= 1
            break
        start -= 1
    return start


def _title_zone(lines: list[Line]) -> set[int]:
    """Indices of lines just above a 文号: a document title, never joined to
    the end of the previous document."""
    keys = [line.key for line in lines]
    zone: set[int] = set()
    for k, key in enumerate(keys):
        if DOC_NUMBER.match(key):
            zone.update(range(title_start(keys, k), k))
    return zone


_DASH_START = re.compile(r"^\s*[-—]{1,2}\s*\S")
# two-column layouts wrap at 20-30 characters; a line that ran to the right
# margin goes on whatever it ends with (。 and ） fall at the margin by chance)
_NARROW = range(12, 41)
# an owner annotation closing a paragraph: …。(市X局负责) / 〔责任单位：…〕
_ANN_BODY = r"(?:[^\[\]()]|\([^()]*\))*"
_OWNER_WORD = r"(?:责任|牵头|负责|配合|分管|协办|主办|落实)"
_ANNOTATED = re.compile(rf"[\[(]{_ANN_BODY}{_OWNER_WORD}{_ANN_BODY}[\])]")
_ENDS_ANNOTATED = re.compile(rf"[\[(]{_ANN_BODY}{_OWNER_WORD}{_ANN_BODY}[\])]\s*[。.;]?\s*$")
_TAIL = 160  # enough of a run's end to hold its closing annotation
# a line ending inside a name, e.g. 区（县） / 本企业（集团）, after running text
_SHORT_BRACKET = re.compile(r"[^。;:!?.\])\s][(][^()\[\]:;,，。]{1,4}[)]$")


class _Group:
    """Physical lines being joined into one logical line. Keeps what
    :func:`_continues` asks of the text so far (its start, its end, bracket
    balance, whether it is running text) so joining stays linear however
    many lines a paragraph spans."""

    _KEEP = 2 * _TAIL

    def __init__(self, line: Line):
        self.lines = [line]
        self.head = line.key[: self._KEEP]
        self.tail = line.key[-self._KEEP :]
        self.length = len(line.key)
        self.balance = _balance(line.key)
        self.running = bool(_RUNNING_TEXT.search(line.key))

    def add(self, line: Line) -> None:
        self.lines.append(line)
        if len(self.head) < self._KEEP:
            self.head = (self.head + line.key)[: self._KEEP]
        self.tail = (self.tail + line.key)[-self._KEEP :]
        self.length += len(line.key)
        self.balance += _balance(line.key)
        self.running = self.running or bool(_RUNNING_TEXT.search(line.key))

    def whole(self) -> str | None:
        """The joined key, when short enough to be a 文号, a date or a signature."""
        return self.head.rstrip() if self.length <= self._KEEP else None

    def line(self) -> Line:
        if len(self.lines) == 1:
            return self.lines[0]
        first = self.lines[0]
        marks: list[tuple[int, int]] = []
        offset = 0
        for part in self.lines:
            marks.append((offset, part.lineno))
            offset += len(part.text)
        # folding is per character, so keys concatenate like texts
        return Line(
            "".join(p.text for p in self.lines),
            first.lineno,
            self.lines[-1].end,
            "".join(p.key for p in self.lines),
            marks=tuple(marks),
        )


def _balance(key: str) -> int:
    return key.count("(") + key.count("[") - key.count(")") - key.count("]")


def _continues(prev: _Group, nxt: Line, width: int, last: str = "", bold: bool = False) -> bool:
    """Is ``nxt`` the rest of a sentence or heading broken after ``prev``?

    ``last`` is the physical line ``prev`` ends with (its own text if unjoined);
    ``bold`` tells that line was a bold (doubled) heading and ``nxt`` is not.
    """
    head, tail, whole = prev.head, prev.tail.rstrip(), prev.whole()
    b = nxt.key.lstrip()
    if "\t" in prev.head or "\t" in prev.tail or "\t" in b:
        return False
    if whole is not None and (DOC_NUMBER.match(whole) or DATE_LINE.match(whole)):
        return False
    if DOC_NUMBER.match(b) or DATE_LINE.match(b):
        return False
    if _STANDALONE.match(head) or _STANDALONE.match(b) or _CHRONICLE.match(b):
        return False
    if whole is not None and _CHRONICLE.match(whole):
        return False
    if whole is not None and whole.endswith("日"):
        signed = SIGNED_LINE.match(whole)
        if signed and line_date(signed.group(2)):
            return False
    if _ANNOTATION_START.match(b) or _FIELD_LINE.match(b):
        return True  # an owner or time field on its own line belongs to the paragraph above
    if prev.balance > 0:
        return not is_marker_line(b) or b.startswith("(")
    if bold and is_marker_line(head):
        return False  # a bold heading ends where the plain text starts
    if (
        width in _NARROW
        and len(last.strip()) >= width - 1
        and prev.length > width
        and not is_marker_line(b)
        and not _DASH_START.match(b)
        and not _ENDS_ANNOTATED.search(tail[-_TAIL:])
    ):
        return True
    if is_marker_line(b) or _DASH_START.match(b):
        return False
    if not tail:
        return False
    if tail[-1] in _CLOSERS and _SHORT_BRACKET.search(tail) and prev.running:
        return True  # 在区（县）|人民政府… : a name's brackets, mid-sentence
    if tail[-1] in _TERMINAL or tail[-1] in _CLOSERS:
        return False
    if is_marker_line(head):
        # A bare heading (一、总体要求) stands alone; a numbered paragraph that is
        # already running text, or that ran to the right margin, goes on.
        return prev.running or (width > 0 and prev.length >= 0.85 * width)
    return True


def _boundary(line: Line) -> bool:
    """Does this physical line start a paragraph of its own kind?"""
    key = line.key.lstrip()
    return (
        "\t" in key
        or is_marker_line(key)
        or bool(_DASH_START.match(key))
        or bool(_STANDALONE.match(key))
        or bool(DOC_NUMBER.match(key))
        or bool(DATE_LINE.match(key))
        or bool(_CHRONICLE.match(key))
    )


def _annotated_runs(lines: list[Line], stops: set[int]) -> set[int]:
    """Indices of lines in a run of unnumbered lines whose only owner
    annotation closes the run: the tail of a numbered task that a paragraph
    break (or a line ending at 。) cut off from it."""
    runs: set[int] = set()
    index = 0
    while index < len(lines):
        if _boundary(lines[index]) or index in stops:
            index += 1
            continue
        end = index
        while end + 1 < len(lines) and not _boundary(lines[end + 1]) and end + 1 not in stops:
            end += 1
        tail = "".join(line.key for line in lines[max(index, end - 3) : end + 1])[-_TAIL:]
        if (
            _ENDS_ANNOTATED.search(tail)
            and not any(_ANNOTATED.search(line.key) for line in lines[index : max(index, end - 3)])
            and len(_ANNOTATED.findall(tail)) == 1
        ):
            runs.update(range(index, end + 1))
        index = end + 1
    return runs


# a file's own title among its first lines ends nothing but is whole:
# 某某市关于加快某某工作的实施方案 / 2024年某某工作要点
_HEAD_LINES = 8
_DOC_TITLE = re.compile(
    r"^[^,，。;；:：]{4,60}(?:通知|方案|意见|计划|要点|措施|办法|规划|决定|细则|清单|分工|分解表|政策)"
    r"(?:\s*\(\S{1,30}\))?$"
)


def join_broken(lines: list[Line]) -> list[Line]:
    width = _wrap_width(lines)
    titles = _title_zone(lines)
    # an issuer line sits right above the signing date and ends nothing
    signatures = {i - 1 for i, line in enumerate(lines) if DATE_LINE.match(line.key)}
    tails = _annotated_runs(lines, titles | signatures)
    groups: list[_Group] = []
    task = False  # groups[-1] is a numbered paragraph (not a heading) without an annotation
    for index, line in enumerate(lines):
        if (
            groups
            and not (index - 1 < _HEAD_LINES and _DOC_TITLE.match(lines[index - 1].key))
            and (index in titles) == (index - 1 in titles)
            and index not in signatures
            and (
                _continues(
                    groups[-1],
                    line,
                    width,
                    lines[index - 1].key,
                    lines[index - 1].bold and not line.bold,
                )
                or (task and index in tails and groups[-1].tail.rstrip()[-1:] in "。;")
            )
        ):
            groups[-1].add(line)
        else:
            groups.append(_Group(line))
            task = is_marker_line(line.key) and index not in titles
        if task and _ANNOTATED.search(line.key):
            task = False
    return [group.line() for group in groups]


# --- paragraphs run together ---------------------------------------------------

# markers that may open a paragraph inside a line whose breaks were lost:
# 一、 (一) 1. (1) 第一条, with their level
_INLINE_MARKER = re.compile(
    rf"(?P<k1>[{CN_NUM}]{{1,3}})、|\((?P<k2>[{CN_NUM}]{{1,3}})\)(?![项款条目])"
    r"|(?<![\d.])(?P<k3>\d{1,2})[.、](?:(?![\d%])|(?=(?:19|20)\d\d年))"
    r"|\((?P<k4>\d{1,2})\)(?![项款条目])"
    rf"|第(?P<k5>[{CN_NUM}]{{1,4}})条"
)
_INLINE_LEVEL = {"k1": 1, "k2": 2, "k3": 3, "k4": 4, "k5": 3}
_RUN_ON = 40  # shorter lines hold one paragraph
_OPENS = set("。;!?:)]")


def _split_run_on(line: Line) -> list[Line]:
    """Cut a line that holds several numbered paragraphs (a source that lost
    its line breaks) before each marker that continues the numbering: after a
    full stop or an annotation, or right after a heading (一、总体要求(一)指导思想).
    A marker counts only when it is the next number of its kind, or a first
    one under a higher level, so 第(一)项 and figures stay in the text."""
    key = line.key
    if len(key) < _RUN_ON:
        return [line]
    last: dict[str, int] = {}
    cuts: list[int] = []
    levels: list[int] = []  # of the marker at each cut
    level_open = 0
    for match in _INLINE_MARKER.finditer(key):
        kind = match.lastgroup or ""
        number = cn_number(match.group(kind)) if match.group(kind) else 0
        start = match.start()
        before = key[start - 1] if start else ""
        if start and (before == "第" or before in '《“"' or before.isdigit()):
            continue
        level = _INLINE_LEVEL[kind]
        expected = last.get(kind, 0) + 1
        if start == 0:
            ok = True
        elif number == expected and expected > 1:
            ok = before in _OPENS or before > "\u2e7f"
        elif number == 1:
            ok = before in _OPENS or (level > level_open > 0)
        else:
            ok = False
        if not ok:
            continue
        last[kind] = number  # lower levels may restart at 1 or run on across headings
        level_open = level
        if start:
            cuts.append(start)
            levels.append(level)
    if not cuts:
        return [line]
    opening = _INLINE_MARKER.match(key)
    if opening:
        # a numbered paragraph with its own sub-list (5.…：(1)…(2)…) stays whole;
        # the line runs on only when a sibling or a higher level follows inside it
        own = _INLINE_LEVEL[opening.lastgroup or ""]
        if not any(level <= own for level in levels):
            return [line]
    elif len(cuts) < 2:
        return [line]
    out: list[Line] = []
    begin = 0
    for cut in [*cuts, len(key)]:
        piece = line.text[begin:cut]
        stripped = piece.strip()
        if stripped:
            first = begin + len(piece) - len(piece.lstrip())
            marks = tuple(
                (max(offset - first, 0), number)
                for offset, number in line.marks
                if offset < cut and (offset > first or line.lineno_at(first) == number)
            )
            out.append(
                Line(
                    stripped,
                    line.lineno_at(first),
                    line.lineno_at(cut - 1),
                    fold(stripped),
                    line.bold,
                    marks if len(marks) > 1 else (),
                )
            )
        begin = cut
    return out


def split_run_on(lines: list[Line]) -> list[Line]:
    out: list[Line] = []
    for line in lines:
        if "\t" in line.text:
            out.append(line)
        else:
            out.extend(_split_run_on(line))
    return out


def clean(text: str) -> list[Line]:
    """Logical lines of a decoded gazette, mapped to original line numbers."""
    lines = tables_to_tabs(_physical_lines(text))
    lines = [line for line in lines if "\t" in line.text or not _PAGE_NUMBER.match(line.text)]
    return split_run_on(join_broken(lines))
