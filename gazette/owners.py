"""Stage 5: who owns an item.

Owners come from bracket annotations (〔责任单位：A、B，C〕, (牵头部门:…;配合部门:…),
(分管领导:…;责任科室:…;责任人:…), 〔X牵头，Y配合，Z分别负责〕) and from headings
(``二、副区长X负责的工作`` names a leader, ``(一)Y牵头的工作(责任领导:Z)`` a lead
unit and a leader). Names are kept as written; lists are split on 、，,; but never
inside parentheses, so 各县（市、区）人民政府 stays one unit.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from functools import lru_cache

from gazette.lines import fold
from gazette.names import _CLOSE, _OPEN, split_names


@dataclass
class Owners:
    """lead = 牵头单位, co = 配合单位, responsible = 责任单位 beside a named lead."""

    lead_units: list[str] = field(default_factory=list)
    co_units: list[str] = field(default_factory=list)
    responsible_units: list[str] = field(default_factory=list)
    responsible_leaders: list[str] = field(default_factory=list)
    responsible_offices: list[str] = field(default_factory=list)
    responsible_persons: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def merge(self, other: Owners) -> None:
        for name in ROLES:
            mine = getattr(self, name)
            mine.extend(n for n in getattr(other, name) if n not in mine)

    def has_units(self) -> bool:
        return bool(self.lead_units or self.co_units or self.responsible_units)

    def is_empty(self) -> bool:
        return not (
            self.lead_units
            or self.co_units
            or self.responsible_units
            or self.responsible_leaders
            or self.responsible_offices
            or self.responsible_persons
            or self.tags
        )


ROLES = tuple(f.name for f in fields(Owners))


_ROLE_FIELDS = (
    (
        re.compile(r"^(?:牵头(?:市|区|县|负责)?领导|分管(?:市|区|县)领导|联系(?:市|区|县)领导)$"),
        "responsible_leaders",
    ),
    (
        re.compile(r"^(?:牵头(?:部门|单位|领导)?|牵头责任(?:单位|部门)|主办单位|主责部门)$"),
        "lead_units",
    ),
    (
        re.compile(
            r"^(?:配合(?:部门|单位)?|协办单位|参与(?:部门|单位)|协同(?:责任)?(?:单位|部门))$"
        ),
        "co_units",
    ),
    (re.compile(r"^(?:责任(?:单位|部门|主体)|主抓单位|实施单位|承办单位)$"), "responsible_units"),
    (
        re.compile(r"^(?:责任领导|分管领导|包联领导|牵头领导|联系领导|主管领导|分管副?\S{0,3}长)$"),
        "responsible_leaders",
    ),
    (re.compile(r"^(?:责任科室|责任股室|承办科室|科室|责任股|具体承办)$"), "responsible_offices"),
    (re.compile(r"^(?:责任人|具体责任人|主要责任人|联系人)$"), "responsible_persons"),
)
# a key opening the next clause: …，配合单位：Y (keys joined by a comma)
_NEXT_KEY = re.compile(r"\s*[^:;,、()]{1,8}?\s*:")
_KEYED = re.compile(r"^\s*([^:;,、]{1,8}?)\s*:\s*(.*)$", re.S)
_CLAUSE_SEP = re.compile(r"[,，;；。]")
_TRAILING_ETC = re.compile(r"等(?:有关|相关)?(?:部门|单位)$")
# 〔X牵头，Y配合，Z分别负责〕 / ［A、B按职责分工负责］ / (市X局督促落实)
_VERB_CLAUSE = re.compile(
    r"^(.+?)(牵头(?:负责)?|配合|协助|按职责分工负责|按职责负责|分别负责|各负其责|督促落实|负责落实|负责)$"
)
_VERB_FIELD = {
    "牵头": "lead_units",
    "牵头负责": "lead_units",
    "配合": "co_units",
    "协助": "co_units",
}
TAG = re.compile(r"^(民生实事(?:项目)?|重点项目|重点任务|省级民生实事|市级民生实事)$")
_UNIT_END = re.compile(
    r"(?:政府|局|委|办|中心|公司|院|会|部|厅|队|所|站|处|室|组|县|区|市|镇|乡|街道|办事处|单位|部门|"
    r"集团|机构|分局|支队|大队|银行|校|学校|医院|署|联|协|社|馆|台|关|行|团|\))$"
)
_BOUNDARY = set("。;；!?！？:：")
_KEYED_ANY = re.compile(
    r"(?:牵头(?:部门|单位)|配合(?:部门|单位)|责任(?:单位|部门|领导|科室|人)|分管领导|责任股室|协办单位)\s*:"
)
ANNOTATION = re.compile(r"[\[(]((?:[^()\[\]]|\([^()]*\))*)[\])]")


def _comma_split(text: str) -> tuple[str, str]:
    """Split at the first top-level comma: ［责任单位：lead，co、co］."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in ",，" and depth == 0:
            return text[:i], text[i + 1 :]
    return text, ""


