"""Text extraction: an uploaded file (.txt, .docx, .pdf) to the text the parser reads."""

from __future__ import annotations

import io
import logging

from django.utils.translation import gettext as _

from tracker.imports.checks import ImportRejected, check_upload, decode_text, file_kind

logger = logging.getLogger(__name__)



# --- 2. text extraction ---------------------------------------------------------------


def extract_text(name: str, data: bytes, progress=None) -> str:
    """The text of an upload, lines separated by \\n; tables become tab-separated rows."""
    check_upload(name, data)
    kind = file_kind(name)
    if kind == "docx":
        text = docx_text(name, data)
    elif kind == "pdf":
        text = pdf_text(name, data, progress)
    else:
        text = decode_text(name, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportRejected(_("文件“%(name)s”中没有文字。") % {"name": name})
    return text


def docx_text(name: str, data: bytes) -> str:
    from docx import Document as open_docx
    from docx.table import Table

    try:
        document = open_docx(io.BytesIO(data))
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_rows(block))
            else:
                lines.append(block.text)
    except Exception as exc:  # a damaged upload can break python-docx in many ways
        logger.info("docx %s unreadable: %r", name, exc)
        raise ImportRejected(
            _("无法读取 Word 文档“%(name)s”：文件已损坏或不是 .docx 格式。") % {"name": name}
        ) from None
    return "\n".join(lines)


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            if cell._tc is previous:  # a horizontally merged cell is listed once per column
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        rows.append("\t".join(cells))
    return rows


def pdf_text(name: str, data: bytes, progress=None) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImportRejected(_("PDF 文档“%(name)s”已加密，无法读取。") % {"name": name})
        pages = []
        total = len(reader.pages)
        for number, page in enumerate(reader.pages, 1):
            pages.append(page.extract_text() or "")
            if progress and (number % 10 == 0 or number == total):
                progress(5 + 30 * number // total, _("正在读取 PDF 第 %(n)s/%(total)s 页")
                         % {"n": number, "total": total})
    except ImportRejected:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        logger.info("pdf %s unreadable: %r", name, exc)
        raise ImportRejected(
            _("无法读取 PDF 文档“%(name)s”：文件已损坏。") % {"name": name}
        ) from None
    # Some CID fonts come out of pypdf with a NUL before every character; NUL is never text.
    text = "\n".join(pages).replace("\x00", "")
    if not text.strip():
        raise ImportRejected(
            _("PDF 文档“%(name)s”没有文字层（可能是扫描件）：请上传文字版 PDF、Word 或文本文件。")
            % {"name": name}
        )
    return text
