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

from gazette.clean import (
    DOC_NUMBER,
    SIGNED_LINE,
    Line,
    is_title_line,
    line_date,
    title_start,
)

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
        return None


def squash(text: str) -> str:
    """Drop the blanks PDF extraction puts between CJK characters (通 知)."""
    return _CJK_SPACE.sub("", text).strip()


def _anchors(lines: list[Line]) -> list[tuple[int, int | None]]:
    """(first title line index, 文号 line index or None) of every document."""
    anchors: list[tuple[int, int | None]] = []
    floor = 0
    for k, line in enumerate(lines):
        if DOC_NUMBER.match(line.key):
            start = title_start([line.key for line in lines], k, floor)
            if start == k:  # a 文号 with no title is a reference, not a document
                continue
            anchors.append((start, k))
            floor = k + 1
        elif _CHRONICLE.match(squash(line.text)) and k >= floor:
            anchors.append((k, None))
            floor = k + 1
    return anchors


def split(lines: list[Line]) -> list[Document]:
    anchors = _anchors(lines)
    documents = []
    for n, (start, number_at) in enumerate(anchors):
        end = anchors[n + 1][0] if n + 1 < len(anchors) else len(lines)
        documents.append(_document(lines[start:end], number_at - start if number_at else None))
    return documents


def _document(lines: list[Line], number_at: int | None) -> Document:
    if number_at is None:
        doc = Document(squash(lines[0].text), "", lines, body_start=1)
        return doc
    title = squash("".join(line.text for line in lines[:number_at]))
    doc = Document(title, squash(lines[number_at].text), lines, body_start=number_at + 1)
    body = doc.body_start
    if body < len(lines) and lines[body].key.rstrip().endswith(":"):
        doc.addressees = lines[body].text.strip()
        doc.body_start = body + 1
    _find_signature(doc)
    doc.attachments = _attachments(lines[doc.body_start:])
    return doc


def _find_signature(doc: Document) -> None:
    for index in range(doc.body_start, len(doc.lines)):
        key = doc.lines[index].key.strip()
        issuer = None
        found = line_date(key)
        one_line = SIGNED_LINE.match(key) if not found and key.endswith("日") else None
        if one_line:
            found = line_date(one_line.group(2))
            issuer = doc.lines[index].text.strip()[:one_line.end(1)]
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
        rest = line.text[len(line.text) - len(match.group(1)):].strip() if match.group(1) else ""
        if not rest and index + 1 < len(lines) and is_title_line(lines[index + 1].key):
            rest = lines[index + 1].text
        rest = _ATTACHMENT_ITEM.sub(r"\1", rest)
        if rest and squash(rest) not in names:
            names.append(squash(rest))
        for follow in lines[index + 1:index + 10]:
            item = _ATTACHMENT_ITEM.match(follow.key)
            if not item or len(follow.key) > 80 or follow.key.endswith("。"):
                break
            name = squash(follow.text[len(follow.text) - len(item.group(1)):])
            if name not in names:
                names.append(name)
    return names
