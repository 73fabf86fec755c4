"""Positioned words (a PDF's text layer, an OFD page, OCR) back into the parser's lines.

Every reader of a laid-out page hands over its words (boxes with text, y growing downwards)
and its ruling lines; this module puts them back in reading order:

* a **ruled table** (rules that cross into a grid, :mod:`grid`) becomes one line per row,
  its cells apart by a tab; a cell merged over rows is carried down, one merged across
  columns is written once;
* **two columns** are read column by column: a gutter that no word crosses, with lines
  filling each side, splits the page between the full-width lines above and below;
* the rest are lines: words whose vertical extents overlap by half, left to right; a gap
  wider than two character heights between two words starts a cell (a table without rules);
* **wrapped lines are joined back** into their paragraph: a line reaching the right edge of
  its column followed, without a paragraph gap, by one starting at the left edge (also over
  a column or page break). Chinese is joined without a blank, Latin words with one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from tracker.imports.formats.grid import Rule, Table, tables

_CLOSES = ("。", "〕", "；", "：", "）", ")", "！", "？", "]", "】")
_STARTS = re.compile(
    r"\s*(?:\d+[.．、]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）])"
)


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


@dataclass
class Page:
    words: list[Word]
    rules: list[Rule]


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    height: float
    table: bool = False
    # the column the line sits in (None: the page's full text width, known per document)
    left: float | None = None
    right: float | None = None
    first: bool = False  # first line of its column block / page
    last: bool = False


def _cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def join(left: str, right: str) -> str:
    if not left or not right or _cjk(left[-1]) or _cjk(right[0]):
        return left + right
    return f"{left} {right}"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def rows(words: list[Word]) -> list[list[Word]]:
    """Words grouped into visual lines (vertical overlap of half a height), left to right."""
    out: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        row = out[-1] if out else None
        if row is not None:
            top = min(w.top for w in row)
            bottom = max(w.bottom for w in row)
            overlap = min(bottom, word.bottom) - max(top, word.top)
            if overlap >= 0.5 * min(word.height, bottom - top):
                row.append(word)
                continue
        out.append([word])
    for row in out:
        row.sort(key=lambda w: w.x0)
    return out


def _row_line(row: list[Word], tab_gap: float) -> Line:
    height = _median([w.height for w in row])
    text, previous = "", None
    for word in row:
        if previous is not None and word.x0 - previous.x1 > tab_gap * height:
            text = text.rstrip() + "\t" + word.text.strip()
        else:
            text = join(text, word.text)
        previous = word
    return Line(
        text.strip(),
        row[0].x0,
        max(w.x1 for w in row),
        min(w.top for w in row),
        max(w.bottom for w in row),
        height,
    )


def lines(words: list[Word], *, tab_gap: float = 2.0) -> list[str]:
    """The words as lines of text, top to bottom (no tables, columns or joining)."""
    return [_row_line(row, tab_gap).text for row in rows(words)]


# --- a page in reading order -------------------------------------------------------------


def _table_lines(table: Table, words: list[Word]) -> list[Line]:
    out = []
    for index, cells in enumerate(table.rows(words, lambda ws: _cell_text(ws))):
        top, bottom = table.ys[index], table.ys[index + 1]
        out.append(
            Line("\t".join(cells), table.xs[0], table.xs[-1], top, bottom, bottom - top, True)
        )
    return out


def _cell_text(words: list[Word]) -> str:
    text = ""
    for row in rows(words):
        for word in row:
            text = join(text, word.text.strip())
    return " ".join(text.split())


def _gutter(words: list[Word], unit: float) -> float | None:
    """The x of a gutter between two columns of text, or None for a single column."""
    if len(words) < 8:
        return None
    left, right = min(w.x0 for w in words), max(w.x1 for w in words)
    width = right - left
    if width < 20 * unit:
        return None
    bins = 200
    step = width / bins
    cover = [0] * bins
    for word in words:
        for b in range(int((word.x0 - left) / step), min(int((word.x1 - left) / step) + 1, bins)):
            cover[b] += 1
    middle = range(int(bins * 0.3), int(bins * 0.7))
    best = min(middle, key=lambda b: (cover[b], abs(b - bins // 2)))
    # the free stretch around the best bin must be at least a character wide
    lo = hi = best
    while lo > 0 and cover[lo - 1] <= cover[best]:
        lo -= 1
    while hi < bins - 1 and cover[hi + 1] <= cover[best]:
        hi += 1
    if (hi - lo + 1) * step < 0.8 * unit:
        return None
    x = left + (lo + hi + 1) / 2 * step
    crossing = [w for w in words if w.x0 < x < w.x1]
    if len(crossing) > 0.25 * len(rows(words)):
        return None
    sides = (
        [w for w in words if w.x1 <= x],
        [w for w in words if w.x0 >= x],
    )
    for side in sides:
        side_rows = [_row_line(r, 2.0) for r in rows(side)]
        if len(side_rows) < 4:
            return None
        side_left = min(r.x0 for r in side_rows)
        side_right = max(r.x1 for r in side_rows)
        full = [r for r in side_rows if r.x1 - r.x0 >= 0.7 * (side_right - side_left)]
        if len(full) < 0.5 * len(side_rows) or "\t" in "".join(r.text for r in full):
            return None
    return x


def _column_block(words: list[Word], tab_gap: float) -> list[Line]:
    out = [_row_line(row, tab_gap) for row in rows(words)]
    if len(out) > 1:
        left, right = min(r.x0 for r in out), max(r.x1 for r in out)
        for line in out:
            line.left, line.right = left, right
        out[0].first = out[-1].last = True
    return out


def read_page(page: Page, *, tab_gap: float = 2.0) -> list[Line]:
    """The lines of one page in reading order (tables as tab-separated rows)."""
    words = [w for w in page.words if w.text.strip()]
    if not words:
        return []
    unit = _median([w.height for w in words])
    found = tables(page.rules, unit)
    rest = []
    claimed: dict[int, list[Word]] = {i: [] for i in range(len(found))}
    for word in words:
        home = next((i for i, t in enumerate(found) if t.holds(word)), None)
        if home is None:
            rest.append(word)
        else:
            claimed[home].append(word)
    pieces: list[tuple[float, list[Line]]] = []
    for index, table in enumerate(found):
        pieces.extend((line.top, [line]) for line in _table_lines(table, claimed[index]))
    gutter = _gutter(rest, unit)
    if gutter is None:
        pieces.extend(
            (line.top, [line]) for line in (_row_line(row, tab_gap) for row in rows(rest))
        )
    else:
        # two columns between full-width lines: each stretch left column first, then right
        crossing = [w for w in rest if w.x0 < gutter < w.x1]
        full = [_row_line(row, tab_gap) for row in rows(crossing)]
        pieces.extend((line.top, [line]) for line in full)
        cuts = [float("-inf"), *(line.top for line in full), float("inf")]
        for start, end in zip(cuts, cuts[1:], strict=False):
            inside = [w for w in rest if start <= w.top < end and not (w.x0 < gutter < w.x1)]
            block = [w for w in inside if (w.x0 + w.x1) / 2 < gutter]
            other = [w for w in inside if (w.x0 + w.x1) / 2 >= gutter]
            if not (block and other):  # one side only: full-width lines, short ones
                pieces.extend(
                    (line.top, [line]) for line in (_row_line(row, tab_gap) for row in rows(inside))
                )
                continue
            stretch = _column_block(block, tab_gap) + _column_block(other, tab_gap)
            if stretch:
                pieces.append((min(line.top for line in stretch), stretch))
    pieces.sort(key=lambda piece: piece[0])
    return [line for _top, group in pieces for line in group]


# --- a document: pages joined, wrapped lines back into paragraphs ------------------------


def document_lines(pages: list[list[Line]]) -> list[str]:
    """The text lines of a document, its wrapped lines joined back into paragraphs."""
    plain = [line for page in pages for line in page if not line.table and line.left is None]
    if plain:
        # the left margin is where most lines start (a stray line further left does not
        # move it); the right one where the widest line ends
        step = max(_median([line.height for line in plain]) / 2, 0.1)
        starts = Counter(round(line.x0 / step) for line in plain)
        left = min(
            line.x0 for line in plain if round(line.x0 / step) == starts.most_common(1)[0][0]
        )
        right = max(line.x1 for line in plain)
        for line in plain:
            line.left, line.right = left, right
    out: list[str] = []
    previous: Line | None = None
    for page in pages:
        if page:
            page[0].first = True
            page[-1].last = True
        for line in page:
            if previous is not None and _continues(previous, line):
                out[-1] = join(out[-1], line.text)
            else:
                out.append(line.text)
            previous = line
    return out


def _continues(previous: Line, line: Line) -> bool:
    if previous.table or line.table or "\t" in previous.text or "\t" in line.text:
        return False
    if previous.right is None or line.left is None:
        return False
    height = max(previous.height, line.height)
    if previous.x1 < previous.right - height or line.x0 > line.left + 0.6 * height:
        return False
    if previous.text.rstrip().endswith(_CLOSES) and _STARTS.match(line.text):
        return False  # a sentence ended and a numbered paragraph begins
    if previous.last and line.first:
        return True  # over a column or page break
    return 0 <= line.top - previous.bottom <= 0.9 * height
