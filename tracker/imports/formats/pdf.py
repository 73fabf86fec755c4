"""PDF: the text layer page by page (pypdf); a page without one is a scan, read by OCR.

A scanned page is rendered at 300 dpi by PDFium (pypdfium2) and read by :mod:`scan`, within
``DUBAN_IMPORT_MAX_OCR_PAGES``; its lines are marked for review. ``DUBAN_IMPORT_MAX_PAGES``
bounds the whole file.
"""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.utils.translation import gettext as _

from tracker.imports.errors import ImportRejected
from tracker.imports.formats import scan
from tracker.imports.formats.base import Extracted, Source

logger = logging.getLogger(__name__)
OCR_DPI = 300


def extract(source: Source) -> Extracted:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(source.data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise source.encrypted("pdf")
        return _read(source, reader)
    except ImportRejected:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        logger.info("pdf %s unreadable: %r", source.name, exc)
        raise source.damaged("pdf") from None


def _read(source: Source, reader) -> Extracted:
    total = len(reader.pages)
    if total > settings.DUBAN_IMPORT_MAX_PAGES:
        raise ImportRejected(
            _("PDF 文档“%(name)s”共 %(pages)s 页，超过上限 %(limit)s 页：请拆分后再上传。")
            % {"name": source.name, "pages": total, "limit": settings.DUBAN_IMPORT_MAX_PAGES}
        )
    texts = []
    for number, page in enumerate(reader.pages, 1):
        source.check_time()
        # Some CID fonts come out of pypdf with a NUL before every character; NUL is never text.
        texts.append((page.extract_text() or "").replace("\x00", ""))
        source.report(
            number,
            total * 2,
            _("正在读取 PDF 第 %(n)s/%(total)s 页") % {"n": number, "total": total},
        )
    scanned = [index for index, text in enumerate(texts) if not text.strip()]
    scan.check_ocr_pages(source, len(scanned))
    lines: list[str] = []
    ocr_lines: set[int] = set()
    document = _pdfium(source) if scanned else None
    for index, text in enumerate(texts):
        if index not in scanned:
            lines.extend(text.split("\n"))
            continue
        source.report(
            total + index,
            total * 2,
            _("正在 OCR 识别第 %(n)s/%(total)s 页") % {"n": index + 1, "total": total},
        )
        found = scan.ocr_png(source, _render(document, index))
        ocr_lines.update(range(len(lines) + 1, len(lines) + len(found) + 1))
        lines.extend(found)
    text = "\n".join(lines)
    if not text.strip():
        raise scan.no_text(source)
    return Extracted(text, ocr_lines, ocr_pages=len(scanned))


def _pdfium(source: Source):
    import pypdfium2

    return pypdfium2.PdfDocument(source.data)


def _render(document, index: int) -> bytes:
    page = document[index]
    try:
        image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
    finally:
        page.close()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
