"""Plain text (.txt): UTF-8 or GB18030, through the parser's own decode stage."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gazette.decode import GazetteDecodeError, decode_bytes, looks_binary
from tracker.imports.errors import ImportRejected
from tracker.imports.formats.base import Extracted, Source


def decode_text(name: str, data: bytes) -> str:
    try:
        return decode_bytes(data, name)
    except GazetteDecodeError:
        if looks_binary(data):
            raise ImportRejected(
                _("文件“%(name)s”是二进制文件，不是文本：请上传文本、Word 或 PDF 文件。")
                % {"name": name}
            ) from None
        raise ImportRejected(
            _("无法识别文件“%(name)s”的编码：文本文件须为 UTF-8 或 GB18030 编码。") % {"name": name}
        ) from None


def extract(source: Source) -> Extracted:
    return Extracted(decode_text(source.name, source.data))
