"""The registry: which extractor reads a file, chosen by its content."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from tracker.imports.errors import ImportRejected
from tracker.imports.formats import docx, legacy, ofd, pdf, scan, sheets, text
from tracker.imports.formats.base import LABELS, Extracted, Source

# extension -> the kind it claims to be
EXTENSIONS = {
    ".txt": "text",
    ".docx": "docx",
    ".doc": "doc",
    ".wps": "doc",
    ".xlsx": "xlsx",
    ".xls": "xls",
    ".pdf": "pdf",
    ".ofd": "ofd",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
}
ACCEPT = ",".join(EXTENSIONS)  # the upload form's accept attribute

READERS = {
    "text": text.extract,
    "docx": docx.extract,
    "doc": legacy.extract,
    "xlsx": sheets.extract_xlsx,
    "xls": sheets.extract_xls,
    "pdf": pdf.extract,
    "ofd": ofd.extract,
    "image": scan.extract_image,
}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def claimed_kind(name: str) -> str | None:
    return EXTENSIONS.get(Path(name).suffix.lower())


def content_kind(data: bytes) -> str | None:
    """What the bytes are, by their content; None for no known binary format (maybe text)."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if data.startswith(b"{\\rtf"):
        return "doc"  # Word saves RTF under .doc too; LibreOffice reads it
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"):
        return "image"
    return None


def _zip_kind(data: bytes) -> str:
    try:
        names = {n.lower() for n in zipfile.ZipFile(io.BytesIO(data)).namelist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "damaged-zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ofd.xml" in names:
        return "ofd"
    return "zip"


def _ole_kind(data: bytes) -> str:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir()}
    except Exception:  # olefile raises many kinds of errors on damaged files
        return "damaged-ole"
    if "encryptedpackage" in streams:
        return "encrypted-ooxml"  # a password-protected .docx / .xlsx
    if "worddocument" in streams:
        return "doc"
    if "workbook" in streams or "book" in streams:
        return "xls"
    if "contents" in streams:
        return "doc"  # Microsoft Works / early WPS text
    return "ole"


def sniff(name: str, data: bytes) -> str:
    """The kind to read ``data`` as, or ImportRejected with the reason in Chinese."""
    claimed = claimed_kind(name)
    if claimed is None:
        raise ImportRejected(
            _("不支持的文件类型“%(name)s”：请上传 %(types)s 文件。")
            % {"name": name, "types": "、".join(EXTENSIONS)}
        )
    found = content_kind(data)
    if found == "encrypted-ooxml":
        raise ImportRejected(
            _("%(kind)s“%(name)s”设置了密码或已加密，无法读取：请取消密码后再上传。")
            % {"kind": LABELS[claimed if claimed != "text" else "docx"], "name": name}
        )
    if found in ("damaged-zip", "damaged-ole", "zip", "ole"):
        if claimed == "text":
            raise _not_text(name, _("压缩包或 Office 文件"))
        raise ImportRejected(
            _("文件“%(name)s”不是有效的%(kind)s：文件已损坏或是其他格式。")
            % {"name": name, "kind": LABELS[claimed]}
        )
    if found is None:
        if claimed != "text":
            raise ImportRejected(
                _("文件“%(name)s”不是有效的%(kind)s：文件已损坏或是其他格式。")
                % {"name": name, "kind": LABELS[claimed]}
            )
        return "text"
    if claimed == "text":
        raise _not_text(name, LABELS[found])
    if found not in READERS:
        raise ImportRejected(
            _("文件“%(name)s”是%(kind)s，暂不支持导入。") % {"name": name, "kind": LABELS[found]}
        )
    return found


def _not_text(name: str, real) -> ImportRejected:
    return ImportRejected(
        _("文件“%(name)s”的扩展名是 .txt，内容却是%(real)s：请改用正确的扩展名后重新上传。")
        % {"name": name, "real": real}
    )


def read(name: str, data: bytes, progress=None) -> Extracted:
    """The text-and-tables form of an upload (lines joined by \\n)."""
    kind = sniff(name, data)
    extracted = READERS[kind](Source(name, data, progress))
    extracted.text = extracted.text.replace("\r\n", "\n").replace("\r", "\n")
    if not extracted.text.strip():
        raise ImportRejected(_("文件“%(name)s”中没有文字。") % {"name": name})
    return extracted
