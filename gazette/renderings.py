"""Tables rendered without tabs, made tab-separated like the rest.

Pipe-separated rows, space-aligned rows under a header row, and tables
flattened to one cell per line (a .docx or web table copied as text) become
rows whose cells are split by tabs, so :mod:`gazette.tables` reads one form.
"""
from __future__ import annotations

import re

from gazette.lines import CN_NUM, Line
from gazette.vocabulary import column_role, is_header

_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_WIDE_GAP = re.compile(r"(?: {2,}|\u3000+| ?\u3000 ?)")


def _pipe_cells(text: str) -> list[str] | None:
    """| 任务 | 牵头单位 | (a table copied from a page or a markdown file)."""
    if text.count("|") < 2:
        return None
    inner = text.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    cells = [cell.strip() for cell in inner.split("|")]
    return cells if len(cells) >= 2 else None


def _header_cells(cells: list[str]) -> bool:
    roles = [column_role(cell) for cell in cells]
    return is_header(cells) and any(r in ("lead", "co", "units", "leader", "date", "task")
                                     for r in roles)


def _as_row(lines: list[Line], cells: list[str]) -> Line:
    return Line.make("\t".join(cells), lines[0].lineno, lines[-1].end)


def tables_to_tabs(lines: list[Line]) -> list[Line]:
    """Tables rendered without tabs become tab-separated rows: pipe-separated
    rows, space-aligned rows under a header row, and tables flattened to one
    cell per line (a .docx or web table copied as text), recognised by a run
    of header cells and cut into rows at their 序号."""
    out: list[Line] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        text = line.text
        if "\t" in text:
            out.append(line)
            index += 1
            continue
        if "|" in text and (cells := _pipe_cells(text)) is not None:
            if not _PIPE_RULE.match(text):
                out.append(_as_row([line], cells))
            index += 1
            continue
        wide = [c for c in _WIDE_GAP.split(text.strip()) if c]
        if len(wide) >= 3 and _header_cells(wide):
            out.append(_as_row([line], wide))
            index += 1
            while index < len(lines):
                cells = [c for c in _WIDE_GAP.split(lines[index].text.strip()) if c]
                if len(cells) < 2 or "\t" in lines[index].text:
                    break
                out.append(_as_row([lines[index]], cells))
                index += 1
            continue
        taken = _cell_per_line(lines, index, out)
        if taken:
            index += taken
            continue
        out.append(line)
        index += 1
    return out


_MAX_HEADER_CELLS = 14


def _cell_per_line(lines: list[Line], start: int, out: list[Line]) -> int:
    """A header of one cell per line at ``start``: append its rows to ``out``
    and return how many lines they used (0 when no such table starts here)."""
    if lines[start].key.strip() not in ("序号", "编号", "序"):
        return 0
    header: list[str] = []
    at = start
    while at < len(lines) and len(header) < _MAX_HEADER_CELLS:
        key = squash_key(lines[at].key)
        if not key or len(key) > 12 or key.isdigit():
            break
        header.append(lines[at].text.strip())
        at += 1
    if len(header) < 3 or not _header_cells(header):
        return 0
    width = len(header)
    out.append(_as_row(lines[start:at], header))
    number = 1
    while at < len(lines):
        key = lines[at].key.strip()
        if key != str(number):
            if squash_key(key) == squash_key(header[0]) and at + width <= len(lines) and [
                    squash_key(x.key) for x in lines[at:at + width]] == [
                    squash_key(h) for h in header]:
                at += width  # the header repeated after a page break
                continue
            if _SECTION_ROW.match(key) and len(key) <= 60:
                out.append(Line.make(lines[at].text.strip() + "\t", lines[at].lineno))
                at += 1  # a group title row between rows: 一、某类项目
                continue
            break
        end = at + 1
        while end < len(lines) and end - at < 2 * width and lines[end].key.strip() != str(
                number + 1) and not _SECTION_ROW.match(lines[end].key):
            end += 1
        if end - at > 2 * width - 1:
            end = at + width
        out.append(_as_row(lines[at:end], [x.text.strip() for x in lines[at:end]]))
        at = end
        number += 1
    return at - start


_SECTION_ROW = re.compile(rf"^\s*(?:[{CN_NUM}]+\s*[、.]|\(\s*[{CN_NUM}]+\s*\))")


def squash_key(key: str) -> str:
    return re.sub(r"\s+", "", key)
