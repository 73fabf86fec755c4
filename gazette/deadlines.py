"""Stage 6: time expressions in an item's text, normalized to dates.

Plain Python, no Django.  The item finder calls :func:`find_deadlines` on the text of one
item (the task sentence, its annotations, a table row or a date cell) with the document's
default year, and optionally with the span the document states (:func:`document_period`).

Conventions (those of ``shared/gold/README.md``): a deadline's date is the *last day* of the
period the expression names, in the document's year unless the expression gives its own.

==========================  ====================================================
expression                  result
==========================  ====================================================
5月底前, 5月底, 5月末, 5月   date 05-31 (a bare month, ``7月全面投运``, counts)
5月份, 5月前                 05-31 (``前`` is read as "by", like 年底前)
4月20日前, 4月20日, 4月20号  04-20
4月上旬 / 4月初              04-10;  4月中旬 → 04-20;  4月下旬 → 04-30
2024年6月30日前              2024-06-30 (an explicit year always wins)
次年3月底前 / 明年 / 今年      year + 1 / year
2月6日至2月9日, 10—12月       a range: the end (02-09, 12-31)
一季度, 第一季度, 一季度末     03-31 (二 → 06-30, 三 → 09-30, 四 → 12-31); 前三季度 → 09-30
上半年 / 下半年               06-30 / 12-31
年底(前), 年末, 年内, 全年     12-31;  2024年底, 2025年底前, 2025年内 → that year
到2025年, 至2025年, 于2025年  2025-12-31 (a bare year needs such a prefix: "2024年完成…"
                            and "2023年全区GDP增长" are not deadlines)
2025年前                    2025-12-31
2024年至2025年, 2024—2025年  2025-12-31 (…年秋冬季 / 采暖季 → 03-31 of the second year)
“4·30”, "5·31", 4·30         04-30 (quotes optional when the dot is ·•・; ``“1·24”事故`` is
                            an incident name, not a date)
二〇二四年十二月底前          Chinese numerals for years, months, days, quarters, counts
2024.6.30, 2024-06-30       numeric dates; ``6.30前`` only with 前 (else it is a decimal)
5月31日(周五)18时前          weekday and time of day are part of the expression
下年度1月初, 本年度内         relative years (今 / 本 / 当 → year, 明 / 次 / 翌 / 来 / 下 → year+1)
长期 / 持续 (a whole cell)    ongoing (a 完成时限 column that holds only that word)
==========================  ====================================================

Recurring obligations have ``date=None`` (a recurring report must not become an item's
final due date) and a ``recurrence`` from this vocabulary:

``daily``                   每日, 每天, 按日
``weekly`` / ``weekly:N``   每周, 每星期, 按周 / 每周五 (N = 1..7, 7 = Sunday)
``monthly``                 每月, 按月
``monthly:N``               每月25日前, 每月 10 日(节假日顺延)前 → ``monthly:25`` / ``monthly:10``
``monthly:firstNdays``      每月初10日内 → ``monthly:first10days``; 每月上旬 → first10days
``monthly:firstNworkdays``  每月初5个工作日内
``monthly:start``           每月初, 每月月初
``monthly:mid``             每月中旬
``monthly:last10days``      每月下旬
``monthly:end``             每月底, 每月末
``quarterly``               每季度, 每季, 按季度, 按季
``quarterly:end``           每季度末, 每季度底
``semiannual``              每半年
``yearly``                  每年, 每年度, 按年度
``yearly:MM-DD``            每年三月底前 → ``yearly:03-31``; 每年底 → ``yearly:12-31``;
                            每年一季度 → ``yearly:03-31``

A rate such as ``每人每月300元`` or ``每年3万人次`` is not an obligation and is skipped.

Relative deadlines have ``date=None`` and ``working_days``: ``1个工作日内`` → (1, 1),
``3-5个工作日内`` / ``5—7个工作日`` → (3, 5) / (5, 7), ``当天`` / ``当日`` → (0, 0).
Calendar-day offsets (``30日内``, ``1年内``) are not reported: the API has no field for them.

Ongoing work (``长期坚持``, ``长期开展``, ``持续推进`` / ``持续开展`` / ``持续深化`` …,
``常态化``, ``常抓不懈``) has ``ongoing=True`` and no date.

``what`` is filled for report-by obligations: the clause after the expression when it holds a
reporting verb (上报, 报送, 报告, 提交, 反馈 …): ``2月10日前上报工作方案`` → ``上报工作方案``.
In a list sharing one ``前`` (``2月19日、3月13日前上报…``) every date gets the clause.

Not deadlines (never reported): a bare past or current year (``2023年全区GDP增长``), an
explicit date more than a year before the document's year, or before it without ``前``
(``截至2020年底``, ``比2015年底减少``); dates after ``比 / 较 / 对``; dates followed by
``起 / 开始 / 以来 / 以后 / 施行 / 印发 …`` (a start, not an end); periods followed by a
statistic (``一季度同比增长``, ``1—6月份销售额``); anything inside 《…》 or in a plan's
span ``规划(2021—2025年)``; percentages, counts, ``24小时``, ``十四五``, ``近3年``, document
numbers ``〔2024〕12号``.  Signing lines (``2024年3月19日`` alone) are the caller's to drop;
a whole text that is only a year (a table cell ``2020 年``) is read as that year's end.

Offsets: ``text[m.start:m.end] == m.expr`` always.  Matching runs on a same-length folded
copy of the text (full-width digits, dash, dot and quote variants), so offsets are those of the
text given.  The function never raises and is deterministic.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from gazette.periods import (
    document_period,
    document_year,
)
from gazette.time_candidates import (
    _DATED,
    _Cand,
    _Ctx,
)
from gazette.timewords import (
    _EVENT_AFTER,
    _EVERY_YEAR_BEFORE,
    _INCIDENT_AFTER,
    _LIST_NEXT,
    _PAST_CLAUSE,
    _PLAIN_RECURRENCES,
    _PLAN_PAREN_BEFORE,
    _QUICK,
    _RATE_AFTER,
    _RATE_BEFORE,
    _RECURRENCES,
    _REFERENCE_BEFORE,
    _SPAN_AFTER,
    _START_AFTER,
    _STAT_AFTER,
    _WHAT,
    _WHAT_VERB,
    _WHOLE_ONGOING,
    _WHOLE_YEAR,
    _fold,
    _num,
    _year_num,
)

__all__ = [
    "DeadlineMatch",
    "document_period",
    "document_year",
    "find_deadlines",
    "latest_date",
]


@dataclass(frozen=True)
class DeadlineMatch:
    expr: str  # the expression as written in the text
    date: datetime.date | None  # normalized date; None for ongoing/relative/recurring
    recurrence: str  # '' or a value of the vocabulary in the module docstring
    what: str  # what is due, when the text says (report-by sentences), else ''
    working_days: tuple[int, int] | None  # relative offsets in working days
    ongoing: bool  # 长期坚持, 持续推进, 常态化 ...
    start: int  # char offsets of expr in text
    end: int


def _recurrence(mt: re.Match[str], label: str) -> str | None:
    g = mt.groupdict()
    if label == "monthly:N":
        n = _num(g.get("n"))
        return f"monthly:{n}" if n is not None and 1 <= n <= 31 else None
    if label == "monthly:first":
        if not g.get("n"):
            return "monthly:start"
        n = _num(g["n"])
        if n is None or not 1 <= n <= 31:
            return None
        return f"monthly:first{n}{'workdays' if g.get('w') else 'days'}"
    day = g.get("n")
    if label == "weekly" and day:
        idx = "一二三四五六日天".find(day)
        return f"weekly:{min(idx + 1 if idx >= 0 else int(day), 7)}"
    return label


def _collect(key: str, ctx: _Ctx) -> list[_Cand]:
    cands: list[_Cand] = []
    for rx, make, anchors in _DATED:
        if not any(ch in key for ch in anchors):
            continue
        for mt in rx.finditer(key):
            if mt.end() == mt.start():
                continue
            try:
                c = make(mt, ctx)
            except (ValueError, OverflowError):
                c = None
            if c is not None:
                cands.append(c)
    if "每" not in key and "按" not in key:
        return cands
    for rx, label in _RECURRENCES:
        for mt in rx.finditer(key):
            rec = _recurrence(mt, label)
            if rec is None or mt.end() == mt.start():
                continue
            if rec in _PLAIN_RECURRENCES and (
                _RATE_BEFORE.search(key, max(0, mt.start() - 4), mt.start())
                or _RATE_AFTER.match(key, mt.end())
            ):
                continue
            cands.append(_Cand(mt.start(), mt.end(), None, recurrence=rec, kind="rec"))
    # 每年 + a dated expression without its own year → a yearly obligation
    for c in cands:
        if c.date is None or c.explicit_year is not None or c.kind == "yearrange":
            continue
        pre = _EVERY_YEAR_BEFORE.search(key, max(0, c.start - 8), c.start)
        if pre:
            c.start = pre.start()
            c.recurrence = f"yearly:{c.date.month:02d}-{c.date.day:02d}"
            c.date, c.kind = None, "rec"
    return cands


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Non-overlapping candidates: earliest start first, then the longest."""
    cands.sort(key=lambda c: (c.start, -(c.end - c.start), c.kind))
    out: list[_Cand] = []
    last_end = -1
    for c in cands:
        if c.start >= last_end:
            out.append(c)
            last_end = c.end
    return out


