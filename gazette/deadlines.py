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

import calendar
import datetime
import re
from dataclasses import dataclass

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


# --------------------------------------------------------------------------- folding

_FOLD_MAP = {chr(c): chr(c - 0xFF10 + 0x30) for c in range(0xFF10, 0xFF1A)}  # ０-９
_FOLD_MAP.update(
    {
        "\xa0": " ", "\t": "\t",
        "—": "-", "–": "-", "－": "-", "‐": "-", "‑": "-", "‒": "-", "―": "-", "−": "-",
        "~": "-", "～": "-", "〜": "-",
        "•": "·", "・": "·", "‧": "·", "∙": "·", "･": "·", "⋅": "·", "●": "·",
        "．": ".",
        "“": '"', "”": '"', "„": '"', "「": '"', "」": '"', "『": '"', "』": '"', "＂": '"',
        "‘": "'", "’": "'", "＇": "'",
        "（": "(", "）": ")", "：": ":", "，": ",", "；": ";",
        "○": "〇", "Ｏ": "〇",
    }
)
_FOLD = str.maketrans(_FOLD_MAP)


def _fold(text: str) -> str:
    return text.translate(_FOLD)


# --------------------------------------------------------------------------- numbers

_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}


def _num(s: str | None) -> int | None:
    """Arabic (with spaces inside) or Chinese numerals up to 999; None if not a number."""
    if not s:
        return None
    s = "".join(s.split())
    if s.isdigit():
        return int(s)
    if s.startswith("十"):
        s = "一" + s
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_DIGIT:
            cur = _CN_DIGIT[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


def _year_num(s: str | None) -> int | None:
    """A four-digit year, Arabic or digit-by-digit Chinese (二〇二四)."""
    if not s:
        return None
    s = "".join(s.split())
    if s.isdigit():
        y = int(s)
    elif all(ch in _CN_DIGIT for ch in s):
        y = int("".join(str(_CN_DIGIT[ch]) for ch in s))
    else:
        return None
    return y if 1900 <= y <= 2100 else None


# --------------------------------------------------------------------------- regex pieces

_S = r"[ \u3000]{0,3}(?:\r?\n[ \u3000]{0,3})?"  # spaces, at most one line break
# a year; after a paragraph number too (1.2015年底前, where the dot is no decimal point)
_YEAR = (r"(?:(?:(?<![\d.])|(?<=^\d\.)|(?<=^\d\d\.)|(?<=[^\d.]\d\.)|(?<=[^\d.]\d\d\.))"
         r"\d(?:[ \u3000]?\d){3}(?![ \u3000]?\d)|[〇零一二三四五六七八九]{4})")
_MON_A = r"(?<![\d./·])(?<!\d:)\d(?:[ \u3000]?\d)?"  # 完成时限：6月底前, not 18:30
_MON_C = r"(?<![一二三四五六七八九十百千万〇零两几第每个上下本这该前后近])(?:十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:\d(?:[ \u3000]?\d)?|[一二]?十[一二三四五六七八九]?|三十一?|[一二三四五六七八九])"
_REL = r"今|明|次|翌|当|本|来|下一?"
_SEP = r"(?:-{1,2}|至|到)"
_BEFORE = r"(?:之前|以前|前|为止|止)"
_CNT = r"(?:\d{1,3}|[一二三四五六七八九十两]{1,3})"


def _point(s: str) -> str:
    return (
        rf"(?:(?P<y{s}>{_YEAR}){_S}年{_S}|(?P<r{s}>{_REL}){_S}年(?:{_S}度)?{_S})?"
        rf"(?:(?P<ma{s}>{_MON_A})|(?P<mc{s}>{_MON_C})){_S}月(?:{_S}份)?"
        rf"(?:{_S}(?:(?P<d{s}>{_DAY}){_S}[日号]|(?P<sub{s}>上中旬|中下旬|上旬|中旬|下旬|底|末|初)))?"
    )


_RE_POINT = re.compile(
    _point("1")
    + rf"(?:{_S}{_SEP}{_S}(?:{_point('2')}|(?P<d3>{_DAY}){_S}[日号]))?"
    + rf"(?P<b>(?:{_S}\((?:星期|周)[一二三四五六日天]\))?"
    + rf"(?:{_S}\d{{1,2}}{_S}(?:时|点)(?:{_S}\d{{1,2}}{_S}分)?|{_S}\d{{1,2}}:\d\d)?{_S}{_BEFORE})?"
)
_RE_MONTH_RANGE = re.compile(
    rf"(?:(?P<y>{_YEAR}){_S}年{_S}|(?P<r>{_REL}){_S}年(?:{_S}度)?{_S})?"
    rf"(?P<m1>{_MON_A}|{_MON_C}){_S}{_SEP}{_S}(?P<m2>\d(?:[ \u3000]?\d)?|十[一二]?|[一二三四五六七八九])"
    rf"{_S}月(?:{_S}份)?(?:{_S}(?P<sub>底|末))?(?P<b>{_S}{_BEFORE})?"
)
_RE_QUARTER = re.compile(
    rf"(?<!每)(?:(?P<y>{_YEAR}){_S}年{_S}(?:第)?|(?P<r>{_REL}){_S}年(?:{_S}度)?{_S}(?:第)?|(?:前|第){_S})?"
    rf"(?<![每\d一二三四五六七八九十])(?P<q>[一二三四1-4]){_S}季度(?:{_S}(?:末|底))?"
    rf"(?P<b>{_S}{_BEFORE})?"
)
_RE_HALF = re.compile(
    rf"(?<!每)(?:(?P<y>{_YEAR}){_S}年{_S}|(?P<r>{_REL}){_S}年(?:{_S}度)?{_S})?"
    rf"(?P<h>上|下){_S}半{_S}年(?!{_S}[\d一二三四五六七八九十两])(?:{_S}(?:末|底))?"
    rf"(?P<b>{_S}{_BEFORE})?"
)
_RE_YEAR_END = re.compile(
    rf"(?:(?P<y>{_YEAR})|(?P<r>{_REL})){_S}年{_S}(?:度{_S})?(?:年{_S})?"
    rf"(?:(?P<k>底|末|内)(?P<b>{_S}{_BEFORE})?|(?P<bk>以前|之前|前)(?!{_S}[\d一二三四五六七八九十两]))"
)
_RE_YEAR_WORD = re.compile(
    r"(?<![\d〇零一二两三四五六七八九十百几数多半每近后前去上下今明次翌当本来全])"
    rf"(?:年底|年末|年内|全年)(?![度])(?P<b>{_S}{_BEFORE})?"
)
_RE_BY_YEAR = re.compile(
    rf"(?:到|至|截至|截止到|截止|直至|于){_S}(?P<y>{_YEAR}){_S}年"
    rf"(?!{_S}(?:\d|[〇零一二三四五六七八九十]|底|末|内|上半|下半|第|前|以前|之前|度|年|初|中|-|至|到))"
)
_RE_YEAR_RANGE = re.compile(
    rf"(?P<ya>{_YEAR}){_S}(?:年{_S})?{_SEP}{_S}(?P<yb>{_YEAR}){_S}年(?P<yd>度)?"
    rf"(?:{_S}(?P<w>秋冬季|采暖季|供暖季|冬春季|冬季))?(?:{_S}(?P<k>底|末))?(?P<b>{_S}{_BEFORE})?"
)
_RE_QUOTED = re.compile(
    rf"(?P<q1>[\"'])[ \u3000]?(?P<m>\d{{1,2}})[ \u3000]?[·.][ \u3000]?(?P<d>\d{{1,2}})[ \u3000]?[\"']"
    rf"(?P<b>{_S}{_BEFORE})?"
    rf"|(?<![\d.·])(?P<m2>\d{{1,2}})·(?P<d2>\d{{1,2}})(?![\d·])(?P<b2>{_S}{_BEFORE})?"
)
_RE_NUMERIC = re.compile(
    rf"(?<![\d.\-/])(?P<y>(?:19|20)\d\d)(?P<sep>[.\-/])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})"
    rf"(?![\d.\-/])(?P<b>{_S}{_BEFORE})?"
    rf"|(?<![\d.\-/])(?P<m2>\d{{1,2}})\.(?P<d2>\d{{1,2}})(?![\d.])(?P<b2>{_S}{_BEFORE})"
)
_RE_WORKDAYS = re.compile(
    rf"(?<![\d.一二三四五六七八九十百千两第])(?<!最后)(?P<a>{_CNT})"
    rf"(?:{_S}(?:{_SEP}|或){_S}(?P<c>{_CNT}))?{_S}个?{_S}工作日(?:{_S}(?:之内|以内|内))?"
)
_RE_TODAY = re.compile(r"当[天日](?![均])")
_RE_ONGOING = re.compile(
    r"长期(?:坚持|开展|推进|执行|实施|保持)|常态化|常抓不懈|久久为功"
    r"|持续(?:推进|开展|深化|加强|巩固|抓好|保持|提升|优化|强化|实施|做好|打击|跟踪|监测|曝光"
    r"|用力|发力|整治|排查)"
)
_EVERY = rf"每{_S}(?:个{_S})?"
_RECURRENCES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"{_EVERY}月{_S}(?:的{_S})?(?P<n>{_DAY}){_S}[日号]"
                rf"(?:{_S}\([^()\n]{{0,15}}\))?(?P<b>{_S}(?:之前|以前|前))?"), "monthly:N"),
    (re.compile(rf"{_EVERY}月{_S}(?:月{_S})?初(?:{_S}(?:前{_S})?(?P<n>{_CNT}){_S}(?:个{_S})?"
                rf"(?P<w>工作{_S})?[日天](?:{_S}(?:之内|以内|内))?)?"), "monthly:first"),
    (re.compile(rf"{_EVERY}月{_S}(?:前{_S})(?P<n>{_CNT}){_S}(?:个{_S})?"
                rf"(?P<w>工作{_S})?[日天](?:{_S}(?:之内|以内|内))?"), "monthly:first"),
    (re.compile(rf"{_EVERY}月{_S}上旬"), "monthly:first10days"),
    (re.compile(rf"{_EVERY}月{_S}中旬"), "monthly:mid"),
    (re.compile(rf"{_EVERY}月{_S}下旬"), "monthly:last10days"),
    (re.compile(rf"{_EVERY}月{_S}(?:月{_S})?(?:底|末)(?:{_S}前)?"), "monthly:end"),
    (re.compile(rf"{_EVERY}月|按{_S}月(?!{_S}[\d份])"), "monthly"),
    (re.compile(rf"{_EVERY}季度?{_S}(?:末|底)(?:{_S}前)?"), "quarterly:end"),
    (re.compile(rf"{_EVERY}季度?|按{_S}季度?"), "quarterly"),
    (re.compile(rf"每{_S}半{_S}年"), "semiannual"),
    (re.compile(rf"每{_S}(?:个{_S})?(?:周|星期)(?P<n>[一二三四五六日天1-7])?(?![次个些])"
                rf"|按{_S}周"), "weekly"),
    (re.compile(rf"每{_S}[日天]|按{_S}日(?!{_S}[\d期])"), "daily"),
    (re.compile(rf"每{_S}(?:个{_S})?年{_S}(?:度{_S})?(?:年{_S})?(?:底|末)(?:{_S}前)?"),
     "yearly:12-31"),
    (re.compile(rf"{_EVERY}年(?:{_S}度)?|按{_S}年度?"), "yearly"),
]
_PLAIN_RECURRENCES = {"monthly", "quarterly", "weekly", "daily", "yearly"}

