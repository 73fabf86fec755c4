"""Stage 4b: tab-separated tables to records.

Tables come out of the PDF as tab-separated rows. A table has a header row
(repeated after every page break), optional section rows (一、产业转型(66个),
(一)高端装备制造产业链(2个)) and data rows. Merged cells arrive flattened: a
value may sit on one row of its group and the other rows leave that cell empty,
and a row may have a cell more or less than the header. So the date and the
unit columns of a task table are found by what a cell looks like, not only by
position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gazette.lines import CN_NUM, Line, fold
from gazette.owners import inline_fields
from gazette.vocabulary import NUMBER_CELL, UNIT_NAME_END, column_role, is_header, squash

_TEXT_COLUMN = re.compile(r"项目名称|名称|任务|措施|事项|工作内容|内容|工作")
_UNIT_COLUMN = re.compile(r"责任单位|牵头单位|责任部门|牵头部门|单位|部门")
_DATE_COLUMN = re.compile(r"时限|时间|日期|时序|进度")
_SECTION = re.compile(rf"^(?:[{CN_NUM}]+[、.]|\([{CN_NUM}]+\))")
_COUNT = re.compile(r"\s*\(\s*\d+\s*个\s*\)\s*$")
_TOTAL = re.compile(r"^(?:合\s*计|总\s*计|小\s*计)")
_DATE_CELL = re.compile(
    r"^(?:(?:19|20)\d\d\s*年)?\s*(?:\d{1,2}\s*月|[一二三四]季度|上半年|下半年|年底|年内|全年)"
    r"|^(?:长期坚持|持续开展|持续推进|长期|常态化|每月|每季度|每年)"
)


@dataclass
class TableRecord:
    """One data row of a table, ready to become an item."""

    line: Line
    ref: str
    text: str
    section: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    units: str = ""  # the 责任单位 cell as written
    lead: str = ""  # 牵头单位 and 配合单位 cells, when the table has such columns
    co: str = ""
    leaders: list[str] = field(default_factory=list)  # 责任领导 cells
    dates: list[tuple[str, str]] = field(default_factory=list)  # (column, cell)
    kind: str = "task"


@dataclass
class _Layout:
    header: list[str]
    text_column: int
    kind: str
    roles: list[str] = field(default_factory=list)
    carried: dict[int, str] = field(default_factory=dict)  # merged cells carried down

    def by_meaning(self) -> bool:
        """Owner columns named by meaning (牵头/配合/责任单位, 责任领导)."""
        return any(role in ("lead", "co", "units", "leader") for role in self.roles)


def cells_of(line: Line) -> list[str]:
    return [cell.strip() for cell in line.text.split("\t")]


def _layout(header: list[str]) -> _Layout | None:
    """Which column holds the item text; None for tables that assign nothing
    (indicator tables, lists of schools): a task table needs a date or a unit
    column, a project list a 项目 column."""
    names = [squash(h) for h in header]
    roles = [column_role(h) for h in header]
    if not any(
        _DATE_COLUMN.search(n) or _UNIT_COLUMN.search(n) or "项目" in n for n in names
    ) and not any(role in ("lead", "co", "units", "leader", "date") for role in roles):
        return None
    for pattern in (
        "项目名称",
        "名称",
        "主要任务",
        "工作任务",
        "任务",
        "工程措施",
        "措施",
        "事项",
        "内容",
    ):
        for index, name in enumerate(names):
            if pattern in name and not _UNIT_COLUMN.fullmatch(name) and roles[index] != "progress":
                kind = "project" if "项目" in name else "task"
                return _Layout(names, index, kind, roles)
    # the task column by meaning (整治重点, 年度目标, 工作要求 …), else the first free one
    for wanted in ("task", "other"):
        for index, role in enumerate(roles):
            if role == wanted:
                return _Layout(names, index, "task", roles)
    return None


def _section_title(cells: list[str]) -> str | None:
    filled = [c for c in cells if c.strip()]
    if len(filled) != 1 or cells[0].strip() != filled[0]:
        return None
    text = filled[0]
    count = _COUNT.search(fold(text))
    if _TOTAL.match(text) or not (_SECTION.match(fold(text)) or count):
        return None
    return (text[: count.start()] if count else text).strip()


def _section_level(title: str) -> int:
    return 1 if re.match(rf"^[{CN_NUM}]+[、.]", fold(title)) else 2


def parse_table(lines: list[Line], section: list[str]) -> list[TableRecord]:
    """Records of one table (a run of tab-separated lines)."""
    return read_table(lines, section)[0]


def read_table(
    lines: list[Line], section: list[str], layout: _Layout | None = None
) -> tuple[list[TableRecord], _Layout | None]:
    """Records of one table (a run of tab-separated lines) and its layout.
    ``layout`` is that of a table just above, interrupted by a line of text
    (a page break, a group title): rows without a header of their own follow it."""
    path = list(section)
    base = len(section)
    records: list[TableRecord] = []
    for line in lines:
        cells = cells_of(line)
        if is_header(cells):
            if layout is None or [squash(c) for c in cells] != layout.header:
                layout = _layout(cells)
            continue
        title = _section_title(cells)
        if title:
            level = _section_level(title)
            path = path[: base + level - 1] + [title]
            continue
        if layout is None or _TOTAL.match(cells[0]):
            continue
        record = _record(line, cells, layout, path)
        if record:
            records.append(record)
    return records, layout


def _record(line: Line, cells: list[str], layout: _Layout, path: list[str]) -> TableRecord | None:
    filled = [c for c in cells if c]
    if len(filled) < 2:
        return None
    cells = _align(cells, layout)
    if layout.by_meaning() and len(cells) == len(layout.header) and layout.kind == "task":
        record = _by_meaning(line, cells, layout, path)
    elif layout.kind == "project":
        record = _project(line, cells, layout, path)
    else:
        record = _task(line, cells, layout, path)
    if record is not None:
        _owner_field_cell(record, cells)
    return record


_OWNER_FIELD = re.compile(r"^\s*(?:牵头|责任|配合|协同|协办|主办)\S{0,4}?(?:单位|部门)\s*:")


def _owner_field_cell(record: TableRecord, cells: list[str]) -> None:
    """A cell written as owner fields (牵头单位：X；配合单位：Y), wherever it sits,
    names the row's lead and co-operating units."""
    for cell in cells:
        if not _OWNER_FIELD.match(fold(cell)):
            continue
        owners, _ = inline_fields(cell)
        if owners.has_units():
            record.leaders = [
                n
                for n in record.leaders
                if not _OWNER_FIELD.search(fold(n)) and n not in cells[cells.index(cell) :]
            ]
            record.lead = "、".join(owners.lead_units + owners.responsible_units)
            record.co = "、".join(owners.co_units)
            record.units = ""
            return


