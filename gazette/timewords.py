"""The vocabulary of time expressions: folding, numbers and the regex pieces
that :mod:`gazette.deadlines` and :mod:`gazette.periods` build on."""

from __future__ import annotations

import re

# --------------------------------------------------------------------------- folding

_FOLD_MAP = {chr(c): chr(c - 0xFF10 + 0x30) for c in range(0xFF10, 0xFF1A)}  # ０-９
_FOLD_MAP.update(
    {
        "\xa0": " ",
        "\t": "\t",
        "—": "-",
        "–": "-",
        "－": "-",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "―": "-",
        "−": "-",
        "~": "-",
        "～": "-",
        "〜": "-",
        "•": "·",
        "・": "·",
        "‧": "·",
        "∙": "·",
        "･": "·",
        "⋅": "·",
        "●": "·",
        "．": ".",
        "“": '"',
        "”": '"',
        "„": '"',
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "＂": '"',
        "‘": "'",
        "’": "'",
        "＇": "'",
        "（": "(",
        "）": ")",
        "：": ":",
        "，": ",",
        "；": ";",
        "○": "〇",
        "Ｏ": "〇",
    }
)
_FOLD = str.maketrans(_FOLD_MAP)


def _fold(text: str) -> str:
    return text.translate(_FOLD)


# --------------------------------------------------------------------------- numbers

_CN_DIGIT = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


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
_YEAR = (
    r"(?:(?:(?<![\d.])|(?<=^\d\.)|(?<=^\d\d\.)|(?<=[^\d.]\d\.)|(?<=[^\d.]\d\d\.))"
    r"\d(?:[ \u3000]?\d){3}(?![ \u3000]?\d)|[〇零一二三四五六七八九]{4})"
)
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
    (
        re.compile(
            rf"{_EVERY}月{_S}(?:的{_S})?(?P<n>{_DAY}){_S}[日号]"
            rf"(?:{_S}\([^()\n]{{0,15}}\))?(?P<b>{_S}(?:之前|以前|前))?"
        ),
        "monthly:N",
    ),
    (
        re.compile(
            rf"{_EVERY}月{_S}(?:月{_S})?初(?:{_S}(?:前{_S})?(?P<n>{_CNT}){_S}(?:个{_S})?"
            rf"(?P<w>工作{_S})?[日天](?:{_S}(?:之内|以内|内))?)?"
        ),
        "monthly:first",
    ),
    (
        re.compile(
            rf"{_EVERY}月{_S}(?:前{_S})(?P<n>{_CNT}){_S}(?:个{_S})?"
            rf"(?P<w>工作{_S})?[日天](?:{_S}(?:之内|以内|内))?"
        ),
        "monthly:first",
    ),
    (re.compile(rf"{_EVERY}月{_S}上旬"), "monthly:first10days"),
    (re.compile(rf"{_EVERY}月{_S}中旬"), "monthly:mid"),
    (re.compile(rf"{_EVERY}月{_S}下旬"), "monthly:last10days"),
    (re.compile(rf"{_EVERY}月{_S}(?:月{_S})?(?:底|末)(?:{_S}前)?"), "monthly:end"),
    (re.compile(rf"{_EVERY}月|按{_S}月(?!{_S}[\d份])"), "monthly"),
    (re.compile(rf"{_EVERY}季度?{_S}(?:末|底)(?:{_S}前)?"), "quarterly:end"),
    (re.compile(rf"{_EVERY}季度?|按{_S}季度?"), "quarterly"),
    (re.compile(rf"每{_S}半{_S}年"), "semiannual"),
    (
        re.compile(
            rf"每{_S}(?:个{_S})?(?:周|星期)(?P<n>[一二三四五六日天1-7])?(?![次个些])"
            rf"|按{_S}周"
        ),
        "weekly",
    ),
    (re.compile(rf"每{_S}[日天]|按{_S}日(?!{_S}[\d期])"), "daily"),
    (
        re.compile(rf"每{_S}(?:个{_S})?年{_S}(?:度{_S})?(?:年{_S})?(?:底|末)(?:{_S}前)?"),
        "yearly:12-31",
    ),
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
_START_AFTER = re.compile(rf"{_S}(?:起|开始|以来|至今|以后|之后|后)")
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