# context checks (run on the folded text)
_EVERY_YEAR_BEFORE = re.compile(rf"每{_S}(?:个{_S})?年(?:{_S}度)?{_S}$")
_PLAN_PAREN_BEFORE = re.compile(rf"(?:规划|方案|计划|纲要|意见|行动|工程|办法|细则|期){_S}\({_S}$")
_REFERENCE_BEFORE = re.compile(rf"(?:比|较|相比|同比|对|经|同年|去年|上年|前年){_S}$")
_RATE_BEFORE = re.compile(r"每[^每\s,.;:。，；、]{1,3}$")
_RATE_AFTER = re.compile(
    rf"{_S}(?:\d|[一二三四五六七八九十两百千]+{_S}[万千百元]|每|不超过|不低于|最高|最多|可享受"
    r"|补贴|资金|收入|人均|户均)"
)
_START_AFTER = re.compile(
    rf"{_S}(?:起|开始|以来|至今|以后|之后|后)"
)
_EVENT_AFTER = re.compile(rf"{_S}(?:施行|实施|印发|发布|出台|发生|出生|正式)")
_PAST_CLAUSE = re.compile(r"[^。;；\n]{0,40}?(?:(?<![为除罢])了(?!解)|已经|已完成|已建成|已通过)")
_SPAN_AFTER = re.compile(rf"{_S}(?:为|是|期间|规划期)")
_STAT_AFTER = re.compile(
    rf"{_S}(?:份{_S})?(?:的{_S})?(?:全市|全区|全县|全省)?{_S}"
    r"(?:同比|环比|累计|销售|营业|产值|增速|入统|研发|税收|利润|主营|平均|均值)"
)
_INCIDENT_AFTER = re.compile(
    r"[^,.;。，；\n]{0,8}?(?:事故|火灾|爆炸|事件|惨案|暴雨|洪涝|洪灾|地震|矿难|坍塌|泄漏|中毒|溃坝|透水)"
)
_WHAT = re.compile(r"[^,;。，；！!？?\n\t)）]{1,40}")
_WHAT_VERB = re.compile(
    r"上报|报送|报告|提交|报回|呈报|反馈|递交|报至|报给|汇报|上传|报备|备案|书面报|报市|报区|报县|报省"
)
_LIST_NEXT = re.compile(rf"{_S}[、,和及]{_S}")
_WHOLE_ONGOING = re.compile(r"^\s*(?:长期|持续|常年|常态化?)(?:开展|推进|坚持|实施|执行)?\s*$")
_WHOLE_YEAR = re.compile(rf"^\s*(?P<y>{_YEAR}){_S}年(?:{_S}(?:度|底|末))?(?:{_S}前)?\s*$")
_QUICK = re.compile(r"[年月季周星日天旬持常长当·\"'按每前]|\d[.\-/]\d")

