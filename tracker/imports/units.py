"""Unit names as documents write them: resolving, suggesting and creating units and groups.

A name resolves to a Unit (by its name, short name or a UnitAlias) or to a UnitGroup (a
collective owner such as 各镇(街道)). A name that resolves to nothing may get one suggestion,
always with its reason; below SIMILAR_NAME_THRESHOLD there is no suggestion at all, and two
names whose distinctive parts differ (西上庄街道 / 东街街道) are never suggested for each other.
"""

from __future__ import annotations

import difflib
import re

from gazette.owners import split_names
from gazette.text import fold_name
from tracker.models import Unit, UnitAlias, UnitGroup

# Reasons, stored in the preview as codes and shown through REASONS (tracker.imports.checks).
SAME_NAME = "same_name"
ALIAS = "alias"
FOLDED = "folded"
SIMILAR = "similar"

# Two names count as similar when both their whole folded spelling and their distinctive
# part (without 街道办事处, 人民政府, ...) are at least this alike.
SIMILAR_NAME_THRESHOLD = 0.8
DISTINCT_PART_THRESHOLD = 0.75

_BRACKETS = re.compile(r"[()\[\]{}<>〈〉《》【】〔〕（）]")
_GENERIC_SUFFIX = re.compile(
    r"(?:街道办事处|办事处|街道|人民政府|政府|管理委员会|管委会|委员会|办公室|镇|乡|局|委|办)+$"
)
_COLLECTIVE = re.compile(r"^(?:各|有关|相关|市直|区直|县直|全市|全区|全县)|各|有关|相关")


def loose_key(name: str) -> str:
    """A looser key than fold_name: no brackets at all, 人民政府 = 政府, no 办事处 tail."""
    key = _BRACKETS.sub("", fold_name(name))
    return key.replace("人民政府", "政府").removesuffix("办事处")


def distinct_part(key: str) -> str:
    return _GENERIC_SUFFIX.sub("", key)


def is_collective(name: str) -> bool:
    """各镇(街道), 市直各部门, 有关县(市、区): a name for several units, not one."""
    return bool(_COLLECTIVE.search(fold_name(name)))


def guess_unit_kind(name: str) -> str:
    key = fold_name(name)
    if re.search(r"(?:街道|街道办事处|镇|乡|镇人民政府|乡人民政府)$", key):
        return Unit.Kind.TOWN
    if re.search(r"(?:县|区|市)(?:人民政府)?$", key) and not key.startswith(("市", "区", "县")):
        return Unit.Kind.COUNTY
    if re.search(r"(?:公司|集团|有限公司)$", key):
        return Unit.Kind.ENTERPRISE
    if re.search(r"(?:局|委|办|委员会|办公室|中心|院|站|队|支队|所|部|分局)$", key):
        return Unit.Kind.CITY_DEPARTMENT
    return Unit.Kind.OTHER


def guess_group_kind(name: str) -> str:
    """The kind of unit a collective name reaches (all towns, all counties...), or ''."""
    key = fold_name(name)
    if "镇" in key or "街道" in key or "乡" in key:
        return Unit.Kind.TOWN
    if "县" in key or "市、区" in key:
        return Unit.Kind.COUNTY
    if "部门" in key or re.search(r"各委|委、办、局", key):
        return Unit.Kind.CITY_DEPARTMENT
    return ""


def split_addressees(text: str) -> list[str]:
    """主送单位 as names: 市人民政府各委、办、局 stays one name (a one-character piece is
    the tail of the name before it)."""
    names: list[str] = []
    for part in split_names(text.replace(":", "").replace("：", "")):
        if names and len(part) <= 1:
            names[-1] = f"{names[-1]}、{part}"
        else:
            names.append(part)
    return [name[:200] for name in names if name]


class UnitResolver:
    """Unit names as documents write them → Unit or UnitGroup ids, each with its reason."""

    def __init__(self):
        self.by_key: dict[str, int] = {}
        self.reasons: dict[str, str] = {}
        self.groups: dict[str, int] = {}
        self.labels: dict[int, str] = {}
        self.loose: dict[str, tuple[str, int]] = {}

    @classmethod
    def load(cls) -> UnitResolver:
        resolver = cls()
        units = list(Unit.objects.values_list("pk", "name", "short_name"))
        for pk, _name, short in units:
            if short:
                resolver._add(fold_name(short), pk, ALIAS)
        for key, pk in UnitAlias.objects.values_list("key", "unit_id"):
            resolver._add(key, pk, ALIAS)
        for pk, name, _short in units:  # a full name wins over anyone's short name or alias
            resolver._add(fold_name(name), pk, SAME_NAME)
            resolver.labels[pk] = name
        for pk, key in UnitGroup.objects.values_list("pk", "key"):
            resolver.groups[key] = pk
        for key, pk in resolver.by_key.items():
            resolver.loose.setdefault(loose_key(key), ("unit", pk))
        for key, pk in resolver.groups.items():
            resolver.loose.setdefault(loose_key(key), ("group", pk))
        return resolver

    def _add(self, key: str, pk: int, reason: str) -> None:
        self.by_key[key] = pk
        self.reasons[key] = reason

    def resolve(self, name: str) -> int | None:
        return self.by_key.get(fold_name(name))

    def owner(self, name: str) -> dict:
        """{"unit", "group", "reason"} for a name as written; both None when unknown."""
        key = fold_name(name)
        if key in self.by_key:
            reason = self.reasons[key]
            if reason == SAME_NAME and name.strip() != self.labels.get(self.by_key[key]):
                reason = FOLDED
            return {"unit": self.by_key[key], "group": None, "reason": reason}
        if key in self.groups:
            return {"unit": None, "group": self.groups[key], "reason": SAME_NAME}
        return {"unit": None, "group": None, "reason": ""}

    def suggest(self, name: str) -> dict | None:
        """One suggestion for an unknown name, with its reason, or None when nothing is close."""
        loose = loose_key(name)
        if loose in self.loose:
            kind, pk = self.loose[loose]
            return {kind: pk, "reason": FOLDED, "score": 1.0}
        if is_collective(name):
            return None  # a collective name is a group of its own, never a similar unit
        distinct = distinct_part(loose)
        kind = guess_unit_kind(name)
        best: dict | None = None
        for key, pk in self.by_key.items():
            other = loose_key(key)
            matcher = difflib.SequenceMatcher(None, loose, other, autojunk=False)
            if matcher.real_quick_ratio() < SIMILAR_NAME_THRESHOLD:
                continue
            score = matcher.ratio()
            if score < SIMILAR_NAME_THRESHOLD or (best and score <= best["score"]):
                continue
            other_distinct = distinct_part(other)
            if not distinct or not other_distinct:
                continue
            if (
                difflib.SequenceMatcher(None, distinct, other_distinct).ratio()
                < DISTINCT_PART_THRESHOLD
            ):
                continue
            other_kind = guess_unit_kind(key)
            if Unit.Kind.OTHER not in (kind, other_kind) and kind != other_kind:
                continue
            best = {"unit": pk, "reason": SIMILAR, "score": round(score, 2)}
        return best