def _split_clauses(text: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and (
            ch in ";；" or (ch in ",，。" and _NEXT_KEY.match(fold(text[i + 1 : i + 12])))
        ):
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [clause.strip() for clause in out if clause.strip()]


def _role_field(key: str) -> str | None:
    key = re.sub(r"\s+", "", fold(key))
    for pattern, name in _ROLE_FIELDS:
        if pattern.match(key):
            return name
    return None


def parse_annotation(body: str) -> Owners | None:
    """Owners named in the text inside one pair of brackets, or None (cached:
    documents repeat the same unit lists; each caller gets its own copy)."""
    roles = _parse_annotation_cached(body)
    if roles is None:
        return None
    owners = Owners()
    for name, names in zip(ROLES, roles, strict=True):
        if names:
            setattr(owners, name, list(names))
    return owners


@lru_cache(maxsize=4096)
def _parse_annotation_cached(body: str) -> tuple[tuple[str, ...], ...] | None:
    found = _parse_annotation(body)
    return None if found is None else tuple(tuple(getattr(found, name)) for name in ROLES)


def _parse_annotation(body: str) -> Owners | None:
    body = body.strip()
    if TAG.match(fold(body)):
        return Owners(tags=[body])
    owners = Owners()
    clauses = _split_clauses(body)
    keyed = [_KEYED.match(fold(clause)) for clause in clauses]
    if any(m and _role_field(m.group(1)) for m in keyed):
        _parse_keyed(clauses, keyed, owners)
    else:
        _parse_verbs(body, owners)
    return None if owners.is_empty() else owners


def _parse_keyed(clauses: list[str], keyed: list[re.Match[str] | None], owners: Owners) -> None:
    explicit_lead = any(m and _role_field(m.group(1)) == "lead_units" for m in keyed)
    for clause, match in zip(clauses, keyed, strict=True):
        role = _role_field(match.group(1)) if match else None
        if role is None or match is None:
            continue
        value = clause[len(clause) - len(match.group(2)) :]
        if role == "responsible_units" and not explicit_lead:
            lead, rest = _comma_split(value)
            owners.lead_units.extend(split_names(lead))
            owners.co_units.extend(split_names(rest))
        else:
            getattr(owners, role).extend(split_names(value))


def _parse_verbs(body: str, owners: Owners) -> None:
    waiting: list[str] = []  # a verbless list: it shares the next clause's verb
    key = fold(body)
    for begin, end in clause_spans(key, _CLAUSE_SEP):
        # matched on the folded text (負責 reads 负责), names taken as written
        clause = body[begin:end]
        folded = key[begin:end]
        # (X负责。以下均需Y负责，不再一一列出): a note about the items that follow
        if re.match(r"\s*(?:以下|下同|不再|列第一|排名第一|排在第一|第一个)", clause):
            waiting = []
            continue
        lead = len(folded) - len(folded.lstrip())
        match = _VERB_CLAUSE.match(folded.strip())
        if match:
            names_at = clause[lead : lead + match.end(1)]
        if not match:
            listed = split_names(clause)
            if listed and all(_UNIT_END.search(fold(n)) for n in listed):
                waiting.extend(listed)
            else:
                waiting = []
            continue
        names = waiting + [n for n in split_names(names_at) if _UNIT_END.search(fold(n))]
        waiting = []
        if not names:
            continue
        target = getattr(owners, _VERB_FIELD.get(match.group(2), "responsible_units"))
        target.extend(n for n in names if n not in target)
    # a bare unit list in brackets at the end of a task: (市住建局、市应急局), maybe
    # with the time it is due: (区甲局、区乙局，6月底前完成); the units after the
    # first may drop the place they share (区甲局、乙局、丙委)
    if owners.is_empty():
        units_part = _TIME_TAIL.sub("", fold(body))
        names = split_names(body[: len(units_part)])
        if (
            names
            and len(units_part) <= 160
            and _looks_like_unit(names[0])
            and all(
                _UNIT_END.search(fold(n)) and _looks_like_unit(n, shared_place=True) for n in names
            )
        ):
            owners.responsible_units.extend(names)


def _looks_like_unit(name: str, shared_place: bool = False) -> bool:
    if re.match(r"^(?:对接|联系|协调|配合|会同|指导|督促|由|向|经(?!济)|包括|含|如|即|其中)", name):
        return False
    if shared_place:
        return 2 <= len(name) <= 30
    return 2 <= len(name) <= 30 and bool(
        re.match(r"^(?:市|区|县|省|各|全|[^\d\s]{1,6}(?:市|县|区|镇))", name)
    )


def find_annotations(text: str) -> tuple[Owners, list[tuple[int, int]]]:
    """All owner annotations in a paragraph, with their spans (to cut them out).

    The stages ask this of the same paragraph several times: the answer is
    cached and each caller gets its own copy to change."""
    roles, spans = _annotations(text)
    owners = Owners()
    for name, names in zip(ROLES, roles, strict=True):
        if names:
            setattr(owners, name, list(names))
    return owners, list(spans)


@lru_cache(maxsize=4096)
def _annotations(text: str) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[int, int], ...]]:
    owners, spans = _find_annotations(text)
    roles = tuple(tuple(getattr(owners, name)) for name in ROLES)
    return roles, tuple(spans)