_SUB_DAY = {"上旬": 10, "初": 10, "中旬": 20, "上中旬": 20}  # 下旬 / 中下旬 / 底 / 末 → last day
_WINTER = ("秋冬季", "采暖季", "供暖季", "冬春季", "冬季")


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

    def __init__(self, year: int, period: tuple[datetime.date, datetime.date] | None,
                 anchor: datetime.date | None = None):
        self.year = year
        self.period = period
        self.anchor = anchor  # the document's date: N日内 counts from it

    def resolve(self, m: int, d: int | None, explicit: int | None, rel: int | None):
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


def _point_date(g: dict, s: str, ctx: _Ctx, year: int | None, rel: int | None):
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


def _c_point(mt: re.Match, ctx: _Ctx) -> _Cand | None:
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


def _c_month_range(mt: re.Match, ctx: _Ctx) -> _Cand | None:
    m1, m2 = _num(mt["m1"]), _num(mt["m2"])
    if m1 is None or m2 is None or not (1 <= m1 < m2 <= 12):
        return None
    y = _year_num(mt["y"])
    if mt["y"] and y is None:
        return None
    d = ctx.resolve(m2, None, y, _rel(mt["r"]))
    return _Cand(mt.start(), mt.end(), d, explicit_year=y, before=bool(mt["b"]), kind="range")


