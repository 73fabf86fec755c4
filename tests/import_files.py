"""Files for the import tests, made here: the sample gazette, a .docx and a .pdf built from it."""

import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample_gazette.txt"
SEEDS = ROOT.parent / "shared" / "seeds"
CJK_FONTS = [
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
]


def sample_text():
    return SAMPLE.read_text(encoding="utf-8")


def sample_bytes():
    return SAMPLE.read_bytes()


def gazette(items, doc_number="示政办发〔2025〕9号", unit="区财政局", year=2025):
    """A one-document gazette with `items` numbered tasks, each owned by `unit`."""
    lines = [
        "示范区人民政府办公室",
        "",
        "关于印发测试任务清单的通知",
        "",
        doc_number,
        "",
        "各镇人民政府、街道办事处，区直各有关单位：",
        "",
        "现将测试任务清单印发给你们，请认真贯彻落实。",
        "",
        "示范区人民政府办公室",
        "",
        f"{year}年2月20日",
        "",
        "一、重点任务",
        "",
    ]
    for n in range(1, items + 1):
        lines += [
            f"{n}.完成第{n}项测试任务，推进第{n}批工作，{n % 12 + 1}月底前完成。〔责任单位：{unit}〕",
            "",
        ]
    return "\n".join(lines)


def docx_bytes(paragraphs, table_rows=()):
    from docx import Document

    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table_rows:
        table = document.add_table(rows=0, cols=len(table_rows[0]))
        for row in table_rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def cjk_font():
    return next((path for path in CJK_FONTS if path.exists()), None)


def pdf_bytes(lines):
    """A PDF with a real text layer, written by fpdf2 with a CJK font (None if unavailable)."""
    try:
        from fpdf import FPDF
    except ImportError:
        return None
    font = cjk_font()
    if font is None:
        return None
    pdf = FPDF()
    pdf.add_page()
    options = {"collection_font_number": 2} if font.suffix == ".ttc" and "noto" in str(font) else {}
    pdf.add_font("cjk", fname=str(font), **options)
    pdf.set_font("cjk", size=10)
    for line in lines:
        pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def blank_pdf():
    """A valid PDF whose page has no text (a scan, as far as text extraction goes)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


REVIEW_SECTIONS = ["一、稳增长", "二、促改革", "三、优环境", "四、惠民生", "五、强保障"]


def review_gazette(tasks=900, projects=100):
    """Two documents, `tasks` + `projects` items: five sections of annotated tasks (every
    third one with no date, every tenth of the last section an unannotated candidate the
    parser is unsure of) owned by 40 units the register does not know, and a key project
    table with 建设地点 and 层级."""
    lines = [
        "示范区人民政府办公室",
        "",
        "关于印发2025年重点工作任务分工的通知",
        "",
        "示政办发〔2025〕21号",
        "",
        "各镇人民政府、街道办事处，区直各有关单位：",
        "",
        "现将任务分工印发给你们，请认真贯彻落实。",
        "",
        "示范区人民政府办公室",
        "",
        "2025年3月1日",
        "",
    ]
    per = tasks // len(REVIEW_SECTIONS)
    k = 0
    for s, title in enumerate(REVIEW_SECTIONS):
        lines += [title, ""]
        for i in range(1, per + 1):
            k += 1
            if s == 4 and i % 10 == 0:
                lines += [f"{i}.区第{k % 7 + 1}测试局要牵头开展第{k}项专项检查，建立整改台账。", ""]
                continue
            due = f"{k % 12 + 1}月底前完成" if k % 3 else "持续推进"
            lines += [
                f"{i}.完成第{k}项任务，推进第{s + 1}组第{i}批工作，{due}。"
                f"〔责任单位：第{k % 40 + 1}测试局〕",
                "",
            ]
    lines += [
        "",
        "示范区人民政府办公室",
        "",
        "关于印发2025年重点项目清单的通知",
        "",
        "示政办发〔2025〕22号",
        "",
        "各镇人民政府、街道办事处：",
        "",
        "现将重点项目清单印发给你们。",
        "",
        "示范区人民政府办公室",
        "",
        "2025年3月2日",
        "",
        "序号\t项目名称\t建设地点\t层级\t责任单位\t完成时限",
    ]
    for p in range(1, projects + 1):
        lines.append(
            f"{p}\t第{p}号示范道路改造工程\t{['东区', '西区', '南区'][p % 3]}\t"
            f"{['市级', '省级'][p % 2]}\t第{p % 40 + 1}测试局\t2025年{p % 12 + 1}月底"
        )
    return "\n".join(lines) + "\n"
