"""What a table's header cells mean, shared by the table reader and the cleaner.

A header row is recognised, and each column given a role (序号, task, lead or
co-operating units, leaders, time, progress …), by the meaning of its words,
whatever their exact form.
"""

from __future__ import annotations

import re

from gazette.lines import fold

_HEADER_WORDS = re.compile(
    r"序号|名称|任务|时限|时间|单位|措施|类别|地点|内容|事项|层级|工作|备注|部门"
)
NUMBER_CELL = re.compile(r"^\d{1,4}$")


# what a column holds, by the meaning of its header (whatever its exact words)
_ROLE_PATTERNS = (
    ("seq", re.compile(r"^(?:序号|编号|序|No\.?)$")),
    ("progress", re.compile(r"进展|完成情况|推进情况|进度情况|落实情况|工作成效|备注")),
    ("date", re.compile(r"时限|时间|节点|日期|时序|进度安排|进度计划|完成期限")),
    ("leader", re.compile(r"领导|责任人|负责人|包联")),
    ("lead", re.compile(r"牵头|主办|主责|主抓")),
    ("co", re.compile(r"配合|协同|协办|参与|协助")),
    ("units", re.compile(r"单位|部门|处室|科室|股室|责任主体|实施主体|承办")),
    ("indicator", re.compile(r"^(?:指标|目标值|指标值|考核指标)")),
    ("task", re.compile(r"任务|措施|事项|内容|重点|目标|举措|要求|工作|项目|名称|计划")),
)


def column_role(name: str) -> str:
    key = squash(fold(name))
    if not key:
        return ""
    for role, pattern in _ROLE_PATTERNS:
        if pattern.search(key):
            return role
    return "other"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_header(cells: list[str]) -> bool:
    filled = [squash(c) for c in cells if c.strip()]
    if len(filled) < 2 or any(NUMBER_CELL.match(c) for c in filled):
        return False
    hits = sum(
        1
        for c in filled
        if len(c) <= 12 and (_HEADER_WORDS.search(c) or column_role(c) not in ("other", ""))
    )
    return hits >= 2 and hits * 2 >= len(filled)


# how the name of a unit ends (局, 委, 办, 公司, 管委会 …), to tell units from people
UNIT_NAME_END = re.compile(
    r"(?:局|委|办|厅|政府|管委会|公司|集团|中心|部|院|所|站|队|室|街道|乡|镇|社区|银行|协会|学校|医院|指挥部)$"
)