def _c_quarter(mt: re.Match, ctx: _Ctx) -> _Cand | None:
    q = _num(mt["q"])
    if q is None or not 1 <= q <= 4:
        return None
    y = _year_num(mt["y"])
    if mt["y"] and y is None:
        return None
    d = ctx.resolve(q * 3, None, y, _rel(mt["r"]))
    return _Cand(mt.start(), mt.end(), d, explicit_year=y, before=bool(mt["b"]))


def _c_half(mt: re.Match, ctx: _Ctx) -> _Cand | None:
    y = _year_num(mt["y"])
    if mt["y"] and y is None:
        return None
    d = ctx.resolve(6 if mt["h"] == "上" else 12, None, y, _rel(mt["r"]))
    return _Cand(mt.start(), mt.end(), d, explicit_year=y, before=bool(mt["b"]))


def _c_year_end(mt: re.Match, ctx: _Ctx) -> _Cand | None:
    y = _year_num(mt["y"])
    if mt["y"] and y is None:
        return None
    r = _rel(mt["r"])
    year = y if y is not None else ctx.year + (r or 0)
    return _Cand(mt.start(), mt.end(), datetime.date(year, 12, 31), explicit_year=y,
                 before=bool(mt["b"] or mt["bk"]))


def _c_year_word(mt: re.Match, ctx: _Ctx) -> _Cand | None:
    d = ctx.resolve(12, None, None, None)
    return _Cand(mt.start(), mt.end(), d, before=bool(mt["b"]))


