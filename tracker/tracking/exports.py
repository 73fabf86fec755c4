"""The 台账: the items of the current filter as an Excel workbook (openpyxl).

Columns as the supervision office keeps them: 序号, 工作任务, 牵头单位, 配合单位, 责任领导,
完成时限, 最新进展, 状态. The views hand in items already scoped by visible_to.

Every value goes into the sheet through `put()`: text is stored as text, never as a formula,
whatever it starts with (openpyxl stores any string starting with "=" as a formula, and a unit
name from an imported document can be "=HYPERLINK(...)").
"""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from tracker.lib.dates import format_date
from tracker.models import Item, ItemOwner, ItemPerson

COLUMNS = [
    # header, width (characters)
    (gettext_lazy("序号"), 6),
    (gettext_lazy("工作任务"), 60),
    (gettext_lazy("牵头单位"), 18),
    (gettext_lazy("配合单位"), 24),
    (gettext_lazy("责任领导"), 12),
    (gettext_lazy("完成时限"), 16),
    (gettext_lazy("最新进展"), 40),
    (gettext_lazy("状态"), 14),
]


# What makes Excel or another spreadsheet read an entry as a formula (or split it into one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def put(sheet, row, column, value):
    """Write `value` into a cell; a string always as literal text."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # a string, even when it starts with "="
        cell.number_format = "@"  # the Text format: editing the cell keeps it text
        # Marked as typed with a leading apostrophe, so that Excel never evaluates it.
        cell.quotePrefix = value.lstrip(" ").startswith(FORMULA_STARTS)
    return cell


def _names(rows, role):
    return "、".join(row.name for row in rows if row.role == role)


def ledger_row(number, item):
    """One 台账 line; the item comes with owners and people prefetched, state annotated."""
    owners, people = item.owners.all(), item.people.all()
    lead = _names(owners, ItemOwner.Role.LEAD) or _names(owners, ItemOwner.Role.RESPONSIBLE)
    due = format_date(item.due_date) if item.due_date else _("长期推进")
    progress = ""
    if getattr(item, "latest_narrative", None):
        progress = f"{item.latest_narrative}（{item.percent}%）"
    status = item.get_status_display()
    state = Item.State(item.state).label
    if item.status != Item.Status.COMPLETED:
        status = f"{status}（{state}）"
    return [
        number,
        f"{item.ref} {item.text}".strip(),
        lead,
        _names(owners, ItemOwner.Role.CO),
        _names(people, ItemPerson.Role.LEADER),
        due,
        progress,
        status,
    ]


PROGRESS_EVERY = 500


def build_ledger(items, title=None, progress=None):
    """The workbook as bytes; progress(rows written) is called every PROGRESS_EVERY rows."""
    title = title or _("督办事项台账")
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("台账"))
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")

    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    put(sheet, 1, 1, str(title)).font = Font(size=16, bold=True)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS))
    put(
        sheet,
        2,
        1,
        _("导出时间：%(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    )
    sheet.cell(row=2, column=1).alignment = Alignment(horizontal="right")

    header_fill = PatternFill("solid", fgColor="DDE5F0")
    for column, (header, width) in enumerate(COLUMNS, start=1):
        cell = put(sheet, 3, column, str(header))
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width

    for number, item in enumerate(items, start=1):
        for column, value in enumerate(ledger_row(number, item), start=1):
            cell = put(sheet, 3 + number, column, value)
            cell.alignment = wrap
            cell.border = border
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
