"""Ruled tables: ruling lines that cross into a grid, and the words of each of its cells.

The readers hand over every straight stroke of a page (a PDF's or OFD's path segments, the
long dark runs of a scanned image) as a :class:`Rule`. Horizontal and vertical rules that
touch are one table; their positions, merged within a tolerance, are the row and column
boundaries. A boundary missing between two grid cells (no rule along it) merges them: a
cell spanning rows is carried down to each of them, one spanning columns is written once
(the columns it covers after it stay empty). A frame of a single column is not a table.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Rule:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return self.x1 - self.x0 >= self.bottom - self.top


def _merge(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for value in sorted(values):
        if out and value - out[-1][-1] <= tol:
            out[-1].append(value)
        else:
            out.append([value])
    return [sum(group) / len(group) for group in out]


@dataclass
class Table:
    xs: list[float]
    ys: list[float]
    hs: list[Rule] = field(repr=False)
    vs: list[Rule] = field(repr=False)
    tol: float = 1.0

    def holds(self, word: Any) -> bool:
        x, y = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
        return self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]

    def _has_v(self, row: int, column: int) -> bool:
        x, y = self.xs[column], (self.ys[row] + self.ys[row + 1]) / 2
        return any(
            abs((v.x0 + v.x1) / 2 - x) <= self.tol and v.top - self.tol <= y <= v.bottom + self.tol
            for v in self.vs
        )

    def _has_h(self, row: int, column: int) -> bool:
        y, x = self.ys[row], (self.xs[column] + self.xs[column + 1]) / 2
        return any(
            abs((h.top + h.bottom) / 2 - y) <= self.tol and h.x0 - self.tol <= x <= h.x1 + self.tol
            for h in self.hs
        )

    def rows(self, words: Sequence[Any], cell_text: Callable[[list[Any]], str]) -> list[list[str]]:
        """Each grid row as its cells' texts (rows without any text left out)."""
        height, width = len(self.ys) - 1, len(self.xs) - 1
        parent = list(range(height * width))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for r in range(height):
            for c in range(width):
                if c + 1 < width and not self._has_v(r, c + 1):
                    parent[find(r * width + c + 1)] = find(r * width + c)
                if r + 1 < height and not self._has_h(r + 1, c):
                    parent[find((r + 1) * width + c)] = find(r * width + c)
        inside: dict[int, list[Any]] = {}
        for word in words:
            r = min(max(bisect_right(self.ys, (word.top + word.bottom) / 2) - 1, 0), height - 1)
            c = min(max(bisect_right(self.xs, (word.x0 + word.x1) / 2) - 1, 0), width - 1)
            inside.setdefault(find(r * width + c), []).append(word)
        texts = {group: cell_text(group_words) for group, group_words in inside.items()}
        out = []
        for r in range(height):
            cells = []
            for c in range(width):
                group = find(r * width + c)
                spans_left = c > 0 and find(r * width + c - 1) == group
                cells.append("" if spans_left else texts.get(group, ""))
            if any(cells):
                out.append(cells)
        return out


def tables(rules: Sequence[Rule], unit: float) -> list[Table]:
    """The ruled tables among a page's rules (``unit``: a character height on the page)."""
    tol = max(0.35 * unit, 0.5)
    lines = [
        r
        for r in rules
        if min(r.x1 - r.x0, r.bottom - r.top) <= 0.5 * unit
        and max(r.x1 - r.x0, r.bottom - r.top) >= 0.8 * unit
    ]
    hs = _joined([r for r in lines if r.horizontal], tol, True)
    vs = _joined([r for r in lines if not r.horizontal], tol, False)
    if len(hs) < 2 or len(vs) < 3:
        return []
    # rules that touch are one table (union-find over horizontal + vertical rules)
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        y = (h.top + h.bottom) / 2
        for j, v in enumerate(vs):
            x = (v.x0 + v.x1) / 2
            if h.x0 - tol <= x <= h.x1 + tol and v.top - tol <= y <= v.bottom + tol:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    found = []
    for group_hs, group_vs in groups.values():
        ys = _merge([(h.top + h.bottom) / 2 for h in group_hs], tol)
        xs = _merge([(v.x0 + v.x1) / 2 for v in group_vs], tol)
        if len(ys) >= 2 and len(xs) >= 3:
            found.append(Table(xs, ys, group_hs, group_vs, tol))
    return sorted(found, key=lambda t: t.ys[0])


def _joined(rules: list[Rule], tol: float, horizontal: bool) -> list[Rule]:
    """Collinear rules that overlap or touch as one (each cell's border drawn on its own)."""

    def across(r: Rule) -> float:
        return (r.top + r.bottom) / 2 if horizontal else (r.x0 + r.x1) / 2

    def span(r: Rule) -> tuple[float, float]:
        return (r.x0, r.x1) if horizontal else (r.top, r.bottom)

    out: list[Rule] = []
    groups: list[list[Rule]] = []
    for rule in sorted(rules, key=across):
        if groups and across(rule) - across(groups[-1][-1]) <= tol:
            groups[-1].append(rule)
        else:
            groups.append([rule])
    for group in groups:
        at = sum(across(r) for r in group) / len(group)
        runs: list[list[float]] = []
        for lo, hi in sorted(span(r) for r in group):
            if runs and lo <= runs[-1][1] + tol:
                runs[-1][1] = max(runs[-1][1], hi)
            else:
                runs.append([lo, hi])
        for lo, hi in runs:
            out.append(Rule(lo, at, hi, at) if horizontal else Rule(at, lo, at, hi))
    return out