def _c_by_year(mt: re.Match, ctx: _Ctx) -> _Cand | None:
    y = _year_num(mt["y"])
    if y is None:
        return None
    return _Cand(mt.start(), mt.end(), datetime.date(y, 12, 31), explicit_year=y, before=True)


def _c_year_range(mt: re.Match, ctx: _Ctx) -> _Cand | None:
    ya, yb = _year_num(mt["ya"]), _year_num(mt["yb"])
    if ya is None or yb is None or not (ya < yb <= ya + 10):
        return None
    d = datetime.date(yb, 3, 31) if mt["w"] else datetime.date(yb, 12, 31)
    return _Cand(mt.start(), mt.end(), d, explicit_year=yb, before=bool(mt["b"]),
                 kind="yearrange")


def _c_quoted(mt: re.Match, ctx: _Ctx) -> _Cand | None:
    m, d = _num(mt["m"] or mt["m2"]), _num(mt["d"] or mt["d2"])
    if m is None or d is None:
        return None
    date = ctx.resolve(m, d, None, None)
    return _Cand(mt.start(), mt.end(), date, before=bool(mt["b"] or mt["b2"]), kind="quoted")


def _c_numeric(mt: re.Match, ctx: _Ctx) -> _Cand | None:
    """2024.6.30, 2024-06-30, 2024/6/30; 6.30 only when 前 follows (else it is a decimal)."""
    if mt["y"]:
        y, m, d = int(mt["y"]), int(mt["m"]), int(mt["d"])
        return _Cand(mt.start(), mt.end(), datetime.date(y, m, d), explicit_year=y,
                     before=bool(mt["b"]))
    date = ctx.resolve(int(mt["m2"]), int(mt["d2"]), None, None)
    return _Cand(mt.start(), mt.end(), date, before=True)


def _c_workdays(mt: re.Match, ctx: _Ctx) -> _Cand | None:
    a = _num(mt["a"])
    c = _num(mt["c"]) if mt["c"] else a
    if a is None or c is None or c < a or c > 366:
        return None
    return _Cand(mt.start(), mt.end(), None, working_days=(a, c), kind="wd")


def _c_today(mt: re.Match, ctx: _Ctx) -> _Cand | None:
    return _Cand(mt.start(), mt.end(), None, working_days=(0, 0), kind="wd")


def _c_ongoing(mt: re.Match, ctx: _Ctx) -> _Cand | None:
    return _Cand(mt.start(), mt.end(), None, ongoing=True, kind="ongoing")


# N日内 / N天内 / N个月内 / N周内, counted from the document's date
_RE_WITHIN = re.compile(
    rf"(?<![\d.一二三四五六七八九十百千两第年])(?P<n>{_CNT}){_S}(?P<u>个{_S}月|个{_S}星期|周|日|天)"
    rf"{_S}(?:之内|以内|内)"
)


