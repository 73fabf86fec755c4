"""Positioned words (from OCR or an OFD page) back into lines, cells apart by a tab.

Words whose vertical extents overlap by half are one line, read left to right; a gap wider
than two character heights between two words starts a new cell (a table column). Chinese
words are joined without a blank, Latin words with one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Word:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)


def _cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def join(left: str, right: str) -> str:
    if not left or not right or _cjk(left[-1]) or _cjk(right[0]):
        return left + right
    return f"{left} {right}"


def lines(words: list[Word], *, tab_gap: float = 2.0) -> list[str]:
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        row = rows[-1] if rows else None
        if row is not None:
            top = min(w.top for w in row)
            bottom = max(w.bottom for w in row)
            overlap = min(bottom, word.bottom) - max(top, word.top)
            if overlap >= 0.5 * min(word.height, bottom - top):
                row.append(word)
                continue
        rows.append([word])
    out = []
    for row in rows:
        row.sort(key=lambda w: w.x0)
        height = sorted(w.height for w in row)[len(row) // 2]
        text, previous = "", None
        for word in row:
            if previous is not None and word.x0 - previous.x1 > tab_gap * height:
                text += "\t" + word.text
            else:
                text = join(text, word.text)
            previous = word
        out.append(text)
    return out
