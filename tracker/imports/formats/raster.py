"""Ruling lines in a page image: long straight runs of dark pixels (Pillow, no numpy).

A rule is a horizontal run at least 12 mm long, or a vertical one at least 8.5 mm, of dark
pixels: longer than any stroke of a character up to 24 pt, so that text is never taken for
a table. The runs are found row by row (and column by column, on the transposed image) by a
regular expression over the row's bytes, in C: a 300 dpi A4 page takes a fraction of a
second. Neighbouring runs of one thick line are joined by :func:`grid.tables`.
"""

from __future__ import annotations

import re

from tracker.imports.formats.grid import Rule

DARK = 128  # grey level below which a pixel is ink
A4_WIDTH_MM = 210.0
HORIZONTAL_MM = 12.0
VERTICAL_MM = 8.5


def _runs(image, min_length: int) -> list[tuple[int, int, int]]:
    """(row, start, end) of every run of ink at least ``min_length`` pixels long."""
    ink = image.point(lambda v: 255 if v < DARK else 0)
    width = ink.width
    data = ink.tobytes()
    pattern = re.compile(rb"\xff{%d,}" % min_length)
    out = []
    for row in range(ink.height):
        for match in pattern.finditer(data, row * width, (row + 1) * width):
            out.append((row, match.start() - row * width, match.end() - row * width))
    return out


def rules(image) -> list[Rule]:
    """The horizontal and vertical rulings of a grey page image, in pixels."""
    from PIL import Image

    per_mm = max(image.width, image.height * 0.707) / A4_WIDTH_MM
    out = [
        Rule(start, row, end, row + 1)
        for row, start, end in _runs(image, max(int(HORIZONTAL_MM * per_mm), 20))
    ]
    turned = image.transpose(Image.Transpose.TRANSPOSE)  # columns become rows
    out += [
        Rule(column, start, column + 1, end)
        for column, start, end in _runs(turned, max(int(VERTICAL_MM * per_mm), 15))
    ]
    return out


def erase(image, found: list[Rule]):
    """A copy of the image with the rulings painted white (OCR reads the cells' text only)."""
    from PIL import ImageDraw

    copy = image.copy()
    draw = ImageDraw.Draw(copy)
    for rule in found:
        draw.rectangle((rule.x0 - 1, rule.top - 1, rule.x1 + 1, rule.bottom + 1), fill=255)
    return copy