def _c_within(mt: re.Match, ctx: _Ctx) -> _Cand | None:
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
    2008: (2, 7), 2009: (1, 26), 2010: (2, 14), 2011: (2, 3), 2012: (1, 23), 2013: (2, 10),
    2014: (1, 31), 2015: (2, 19), 2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5),
    2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29),
    2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23),
    2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8),
}
_MID_AUTUMN = {
    2015: (9, 27), 2016: (9, 15), 2017: (10, 4), 2018: (9, 24), 2019: (9, 13), 2020: (10, 1),
    2021: (9, 21), 2022: (9, 10), 2023: (9, 29), 2024: (9, 17), 2025: (10, 6), 2026: (9, 25),
    2027: (9, 15), 2028: (10, 3), 2029: (9, 22), 2030: (9, 12),
}
_DRAGON_BOAT = {
    2018: (6, 18), 2019: (6, 7), 2020: (6, 25), 2021: (6, 14), 2022: (6, 3), 2023: (6, 22),
    2024: (6, 10), 2025: (5, 31), 2026: (6, 19), 2027: (6, 9), 2028: (5, 28),
}
_FIXED_HOLIDAYS = {
    "元旦": (1, 1), "国庆": (10, 1), "国庆节": (10, 1), "五一": (5, 1), "劳动节": (5, 1),
    "清明": (4, 4), "清明节": (4, 4), "秋季开学": (9, 1), "开学": (9, 1), "春季开学": (3, 1),
}
_RE_HOLIDAY = re.compile(
    r"(?:(?P<y>(?:19|20)\d\d)年)?"
    r"(?<![\d\"'”日号])(?P<h>春节|元旦|国庆节?|五一|劳动节|清明节?|中秋节?|端午节?|秋季开学|春季开学|开学)"
    r"(?:假期|节)?(?P<b>之前|以前|前)"
)


def _holiday(name: str, year: int) -> datetime.date | None:
    table = {"春节": _SPRING_FESTIVAL, "中秋": _MID_AUTUMN, "中秋节": _MID_AUTUMN,
             "端午": _DRAGON_BOAT, "端午节": _DRAGON_BOAT}.get(name)
    month_day = table.get(year) if table is not None else _FIXED_HOLIDAYS.get(name)
    return datetime.date(year, *month_day) if month_day else None


def _c_holiday(mt: re.Match, ctx: _Ctx) -> _Cand | None:
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
        return _Cand(mt.start(), mt.end(), day - datetime.timedelta(days=1),
                     explicit_year=int(mt["y"]) if mt["y"] else None, before=True,
                     kind="holiday")
    return None


# (regex, handler, anchors): a regex runs only when one of its anchor characters occurs
_DATED: list[tuple[re.Pattern[str], object, str | tuple[str, ...]]] = [
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


def _recurrence(mt: re.Match, label: str) -> str | None:
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
    if label == "weekly" and g.get("n"):
        n = g["n"]
        idx = "一二三四五六日天".find(n)
        return f"weekly:{min(idx + 1 if idx >= 0 else int(n), 7)}"
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
                c = make(mt, ctx)  # type: ignore[operator]
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
    if c.kind == "date" and not c.before and _BARE_MONTH.search(key, c.start, end) \
            and _MONTH_NOT_DUE.match(key, end):
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
    return text[mt.start():mt.end()].strip()


def _find(text: str, year: int, period: tuple[datetime.date, datetime.date] | None,
          anchor: datetime.date | None = None):
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
        DeadlineMatch(text[c.start:c.end], c.date, c.recurrence, c.what, c.working_days,
                      c.ongoing, c.start, c.end)
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


# --------------------------------------------------------------------------- documents

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


def _clip(lo: datetime.date, hi: datetime.date, signed: datetime.date | None):
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


def _document_period(title: str, body_head: str, signed: datetime.date | None):
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


def document_year(
    signed: datetime.date | None, title: str = "", body_head: str = ""
) -> int | None:
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
