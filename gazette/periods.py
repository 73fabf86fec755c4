"""A document's year and the period it states (2023—2024年, 秋冬季 …), for
reading its time expressions that name no year."""

from __future__ import annotations

import datetime
import re

from gazette.timewords import (
    _S,
    _SEP,
    _YEAR,
    _fold,
    _year_num,
)

_RE_DOC_RANGE = re.compile(
    rf"(?P<ya>{_YEAR}){_S}(?:年{_S})?(?:{_SEP}|~){_S}(?P<yb>{_YEAR}){_S}年(?P<yd>{_S}度)?"
    rf"(?:{_S}(?P<w>秋冬季|采暖季|供暖季|冬春季|冬季))?"
)
_RE_DOC_SEASON = re.compile(rf"(?:(?P<y>{_YEAR}){_S}年(?:{_S}度)?{_S})?(?P<w>秋冬季|采暖季|供暖季)")
_RE_DOC_DATES = re.compile(
    rf"(?P<y1>{_YEAR}){_S}年{_S}(?P<m1>\d{{1,2}}){_S}月{_S}(?P<d1>\d{{1,2}}){_S}日{_S}"
    rf"(?:-{{1,2}}|至|到){_S}(?P<y2>{_YEAR}){_S}年{_S}(?P<m2>\d{{1,2}}){_S}月{_S}(?P<d2>\d{{1,2}}){_S}日"
)
_RE_ANY_YEAR = re.compile(rf"(?P<y>{_YEAR}){_S}年")


def _clip(
    lo: datetime.date, hi: datetime.date, signed: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    if signed is not None and lo < signed <= hi:
        lo = signed
    return lo, hi


def _winter(y1: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(y1, 10, 1), datetime.date(y1 + 1, 3, 31)


def document_period(
    title: str, body_head: str = "", signed: datetime.date | None = None
) -> tuple[datetime.date, datetime.date] | None:
    """The span a document states, if it crosses a year boundary, else None.

    ``2023—2024年秋冬季`` / ``2023-2024年采暖季`` → 2023-10-01 … 2024-03-31;
    ``(2020—2021年)`` / ``2023-2024年度`` / ``2023年至2024年`` → 2020-01-01 … 2021-12-31;
    ``2023年10月30日至2024年3月31日`` → that span; ``采暖季`` with no year → the season around
    the signing date.  The title is searched first, then ``body_head`` (the first paragraph or
    so).  Spans of more than two calendar years (a 2021—2025 plan) give None: the signing year
    is the better default there.  The start is moved up to the signing date when that falls
    inside the span, so 8月底前 in a two-year plan signed in September means next August.
    Never raises.
    """
    try:
        return _document_period(title or "", body_head or "", signed)
    except Exception:  # noqa: BLE001
        return None


def _document_period(
    title: str, body_head: str, signed: datetime.date | None
) -> tuple[datetime.date, datetime.date] | None:
    if signed is not None and not isinstance(signed, datetime.date):
        signed = None
    for n, raw in enumerate((title, body_head)):
        key = _fold(raw)
        for mt in _RE_DOC_RANGE.finditer(key):
            ya, yb = _year_num(mt["ya"]), _year_num(mt["yb"])
            if ya is None or yb != ya + 1:
                continue
            if key.rfind("《", 0, mt.start()) > key.rfind("》", 0, mt.start()):
                continue  # another document's name
            if mt["w"]:
                return _clip(*_winter(ya), signed)
            if n == 0 or mt["yd"]:
                return _clip(datetime.date(ya, 1, 1), datetime.date(yb, 12, 31), signed)
        for mt in _RE_DOC_DATES.finditer(key):
            try:
                lo = datetime.date(_year_num(mt["y1"]) or 0, int(mt["m1"]), int(mt["d1"]))
                hi = datetime.date(_year_num(mt["y2"]) or 0, int(mt["m2"]), int(mt["d2"]))
            except (ValueError, TypeError):
                continue
            if lo.year + 1 == hi.year and (hi - lo).days <= 400:
                return _clip(lo, hi, signed)
        for mt in _RE_DOC_SEASON.finditer(key):
            if key.rfind("《", 0, mt.start()) > key.rfind("》", 0, mt.start()):
                continue
            y = _year_num(mt["y"]) if mt["y"] else None
            if y is None and signed is not None:
                y = signed.year if signed.month >= 7 else signed.year - 1
            if y is not None:
                return _clip(*_winter(y), signed)
    return None


def document_year(signed: datetime.date | None, title: str = "", body_head: str = "") -> int | None:
    """The default year of a document: its signing year, else the first year its title (then
    its opening text) names, else None.  Never raises."""
    try:
        if isinstance(signed, datetime.date):
            return signed.year
        for raw in (title or "", body_head or ""):
            for mt in _RE_ANY_YEAR.finditer(_fold(raw)):
                y = _year_num(mt["y"])
                if y is not None:
                    return y
    except Exception:  # noqa: BLE001
        return None
    return None
