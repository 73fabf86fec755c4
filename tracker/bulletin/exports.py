"""通报 and 年终考核 as files: Excel (openpyxl, text through tracking.exports.put, never a
formula) and Word .docx (python-docx), in the reader's language."""

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from tracker.lib.dates import format_date
from tracker.tracking.exports import put


def bulletin_columns():
    return [
        _("排名"),
        _("单位"),
        _("事项数"),
        _("办结数"),
        _("办结率(%)"),
        _("按时办结数"),
        _("按时办结率(%)"),
        _("逾期事项数"),
        _("等次 A/B/C/D"),
    ]


def bulletin_cells(row):
    grades = "/".join(str(n) for _grade, n in row.grades)
    return [
        row.rank,
        row.name,
        row.count,
        row.done,
        row.done_rate,
        row.on_time,
        row.on_time_rate,
        len(row.overdue),
        grades,
    ]


def overdue_lines(row):
    return [(f.item.text, format_date(f.item.due_date), f.overdue_days) for f in row.overdue]


def _save(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bulletin_xlsx(title, subtitle, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("通报")[:31]
    put(sheet, 1, 1, title).font = Font(bold=True, size=14)
    put(sheet, 2, 1, subtitle)
    for column, header in enumerate(bulletin_columns(), start=1):
        put(sheet, 4, column, header).font = Font(bold=True)
    for number, row in enumerate(rows, start=5):
        for column, value in enumerate(bulletin_cells(row), start=1):
            put(sheet, number, column, value)
    sheet.column_dimensions["B"].width = 28
    overdue = workbook.create_sheet(_("逾期事项")[:31])
    for column, header in enumerate(
        [_("单位"), _("工作任务"), _("完成时限"), _("逾期天数")], start=1
    ):
        put(overdue, 1, column, header).font = Font(bold=True)
    line = 2
    for row in rows:
        for text, due, days in overdue_lines(row):
            for column, value in enumerate([row.name, text, due, days], start=1):
                put(overdue, line, column, value)
            line += 1
    overdue.column_dimensions["A"].width = 24
    overdue.column_dimensions["B"].width = 70
    return _save(workbook)


def bulletin_docx(title, subtitle, rows, totals):
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    heading = document.add_heading(title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lead = document.add_paragraph(subtitle)
    lead.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(
        _(
            "本期应办结事项 %(n)s 项，已办结 %(done)s 项，办结率 %(rate)s%%；按时办结 %(on_time)s 项，"
            "按时办结率 %(on_time_rate)s%%；逾期 %(overdue)s 项。"
        )
        % {
            "n": totals.count,
            "done": totals.done,
            "rate": totals.done_rate,
            "on_time": totals.on_time,
            "on_time_rate": totals.on_time_rate,
            "overdue": len(totals.overdue),
        }
    )
    columns = bulletin_columns()
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, columns, strict=True):
        cell.text = str(header)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, bulletin_cells(row), strict=True):
            cell.text = str(value)
    overdue = [(row, line) for row in rows for line in overdue_lines(row)]
    if overdue:
        document.add_heading(_("逾期事项"), level=2)
        for row, (text, due, days) in overdue:
            document.add_paragraph(
                _("%(unit)s：%(text)s（完成时限 %(due)s，逾期 %(days)s 天）")
                % {"unit": row.name, "text": text, "due": due, "days": days},
                style="List Number",
            )
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(12) if paragraph.style.name.startswith("List") else run.font.size
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def assessment_xlsx(title, scores):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("年终考核")[:31]
    put(sheet, 1, 1, title).font = Font(bold=True, size=14)
    headers = [
        _("排名"),
        _("单位"),
        _("事项数"),
        _("等次平均分"),
        _("按时办结率(%)"),
        _("逾期天数合计"),
        _("逾期天数得分"),
        _("综合得分"),
    ]
    for column, header in enumerate(headers, start=1):
        put(sheet, 3, column, header).font = Font(bold=True)
    for number, score in enumerate(scores, start=4):
        values = [
            score.rank,
            score.row.name,
            score.row.count,
            score.grade_points if score.grade_points is not None else "—",
            score.row.on_time_rate,
            score.row.overdue_days,
            score.overdue_score,
            score.score,
        ]
        for column, value in enumerate(values, start=1):
            put(sheet, number, column, value)
    sheet.column_dimensions["B"].width = 28
    return _save(workbook)
