"""Checks made while the user waits: type, size and encoding of an upload."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gazette.decode import GazetteDecodeError, decode_bytes, looks_binary
from tracker.models import (
    Item,
    ItemOwner,
    ItemPerson,
)

logger = logging.getLogger(__name__)

FILE_KINDS = {".txt": "text", ".docx": "docx", ".pdf": "pdf"}

OWNER_ROLES = (  # (ItemOwner role, parser field)
    (ItemOwner.Role.LEAD, "lead_units"),
    (ItemOwner.Role.CO, "co_units"),
    (ItemOwner.Role.RESPONSIBLE, "responsible_units"),
)
PERSON_ROLES = (
    (ItemPerson.Role.LEADER, "responsible_leaders"),
    (ItemPerson.Role.OFFICE, "responsible_offices"),
    (ItemPerson.Role.PERSON, "responsible_persons"),
)
ITEM_KINDS = {"task": Item.Kind.TASK, "project": Item.Kind.PROJECT, "report": Item.Kind.REPORT}

WARNINGS = {
    "unknown_unit": gettext_lazy("责任单位未匹配到系统中的单位"),
    "no_owner": gettext_lazy("没有责任单位"),
    "no_date": gettext_lazy("没有完成时限"),
    "past_date": gettext_lazy("时限早于今天"),
    "implausible_date": gettext_lazy("文中日期超出合理范围（年份有误？），未作为时限导入"),
}

# Item matching on re-import: the same 编号 with similar text, or very similar text.
SAME_REF_SIMILARITY = 0.5
OTHER_REF_SIMILARITY = 0.75


class ImportRejected(Exception):
    """Bad input or a stale preview; the message is shown to the user as is."""


# --- 1. checks made while the user waits --------------------------------------------------


def file_kind(name: str) -> str | None:
    return FILE_KINDS.get(Path(name).suffix.lower())


def check_upload(name: str, data: bytes) -> None:
    """Reject what can be rejected at once; the rest (docx, pdf contents) fails in the task."""
    kind = file_kind(name)
    if kind is None:
        raise ImportRejected(
            _("不支持的文件类型“%(name)s”：请上传 .txt（UTF-8 或 GB18030）、.docx 或带文字层的 .pdf 文件。")
            % {"name": name}
        )
    if not data:
        raise ImportRejected(_("文件“%(name)s”是空的。") % {"name": name})
    if len(data) > settings.DUBAN_MAX_UPLOAD_BYTES:
        raise ImportRejected(too_big_message(name, len(data)))
    if kind == "docx" and not data.startswith(b"PK\x03\x04"):
        raise ImportRejected(_("文件“%(name)s”不是有效的 Word（.docx）文档。") % {"name": name})
    if kind == "pdf" and b"%PDF-" not in data[:1024]:
        raise ImportRejected(_("文件“%(name)s”不是有效的 PDF 文档。") % {"name": name})
    if kind == "text" and not decode_text(name, data).strip():
        raise ImportRejected(_("文件“%(name)s”是空的。") % {"name": name})


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def too_big_message(name: str, size: int) -> str:
    return _("文件“%(name)s”过大（%(size)s），上限为 %(limit)s。") % {
        "name": name, "size": megabytes(size),
        "limit": megabytes(settings.DUBAN_MAX_UPLOAD_BYTES)}


def decode_text(name: str, data: bytes) -> str:
    try:
        return decode_bytes(data, name)
    except GazetteDecodeError:
        if looks_binary(data):
            raise ImportRejected(
                _("文件“%(name)s”是二进制文件，不是文本：请上传文本、Word 或 PDF 文件。") % {"name": name}
            ) from None
        raise ImportRejected(
            _("无法识别文件“%(name)s”的编码：文本文件须为 UTF-8 或 GB18030 编码。") % {"name": name}
        ) from None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
