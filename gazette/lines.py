"""Logical lines and the recognisers every stage shares.

A :class:`Line` is one paragraph, heading or table row of the cleaned text; it
remembers the original lines it came from. :func:`fold` maps punctuation variants
(〔〕［］（）：；，), full-width letters and traditional characters to one form
*character for character*, so a regex match on the folded text has the same
offsets in the display text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from gazette.script import TRADITIONAL

_FOLD = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
        "〔": "[",
        "〕": "]",
        "［": "[",
        "］": "]",
        "【": "[",
        "】": "]",
        "\u3000": " ",
        "、": "、",
        "—": "-",
        "－": "-",
        "–": "-",
        **TRADITIONAL,
    }
)


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Same-length folding of punctuation variants, for matching only.

    Cached: the stages fold the same paragraph several times."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Line:
    """A logical line: one paragraph, heading or table row."""

    text: str
    lineno: int  # first original line (1-based)
    end: int  # last original line
    key: str = field(default="", compare=False, repr=False)  # folded text
    bold: bool = field(default=False, compare=False, repr=False)  # printed doubled
    # where each joined physical line starts: (offset in text, original line number)
    marks: tuple[tuple[int, int], ...] = field(default=(), compare=False, repr=False)

    def lineno_at(self, offset: int) -> int:
        """The original line number of the character at ``offset``."""
        if not self.marks:
            return self.lineno
        at = bisect_right(self.marks, (offset, float("inf"))) - 1
        return self.marks[max(at, 0)][1]

    @classmethod
    def make(cls, text: str, lineno: int, end: int | None = None, bold: bool = False) -> Line:
        return cls(text, lineno, end if end is not None else lineno, fold(text), bold)


# --- recognisers shared with later stages ----------------------------------

CN_NUM = "一二三四五六七八九十百零〇"
# 一、  (一)  1.  1、  (1)  ①  第一条 / 第一章
MARKER = re.compile(
    rf"^\s*(?:[{CN_NUM}]+\s*[、.]|\(\s*[{CN_NUM}]+\s*\)|\d{{1,3}}\s*[.、](?:(?!\d)|(?=\d{{1,2}}月)|(?=(?:19|20)\d\d\s*年))"
    rf"|\(\s*\d{{1,3}}\s*\)|[①-⑳]|第[{CN_NUM}\d]+[条章节部分])"
)
DOC_NUMBER = re.compile(
    r"^[^\s,，。:：]{1,16}\s*[\[〔［【(（]\s*((?:19|20)\d\d)\s*[\]〕］】)）]\s*\d+\s*号$"
)
_CN_DIGIT = "〇零○O一二三四五六七八九"
# 2024年3月8日 or 二〇二四年三月八日, alone on its line (a signing date)
DATE_LINE = re.compile(
    rf"^\s*((?:19|20)\d\d|[一二][{_CN_DIGIT}]{{3}})\s*年\s*(\d{{1,2}}|十[一二]?|[一二三四五六七八九])\s*月"
    rf"\s*(\d{{1,2}}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*日\s*$"
)


_CN_VALUE = {
    **{c: 0 for c in "〇零○O"},
    **{c: n for n, c in enumerate("一二三四五六七八九", start=1)},
}


def cn_number(text: str) -> int:
    """12, 二〇二四, 十一, 二十八 -> int (digit by digit unless 十 is in it)."""
    if text.isdigit():
        return int(text)
    digits = _CN_VALUE
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)
    return int("".join(str(digits[c]) for c in text))


def line_date(key: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a signing-date line, in Arabic or Chinese numerals."""
    match = DATE_LINE.match(key)
    if not match:
        return None
    year, month, day = (cn_number(g) for g in match.groups())
    return year, month, day
