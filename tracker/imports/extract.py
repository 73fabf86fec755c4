"""Text extraction: an uploaded file to the text the parser reads (tracker/imports/formats)."""

from __future__ import annotations

from tracker.imports.checks import check_upload
from tracker.imports.formats.base import Extracted
from tracker.imports.formats.registry import read

# --- 2. text extraction ---------------------------------------------------------------


def extract(name: str, data: bytes, progress=None) -> Extracted:
    """The text-and-tables form of an upload, and which of its lines came from OCR."""
    check_upload(name, data)
    return read(name, data, progress)


def extract_text(name: str, data: bytes, progress=None) -> str:
    """The text of an upload, lines separated by \\n; tables become tab-separated rows."""
    return extract(name, data, progress).text