_BARE_MONTH = re.compile(r"月(?:份)?$")
# what follows a bare month that is no deadline: 3月免租, 4月份数据, 5月以来, 6月起
_MONTH_NOT_DUE = re.compile(
    r"[ \u3000]*(?:份)?(?:免|减半|减免|数据|统计|同比|环比|累计|以来|起|租金|当月|期间|的数据|发放|出生|"
    r"价格|份额|工资|水平|平均|降雨|气温)"
)


def _keep(c: _Cand, key: str, ctx: _Ctx) -> bool:
    """Context filters: references to the past, starts, statistics, names."""
    start, end = c.start, c.end
    # inside a book title 《…》
    if key.rfind("《", 0, start) > key.rfind("》", 0, start):
        return False
    if c.date is None:
        return True
    if _PLAN_PAREN_BEFORE.search(key, max(0, start - 12), start):
        return False
    if c.explicit_year is not None and (
        c.explicit_year < ctx.year - 1 or (c.explicit_year < ctx.year and not c.before)
    ):
        return False
    if _REFERENCE_BEFORE.search(key, max(0, start - 5), start):
        return False
    if c.kind == "quoted" and _INCIDENT_AFTER.match(key, end):
        return False
    if c.kind == "yearrange" and _SPAN_AFTER.match(key, end):
        return False  # 2021—2025年为规划期: a span described, not a deadline
    if (
        c.kind == "date"
        and not c.before
        and _BARE_MONTH.search(key, c.start, end)
        and _MONTH_NOT_DUE.match(key, end)
    ):
        return False  # 3月免租, 4月份数据: a month named, nothing due in it
    if not c.before:
        if _START_AFTER.match(key, end):
            return False
        if c.kind not in ("range", "yearrange") and _EVENT_AFTER.match(key, end):
            return False
        if _STAT_AFTER.match(key, end):
            return False
        if _PAST_CLAUSE.match(key, end):
            return False  # 2023年5月至9月先后召开了…: a narrative, not a task
    return True


