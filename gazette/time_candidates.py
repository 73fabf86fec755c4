"""Candidate time expressions: one reader per kind of expression (a point in
time, a month range, a quarter, N日内, a holiday …), each turning a regex match
into a dated, recurring, working-day or ongoing candidate."""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from gazette.timewords import (
    _CNT,
    _RE_BY_YEAR,
    _RE_HALF,
    _RE_MONTH_RANGE,
    _RE_NUMERIC,
    _RE_ONGOING,
    _RE_POINT,
    _RE_QUARTER,
    _RE_QUOTED,
    _RE_TODAY,
    _RE_WORKDAYS,
    _RE_YEAR_END,
    _RE_YEAR_RANGE,
    _RE_YEAR_WORD,
    _S,
    _SUB_DAY,
    _num,
    _year_num,
)

# --------------------------------------------------------------------------- candidates


@dataclass
class _Cand:
    start: int
    end: int
    date: datetime.date | None = None
    recurrence: str = ""
    working_days: tuple[int, int] | None = None
    ongoing: bool = False
    explicit_year: int | None = None  # year written in the expression (end point)
    before: bool = False  # 前 / 以前 / 为止: an explicit "by"
    kind: str = "date"  # date, range, quoted, yearrange, rec, wd, ongoing
    what: str = ""


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _make(y: int, m: int, d: int | None) -> datetime.date:
    """Date for year/month/day, d=None meaning the last day of the month (ValueError if bad)."""
    if not 1 <= m <= 12:
        raise ValueError("month")
    return datetime.date(y, m, _last_day(y, m) if d is None else d)


class _Ctx:
    __slots__ = ("year", "period", "anchor")

    def __init__(
        self,
        year: int,
        period: tuple[datetime.date, datetime.date] | None,
        anchor: datetime.date | None = None,
    ):
        self.year = year
        self.period = period
        self.anchor = anchor  # the document's date: N日内 counts from it

    def resolve(
        self, m: int, d: int | None, explicit: int | None, rel: int | None
    ) -> datetime.date:
        """The date for month m, day d (None = month end) in the right year."""
        if explicit is not None:
            return _make(explicit, m, d)
        if rel is not None:
            return _make(self.year + rel, m, d)
        if self.period is not None:
            lo, hi = self.period
            for y in range(lo.year, hi.year + 1):
                try:
                    dt = _make(y, m, d)
                except ValueError:
                    continue
                if lo <= dt <= hi:
                    return dt
        return _make(self.year, m, d)


def _rel(word: str | None) -> int | None:
    if not word:
        return None
    return 1 if word in ("明", "次", "翌", "来", "下", "下一") else 0


def _point_date(
    g: dict[str, str | None], s: str, ctx: _Ctx, year: int | None, rel: int | None
) -> tuple[datetime.date, int | None, int | None]:
    """Date of point ``s`` of a _RE_POINT match, with a year inherited from the first point."""
    m = _num(g.get(f"ma{s}") or g.get(f"mc{s}"))
    if m is None:
        raise ValueError("month")
    day_s, sub = g.get(f"d{s}"), g.get(f"sub{s}")
    if g.get(f"mc{s}") and not (day_s or sub):
        raise ValueError("bare Chinese month")  # 三月 alone is too ambiguous
    day = _num(day_s) if day_s else _SUB_DAY.get(sub or "")
    if day_s and day is None:
        raise ValueError("day")
    y = _year_num(g.get(f"y{s}"))
    if g.get(f"y{s}") and y is None:
        raise ValueError("year")
    r = _rel(g.get(f"r{s}"))
    if y is not None:
        return ctx.resolve(m, day, y, None), y, None
    if r is not None:
        return ctx.resolve(m, day, None, r), None, r
    return ctx.resolve(m, day, year, rel), year, rel