def _align(cells: list[str], layout: _Layout) -> list[str]:
    """A row with more cells than its header (a cell that was two lines, e.g.
    a contact and a telephone number): the extra cells join a free column
    after the task column, so the owner columns at the end line up."""
    extra = len(cells) - len(layout.header)
    if extra <= 0 or extra > 3 or not layout.roles:
        return cells
    free = [i for i, role in enumerate(layout.roles) if role == "other" and i > layout.text_column]
    if not free:
        return cells
    owner = next(
        (
            i
            for i, role in enumerate(layout.roles)
            if role in ("lead", "co", "units", "leader") and i > layout.text_column
        ),
        None,
    )
    # the free column right before the owner columns (a contact over two lines)
    before_owner = [i for i in free if owner is not None and i < owner]
    at = before_owner[-1] if before_owner else free[0]
    return (
        cells[:at]
        + [" ".join(c for c in cells[at : at + extra + 1] if c)]
        + cells[at + extra + 1 :]
    )


def _project(line: Line, cells: list[str], layout: _Layout, path: list[str]) -> TableRecord | None:
    if layout.text_column >= len(cells) or len(cells[layout.text_column]) < 2:
        return None
    ref = cells[0] if NUMBER_CELL.match(cells[0]) else ""
    record = TableRecord(line, ref, cells[layout.text_column], list(path), kind="project")
    for index, name in enumerate(layout.header):
        if index in (0, layout.text_column) and (index == layout.text_column or name == "序号"):
            continue
        if index < len(cells) and name:
            record.fields[name] = cells[index]
            if _DATE_COLUMN.search(name) and cells[index]:
                record.dates.append((name, cells[index]))
            role = layout.roles[index] if index < len(layout.roles) else ""
            if _UNIT_COLUMN.search(name) and cells[index] and role in ("units", "lead", ""):
                record.units = cells[index]
            elif role == "leader" and cells[index] and "负责人" not in name:
                record.leaders.append(cells[index])
    _lost_cell(record)
    return record


