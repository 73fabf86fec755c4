"""Doubled bold text from PDF extraction (11.. 标题标题。。) read back as written once."""

from __future__ import annotations

import re

from gazette.lines import CN_NUM

_DOUBLED_START = re.compile(rf"^(?:(\d{{1,2}})\1\.\.|（（|\(\(|([{CN_NUM}])\2[{CN_NUM}、])")
_UNDOUBLE_SPAN = 400
_UNDOUBLE_SEGMENT = 60


def undouble(text: str) -> tuple[str, int]:
    """Decode the longest prefix that is a chain of doubled segments.

    Returns the decoded prefix and how many characters of ``text`` it used.
    Single blanks between segments are kept as they are.
    """
    # a doubled heading is short: look at the line's start only, so the work per
    # line is bounded whatever its length (a paragraph without breaks can be huge)
    text = text[:_UNDOUBLE_SPAN]
    n = len(text)
    back: list[tuple[int, int] | None] = [None] * (n + 1)
    back[0] = (0, 0)
    for i in range(n):
        if back[i] is None:
            continue
        if text[i] == " " and back[i + 1] is None:
            back[i + 1] = (i, 1)
        for size in range(1, min((n - i) // 2, _UNDOUBLE_SEGMENT) + 1):
            j = i + 2 * size
            if back[j] is None and text[i : i + size] == text[i + size : j]:
                back[j] = (i, size)
    end = max(i for i in range(n + 1) if back[i] is not None)
    parts: list[str] = []
    pos = end
    while pos:
        step = back[pos]
        assert step is not None  # every position on the path was reached
        start, size = step
        parts.append(text[start : start + size])
        pos = start
    return "".join(reversed(parts)), end


def _undouble_line(text: str) -> tuple[str, bool]:
    """Undo doubling at the start of a bold heading line; tell if it was whole."""
    if not _DOUBLED_START.match(text):
        return text, False
    decoded, used = undouble(text)
    if used < 4:
        return text, False
    return decoded + text[used:], used >= len(text.rstrip())


def _fully_doubled(text: str) -> str | None:
    if len(text) < 2:
        return None
    decoded, used = undouble(text)
    return decoded if used == len(text) else None
