"""Stage 3: a gazette's logical lines to its documents.

Every official document carries a 文号 (document number, e.g. 晋市政办〔2024〕12号)
on its own line under its title; that line anchors the split. The title is the
block of short lines just above it, the addressees the line after it that ends
in a colon, the issuer and signing date the first ``2024年3月19日`` line and the
line above it. Cover, masthead and table of contents come before the first
title and belong to no document. A monthly chronicle (大事记) has no 文号 but is
its own document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from gazette.clean import SIGNED_LINE, is_title_line, title_start
from gazette.lines import DOC_NUMBER, MARKER, Line, fold, line_date

_CHRONICLE = re.compile(r"^\S{2,20}?\d{1,2}月大事记$")
_ATTACHMENT = re.compile(r"^附\s*件\s*\d*\s*[:：]?\s*(.*)$")
_ATTACHMENT_ITEM = re.compile(r"^\d{1,2}\s*[.、．]\s*(\S.*)$")
_PUBLIC_NOTE = re.compile(r"^[(（]此件.{0,8}[)）]$")
_CJK_SPACE = re.compile(r"(?<=[^\x00-\xff])\s+|\s+(?=[^\x00-\xff])")


@dataclass
class Document:
    title: str
    doc_number: str
    lines: list[Line]
    issuer: str = ""
    signed: date | None = None
    addressees: str = ""
    attachments: list[str] = field(default_factory=list)
    body_start: int = 0  # index in ``lines`` of the first body line
    chronicle: bool = False  # a monthly chronicle (大事记): it reports, it assigns nothing
    whole_file: bool = False  # no 文号 anchor: the file is read as one document

    @property
    def line_start(self) -> int:
        return self.lines[0].lineno if self.lines else 0

    @property
    def line_end(self) -> int:
        return self.lines[-1].end if self.lines else 0

    @property
    def year(self) -> int | None:
        """The year a bare 5月底前 belongs to: signing date, else 文号, else title."""
        if self.signed:
            return self.signed.year
        for text in (self.doc_number, self.title):
            match = re.search(r"((?:19|20)\d\d)", text)
            if match:
                return int(match.group(1))
        if self.whole_file:
            # an undated plan: the earliest year it speaks of (到2025年 in a 2023 plan)
            years = [
                int(y)
                for line in self.lines[:200]
                for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?=\s*年)", line.key)
            ]
            if years:
                return min(years)
        return None


def squash(text: str) -> str:
    """Drop the blanks PDF extraction puts between CJK characters (通 知)."""
    return _CJK_SPACE.sub("", text).strip()


def _anchors(lines: list[Line]) -> list[tuple[int, int | None]]:
    """(first title line index, 文号 line index or None) of every document."""
    anchors: list[tuple[int, int | None]] = []
    floor = 0
    keys = [line.key for line in lines]
    for k, line in enumerate(lines):
        if DOC_NUMBER.match(line.key):
            start = title_start(keys, k, floor)
            if start == k:  # a 文号 with no title is a reference, not a document
                continue
            anchors.append((start, k))
            floor = k + 1
        elif "大事记" in line.key and _CHRONICLE.match(squash(line.text)) and k >= floor:
            anchors.append((k, None))
            floor = k + 1
    return anchors


def split(lines: list[Line]) -> list[Document]:
    anchors = _anchors(lines)
    if not anchors:
        return [whole_file(lines)] if lines else []
    documents = []
    for n, (start, number_at) in enumerate(anchors):
        end = anchors[n + 1][0] if n + 1 < len(anchors) else len(lines)
        documents.append(_document(lines[start:end], number_at - start if number_at else None))
    return documents


def _document(lines: list[Line], number_at: int | None) -> Document:
    if number_at is None:
        return Document(squash(lines[0].text), "", lines, body_start=1, chronicle=True)
    title = squash("".join(line.text for line in lines[:number_at]))
    doc = Document(title, squash(lines[number_at].text), lines, body_start=number_at + 1)
    body = doc.body_start
    if body < len(lines) and lines[body].key.rstrip().endswith(":"):
        doc.addressees = lines[body].text.strip()
        doc.body_start = body + 1
    _find_signature(doc)
    doc.attachments = _attachments(lines[doc.body_start :])
    return doc


def _find_signature(doc: Document) -> None:
    for index in range(doc.body_start, len(doc.lines)):
        key = doc.lines[index].key.strip()
        issuer = None
        found = line_date(key)
        one_line = SIGNED_LINE.match(key) if not found and key.endswith("日") else None
        if one_line:
            found = line_date(one_line.group(2))
            issuer = doc.lines[index].text.strip()[: one_line.end(1)]
        if not found:
            continue
        year, month, day = found
        try:
            doc.signed = date(year, month, day)
        except ValueError:
            continue
        if issuer:
            doc.issuer = issuer
        elif index - 1 >= doc.body_start and is_title_line(doc.lines[index - 1].key):
            doc.issuer = doc.lines[index - 1].text.strip()
        return


def _attachments(lines: list[Line]) -> list[str]:
    names: list[str] = []
    for index, line in enumerate(lines):
        match = _ATTACHMENT.match(line.key)
        if not match or "\t" in line.key:
            continue
        rest = line.text[len(line.text) - len(match.group(1)) :].strip() if match.group(1) else ""
        if not rest and index + 1 < len(lines) and is_title_line(lines[index + 1].key):
            rest = lines[index + 1].text
        rest = _ATTACHMENT_ITEM.sub(r"\1", rest)
        if rest and squash(rest) not in names:
            names.append(squash(rest))
        for follow in lines[index + 1 : index + 10]:
            item = _ATTACHMENT_ITEM.match(follow.key)
            if not item or len(follow.key) > 80 or follow.key.endswith("。"):
                break
            name = squash(follow.text[len(follow.text) - len(item.group(1)) :])
            if name not in names:
                names.append(name)
    return names


# --- a file without a 文号 anchor -------------------------------------------------

# 标题：X  文件编号：X  发文机关：X  成文日期：X (web pages' info box; tabs or pipes
# between cells, several keys on one line)
_META_KEYS = {
    "标题": "title",
    "名称": "title",
    "文件名称": "title",
    "文件编号": "number",
    "发文字号": "number",
    "文号": "number",
    "发文文号": "number",
    "发布机构": "issuer",
    "发文机关": "issuer",
    "发文单位": "issuer",
    "发布单位": "issuer",
    "成文日期": "signed",
    "发布日期": "published",
    "印发日期": "signed",
    "发文日期": "signed",
}
_META = re.compile(
    r"(?:^|(?<=[\t|]))\s*("
    + "|".join(r"\s*".join(key) for key in sorted(_META_KEYS, key=len, reverse=True))
    + r")\s*[:：]\s*[\t|]?\s*([^\t|]*)"
)
# a 文号 opening a line, the title after it: 某政办〔2015〕3号某某关于…的通知
NUMBER_THEN_TITLE = re.compile(
    r"^\s*([^\s,，。:：;；、\t|()（）《》“”]{1,16}?\s*[\[〔［【(（]\s*(?:19|20)\d\d\s*[\]〕］】)）]"
    r"\s*第?\s*\d+\s*号)\s*(\S.{4,})$"
)
# a 文号 anywhere in a line: …的通知国办发〔2020〕43号 / 文件编号：X政办发〔2021〕3号
NUMBER_IN_LINE = re.compile(
    r"(?:[(（]\s*)?([^\s,，。:：;；、\t|()（）《》“”]{1,16}?\s*[\[〔［【(（]\s*(?:19|20)\d\d\s*[\]〕］】)）]"
    r"\s*第?\s*\d+\s*号)\s*[)）]?\s*$"
)
_HEADER_ZONE = 30  # lines of a file that may hold its title and metadata
_ANY_DATE = re.compile(r"((?:19|20)\d\d)\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})")
_TITLE_WORDS = re.compile(
    r"关于|方案|计划|意见|要点|通知|措施|办法|规划|清单|分解|细则|决定|纲要|政策|"
    r"安排|分工|任务|目标|责任|工作"
)
_TITLE_THEN_ADDRESSEES = re.compile(
    r"^(?!各)(.{6,90}?(?:通知|方案|意见|计划|要点|措施|办法|规划|决定|细则|清单|分工))(\S[^。]{2,150}:)\s*$"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def metadata(lines: list[Line]) -> tuple[dict[str, str], set[int]]:
    """Keyed header fields of a web page's info box, and the lines holding them."""
    found: dict[str, str] = {}
    used: set[int] = set()
    for index, line in enumerate(lines[:_HEADER_ZONE]):
        key = line.key
        for match in _META.finditer(key):
            name = _META_KEYS.get(re.sub(r"\s+", "", match.group(1)))
            value = line.text[match.start(2) : match.end(2)].strip(" |\t\u3000")
            if name and value and name not in found:
                found[name] = value
                used.add(index)
    return found, used


