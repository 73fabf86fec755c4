"""Owners named in running text: the units a sentence makes its subject.

``各县（市、区）人民政府和市直有关部门要…`` names responsible units,
``市X局牵头，市Y局配合…`` a lead and co-operating units, ``由市X局负责…`` a
responsible unit. Only clause starts are read.
"""

from __future__ import annotations

import re

from gazette.lines import fold
from gazette.names import split_names
from gazette.owners import Owners, clause_spans

_UNIT_SUFFIX = (
    r"(?:政府|局|委|办|委员会|中心|公司|集团|部门|单位|机构|支队|大队|分局|街道|办事处|乡镇|"
    r"管委会|院|厅|处|所|站|专班|小组|党委|党组|学校|医院|开发区|宣传部|组织部|统战部)"
)
# a unit, as the subject of a sentence: 各县（市、区）人民政府, 市直有关部门,
# 负有安全监管职责的部门, 各集团公司 — never a person or a bare place
_SUBJECT_END = re.compile(_UNIT_SUFFIX + r"$|\)$")
_SUBJECT_START = re.compile(
    r"^(?:各|市|区|县|省|乡|镇|全市|全区|负有|有关|相关|[^\s\d,，。;；:：、由的在对向和与及须要应报提交送给按经将把为被从以]{1,4}?(?:市|县|区|镇|乡|省)"
    r"|.{2,8}开发区)"
)
_NOT_SUBJECT = re.compile(
    r"^(?:会同|联合|配合|协助|对|在|按照|通过|加强|推动|推进|严格|建立|坚持|确保|督促|组织|指导|围绕|针对|"
    r"结合|根据|依据|为|将|把|向|从|以|经|凡|如|若|其中|同时|并|要|应)"
)
# the person heading a unit: 各集团公司董事长 names 各集团公司
_ROLE_TAIL = re.compile(r"(?:董事长|总经理|主要负责人|负责人|主要领导|党委书记|书记|局长|主任)$")
_SUBJECT_VERB = re.compile(
    r"^(由)?([^,，。;；:：!?！？]{2,40}?)"
    r"(牵头负责|牵头|会同|联合|配合|协助|负责|要|应当|应|须|必须|需要|务必|每[年季月周]|定期|"
    r"加强|做好|抓好|组织|开展|落实|建立|完善|推进|制定|强化|切实|认真|积极|及时|统筹)"
)
# a subject standing alone before a comma: 各县（市、区）和市直有关部门，要…
_DUTY_NEXT = re.compile(r"\s*(?:要|应当|应|须|必须|务必|负责)")
_AND = re.compile(r"和|及|与")
# a verb inside a would-be name: 区政府组织相关部门, 市政府授权开发区管委会
_VERB_INSIDE = re.compile(
    r"组织|开展|督促|指导|推动|加强|负责|落实|建立|要求|通过|按照|授权|委托|批准|同意|"
    r"召开|研究|制定|完成|实施|进行|做好|依法|可以|应当|执行|依托|核定|负担|承担"
)
_UNIT_LIST = re.compile(
    rf"[^\s、,，。;；:：]{{1,20}}?{_UNIT_SUFFIX}(?:[、和及与][^\s、,，。;；:：]{{1,20}}?{_UNIT_SUFFIX})*"
)
_SENTENCE = re.compile(r"[。;；!?！？]")
# what a unit opening a clause goes on with when it is the actor
_ACTS = re.compile(
    r"根据|按照|结合|依据|依托|对|在|于|将|把|通过|会同|联合|负责|牵头|要|应|须|必须|每|定期"
)
_WORDS_ACROSS = {"所需", "所有", "所在", "所属", "所得", "处理", "处置", "站点", "院内", "局部"}
_CLAUSE_END = re.compile(r"[。;；!?！？,，:：]")


def _subject_names(text: str) -> list[str]:
    """The units of a sentence subject, or [] when it is not a unit list."""
    text = _ROLE_TAIL.sub("", re.sub(r"(?:以及|及|和|与|等)$", "", text.strip()))
    if not text or _NOT_SUBJECT.match(text) or _VERB_INSIDE.search(text):
        return []
    names = []
    for part in split_names(text):
        pieces = [p.strip() for p in _AND.split(part) if p.strip()]
        if len(pieces) > 1 and all(_is_subject_unit(p) for p in pieces):
            names.extend(pieces)
        else:
            names.append(part)
    if names and all(_is_subject_unit(n) for n in names):
        return names
    # 发展改革、行政审批等部门 / 市、县（市、区）人民政府: one name for a group
    if (
        _is_subject_unit(text)
        and len(text) <= 30
        and ("等" in text or all(len(n) <= 3 for n in names[:-1]))
    ):
        return [text]
    return []


_COMPANY = re.compile(r"(?:有限公司|有限责任公司|集团|公司)$")


def _named_by(text: str) -> list[str]:
    """由X公司负责: a company named after 由 is responsible even without a place
    word opening its name (a subject needs one)."""
    name = text.strip()
    key = fold(name)
    if (
        4 <= len(key) <= 24
        and _COMPANY.search(key)
        and not _VERB_INSIDE.search(key)
        and not _NOT_SUBJECT.match(key)
        and key.count("(") == key.count(")")
    ):
        return [name]
    return []


