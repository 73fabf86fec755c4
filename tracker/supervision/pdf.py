"""A 督办单 as an A4 PDF (fpdf2), in the reader's language, with a CJK font from the system.

The font is Debian's fonts-noto-cjk (Noto Serif CJK SC inside a TrueType collection);
without it FontMissing is raised and the view sends the user to the print page instead.
"""

from pathlib import Path

from django.utils.translation import gettext as _

from tracker.lib.dates import format_date
from tracker.models import SupervisionNotice

FONTS = [  # (file, index of the Simplified Chinese face in the collection)
    (Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
]
# Heading colour of each level (RGB): blue, amber, red.
COLOURS = {"remind": (31, 95, 191), "urge": (196, 135, 0), "supervise": (192, 0, 0)}


class FontMissing(Exception):
    """No CJK font is installed (apt-get install fonts-noto-cjk)."""


def _font():
    for path, index in FONTS:
        if path.exists():
            return path, index
    raise FontMissing


def render(notice, items, copied):
    """The PDF's bytes."""
    from fpdf import FPDF  # noqa: PLC0415 (a heavy import only this download needs)

    path, index = _font()
    doc = FPDF(format="A4", unit="mm")
    doc.set_margins(28, 25, 26)
    doc.set_auto_page_break(True, margin=25)
    doc.add_font("cjk", fname=str(path), collection_font_number=index)
    doc.add_page()
    width = doc.w - doc.l_margin - doc.r_margin
    doc.set_text_color(*COLOURS[notice.level])
    doc.set_font("cjk", size=26)
    doc.cell(width, 16, title(notice), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_draw_color(*COLOURS[notice.level])
    doc.set_line_width(0.8)
    doc.set_font("cjk", size=12)
    doc.cell(width, 9, notice.number, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.line(doc.l_margin, doc.get_y() + 1, doc.l_margin + width, doc.get_y() + 1)
    doc.ln(6)
    doc.set_text_color(0, 0, 0)
    doc.set_font("cjk", size=14)
    doc.multi_cell(width, 8, f"{notice.unit.name}{_('：')}", new_x="LMARGIN", new_y="NEXT")
    doc.multi_cell(width, 8, "    " + notice.text, new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    doc.set_font("cjk", size=12)
    doc.multi_cell(width, 7, _("督办事项") + _("："), new_x="LMARGIN", new_y="NEXT")
    for number, item in enumerate(items, 1):
        due = format_date(item.due_date) if item.due_date else _("长期推进")
        line = f"{number}. {item.text}（{_('完成时限')}{_('：')}{due}）"
        doc.multi_cell(width, 7, line, new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    doc.multi_cell(width, 7, deadline_line(notice), new_x="LMARGIN", new_y="NEXT")
    doc.ln(14)
    doc.cell(width, 7, _("督查室"), align="R", new_x="LMARGIN", new_y="NEXT")
    doc.cell(width, 7, format_date(notice.issued_on), align="R", new_x="LMARGIN", new_y="NEXT")
    doc.ln(10)
    doc.set_line_width(0.3)
    doc.line(doc.l_margin, doc.get_y(), doc.l_margin + width, doc.get_y())
    doc.ln(1)
    names = "、".join(str(user) for user in copied) or _("无")
    doc.multi_cell(width, 7, _("抄送") + _("：") + names, new_x="LMARGIN", new_y="NEXT")
    doc.line(doc.l_margin, doc.get_y(), doc.l_margin + width, doc.get_y())
    return doc.output()


def title(notice):
    """提醒单 / 催办单 / 督办单."""
    return {
        SupervisionNotice.Level.REMIND: _("提醒单"),
        SupervisionNotice.Level.URGE: _("催办单"),
        SupervisionNotice.Level.SUPERVISE: _("督办单"),
    }[notice.level]


def deadline_line(notice):
    return _("请于%(days)s个工作日内（%(date)s前）将办理情况书面反馈督查室。") % {
        "days": notice.reply_days,
        "date": format_date(notice.reply_due),
    }
