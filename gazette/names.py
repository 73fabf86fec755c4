"""Unit names as written: splitting a list of names and keeping collective names whole."""

from __future__ import annotations

import re

from gazette.lines import fold

_SEPARATORS = set("、,;，；")
_OPEN = set("（([〔［【〈《")
_CLOSE = set("）)]〕］】〉》")


def split_names(text: str) -> list[str]:
    """Split a name list on 、，,；; outside parentheses; keep names as written."""
    names: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if ch in _SEPARATORS and depth == 0:
            names.append("".join(current))
            current = []
        else:
            current.append(ch)
    names.append("".join(current))
    cleaned = (clean_name(name) for name in names)
    return _collective([name for name in cleaned if name])


_PLACE_KIND = r"(?:县级市|市辖区|自治县|区|县|市|乡镇|乡|镇|街道|旗|开发区|园区|功能区)"
_BARE_PLACE = re.compile(rf"^各?{_PLACE_KIND}$")
_PLACE_BODY = re.compile(
    rf"^{_PLACE_KIND}(?:\(.*\))?\S*?(?:人民政府|政府|管委会|办事处|党委|党工委)$"
)


def _collective(names: list[str]) -> list[str]:
    """各区、县级市人民政府 / 各市、县、区人民政府: kinds of place that share one
    各 and one trailing body are one name."""
    if len(names) < 2 or not any(_BARE_PLACE.match(fold(n)) for n in names):
        return names
    out: list[str] = []
    index = 0
    while index < len(names):
        name = names[index]
        if name.startswith("各") and _BARE_PLACE.match(fold(name)):
            end = index + 1
            while end < len(names) and _BARE_PLACE.match(fold(names[end])):
                end += 1
            if end < len(names) and _PLACE_BODY.match(fold(names[end])):
                out.append("、".join(names[index : end + 1]))
                index = end + 1
                continue
        out.append(name)
        index += 1
    return out


_CONJUNCTION = re.compile(r"^(?:和|及|与)")


def clean_name(name: str) -> str:
    name = name.strip(" \u3000。.")
    name = _CONJUNCTION.sub("", name)
    return name.strip()
