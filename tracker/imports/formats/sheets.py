"""Excel workbooks (.xlsx through openpyxl, .xls through xlrd): every sheet, as the parser reads.

A sheet is a grid. Merged cells are carried down (a 牵头单位 merged over three rows belongs
to each of them, never copied across columns). The header row is found by its meaning —
the column vocabulary of the parser's tables (任务, 牵头/配合/责任单位, 责任领导, 时限, 指标,
进展 …) — and may be several stacked rows (责任单位 over 牵头单位 | 配合单位). Rows above a
header and sheets without one pass through as lines (a document pasted into a sheet).

A task table is written in one of the two forms the parser reads in full:

* a tab-separated table ``序号 \\t 任务 \\t 时限 \\t 单位`` when the sheet names at most one
  unit column and no people (the parser's table form reads one unit column);
* otherwise one numbered task per row with its owners in an annotation,
  ``3.任务〔牵头单位：A；配合单位：B、C；责任领导：D；完成时限：6月底前〕``, the form the
  parser reads every role from. Duban's own 台账 export reads back this way.

.xls: xlrd, because it reads the BIFF format alone and reports merged cells
(``formatting_info=True``), is pure Python and small, and has not needed a change in years
for a file format that no longer changes; python-calamine reads more formats but brings a
compiled Rust library and does not report merged cells of .xls files.
"""

from __future__ import annotations

import datetime
import logging
import re
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from tracker.imports.errors import ImportRejected
from tracker.imports.formats.base import Extracted, Source, open_zip

logger = logging.getLogger(__name__)

# column role by header text; the first pattern that matches wins
ROLES = (
    ("ref", re.compile(r"^(?:序号|编号|序列号|No\.?)$", re.I)),
    ("other", re.compile(r"来源|依据|类别|类型|层级|地点")),
    ("progress", re.compile(r"进展|进度|完成情况|落实情况|推进情况")),
    ("status", re.compile(r"状态")),
    ("leader", re.compile(r"领导")),
    ("office", re.compile(r"科室|股室")),
    ("person", re.compile(r"责任人|联系人|经办人")),
    ("lead", re.compile(r"牵头|主办|主责")),
    ("co", re.compile(r"配合|协办|参与|协同")),
    ("unit", re.compile(r"单位|部门|主体")),
    ("due", re.compile(r"时限|时间|日期|节点|期限")),
    ("target", re.compile(r"指标|目标")),
    ("task", re.compile(r"任务|事项|内容|措施|名称|项目|工作")),
    ("note", re.compile(r"备注")),
)
ANNOTATION_KEYS = (
    ("lead", "牵头单位"),
    ("co", "配合单位"),
    ("unit", "责任单位"),
    ("leader", "责任领导"),
    ("office", "责任科室"),
    ("person", "责任人"),
    ("due", "完成时限"),
)
# a 编号 written before the task text: "一.(二).3 推进…" as Duban's 台账 exports it
LEADING_REF = re.compile(r"^[0-9A-Za-z一二三四五六七八九十百零〇()（）.、¶]{1,20}\s+(?=\S)")
NUMBER = re.compile(r"^\d{1,4}$")
# a 完成时限 cell holding a bare date (as Excel and Duban's 台账 write it) is a date to finish by
BARE_DATE = re.compile(r"^(?:19|20)\d\d年\d{1,2}月\d{1,2}日$")


def role_of(header: str) -> str | None:
    name = re.sub(r"\s+", "", header)
    if not name or len(name) > 16:
        return None
    return next((role for role, pattern in ROLES if pattern.search(name)), None)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


# --- a grid to lines ----------------------------------------------------------------------


def carry_down(rows: list[list[str]], merges) -> None:
    """Each merged range's value into every row of its first column."""
    for top, left, bottom, _right in merges:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for row in range(top + 1, min(bottom, len(rows) - 1) + 1):
            while len(rows[row]) <= left:
                rows[row].append("")
            rows[row][left] = value