def _c_point(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    g = mt.groupdict()
    d1, y1, r1 = _point_date(g, "1", ctx, None, None)
    cand = _Cand(mt.start(), mt.end(), d1, explicit_year=y1, before=bool(g["b"]))
    if g.get("ma2") or g.get("mc2"):
        d2, y2, _ = _point_date(g, "2", ctx, y1, r1)
        if d2 < d1 and y2 is None:
            d2 = _make(d2.year + 1, d2.month, d2.day)
        cand.date, cand.explicit_year, cand.kind = d2, y2, "range"
    elif g.get("d3"):
        day = _num(g["d3"])
        if day is None:
            raise ValueError("day")
        d2 = datetime.date(d1.year, d1.month, day)
        if d2 < d1:
            raise ValueError("range")
        cand.date, cand.kind = d2, "range"
    return cand


def _c_month_range(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    m1, m2 = _num(mt["m1"]), _num(mt["m2"])
    if m1 is None or m2 is None or not (1 <= m1 < m2 <= 12):
        return None
    y = _year_num(mt["y"])
    if mt["y"] and y is None:
        return None
    d = ctx.resolve(m2, None, y, _rel(mt["r"]))
    return _Cand(mt.start(), mt.end(), d, explicit_year=y, before=bool(mt["b"]), kind="range")


def _c_quarter(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    q = _num(mt["q"])
    if q is None or not 1 <= q <= 4:
        return None
    y = _year_num(mt["y"])
    if mt["y"] and y is None:
        return None
    d = ctx.resolve(q * 3, None, y, _rel(mt["r"]))
    return _Cand(mt.start(), mt.end(), d, explicit_year=y, before=bool(mt["b"]))


def _c_half(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    y = _year_num(mt["y"])
    if mt["y"] and y is None:
        return None
    d = ctx.resolve(6 if mt["h"] == "上" else 12, None, y, _rel(mt["r"]))
    return _Cand(mt.start(), mt.end(), d, explicit_year=y, before=bool(mt["b"]))


def _c_year_end(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    y = _year_num(mt["y"])
    if mt["y"] and y is None:
        return None
    r = _rel(mt["r"])
    year = y if y is not None else ctx.year + (r or 0)
    return _Cand(
        mt.start(),
        mt.end(),
        datetime.date(year, 12, 31),
        explicit_year=y,
        before=bool(mt["b"] or mt["bk"]),
    )


def _c_year_word(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    d = ctx.resolve(12, None, None, None)
    return _Cand(mt.start(), mt.end(), d, before=bool(mt["b"]))


def _c_by_year(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    y = _year_num(mt["y"])
    if y is None:
        return None
    return _Cand(mt.start(), mt.end(), datetime.date(y, 12, 31), explicit_year=y, before=True)


def _c_year_range(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    ya, yb = _year_num(mt["ya"]), _year_num(mt["yb"])
    if ya is None or yb is None or not (ya < yb <= ya + 10):
        return None
    d = datetime.date(yb, 3, 31) if mt["w"] else datetime.date(yb, 12, 31)
    return _Cand(mt.start(), mt.end(), d, explicit_year=yb, before=bool(mt["b"]), kind="yearrange")


def _c_quoted(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    m, d = _num(mt["m"] or mt["m2"]), _num(mt["d"] or mt["d2"])
    if m is None or d is None:
        return None
    date = ctx.resolve(m, d, None, None)
    return _Cand(mt.start(), mt.end(), date, before=bool(mt["b"] or mt["b2"]), kind="quoted")


def _c_numeric(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    """2024.6.30, 2024-06-30, 2024/6/30; 6.30 only when 前 follows (else it is a decimal)."""
    if mt["y"]:
        y, m, d = int(mt["y"]), int(mt["m"]), int(mt["d"])
        return _Cand(
            mt.start(), mt.end(), datetime.date(y, m, d), explicit_year=y, before=bool(mt["b"])
        )
    date = ctx.resolve(int(mt["m2"]), int(mt["d2"]), None, None)
    return _Cand(mt.start(), mt.end(), date, before=True)


def _c_workdays(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    a = _num(mt["a"])
    c = _num(mt["c"]) if mt["c"] else a
    if a is None or c is None or c < a or c > 366:
        return None
    return _Cand(mt.start(), mt.end(), None, working_days=(a, c), kind="wd")


def _c_today(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    return _Cand(mt.start(), mt.end(), None, working_days=(0, 0), kind="wd")


def _c_ongoing(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    return _Cand(mt.start(), mt.end(), None, ongoing=True, kind="ongoing")


# N日内 / N天内 / N个月内 / N周内, counted from the document's date
_RE_WITHIN = re.compile(
    rf"(?<![\d.一二三四五六七八九十百千两第年])(?P<n>{_CNT}){_S}(?P<u>个{_S}月|个{_S}星期|周|日|天)"
    rf"{_S}(?:之内|以内|内)"
)


def _c_within(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    n = _num(mt["n"])
    if n is None or n <= 0 or n > 400:
        return None
    if ctx.anchor is None:
        return _Cand(mt.start(), mt.end(), None, kind="within", before=True)
    unit = re.sub(r"\s", "", mt["u"])
    if unit == "个月":
        month = ctx.anchor.month - 1 + n
        y, m = ctx.anchor.year + month // 12, month % 12 + 1
        due = datetime.date(y, m, min(ctx.anchor.day, _last_day(y, m)))
    else:
        days = n * 7 if unit in ("周", "个星期") else n
        due = ctx.anchor + datetime.timedelta(days=days)
    return _Cand(mt.start(), mt.end(), due, kind="within", before=True)


# holidays: 春节前, 国庆前, 开学前 … dated by the calendar of the year they fall in
_SPRING_FESTIVAL = {
    2008: (2, 7),
    2009: (1, 26),
    2010: (2, 14),
    2011: (2, 3),
    2012: (1, 23),
    2013: (2, 10),
    2014: (1, 31),
    2015: (2, 19),
    2016: (2, 8),
    2017: (1, 28),
    2018: (2, 16),
    2019: (2, 5),
    2020: (1, 25),
    2021: (2, 12),
    2022: (2, 1),
    2023: (1, 22),
    2024: (2, 10),
    2025: (1, 29),
    2026: (2, 17),
    2027: (2, 6),
    2028: (1, 26),
    2029: (2, 13),
    2030: (2, 3),
    2031: (1, 23),
    2032: (2, 11),
    2033: (1, 31),
    2034: (2, 19),
    2035: (2, 8),
}
_MID_AUTUMN = {
    2015: (9, 27),
    2016: (9, 15),
    2017: (10, 4),
    2018: (9, 24),
    2019: (9, 13),
    2020: (10, 1),
    2021: (9, 21),
    2022: (9, 10),
    2023: (9, 29),
    2024: (9, 17),
    2025: (10, 6),
    2026: (9, 25),
    2027: (9, 15),
    2028: (10, 3),
    2029: (9, 22),
    2030: (9, 12),
}
_DRAGON_BOAT = {
    2018: (6, 18),
    2019: (6, 7),
    2020: (6, 25),
    2021: (6, 14),
    2022: (6, 3),
    2023: (6, 22),
    2024: (6, 10),
    2025: (5, 31),
    2026: (6, 19),
    2027: (6, 9),
    2028: (5, 28),
}
_FIXED_HOLIDAYS = {
    "元旦": (1, 1),
    "国庆": (10, 1),
    "国庆节": (10, 1),
    "五一": (5, 1),
    "劳动节": (5, 1),
    "清明": (4, 4),
    "清明节": (4, 4),
    "秋季开学": (9, 1),
    "开学": (9, 1),
    "春季开学": (3, 1),
}
_RE_HOLIDAY = re.compile(
    r"(?:(?P<y>(?:19|20)\d\d)年)?"
    r"(?<![\d\"'”日号])(?P<h>春节|元旦|国庆节?|五一|劳动节|清明节?|中秋节?|端午节?|秋季开学|春季开学|开学)"
    r"(?:假期|节)?(?P<b>之前|以前|前)"
)


def _holiday(name: str, year: int) -> datetime.date | None:
    table = {
        "春节": _SPRING_FESTIVAL,
        "中秋": _MID_AUTUMN,
        "中秋节": _MID_AUTUMN,
        "端午": _DRAGON_BOAT,
        "端午节": _DRAGON_BOAT,
    }.get(name)
    month_day = table.get(year) if table is not None else _FIXED_HOLIDAYS.get(name)
    return datetime.date(year, *month_day) if month_day else None


def _c_holiday(mt: re.Match[str], ctx: _Ctx) -> _Cand | None:
    name = mt["h"]
    if mt["y"]:
        years = [int(mt["y"])]
    else:
        years = [ctx.year, ctx.year + 1]
    for year in years:
        day = _holiday(name, year)
        if day is None:
            continue
        if ctx.anchor is not None and not mt["y"] and day <= ctx.anchor:
            continue  # the next one after the document's date
        return _Cand(
            mt.start(),
            mt.end(),
            day - datetime.timedelta(days=1),
            explicit_year=int(mt["y"]) if mt["y"] else None,
            before=True,
            kind="holiday",
        )
    return None


# (regex, handler, anchors): a regex runs only when one of its anchor characters occurs
_DATED: list[
    tuple[re.Pattern[str], Callable[[re.Match[str], _Ctx], _Cand | None], str | tuple[str, ...]]
] = [
    (_RE_POINT, _c_point, "月"),
    (_RE_MONTH_RANGE, _c_month_range, "月"),
    (_RE_QUARTER, _c_quarter, "季"),
    (_RE_HALF, _c_half, "半"),
    (_RE_YEAR_END, _c_year_end, "年"),
    (_RE_YEAR_WORD, _c_year_word, "年"),
    (_RE_BY_YEAR, _c_by_year, "年"),
    (_RE_YEAR_RANGE, _c_year_range, "年"),
    (_RE_QUOTED, _c_quoted, "·."),
    (_RE_NUMERIC, _c_numeric, ".-/"),
    (_RE_WORKDAYS, _c_workdays, ("工作日",)),
    (_RE_TODAY, _c_today, "当"),
    (_RE_ONGOING, _c_ongoing, "长常持久"),
    (_RE_WITHIN, _c_within, "内"),
    (_RE_HOLIDAY, _c_holiday, "前"),
]