def _find_annotations(text: str) -> tuple[Owners, list[tuple[int, int]]]:
    owners = Owners()
    spans = []
    key = fold(text)
    for match in ANNOTATION.finditer(key):
        body = text[match.start(1) : match.end(1)]
        body_key = key[match.start(1) : match.end(1)]
        keyed = bool(_KEYED_ANY.search(body_key)) or bool(TAG.match(body_key.strip()))
        # an unkeyed bracket is an annotation only at a sentence boundary:
        # 严格准入(市工信局督促落实)。 yes, 区发展和改革局(区能源局)牵头 no
        if not keyed and (
            _mid_sentence(key, match.start(), match.end())
            or not _at_boundary(key, match.start(), match.end(), _has_verb(body))
        ):
            continue
        found = parse_annotation(body)
        if found:
            owners.merge(found)
            spans.append(match.span())
    _starred_lead(owners)
    if _INLINE_FIELD.search(key):
        brackets = [m.span() for m in ANNOTATION.finditer(key)]
        fielded, field_spans = inline_fields(text, brackets)
        if field_spans:
            owners.merge(fielded)
            spans = sorted(spans + field_spans)
    return owners, spans


# owner and time fields written into running text or on a line of their own,
# without brackets: …形成长效机制。牵头单位：X，配合单位：Y / 牵头单位：X主抓单位：Y
FIELD_KEY = (
    r"(?:牵头(?:责任)?(?:单位|部门)|责任(?:单位|部门|领导|主体)|配合(?:单位|部门)|协同(?:责任)?(?:单位|部门)"
    r"|协办单位|主抓单位|主办单位|牵头(?:市|区|县)?领导|分管(?:市|区|县)?领导|联系(?:市|区|县)领导|主管领导"
    r"|主要责任人|具体责任人|责任人|完成时限|整改时限|办结时限|时间节点|进度安排|计划完成时间|完成时间|时间要求)"
)
# a web copy may pad a key's characters with spaces: 责 任 人： / 牵　头　单　位：
_INLINE_FIELD = re.compile(
    "(" + re.sub(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff]|\(\?:)", "[ ]?", FIELD_KEY) + r")\s*:"
)
_TIME_KEY = re.compile(r"时限|时间|节点|进度")


