"""Reading one numbered line or paragraph: its marker (一、 (一) 1. (1) ①), whether
it is a heading, where several assignments in it begin and end, report duties."""

from __future__ import annotations

import re

from gazette.lines import CN_NUM, Line, fold
from gazette.model import Deadline
from gazette.owners import find_annotations

_MARKERS = (
    (re.compile(rf"^\s*第([{CN_NUM}\d]+)(章|部分)\s*"), 0, "第{}{}"),
    (re.compile(rf"^\s*([{CN_NUM}]+)\s*[、.]\s*"), 1, "{}"),
    (re.compile(rf"^\s*\(\s*([{CN_NUM}]+)\s*\)\s*"), 2, "({})"),
    (re.compile(rf"^\s*第([{CN_NUM}\d]+)(条)\s*"), 3, "第{}{}"),
    (
        re.compile(r"^\s*(\d{1,3})\s*[.、](?:(?!\d)|(?=\d{1,2}月)|(?=(?:19|20)\d\d\s*年))\s*"),
        3,
        "{}",
    ),
    (re.compile(r"^\s*\(\s*(\d{1,3})\s*\)\s*"), 4, "({})"),
    (re.compile(r"^\s*([①-⑳])\s*"), 5, "{}"),
)
SENTENCE_END = re.compile(r"[。;!?]")
REPORT_VERB = re.compile(r"上报|报送|报市|报区|报县|报省|报告|提交|反馈|报备|备案")
GENERIC_HEADING = re.compile(
    r"(?:要求|原则|目标|措施|保障|职责|组成|任务|机制|体系|范围|依据|分工|"
    r"组织|领导|内容|步骤|安排|方式|程序|说明|则)$"
)
_MAX_HEADING = 60
MIN_TASK = 12


def marker(key: str) -> tuple[int, str, int] | None:
    """(level, label, length of the marker) of a numbered line."""
    for pattern, level, label in _MARKERS:
        match = pattern.match(key)
        if match:
            return level, label.format(*match.groups()), match.end()
    return None


def strip_annotations(text: str) -> str:
    """The folded text without its owner annotations (``text`` as written or
    folded: folding is per character, so the spans agree)."""
    _, spans = find_annotations(text)
    key = fold(text)
    for start, end in reversed(spans):
        key = key[:start] + key[end:]
    return key.strip()


def is_heading(rest: str) -> bool:
    bare = strip_annotations(rest)
    return (
        len(bare) <= _MAX_HEADING
        and not SENTENCE_END.search(bare.rstrip("。"))
        and not bare.endswith(("。", ";"))
    )


def assignments(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """A paragraph cut after each owner annotation that closes a sentence of
    its own; an annotation right after another one (a tag, a second key)
    stays with it, and so does text after the last annotation."""
    key = fold(text)
    parts: list[str] = []
    begin = 0
    for _, end in spans:
        while end < len(key) and key[end] in "。;,.， ":
            end += 1
        body = SENTENCE_END.sub("", key[begin:end])
        if len(strip_annotations(body)) >= MIN_TASK // 2:
            parts.append(text[begin:end])
            begin = end
        elif parts:
            parts[-1] += text[begin:end]
            begin = end
    tail = text[begin:]
    if tail.strip():
        if parts and len(strip_annotations(fold(tail))) < MIN_TASK:
            parts[-1] += tail
        else:
            parts.append(tail)
    return [part for part in parts if part.strip()]


def has_report(text: str, deadlines: list[Deadline]) -> bool:
    """A time expression followed, in the same sentence, by a report verb."""
    for found in deadlines:
        if found.date is None and not found.recurrence and not found.working_days:
            continue
        at = text.find(found.expr)
        if at < 0:
            continue
        tail = SENTENCE_END.split(fold(text[at:]), maxsplit=1)[0]
        if REPORT_VERB.search(tail):
            return True
    return False


def heads_a_section(rest: str, level: int, following: Line | None) -> bool:
    """A short numbered line without a full stop: a heading if sub-items, a
    table or prose follow it; a terse task if it carries its own owners or a
    sibling (or nothing) follows it."""
    if following is None or "\t" in following.text:
        return following is not None
    below = marker(following.key)
    if below and below[0] > level:
        return True
    bare = strip_annotations(rest).rstrip("。")
    if GENERIC_HEADING.search(bare) or bare.endswith("工作") or len(bare) < 4:
        return True
    if not find_annotations(rest)[0].is_empty() or below is not None:
        return False
    # prose under it (not an issuer's name or a signing date)
    after = following.key.strip()
    return len(after) > 30 or after[-1:] in "。;:"