_PEOPLE = re.compile(r"^[\u4e00-\u9fff ]{2,8}$")


def _lost_cell(record: TableRecord) -> None:
    """A row that lost its leader cell: units stand under the leader column and
    people under the unit column. Read them one column to the left."""
    names = [n.strip() for n in re.split(r"[、,，;；]", record.units) if n.strip()]
    if (
        record.leaders
        and names
        and all(UNIT_NAME_END.search(n.strip()) for n in record.leaders)
        and all(_PEOPLE.match(n) and not UNIT_NAME_END.search(n) for n in names)
    ):
        record.units = "、".join(record.leaders)
        record.leaders = []


def _task(line: Line, cells: list[str], layout: _Layout, path: list[str]) -> TableRecord | None:
    """Task tables: find the date cell and the unit cell by content."""
    date_at = next(
        (i for i, c in enumerate(cells) if c and _DATE_CELL.match(fold(c)) and len(c) <= 24), None
    )
    unit_at = None
    if layout.header and _UNIT_COLUMN.search(layout.header[-1]):
        unit_at = max((i for i, c in enumerate(cells) if c), default=None)
        if unit_at is not None and (unit_at == date_at or unit_at < 1):
            unit_at = None
    candidates = [i for i, c in enumerate(cells) if c and i not in (date_at, unit_at)]
    if not candidates:
        return None
    text_at = max(candidates, key=lambda i: len(cells[i]))
    if len(cells[text_at]) < 4:
        return None
    ref = cells[0] if NUMBER_CELL.match(cells[0]) else ""
    record = TableRecord(line, ref, cells[text_at], list(path))
    if date_at is not None:
        record.dates.append((_column_name(layout, cells, date_at), cells[date_at]))
        record.fields[_column_name(layout, cells, date_at)] = cells[date_at]
    if unit_at is not None:
        record.units = cells[unit_at]
    if date_at and date_at - 1 != text_at and cells[date_at - 1]:
        record.fields[_column_name(layout, cells, date_at - 1)] = cells[date_at - 1]
    return record


def _column_name(layout: _Layout, cells: list[str], index: int) -> str:
    """Header of a cell; rows with merged cells are shifted, so a date cell is
    named after the table's date column wherever it sits."""
    if len(cells) == len(layout.header) and index < len(layout.header):
        return layout.header[index]
    dated = [name for name in layout.header if _DATE_COLUMN.search(name)]
    return dated[0] if dated else f"列{index + 1}"


def _by_meaning(
    line: Line, cells: list[str], layout: _Layout, path: list[str]
) -> TableRecord | None:
    """A row whose cells line up with the header: each cell read by its
    column's meaning. An empty owner or time cell under a filled one is a
    merged cell: its value is carried down."""
    # the task: the fullest of the cells that are neither owners, times nor progress
    free = [i for i, role in enumerate(layout.roles) if role in ("task", "other")]
    text_at = max(free, key=lambda i: len(cells[i])) if free else layout.text_column
    text = cells[text_at]
    if len(squash(text)) < 2:
        return None
    ref = cells[0] if layout.roles[0] == "seq" and NUMBER_CELL.match(cells[0]) else ""
    record = TableRecord(line, ref, text, list(path))
    lead: list[str] = []
    co: list[str] = []
    units: list[str] = []
    for index, (name, role) in enumerate(zip(layout.header, layout.roles, strict=True)):
        if index == text_at or role in ("seq", ""):
            continue
        cell = cells[index]
        if role in ("lead", "co", "units", "leader", "date"):
            if cell:
                layout.carried[index] = cell
            else:
                cell = layout.carried.get(index, "")
        if not cell:
            continue
        record.fields[name] = cell
        if role == "date":
            record.dates.append((name, cell))
        elif role == "lead":
            lead.append(cell)
        elif role == "co":
            co.append(cell)
        elif role == "units":
            units.append(cell)
        elif role == "leader":
            record.leaders.append(cell)
    record.lead, record.co = "、".join(lead), "、".join(co)
    record.units = "、".join(units)
    return record