def _what(key: str, text: str, end: int) -> str:
    pos = end
    while pos < len(key) and key[pos] in " \u3000":
        pos += 1
    if pos < len(key) and key[pos] == "、":
        return ""  # a list of dates: the clause belongs to the last one
    if pos < len(key) and key[pos] == ",":
        pos += 1
    mt = _WHAT.match(key, pos)
    if not mt or not _WHAT_VERB.search(mt.group()):
        return ""
    return text[mt.start() : mt.end()].strip()


def _find(
    text: str,
    year: int,
    period: tuple[datetime.date, datetime.date] | None,
    anchor: datetime.date | None = None,
) -> list[DeadlineMatch]:
    if not text:
        return []
    key = _fold(text)
    if not _QUICK.search(key):
        return []
    ctx = _Ctx(year, period, anchor)
    if _WHOLE_ONGOING.match(key):  # a 完成时限 cell that says 长期 / 持续
        s, e = len(key) - len(key.lstrip()), len(key.rstrip())
        return [DeadlineMatch(text[s:e], None, "", "", None, True, s, e)]
    whole = _WHOLE_YEAR.match(key)
    if whole:
        y = _year_num(whole["y"])
        if y is not None and y >= year - 1:
            s, e = whole.start("y"), len(key.rstrip())
            return [DeadlineMatch(text[s:e], datetime.date(y, 12, 31), "", "", None, False, s, e)]
    chosen = [c for c in _select(_collect(key, ctx)) if _keep(c, key, ctx)]
    for c in chosen:
        if c.date is not None or c.recurrence:
            c.what = _what(key, text, c.end)
    # a list sharing one 前: 2月19日、3月13日前上报… → the earlier dates share the clause
    for i in range(len(chosen) - 2, -1, -1):
        c, nxt = chosen[i], chosen[i + 1]
        if c.date is not None and not c.what and nxt.what and nxt.date is not None:
            sep = _LIST_NEXT.match(key, c.end)
            if sep and sep.end() == nxt.start:
                c.what = nxt.what
    return [
        DeadlineMatch(
            text[c.start : c.end],
            c.date,
            c.recurrence,
            c.what,
            c.working_days,
            c.ongoing,
            c.start,
            c.end,
        )
        for c in chosen
    ]


def find_deadlines(
    text: str,
    year: int,
    *,
    period: tuple[datetime.date, datetime.date] | None = None,
    anchor: datetime.date | None = None,
) -> list[DeadlineMatch]:
    """Every time expression in ``text``, in order, normalized (see the module docstring).

    ``year`` is the document's default year (from its signing date); ``period`` a span the
    document states (:func:`document_period`): an expression without a year of its own takes
    the year that puts it inside the period (3月底前 in a 2023—2024 winter plan → 2024-03-31).
    """
    if not isinstance(text, str):
        return []
    try:
        year = int(year)
        if not 1901 <= year <= 2099:
            return []
        if period is not None:
            lo, hi = period
            if not (isinstance(lo, datetime.date) and isinstance(hi, datetime.date) and lo <= hi):
                period = None
        if anchor is not None and not isinstance(anchor, datetime.date):
            anchor = None
        return _find(text, year, period, anchor)
    except Exception:  # noqa: BLE001 - a parser stage must never take the import down
        return []


def latest_date(matches: list[DeadlineMatch]) -> datetime.date | None:
    """An item's final due date: its latest dated deadline, None if it has none."""
    dates = [m.date for m in matches if m.date is not None]
    return max(dates) if dates else None