_PLACES = re.compile(r"^各(?:县|区|市|乡镇|镇|乡|街道)(?:\(.*\))?$")


def _is_subject_unit(name: str) -> bool:
    key = fold(name)
    if key.count("(") != key.count(")"):
        return False
    if _PLACES.match(key):
        return True
    return (
        2 < len(key) <= 30
        and bool(_SUBJECT_END.search(key))
        and bool(
            _SUBJECT_START.match(key)
            or (key.endswith(("部门", "单位")) and re.search("[的等]", key))
        )
    )


def sentence_owners(text: str) -> Owners:
    """Units named as the subject of a sentence in running text.

    ``各县（市、区）人民政府和市直有关部门要…`` names responsible units,
    ``市X局牵头，市Y局配合…`` / ``市X局…会同市Y局…`` a lead and co-operating units,
    ``由市X局负责…`` a responsible unit. Only clause starts are read, so a unit
    mentioned inside a clause (向市X局报告) is no owner.
    """
    owners = Owners()
    key = fold(text)
    for sentence in clause_spans(key, _SENTENCE):
        subjects: list[str] = []
        for begin, end in clause_spans(key, _CLAUSE_END, *sentence):
            clause = key[begin:end]
            lead = len(clause) - len(clause.lstrip())
            found = _SUBJECT_VERB.match(clause.lstrip())
            names = []
            if found:
                names = _subject_names(
                    text[begin + lead + found.start(2) : begin + lead + found.end(2)]
                )
                if names:
                    subjects = names
                    _add(owners, _verb_role(found.group(3)), names)
            if not names and lead < len(clause) and not clause.lstrip().startswith("由"):
                # 市X局根据…制定…: a unit list opening a clause acts in it
                listed = _UNIT_LIST.match(clause, lead)
                if (
                    listed
                    and listed.end() < len(clause) - 2
                    and _ACTS.match(clause, listed.end())
                    and clause[listed.end() - 1 : listed.end() + 1] not in _WORDS_ACROSS
                ):
                    names = _subject_names(text[begin + lead : begin + listed.end()])
                    if names:
                        subjects = names
                        _add(owners, "responsible_units", names)
            if not names and end < sentence[1] and _DUTY_NEXT.match(key, end + 1):
                names = _subject_names(text[begin:end])
                if names:
                    subjects = names
                    _add(owners, "responsible_units", names)
            for by in re.finditer("由", clause):
                # 所需经费由市X局负责: the unit after 由 is responsible
                listed = _UNIT_LIST.match(clause, by.end())
                if listed and re.match(r"(?:牵头)?负责|牵头", clause[listed.end() :]):
                    named = text[begin + by.end() : begin + listed.end()]
                    names = _subject_names(named) or _named_by(named)
                    role = "lead_units" if clause[listed.end()] == "牵" else "responsible_units"
                    _add(owners, role, names)
            for co in re.finditer("会同|联合", clause):
                if not subjects:
                    break
                listed = _UNIT_LIST.match(clause, co.end())
                names = (
                    _subject_names(text[begin + co.end() : begin + listed.end()]) if listed else []
                )
                if names:
                    # 市X局…会同市Y局: the subject leads
                    _add(owners, "lead_units", subjects)
                    owners.responsible_units = [
                        n for n in owners.responsible_units if n not in subjects
                    ]
                    _add(owners, "co_units", names)
    return owners


def _verb_role(verb: str) -> str:
    if verb in ("牵头", "牵头负责", "会同", "联合"):
        return "lead_units"
    if verb in ("配合", "协助"):
        return "co_units"
    return "responsible_units"


def _add(owners: Owners, role: str, names: list[str]) -> None:
    target = getattr(owners, role)
    target.extend(n for n in names if n not in target)


# a table flattened into text without separators ends each row with its time cell
# and its unit cells run together: …出台配套措施12月区规划局区经发局区环土局
_TIME_CELL = r"(?:\d{1,2}月(?:底|上旬|中旬|下旬)?前?|全年|年内|年底|长期坚持|长期|持续推进)"
_GLUED_UNIT = (
    r"(?:区|市|县|省|镇|乡|各|相关|有关)[^\s,，。;；、:：()（）\d]{0,14}?"
    r"(?:局|委|办|政府|中心|站|公司|队|部|院|所|处|会|街道|办事处|指挥部|集团)"
)
_GLUED_TAIL = re.compile(rf"{_TIME_CELL}((?:{_GLUED_UNIT}[、,，]?){{1,8}})$")
_ONE_GLUED = re.compile(_GLUED_UNIT)


def glued_units(text: str) -> list[str]:
    """The units run together after the time cell that ends a flattened table row,
    or [] when the text does not end so."""
    key = fold(text).rstrip(" 。;")
    tail = _GLUED_TAIL.search(key[-200:])
    if not tail:
        return []
    at = len(key) - len(key[-200:]) + tail.start(1)
    names = [text[m.start() : m.end()] for m in _ONE_GLUED.finditer(key, at)]
    return [n for n in names if n]
