"""Evidence files: the allowed types, their leading bytes, and storing them under their sha256."""

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from tracker.models import (
    Evidence,
)
from tracker.tracking.errors import ActionError

# ---- evidence files -------------------------------------------------------------------------

# Allowed evidence types: extension → (content type, leading bytes the file must start with).
EVIDENCE_TYPES = {
    "pdf": ("application/pdf", (b"%PDF",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    "txt": ("text/plain; charset=utf-8", ()),
    "zip": ("application/zip", (b"PK\x03\x04",)),
}


def check_evidence_file(upload):
    """Raise ActionError unless the upload is an allowed type within the size limit."""
    name = PurePath(upload.name).name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise ActionError(
            _("“%(name)s”的文件类型不允许，可上传：%(types)s。")
            % {"name": name, "types": "、".join(sorted(EVIDENCE_TYPES))}
        )
    limit = settings.DUBAN_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ActionError(
            _("“%(name)s”超过大小上限 %(mb)s MB。") % {"name": name, "mb": limit // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ActionError(_("“%(name)s”是空文件。") % {"name": name})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    magics = EVIDENCE_TYPES[ext][1]
    if magics and not any(head.startswith(m) for m in magics):
        raise ActionError(_("“%(name)s”的内容与扩展名不符。") % {"name": name})
    if ext == "txt" and b"\x00" in head:
        raise ActionError(_("“%(name)s”不是文本文件。") % {"name": name})
    return ext


def _store_evidence(item, user, upload, **owner):
    """Store one file; `owner` names what it belongs to (report, request or reply)."""
    ext = check_evidence_file(upload)
    data = b"".join(upload.chunks())
    evidence = Evidence(
        item=item,
        uploaded_by=user,
        **owner,
        original_name=PurePath(upload.name).name[:255],
        content_type=EVIDENCE_TYPES[ext][0],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    # Default storage lives outside the web root (settings.STORAGES); served by a checked view.
    evidence.file.save(evidence.sha256, ContentFile(data), save=False)
    evidence.save()
    return evidence


def store_all(item, user, files, **owner):
    stored = []
    try:
        for upload in files:
            stored.append(_store_evidence(item, user, upload, **owner))
    except Exception:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return stored
