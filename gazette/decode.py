"""Stage 1: bytes to text.

Gazettes arrive as UTF-8 (with or without a BOM) or as GB18030/GBK from older
Windows tools. We try the strict decoders in that order; anything else, and any
file that looks binary, raises :class:`GazetteDecodeError` naming the file.
"""

from __future__ import annotations

import codecs

# A text file has no NUL bytes and very few C0 control characters; PDFs, images
# and office files fail this long before any decoder is asked.
_CONTROL = frozenset(range(0, 32)) - {9, 10, 12, 13}
_SAMPLE = 8192
_MAX_CONTROL_RATIO = 0.01


class GazetteDecodeError(ValueError):
    """The file is not a text file in an encoding we read (UTF-8, GB18030)."""

    def __init__(self, name: str, reason: str):
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")


def looks_binary(data: bytes) -> bool:
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte in _CONTROL)
    return bool(sample) and controls / len(sample) > _MAX_CONTROL_RATIO


def decode_bytes(data: bytes, name: str = "<bytes>") -> str:
    """Decode a gazette; newlines are normalised to ``\\n``."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8", name)
    if looks_binary(data):
        raise GazetteDecodeError(name, "looks like a binary file, not a text gazette")
    for encoding in ("utf-8", "gb18030"):
        try:
            return _normalise(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise GazetteDecodeError(name, "cannot be decoded as UTF-8 or GB18030")


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return _normalise(data.decode(encoding))
    except UnicodeDecodeError as exc:
        raise GazetteDecodeError(
            name, f"has a UTF-8 BOM but invalid UTF-8 at byte {exc.start}"
        ) from None


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