def _date_of(text: str) -> date | None:
    match = _ANY_DATE.search(fold(text))
    if not match:
        found = line_date(fold(text).strip())
        if not found:
            return None
        year, month, day = found
    else:
        year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _title_candidate(line: Line) -> bool:
    key = line.key.strip()
    return (
        is_title_line(key)
        and 5 <= len(squash(key)) <= 90
        and bool(_CJK.search(key))
        and not re.match(r"#|\s*[A-Za-z][A-Za-z_\- ]{0,20}:", key)
        and not MARKER.match(key)
        and not _META.search(key)
        and not key.endswith(("：", ":"))
        and not re.match(r"附\s*件|附\s*表", key)
        and bool(_TITLE_WORDS.search(key))
    )


def whole_file(lines: list[Line]) -> Document:
    """The whole text as one document: title, 文号, issuer and date from
    wherever they stand in its first lines (info box, title line, the lines
    under or over it, a 文号 closing the title line)."""
    meta, used = metadata(lines)
    header = lines[:_HEADER_ZONE]
    title = meta.get("title", "")
    number = meta.get("number", "")
    last = max(used) if used else -1
    title_at: int | None = None
    for index, line in enumerate(header):
        if index in used:
            continue
        if DOC_NUMBER.match(line.key):
            number = number or squash(line.text)
            last = max(last, index)
            if title_at is None and index > 0 and _title_candidate(header[index - 1]):
                title_at = index - 1
            continue
        opening = NUMBER_THEN_TITLE.match(line.key)
        if (
            opening
            and not number
            and _title_candidate(Line.make(line.text[opening.start(2) :], line.lineno))
        ):
            number = squash(line.text[: opening.end(1)])
            title = title or squash(line.text[opening.start(2) :])
            last = max(last, index)
            title_at = index
            continue
        inline = NUMBER_IN_LINE.search(line.key)
        if (
            inline
            and not number
            and inline.start() > 4
            and _title_candidate(Line.make(line.text[: inline.start()], line.lineno))
        ):
            number = squash(line.text[inline.start(1) : inline.end(1)])
            title = title or squash(line.text[: inline.start()])
            last = max(last, index)
            title_at = index
    addressees = ""
    if title_at is None and not title:
        for index, line in enumerate(header[:12]):
            if index in used:
                continue
            if _title_candidate(line):
                title_at = index
                break
            glued = _TITLE_THEN_ADDRESSEES.match(line.key)
            if glued and "。" not in glued.group(2):
                # a title run into the addressee line below it
                title = squash(line.text[: glued.end(1)])
                addressees = line.text[glued.end(1) :].strip()
                last = max(last, index)
                break
    if title_at is not None:
        last = max(last, title_at)
        if not title:
            title = squash(header[title_at].text)
            # a title wrapped over two lines: 关于…和 / …的通知
            follow = title_at + 1
            if (
                follow < len(header)
                and follow not in used
                and _title_candidate(header[follow])
                and not DOC_NUMBER.match(header[follow].key)
                and len(title) + len(squash(header[follow].text)) <= 90
                and not re.search(
                    r"(?:通知|方案|计划|意见|要点|措施|办法|规划|清单|细则|决定)$", title
                )
            ):
                title += squash(header[follow].text)
                last = max(last, follow)
    doc = Document(
        title, number, lines, body_start=last + 1 if last + 1 < len(lines) else 0, whole_file=True
    )
    body = doc.body_start
    doc.addressees = addressees
    if (
        not addressees
        and 0 < body < len(lines)
        and lines[body].key.rstrip().endswith(":")
        and len(lines[body].key) <= 120
    ):
        doc.addressees = lines[body].text.strip()
        doc.body_start = body + 1
    doc.issuer = meta.get("issuer", "")
    doc.signed = _date_of(meta["signed"]) if "signed" in meta else None
    if doc.signed is None:
        issuer = doc.issuer
        _find_signature(doc)
        if issuer:
            doc.issuer = issuer
    if doc.signed is None and "published" in meta:
        doc.signed = _date_of(meta["published"])
    doc.attachments = _attachments(lines[doc.body_start :])
    return doc
