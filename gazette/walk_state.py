"""What the walker carries down a document: the headings above a line, a task waiting for
its annotation, and how an item's own owners combine with the ones it inherits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gazette.lines import Line
from gazette.model import Deadline
from gazette.owners import Owners

# What the walker recognises in a document's lines.
UNIT_HEADING = re.compile(
    r"^[^,，。;；:：的]{2,16}(?:机构|医院|中心|局|委|办|政府|公司|部门|单位|街道|镇)$"
)
# sections that explain rather than assign: 指导思想, 基本原则, 适用范围
NOT_TASKS = re.compile(r"指导思想|原则$|总体思路|范围$|编制依据|重要意义|术语|定义|工作背景|附则")
DASH = re.compile(r"^\s*[-—]{1,2}\s*\S")
# 列第一位的为牵头单位（下同） / 排在首位的为牵头单位: a rule for every later annotation
FIRST_LEADS = re.compile(
    r"(?:列|排|排在|排名)(?:第一位|首位|第一)(?:的|者)?(?:单位)?为牵头(?:单位|部门)"
    r"|第一个?单位为牵头"
)
QUICK_TIME = re.compile(r"[年月季日天旬前底内]")
LOOKAHEAD = 30  # lines read ahead for a sibling's annotation
# who sits where and does what, in a command structure or an emergency plan
DUTY_LIST = re.compile(r"组成|职责|成员|名单|人员|机构设置|办公室")
STANDING = re.compile(r"以下均?(?:需|由|要)?(.{2,40}?)(?:负责|落实)[,，]?不再(?:一一)?列出")
# 附件：1.X 2.Y — a list of attachments (forms, templates) closes the plan
ATTACHMENT_LIST = re.compile(r"^\s*附\s*件\s*[:：]?\s*(?:1\s*[.、].*)?$")


@dataclass
class _Heading:
    level: int
    label: str
    text: str
    owners: Owners
    # a time the heading sets for the tasks under it: (三)建立机制（11月30日前完成）
    deadlines: list[Deadline] = field(default_factory=list)


@dataclass
class _Pending:
    level: int
    line: Line
    ref: str
    text: str
    section: str
    stack: list[_Heading]
    count: int  # items found up to it
    item: int | None = None
    seen: int = 0  # paragraphs and headings walked up to it
    checked: int = 0  # items up to here are known to be prose items
    owned_since: bool = False  # an item with owners of its own came after it


def _apply(owners: Owners, own: Owners) -> None:
    """An item's own units replace inherited ones; people add up."""
    if own.has_units():
        owners.lead_units = list(own.lead_units)
        owners.co_units = list(own.co_units)
        owners.responsible_units = list(own.responsible_units)
    for name in ("responsible_leaders", "responsible_offices", "responsible_persons", "tags"):
        mine = getattr(owners, name)
        mine.extend(n for n in getattr(own, name) if n not in mine)


def _first_leads(owners: Owners) -> None:
    """Under 列第一位的为牵头单位: a list of units with no lead named apart
    is led by its first unit; the others co-operate."""
    if len(owners.lead_units) > 1 and not owners.co_units:
        owners.co_units = owners.lead_units[1:]
        owners.lead_units = owners.lead_units[:1]
    elif not owners.lead_units and len(owners.responsible_units) > 1 and not owners.co_units:
        owners.lead_units = owners.responsible_units[:1]
        owners.co_units = owners.responsible_units[1:]
        owners.responsible_units = []
