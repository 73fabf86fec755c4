"""Tables rendered without tabs, made tab-separated like the rest.

Pipe-separated rows, space-aligned rows under a header row, and tables
flattened to one cell per line (a .docx or web table copied as text) become
rows whose cells are split by tabs, so :mod:`gazette.tables` reads one form.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gazette.lines import CN_NUM, Line
from gazette.vocabulary import UNIT_NAME_END, column_role, is_header

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
    return is_header(cells) and any(
        r in ("lead", "co", "units", "leader", "date", "task") for r in roles
    )


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
        if not key or len(key) > 12 or key.isdigit() or _SECTION_ROW.match(key):
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
            if (
                squash_key(key) == squash_key(header[0])
                and at + width <= len(lines)
                and [squash_key(x.key) for x in lines[at : at + width]]
                == [squash_key(h) for h in header]
            ):
                at += width  # the header repeated after a page break
                continue
            if _SECTION_ROW.match(key) and len(key) <= 60:
                out.append(Line.make(lines[at].text.strip() + "\t", lines[at].lineno))
                at += 1  # a group title row between rows: 一、某类项目
                continue
            break
        end = _row_end(lines, at, width, number + 1, header[0])
        cells = [x.text.strip() for x in lines[at:end]]
        out.append(_as_row(lines[at:end], _regroup(cells, width)))
        at = end
        number += 1
    return at - start


# a row of a flattened table may hold many more lines than its header has cells (a
# cell of several units, people or numbered duties); it runs to the next row number
_MAX_ROW_LINES = 6


def _row_end(lines: list[Line], at: int, width: int, following: int, first: str) -> int:
    """Where the row starting at ``at`` ends: at the next row number, a group title
    row or the header repeated, within a bound; a row with no such end in reach
    (the last one) keeps to about its header's width."""
    bound = min(len(lines), at + _MAX_ROW_LINES * width)
    nxt = str(following)
    end = at + 1
    while end < bound:
        key = lines[end].key.strip()
        if key == nxt or _SECTION_ROW.match(key) or squash_key(key) == squash_key(first):
            return end
        end += 1
    return at + width if len(lines) - at >= 2 * width else len(lines)


_PHONE = re.compile(r"^[\d*＊\-—－()（）\s]{7,}$")
_PERSON = re.compile(r"^[\u4e00-\u9fff](?:[ \u3000]?[\u4e00-\u9fff]){1,3}$")
_JOB_TITLE = re.compile(
    r"^(?:副?(?:总经理|董事长|总裁|经理|主任|处长|局长|院长|书记|部长|主席|行长|校长|所长))$"
)
_BARE_NUMBER_END = re.compile(r"\d{1,2}\s*[.、．]\s*$")
_LISTED = re.compile(r"^\s*\d{1,2}\s*[.、．]")
_OWNER_KEY = re.compile(
    r"^\s*(?:牵头(?:责任)?(?:单位|部门)|责任(?:单位|部门)|配合(?:单位|部门)|协同(?:责任)?(?:单位|部门)|协办单位)"
    r"\s*[:：]"
)
_OWNER_KEY_INSIDE = re.compile(r"(?:单位|部门)\s*[:：]\s*$")


def _regroup(cells: list[str], width: int) -> list[str]:
    """The lines of a flattened row with more lines than its header has cells, put
    back into cells by how they look, one step at a time while the row is too long:
    a telephone number joins the contact above it; then runs of people's names, of
    numbered duties, and of unit names (with short lines between units). Owner fields
    (牵头单位： / 配合单位：) with the unit lines under them are always one cell."""
    if any(_OWNER_KEY.match(cell) for cell in cells):
        cells = _owner_fields(cells)
    if len(cells) <= width:
        return cells
    # a contact over several lines: a job title or a telephone number joins the line above
    cells = _merge(cells, lambda prev, cur: bool(_PHONE.match(cur) or _JOB_TITLE.match(cur)), " ")
    for step in (_people, _duties, _units):
        if len(cells) <= width:
            break
        cells = step(cells)
    return cells


def _merge(cells: list[str], joins: Callable[[str, str], bool], glue: str) -> list[str]:
    out: list[str] = []
    for cell in cells:
        if out and joins(out[-1], cell):
            out[-1] = f"{out[-1]}{glue}{cell}"
        else:
            out.append(cell)
    return out


def _owner_fields(cells: list[str]) -> list[str]:
    out: list[str] = []
    open_field = False
    for cell in cells:
        if _OWNER_KEY.match(cell):
            if open_field:
                out[-1] += "；" + cell
            else:
                out.append(cell)
            open_field = True
        elif (
            open_field
            and len(cell) <= 40
            and (UNIT_NAME_END.search(cell) or _OWNER_KEY_INSIDE.search(cell))
        ):
            sep = "" if out[-1].rstrip().endswith((":", "：")) else "、"
            out[-1] += sep + cell
        else:
            open_field = False
            out.append(cell)
    return out


def _people(cells: list[str]) -> list[str]:
    def person(cell: str) -> bool:
        return bool(_PERSON.match(cell)) and not UNIT_NAME_END.search(cell)

    return _merge(cells, lambda prev, cur: person(cur) and person(prev.split("、")[-1]), "、")


def _duties(cells: list[str]) -> list[str]:
    def joins(prev: str, cur: str) -> bool:
        return bool(_LISTED.match(prev) and (_LISTED.match(cur) or _BARE_NUMBER_END.search(prev)))

    return _merge(cells, joins, "")


def _units(cells: list[str]) -> list[str]:
    out: list[str] = []
    n = 0
    while n < len(cells):
        cell = cells[n]
        if UNIT_NAME_END.search(cell) and len(cell) <= 30:
            # a run of unit names, with short unpunctuated lines between two of them
            last = n
            m = n + 1
            while (
                m < len(cells) and len(cells[m]) <= 30 and not re.search(r"[。，,；;：:]", cells[m])
            ):
                if UNIT_NAME_END.search(cells[m]):
                    last = m
                elif _PERSON.match(cells[m]):
                    break
                m += 1
            out.append("、".join(cells[n : last + 1]))
            n = last + 1
            continue
        out.append(cell)
        n += 1
    return out


_SECTION_ROW = re.compile(rf"^\s*(?:[{CN_NUM}]+\s*[、.]|\(\s*[{CN_NUM}]+\s*\))")


def squash_key(key: str) -> str:
    return re.sub(r"\s+", "", key)
