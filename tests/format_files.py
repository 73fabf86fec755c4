"""One task text written in every format the import reads (tests and bench/bench_formats.py).

TASK_TEXT is the reference: its lines with tabs are the rows of a table. Each builder writes
the same lines as a real file of its format: paragraphs as paragraphs, the table as a table.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from tests.import_files import cjk_font

TASK_TEXT = """示范区人民政府办公室
关于印发2025年营商环境重点任务分工的通知
示政办发〔2025〕12号
各镇人民政府、街道办事处，区直各有关单位：
现将《2025年营商环境重点任务分工》印发给你们，请认真抓好落实。
示范区人民政府办公室
2025年3月10日
一、重点任务
1.推行企业开办一网通办，全程网上办理时间压缩至1个工作日以内，6月底前完成。〔牵头单位：区行政审批局；配合单位：区市场监管局、区税务局〕
2.建成区级政务服务中心综合窗口，9月底前投入使用。〔责任单位：区政务服务中心〕
3.清理拖欠中小企业账款，年底前全部清偿到位。〔牵头单位：区财政局；配合单位：区工业和信息化局〕
4.开展涉企收费专项检查，7月底前形成检查报告。〔责任单位：区发展和改革局〕
5.推广不动产登记与水电气过户联办，5月底前实现。〔牵头单位：区自然资源局；配合单位：区供水公司〕
6.建立企业诉求直通车制度，4月底前印发实施。〔责任单位：区营商环境办公室〕
二、项目清单
序号\t工作任务\t完成时限\t责任单位
1\t改造提升产业园区道路8公里\t2025年10月底前\t区住房和城乡建设局
2\t新建标准化厂房5万平方米\t2025年12月底前\t区投资促进局
3\t建设企业服务驿站3个\t2025年8月底前\t区工业和信息化局
4\t完成园区污水管网改造\t2025年11月底前\t区生态环境分局
"""


def blocks(text: str):
    """("p", line) for a paragraph, ("t", rows) for a run of tab-separated lines."""
    table: list[list[str]] = []
    for line in text.split("\n"):
        if "\t" in line:
            table.append(line.split("\t"))
            continue
        if table:
            yield "t", table
            table = []
        yield "p", line
    if table:
        yield "t", table


def docx_bytes(text: str = TASK_TEXT) -> bytes:
    from docx import Document

    document = Document()
    for kind, value in blocks(text):
        if kind == "p":
            document.add_paragraph(value)
            continue
        table = document.add_table(rows=0, cols=len(value[0]))
        for row in value:
            for cell, cell_value in zip(table.add_row().cells, row, strict=False):
                cell.text = cell_value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(text: str = TASK_TEXT) -> bytes:
    """One row per line, a cell per tab-separated value (a document pasted into a sheet)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in text.split("\n"):
        sheet.append(line.split("\t") if line else [None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def has_calc() -> bool:
    """LibreOffice Calc is there to write a .xls (Debian's libreoffice-calc-nogui)."""
    return soffice() is not None and any(
        Path(root, "program", "libsclo.so").exists()
        for root in ("/usr/lib/libreoffice", "/opt/libreoffice")
    )


def converted(data: bytes, suffix: str, target: str) -> bytes:
    """``data`` (a file ending in ``suffix``) converted by LibreOffice to ``target``."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / f"in{suffix}").write_bytes(data)
        subprocess.run(
            [
                soffice(),
                f"-env:UserInstallation=file://{work / 'profile'}",
                "--headless",
                "--norestore",
                "--convert-to",
                target,
                "--outdir",
                str(work / "out"),
                str(work / f"in{suffix}"),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return next((work / "out").iterdir()).read_bytes()


def doc_bytes(text: str = TASK_TEXT) -> bytes:
    """A Word 97-2003 .doc written by LibreOffice from the .docx.

    Kingsoft WPS Writer saves .wps as this same OLE compound file (a WordDocument stream),
    so the .wps of the tests is these bytes under a .wps name.
    """
    return converted(docx_bytes(text), ".docx", "doc:MS Word 97")


def pdf_bytes(text: str = TASK_TEXT, *, font_size: float = 11, ruled: bool = True) -> bytes | None:
    """Paragraphs as wrapped lines, the table as a ruled table (fpdf2 and a CJK font).

    Lines wrap at any character, as Chinese is set (fpdf2's default wraps at spaces only,
    which leaves a short line before every full-width space: no office's PDF looks so).
    """
    from fpdf import FPDF

    font = cjk_font()
    if font is None:
        return None
    pdf = FPDF()
    pdf.add_page()
    options = {"collection_font_number": 2} if font.suffix == ".ttc" and "noto" in str(font) else {}
    pdf.add_font("cjk", fname=str(font), **options)
    pdf.set_font("cjk", size=font_size)
    for kind, value in blocks(text):
        if kind == "p":
            pdf.multi_cell(
                0, font_size * 0.6, value or " ", new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR"
            )
            continue
        # columns as wide as their longest cell needs (its square root: long text wraps)
        widths = tuple(
            max(2, *(len(row[i]) for row in value if i < len(row))) ** 0.5
            for i in range(len(value[0]))
        )
        with pdf.table(
            col_widths=widths,
            text_align="LEFT",
            first_row_as_headings=False,
            line_height=font_size * 0.6,
            wrapmode="CHAR",
            borders_layout="ALL" if ruled else "NONE",
        ) as table:
            for row in value:
                cells = table.row()
                for cell in row:
                    cells.cell(cell)
    return bytes(pdf.output())


def has_tesseract() -> bool:
    return shutil.which("tesseract") is not None and any(
        Path(folder, "chi_sim.traineddata").exists()
        for folder in (
            "/usr/share/tesseract-ocr/5/tessdata",
            "/usr/share/tesseract-ocr/4.00/tessdata",
        )
    )


def scan_pdf_bytes(pdf: bytes, dpi: int = 200, pages: int = 0) -> bytes:
    """The PDF rasterised: each page an image, no text layer left (pypdfium2 and Pillow).

    ``pages`` repeats the first page image to make a scan that long.
    """
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    images = [page.render(scale=dpi / 72).to_pil().convert("L") for page in document]
    if pages:
        images = [images[0]] * pages
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def png_bytes(pdf: bytes, dpi: int = 300) -> bytes:
    import pypdfium2

    page = pypdfium2.PdfDocument(pdf)[0]
    out = io.BytesIO()
    page.render(scale=dpi / 72).to_pil().convert("L").save(out, format="PNG")
    return out.getvalue()


# --- OFD (GB/T 33190): a zip of XML pages, written here ---------------------------------

OFD_NS = "http://www.ofdspec.org/2016"


def ofd_bytes(text: str = TASK_TEXT, *, lines_per_page: int = 40, size: float = 4.0) -> bytes:
    """An OFD package: each paragraph one TextObject, each table cell its own TextObject.

    A table is ruled (PathObjects along its rows and columns), as office software draws it.
    """
    pages: list[list] = [[]]
    y = 20.0
    for kind, value in blocks(text):
        rows = value if kind == "t" else [[value]]
        # a table's columns each as wide as its longest cell and two characters more
        columns = [20.0]
        for index in range(max(len(row) for row in rows) - 1):
            longest = max((len(row[index]) for row in rows if index < len(row)), default=0)
            columns.append(columns[-1] + (longest + 2) * size)
        for row in rows:
            if len(pages[-1]) and y > 20 + lines_per_page * size * 1.5:
                pages.append([])
                y = 20.0
            for x, cell in zip(columns, row, strict=False):
                if cell:
                    pages[-1].append((x, y, cell))
            if kind == "t":  # ruled: each row's box and the lines between its cells
                top, bottom = y - 0.2 * size, y + 1.3 * size
                right = columns[-1] + (max(len(r[-1]) for r in rows) + 2) * size
                edges = [(x - size / 2, top, x - size / 2, bottom) for x in columns]
                edges.append((right, top, right, bottom))
                edges += [(columns[0] - size / 2, at, right, at) for at in (top, bottom)]
                pages[-1].extend(("rule", edge) for edge in edges)  # type: ignore[misc]
            y += size * 1.5
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "OFD.xml",
            (
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{OFD_NS}" '
                'Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>test</ofd:DocID>'
                "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
            ),
        )
        page_list = "".join(
            f'<ofd:Page ID="{10 + n}" BaseLoc="Pages/Page_{n}/Content.xml"/>'
            for n in range(len(pages))
        )
        package.writestr(
            "Doc_0/Document.xml",
            (
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{OFD_NS}">'
                "<ofd:CommonData><ofd:MaxUnitID>9999</ofd:MaxUnitID><ofd:PageArea>"
                "<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
                "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
                f"<ofd:Pages>{page_list}</ofd:Pages></ofd:Document>"
            ),
        )
        package.writestr(
            "Doc_0/PublicRes.xml",
            (
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{OFD_NS}" BaseLoc="Res">'
                '<ofd:Fonts><ofd:Font ID="1" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'
            ),
        )
        unit = 100
        for n, objects in enumerate(pages):
            body = []
            for placed in objects:
                unit += 1
                if placed[0] == "rule":
                    x0, y0, x1, y1 = placed[1]
                    body.append(
                        f'<ofd:PathObject ID="{unit}" Boundary="{x0} {y0} {x1 - x0 + 0.3} '
                        f'{y1 - y0 + 0.3}" LineWidth="0.25"><ofd:AbbreviatedData>M 0 0 L '
                        f"{x1 - x0} {y1 - y0}</ofd:AbbreviatedData></ofd:PathObject>"
                    )
                    continue
                x, y_at, cell = placed
                width = len(cell) * size
                body.append(
                    f'<ofd:TextObject ID="{unit}" Boundary="{x} {y_at} {width + size} {size * 1.4}" '
                    f'Font="1" Size="{size}"><ofd:TextCode X="0" Y="{size}" '
                    f'DeltaX="g {max(len(cell) - 1, 0)} {size}">{_xml(cell)}</ofd:TextCode>'
                    "</ofd:TextObject>"
                )
            # written bottom-up: the reader must put them back in reading order
            package.writestr(
                f"Doc_0/Pages/Page_{n}/Content.xml",
                (
                    f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{OFD_NS}">'
                    f'<ofd:Content><ofd:Layer ID="{unit + 1}">{"".join(reversed(body))}</ofd:Layer>'
                    "</ofd:Content></ofd:Page>"
                ),
            )
            unit += 1
    return out.getvalue()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def two_column_pdf_bytes(
    head: str, left: str, right: str, *, font_size: float = 10
) -> bytes | None:
    """``head`` across the page, then ``left`` and ``right`` side by side (a gazette page)."""
    from fpdf import FPDF

    font = cjk_font()
    if font is None:
        return None
    pdf = FPDF()
    pdf.add_page()
    options = {"collection_font_number": 2} if font.suffix == ".ttc" and "noto" in str(font) else {}
    pdf.add_font("cjk", fname=str(font), **options)
    pdf.set_font("cjk", size=font_size)
    height = font_size * 0.6
    for line in head.split("\n"):
        pdf.multi_cell(0, height, line, new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
    top = pdf.get_y() + height
    for x, text in ((10, left), (110, right)):
        pdf.set_xy(x, top)
        for line in text.split("\n"):
            pdf.set_x(x)
            pdf.multi_cell(90, height, line, new_x="LEFT", new_y="NEXT", wrapmode="CHAR")
    return bytes(pdf.output())