def inline_fields(
    text: str, taken: list[tuple[int, int]] | None = None
) -> tuple[Owners, list[tuple[int, int]]]:
    """Owners of keyed fields outside brackets, and each field's span. A run of
    fields starts after a sentence end (or opens the text); each value runs to
    the next key or to the end of its sentence."""
    key = fold(text)
    owners = Owners()
    spans: list[tuple[int, int]] = []
    taken = sorted(taken or [])
    starts = [a for a, _ in taken]

    def inside(at: int) -> bool:  # in a bracket already read
        n = bisect_right(starts, at) - 1
        return n >= 0 and taken[n][0] <= at < taken[n][1]

    found = [m for m in _INLINE_FIELD.finditer(key) if not inside(m.start())]
    chained = False
    clauses: list[str] = []
    for n, match in enumerate(found):
        before = key[: match.start()].rstrip()
        if not (chained or not before or before[-1] in "。;!?)]:,"):
            chained = False
            continue
        end = found[n + 1].start() if n + 1 < len(found) else len(key)
        stop = re.search(r"[。;!?]", key[match.end() : end])
        value_end = match.end() + stop.start() if stop else end
        chained = value_end == end and n + 1 < len(found)
        value = text[match.end() : value_end].strip(" ,，;；、")
        spans.append((match.start(), value_end))
        field_key = match.group(1).replace(" ", "")
        if _TIME_KEY.search(field_key) and not field_key.endswith("人"):
            continue
        value = _NEXT_HEADING.split(value, maxsplit=1)[0]
        if value:
            clauses.append(f"{field_key}：{_FIELD_VALUE_END.split(value, maxsplit=1)[0]}")
    parsed = parse_annotation("；".join(clauses)) if clauses else None
    if parsed:
        owners.merge(parsed)
    return owners, spans


# a text that lost its line breaks: a field's value ends where the next heading
# begins, right after a unit's name (…配合单位：市X局（二）加强… / 市Y办“互联网+”教育…)
_NEXT_HEADING = re.compile(
    r"(?<=[局办委部处室厅院所站队组司会业心府])(?=[(（]\s*[一二三四五六七八九十]{1,3}\s*[)）]|"
    r"[一二三四五六七八九十]{1,3}\s*、|\d{1,2}\s*[．.](?!\d)|“)"
)
# a field's value ends before prose that follows it: 牵头单位：X负责统筹…
_FIELD_VALUE_END = re.compile(r"(?:牵头负责|负责|牵头|配合)(?=\S{4,})")


_TIME_TAIL = re.compile(
    r"[,，;；]\s*(?:(?:19|20)\d\d\s*年|\d{1,2}\s*月|年底|年内|长期|持续|每[年季月周]|上半年|下半年|"
    r"[一二三四]季度)[^()]*$"
)
_STAR = re.compile(r"^[*★☆※]+|[*★☆※]+$")


def _starred_lead(owners: Owners) -> None:
    """A unit marked * or ★ in a list leads it; the others co-operate."""
    units = owners.lead_units + owners.co_units + owners.responsible_units
    starred = [n for n in units if _STAR.search(n)]
    if not starred:
        return
    owners.lead_units = [_STAR.sub("", n) for n in starred]
    owners.co_units = [_STAR.sub("", n) for n in units if n not in starred]
    owners.responsible_units = []


def _has_verb(body: str) -> bool:
    return any(_VERB_CLAUSE.match(clause.strip()) for clause in re.split(r"[,，;；]", fold(body)))


def _mid_sentence(key: str, start: int, end: int) -> bool:
    """A bracket with running text on both sides (no annotation, whatever it says)."""
    before = key[max(0, start - 8) : start].rstrip()
    after = key[end : end + 8].lstrip()
    return bool(before and after and before[-1] not in _BOUNDARY and after[0] not in _BOUNDARY)


