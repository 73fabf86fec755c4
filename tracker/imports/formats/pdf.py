"""PDF with a text layer (pypdf)."""

from __future__ import annotations

import io
import logging

from django.utils.translation import gettext as _

from tracker.imports.errors import ImportRejected
from tracker.imports.formats.base import Extracted, Source

logger = logging.getLogger(__name__)


def extract(source: Source) -> Extracted:
    from pypdf import PdfReader

    name = source.name
    try:
        reader = PdfReader(io.BytesIO(source.data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise source.encrypted("pdf")
        pages = []
        total = len(reader.pages)
        for number, page in enumerate(reader.pages, 1):
            source.check_time()
            pages.append(page.extract_text() or "")
            source.report(
                number,
                total,
                _("正在读取 PDF 第 %(n)s/%(total)s 页") % {"n": number, "total": total},
            )
    except ImportRejected:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        logger.info("pdf %s unreadable: %r", name, exc)
        raise source.damaged("pdf") from None
    # Some CID fonts come out of pypdf with a NUL before every character; NUL is never text.
    text = "\n".join(pages).replace("\x00", "")
    if not text.strip():
        raise ImportRejected(
            _("PDF 文档“%(name)s”没有文字层（可能是扫描件）：请上传文字版 PDF、Word 或文本文件。")
            % {"name": name}
        )
    return Extracted(text)