def _header_roles(cells: list[str]) -> list[str | None] | None:
    roles = [role_of(cell) for cell in cells]
    known = [r for r in roles if r not in (None, "other", "note")]
    if "task" in roles and len(known) >= 2 and not any(NUMBER.match(c) for c in cells if c):
        return roles
    return None


def grid_lines(rows: list[list[str]]) -> list[str]:
    lines: list[str] = []
    index = 0
    while index < len(rows):
        roles = _header_roles(rows[index])
        if roles is None:
            lines.append("\t".join(_trim(rows[index])))
            index += 1
            continue
        names = list(rows[index])
        index += 1
        while index < len(rows) and _more_header(rows[index]):  # stacked header rows
            for column, cell in enumerate(rows[index]):
                if cell:
                    names.extend([""] * (column + 1 - len(names)))
                    names[column] = cell
            index += 1
        roles = [role_of(name) for name in names]
        end = index
        while end < len(rows) and _header_roles(rows[end]) is None:
            end += 1
        lines.extend(_table(names, roles, rows[index:end]))
        index = end
    return lines


def _more_header(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return (
        bool(filled)
        and not NUMBER.match(filled[0])
        and all(role_of(c) not in (None, "other") for c in filled)
    )


def _trim(cells: list[str]) -> list[str]:
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _table(names: list[str], roles: list[str | None], rows: list[list[str]]) -> list[str]:
    task_columns = [i for i, role in enumerate(roles) if role == "task"]
    task = max(task_columns, key=lambda i: sum(len(r[i]) for r in rows if i < len(r)))
    columns: dict[str, list[int]] = {}
    for index, role in enumerate(roles):
        if role and (role != "task" or index == task):
            columns.setdefault(role, []).append(index)
    units = columns.get("lead", []) + columns.get("co", []) + columns.get("unit", [])
    people = any(role in columns for role in ("leader", "office", "person", "target"))
    if len(units) <= 1 and not people:
        return _tab_table(names, columns, units, rows)
    return _annotated(columns, rows)


def _pick(row: list[str], indexes: list[int]) -> str:
    return "、".join(row[i] for i in indexes if i < len(row) and row[i])


def _task_text(row: list[str], columns) -> str:
    return LEADING_REF.sub("", _pick(row, columns["task"]), count=1)


def _due(row: list[str], columns) -> str:
    due = _pick(row, columns.get("due", [])[:1])
    return f"{due}前" if BARE_DATE.match(due) else due


def _tab_table(names, columns, units, rows) -> list[str]:
    order = columns.get("ref", [])[:1] + columns["task"] + columns.get("due", [])[:1] + units
    lines = ["\t".join(names[i] if i < len(names) else "" for i in order)]
    for row in rows:
        if not any(row):
            lines.append("")
            continue
        cells = [row[i] if i < len(row) else "" for i in order]
        if row and row[0] and sum(1 for c in row if c) == 1:  # a section row: 一、产业转型
            cells = [row[0]] + [""] * (len(order) - 1)
        else:
            cells[order.index(columns["task"][0])] = _task_text(row, columns)
            if "due" in columns:
                cells[order.index(columns["due"][0])] = _due(row, columns)
        lines.append("\t".join(cells))
    return lines


def _annotated(columns, rows) -> list[str]:
    lines = []
    for row in rows:
        filled = [c for c in row if c]
        if not filled:
            lines.append("")
            continue
        text = _task_text(row, columns)
        if len(filled) == 1 or not text:  # a section row or a note under the table
            lines.append(" ".join(filled))
            continue
        ref = _pick(row, columns.get("ref", [])[:1])
        target = _pick(row, columns.get("target", []))
        if target:
            text = f"{text}（{target}）"
        values = {
            role: _pick(row, columns[role]) for role, _label in ANNOTATION_KEYS if role in columns
        }
        if values.get("due"):
            values["due"] = _due(row, columns)
        notes = [f"{label}：{values[role]}" for role, label in ANNOTATION_KEYS if values.get(role)]
        annotation = f"〔{'；'.join(notes)}〕" if notes else ""
        lines.append(f"{ref}.{text}{annotation}" if NUMBER.match(ref) else f"{text}{annotation}")
    return lines


class _Budget:
    def __init__(self, source: Source):
        self.source, self.cells = source, 0

    def take(self, count: int) -> None:
        self.cells += count
        if self.cells > settings.DUBAN_IMPORT_MAX_CELLS:
            raise ImportRejected(
                _("工作簿“%(name)s”的单元格超过 %(limit)s 个：请只保留任务所在的工作表后再上传。")
                % {"name": self.source.name, "limit": settings.DUBAN_IMPORT_MAX_CELLS}
            )
        if self.cells % 5000 < count:
            self.source.check_time()


# --- .xlsx ---------------------------------------------------------------------------------

MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _xlsx_merges(package: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges (0-based, inclusive) read straight from the sheet's XML, in chunks."""
    merges, tail = [], b""
    with package.open(path.lstrip("/")) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            for m in MERGE.finditer(data):
                merges.append(
                    (
                        int(m[2]) - 1,
                        _column_number(m[1]) - 1,
                        int(m[4]) - 1,
                        _column_number(m[3]) - 1,
                    )
                )
            tail = data[-200:]
    return sorted(set(merges))


def extract_xlsx(source: Source) -> Extracted:
    import io

    from openpyxl import load_workbook

    package = open_zip(source, "xlsx")
    budget = _Budget(source)
    try:
        book = load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        logger.info("xlsx %s unreadable: %r", source.name, exc)
        raise source.damaged("xlsx") from None
    lines: list[str] = []
    try:
        sheets = book.worksheets
        for number, sheet in enumerate(sheets, 1):
            source.check_time()
            rows = []
            for row in sheet.iter_rows(values_only=True):
                budget.take(len(row))
                rows.append([cell_text(value) for value in row])
            merges = _xlsx_merges(package, sheet._worksheet_path) if rows else []
            carry_down(rows, merges)
            lines.extend(grid_lines(rows))
            lines.append("")
            source.report(
                number,
                len(sheets),
                _("正在读取工作表 %(n)s/%(total)s") % {"n": number, "total": len(sheets)},
            )
    except ImportRejected:
        raise
    except Exception as exc:
        logger.info("xlsx %s unreadable: %r", source.name, exc)
        raise source.damaged("xlsx") from None
    finally:
        book.close()
    return Extracted("\n".join(lines))


# --- .xls ----------------------------------------------------------------------------------


def extract_xls(source: Source) -> Extracted:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=source.data, formatting_info=True, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise source.encrypted("xls") from None
        raise source.damaged("xls") from None
    except Exception as exc:  # xlrd raises many kinds of errors on damaged files
        logger.info("xls %s unreadable: %r", source.name, exc)
        raise source.damaged("xls") from None
    budget = _Budget(source)
    lines: list[str] = []
    try:
        for number in range(book.nsheets):
            source.check_time()
            sheet = book.sheet_by_index(number)
            budget.take(sheet.nrows * sheet.ncols)
            rows = [
                [_xls_cell(book, sheet.cell(r, c)) for c in range(sheet.ncols)]
                for r in range(sheet.nrows)
            ]
            carry_down(
                rows,
                [
                    (top, left, bottom - 1, right - 1)
                    for top, bottom, left, right in sheet.merged_cells
                ],
            )
            lines.extend(grid_lines(rows))
            lines.append("")
            book.unload_sheet(number)
            source.report(
                number + 1,
                book.nsheets,
                _("正在读取工作表 %(n)s/%(total)s") % {"n": number + 1, "total": book.nsheets},
            )
    except ImportRejected:
        raise
    except Exception as exc:
        logger.info("xls %s unreadable: %r", source.name, exc)
        raise source.damaged("xls") from None
    finally:
        book.release_resources()
    return Extracted("\n".join(lines))


def _xls_cell(book, cell) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        except (ValueError, OverflowError):
            return ""
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    return cell_text(cell.value)