def _at_boundary(key: str, start: int, end: int, verb: bool) -> bool:
    """A verb annotation may close its sentence (…准入(市X局督促落实)。); a bare
    unit list must stand after one (…。(市X局、市Y局)) or end the paragraph."""
    # bounded windows: a paragraph may hold hundreds of brackets
    before = key[max(0, start - 16) : start].rstrip() or key[:start].rstrip()[-16:]
    after = key[end : end + 16].lstrip() or key[end:].lstrip()[:16]
    if (
        not verb
        and not after
        and before
        and before[-1] not in _BOUNDARY
        and _UNIT_END.search(before[-12:])
        and not any(ch in key[start:end] for ch in "、,，;；")
    ):
        return False  # 市发展和改革委员会(市粮食和物资储备局): a unit's other name
    if not before or before[-1] in _BOUNDARY or not after:
        return True
    return verb and after[0] in _BOUNDARY


# --- headings ------------------------------------------------------------------

_LEADER_TITLE = r"(?:长|书记|主任|委员|主席|员|助理|常委|秘书长)"
_LEADER_VERB = r"(?:主抓|牵头负责|负责|分管|联系|牵头|抓)"
# 一、副县长X负责的工作 / 一、X市长主抓的重点工作
_LEADER_HEADING = re.compile(
    rf"^(?:.*?{_LEADER_TITLE})([^\s、,，()（）:：]{{2,4}}?)(?:同志)?{_LEADER_VERB}(?:的|实施的)?(?:重点)?工作"
)
# 二、X副县长牵头负责的工作 / (一)X分管的工作 (a person's name first)
_NAME_FIRST_HEADING = re.compile(
    rf"^([^\s、,，()（）:：的]{{2,4}}?)(?:同志)?(?:(?:常务)?副?[省市县区镇乡州旗]?{_LEADER_TITLE})?(?:同志)?"
    rf"({_LEADER_VERB})(?:的|实施的)?(?:重点)?工作"
)
_NOT_A_NAME = re.compile(
    r"牵头|负责|主抓|分管|联系|(?:局|委|办|府|院|部|厅|会|司|处|组|队|所|站|中心|单位|部门|政府|各|市|县|区)$|^各|^市|^县|^区"
)
_UNIT_HEADING = re.compile(r"^(.+?)(?:牵头|负责实施|牵头负责|负责|落实|承担)的工作")


def heading_owners(heading: str) -> Owners:
    """Owners a division-of-labour heading hands down to the tasks under it."""
    owners, spans = find_annotations(heading)
    key = fold(heading)
    for start, end in reversed(spans):
        key = key[:start] + key[end:]
    key = key.strip()
    leader = _LEADER_HEADING.match(key)
    if leader and not _NOT_A_NAME.search(leader.group(1)):
        owners.responsible_leaders.insert(
            0, _original(heading, key, leader.start(1), leader.end(1))
        )
        return owners
    named = _NAME_FIRST_HEADING.match(key)
    if (
        named
        and not _NOT_A_NAME.search(named.group(1))
        and (named.group(2) in ("分管", "主抓", "联系") or named.end(1) < named.start(2))
    ):
        owners.responsible_leaders.insert(0, _original(heading, key, named.start(1), named.end(1)))
        return owners
    unit = _UNIT_HEADING.match(key)
    if unit and len(unit.group(1)) <= 40:
        name = _original(heading, key, unit.start(1), unit.end(1))
        owners.lead_units.insert(0, name.strip())
    return owners


def _original(original: str, key: str, start: int, end: int) -> str:
    """Map a span of the annotation-free key back to the original text."""
    fragment = key[start:end]
    folded = fold(original)
    at = folded.find(fragment)
    return original[at : at + len(fragment)] if at >= 0 else fragment


def clause_spans(
    key: str, pattern: re.Pattern[str], start: int = 0, end: int | None = None
) -> Iterator[tuple[int, int]]:
    end = len(key) if end is None else end
    for match in pattern.finditer(key, start, end):
        yield start, match.start()
        start = match.end()
    if start < end:
        yield start, end
