"""PDF: the text layer by position (PDFium through pypdfium2); a page without one is OCR'd.

PDFium is the reader because it reads the fonts Chinese offices' PDFs actually use: CID
fonts whose encoding is an embedded CMap (what fpdf2 and several converters write for
OpenType CJK fonts) come out of pypdf and pdfminer as NULs or nothing at all, and out of
PDFium as text. Each page gives its text segments with their boxes and the straight strokes
of its paths; :mod:`layout` puts them in reading order: ruled tables as tab-separated rows,
two columns one after the other, lines wrapped by the page joined back into paragraphs.

A page without text is a scan: rendered at 300 dpi and read by :mod:`scan`, within
``DUBAN_IMPORT_MAX_OCR_PAGES``; its lines are marked for review. ``DUBAN_IMPORT_MAX_PAGES``
bounds the whole file.
"""

from __future__ import annotations

import ctypes
import io
import logging

from django.conf import settings
from django.utils.translation import gettext as _

from tracker.imports.errors import ImportRejected
from tracker.imports.formats import layout, scan
from tracker.imports.formats.base import Extracted, Source
from tracker.imports.formats.grid import Rule

logger = logging.getLogger(__name__)
OCR_DPI = 300


def extract(source: Source) -> Extracted:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(source.data)
    except pypdfium2.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pypdfium2.raw.FPDF_ERR_PASSWORD:
            raise source.encrypted("pdf") from None
        logger.info("pdf %s unreadable: %r", source.name, exc)
        raise source.damaged("pdf") from None
    try:
        return _read(source, document)
    except ImportRejected:
        raise
    except Exception as exc:  # a damaged file can break a page in many ways
        logger.info("pdf %s unreadable: %r", source.name, exc)
        raise source.damaged("pdf") from None
    finally:
        document.close()


def _read(source: Source, document) -> Extracted:
    total = len(document)
    if total > settings.DUBAN_IMPORT_MAX_PAGES:
        raise ImportRejected(
            _("PDF 文档“%(name)s”共 %(pages)s 页，超过上限 %(limit)s 页：请拆分后再上传。")
            % {"name": source.name, "pages": total, "limit": settings.DUBAN_IMPORT_MAX_PAGES}
        )
    pages: list[layout.Page | None] = []
    for index in range(total):
        source.check_time()
        pages.append(_page(document[index]))
        source.report(
            index + 1,
            total * 2,
            _("正在读取 PDF 第 %(n)s/%(total)s 页") % {"n": index + 1, "total": total},
        )
    scanned = [index for index, page in enumerate(pages) if page is None]
    scan.check_ocr_pages(source, len(scanned))
    read: list[list[layout.Line]] = []
    for index, page in enumerate(pages):
        if page is not None:
            read.append(layout.read_page(page))
            continue
        source.report(
            total + index,
            total * 2,
            _("正在 OCR 识别第 %(n)s/%(total)s 页") % {"n": index + 1, "total": total},
        )
        read.append(scan.ocr_png(source, _render(document, index)))
    # runs of text pages and runs of scanned pages, each joined into paragraphs on its own
    lines: list[str] = []
    ocr_lines: set[int] = set()
    start = 0
    for index in range(1, total + 1):
        if index < total and (pages[index] is None) == (pages[start] is None):
            continue
        found = layout.document_lines(read[start:index])
        if pages[start] is None:
            ocr_lines.update(range(len(lines) + 1, len(lines) + len(found) + 1))
        lines.extend(found)
        start = index
    text = "\n".join(lines)
    if not text.strip():
        raise scan.no_text(source)
    return Extracted(text, ocr_lines, ocr_pages=len(scanned))


def _page(page) -> layout.Page | None:
    """The page's text segments and rules; None when it has no text (a scan)."""
    try:
        height = page.get_height()
        textpage = page.get_textpage()
        try:
            if not textpage.get_text_range().strip():
                return None
            words = []
            for index in range(textpage.count_rects()):
                left, bottom, right, top = textpage.get_rect(index)
                # NUL is never text (some CID fonts put one before every character)
                text = textpage.get_text_bounded(left, bottom, right, top).replace("\x00", "")
                if not text.strip():
                    continue
                # the box by the font's advance and ascent, not by the ink: a line ending
                # in 。 reaches as far right as one ending in 字, and 。 alone is a line high
                middle = (top + bottom) / 2
                for at in (left + 0.5, right - 0.5):
                    char = textpage.get_index(at, middle, 1.0, (top - bottom) / 2)
                    if char is not None and char >= 0:
                        box = textpage.get_charbox(char, loose=True)
                        left, bottom = min(left, box[0]), min(bottom, box[1])
                        right, top = max(right, box[2]), max(top, box[3])
                words.append(layout.Word(left, height - top, right, height - bottom, text))
        finally:
            textpage.close()
        return layout.Page(words, _rules(page, height))
    finally:
        page.close()


def _rules(page, height: float) -> list[Rule]:
    """Every straight horizontal or vertical stroke of the page's paths (table rulings)."""
    import pypdfium2.raw as raw

    out: list[Rule] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=2):
        a, b, c, d, e, f = obj.get_matrix().get()
        points: list[tuple[float, float]] = []
        start: tuple[float, float] | None = None
        count = raw.FPDFPath_CountSegments(obj.raw)
        if count > 400:  # a drawing, not a table's rulings
            continue
        for index in range(count):
            segment = raw.FPDFPath_GetPathSegment(obj.raw, index)
            raw.FPDFPathSegment_GetPoint(segment, x, y)
            point = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
            kind = raw.FPDFPathSegment_GetType(segment)
            if kind == raw.FPDF_SEGMENT_MOVETO or not points:
                start = point
            elif kind == raw.FPDF_SEGMENT_LINETO:
                _stroke(out, points[-1], point)
            points.append(point)
            if raw.FPDFPathSegment_GetClose(segment) and start is not None:
                _stroke(out, point, start)
    return out


def _stroke(out: list[Rule], p: tuple[float, float], q: tuple[float, float]) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) <= 1.0 or abs(x0 - x1) <= 1.0:
        out.append(Rule(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))


def _render(document, index: int) -> bytes:
    page = document[index]
    try:
        image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
    finally:
        page.close()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
