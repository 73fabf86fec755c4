"""Stage 4: a document's lines to tracked items.

Walks the body once, keeping the chain of headings (一、 > (一) > 1. > (1)) that
are above the current line. A paragraph becomes an item when

* it carries an owner annotation (〔责任单位：…〕, (分管领导:…), (民生实事项目)…), or
* it is a numbered paragraph under a heading that assigns owners
  (``(一)X牵头的工作``, ``(一)采供血机构``), or
* it states a report obligation with a time (2月10日前上报工作方案);

and every data row of a task or project table is an item. Items inherit owners
from their headings: leaders accumulate, units come from the nearest level that
names any. An annotation closing a sub-list (1)…(2)…〔牵头部门：…〕 belongs to the
numbered task that opened it.

A plan, implementation opinion or work notice that marks no owners at all
(:func:`assigns_in_prose`) is read for its numbered prose paragraphs instead:
each is a task, with the units its sentences name (各县（市、区）人民政府要…,
市X局会同市Y局…) as owners; so are ——dash paragraphs under a task and a
paragraph naming an owner right under a titled sub-heading. Regulations (第X条)
and emergency plans never give prose tasks, and their report duties are
standing rules, not items.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from gazette.clean import CN_NUM, Line, fold
from gazette.deadlines import document_period, find_deadlines
from gazette.owners import (
    Owners,
    annotations,
    heading_owners,
    sentence_owners,
    split_names,
)
from gazette.split import Document
from gazette.tables import TableRecord, _Layout, read_table

_MARKERS = (
    (re.compile(rf"^\s*第([{CN_NUM}\d]+)(章|部分)\s*"), 0, "第{}{}"),
    (re.compile(rf"^\s*([{CN_NUM}]+)\s*[、.]\s*"), 1, "{}"),
    (re.compile(rf"^\s*\(\s*([{CN_NUM}]+)\s*\)\s*"), 2, "({})"),
    (re.compile(rf"^\s*第([{CN_NUM}\d]+)(条)\s*"), 3, "第{}{}"),
    (re.compile(r"^\s*(\d{1,3})\s*[.、](?:(?!\d)|(?=\d{1,2}月))\s*"), 3, "{}"),
    (re.compile(r"^\s*\(\s*(\d{1,3})\s*\)\s*"), 4, "({})"),
    (re.compile(r"^\s*([①-⑳])\s*"), 5, "{}"),
)
_SENTENCE_END = re.compile(r"[。;!?]")
_REPORT_VERB = re.compile(r"上报|报送|报市|报区|报县|报省|报告|提交|反馈|报备|备案")
_GENERIC_HEADING = re.compile(r"(?:要求|原则|目标|措施|保障|职责|组成|任务|机制|体系|范围|依据|分工|"
                              r"组织|领导|内容|步骤|安排|方式|程序|说明|则)$")
_UNIT_HEADING = re.compile(r"^[^,，。;；:：的]{2,16}(?:机构|医院|中心|局|委|办|政府|公司|部门|单位|街道|镇)$")
_MAX_HEADING = 60
# what a document is, by the last kind word of its title (of the document it
# issues, for 关于印发X办法的通知): plans and notices assign tasks in numbered
# paragraphs; regulations (第X条 articles) and emergency plans (duty lists) do not
_KIND = re.compile(r"(办法|细则|规定|条例|规则|章程|制度|标准|预案|规划|纲要|指南|名单|方案|计划|意见|要点|"
                   r"分工|清单|措施|通知|通告|公告|决定|批复|通报|报告|函)")
_TASK_KINDS = {"方案", "计划", "意见", "要点", "分工", "清单", "通知"}
_RULE_KINDS = {"办法", "细则", "规定", "条例", "规则", "章程", "制度", "标准", "预案"}
_ISSUES = re.compile(r"印发|转发|下发")
_SETS_UP = re.compile(r"成立|调整|组建|设立|撤销|命名|表彰|公布|确定")
_ARTICLE = re.compile(rf"^\s*第[{CN_NUM}\d]+条")
_PARENTHETICAL = re.compile(r"[(（][^()（）]*[)）]")
# sections that explain rather than assign: 指导思想, 基本原则, 适用范围
_NOT_TASKS = re.compile(r"指导思想|原则$|总体思路|范围$|编制依据|重要意义|术语|定义|工作背景|附则")
_DASH = re.compile(r"^\s*[-—]{1,2}\s*\S")
_MIN_TASK = 12
UNCERTAIN = 0.5
_CONFIDENCE = {
    "annotation": 0.95, "annotation-sublist": 0.9, "table": 0.9, "heading-owner": 0.85,
    "report": 0.8, "table-no-owner": 0.7, "prose-under-heading": 0.6, "prose": 0.6,
    "measure": 0.5, "candidate": 0.4,
}
# 列第一位的为牵头单位（下同） / 排在首位的为牵头单位: a rule for every later annotation
_FIRST_LEADS = re.compile(r"(?:列|排|排在|排名)(?:第一位|首位|第一)(?:的|者)?(?:单位)?为牵头(?:单位|部门)"
                          r"|第一个?单位为牵头")
# sections of measures that back the tasks up: their numbered paragraphs are items
_MEASURES = re.compile(r"保障措施|组织实施|保障机制|组织保障|工作保障|推进措施|实施保障")
_QUICK_TIME = re.compile(r"[年月季日天旬前底内]")
# a verb that hands a unit a task: 负责 / 牵头 / 落实 / 组织实施
_ASSIGNING = re.compile(r"负责|牵头|落实|组织实施|抓好|做好|完成|推进|实施|开展")
_LOOKAHEAD = 30  # lines read ahead for a sibling's annotation
# who sits where and does what, in a command structure or an emergency plan
_DUTY_LIST = re.compile(r"组成|职责|成员|名单|人员|机构设置|办公室")
_STANDING = re.compile(r"以下均?(?:需|由|要)?(.{2,40}?)(?:负责|落实)[,，]?不再(?:一一)?列出")
# 附件：1.X 2.Y — a list of attachments (forms, templates) closes the plan
_ATTACHMENT_LIST = re.compile(r"^\s*附\s*件\s*[:：]?\s*(?:1\s*[.、].*)?$")


@dataclass
class Deadline:
    expr: str
    date: date | None
    recurrence: str = ""
    what: str = ""
    working_days: tuple[int, int] | None = None
    ongoing: bool = False


@dataclass
class Item:
    ref: str
    line: int
    text: str
    kind: str
    section: str
    owners: Owners
    deadlines: list[Deadline] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    end_line: int = 0
    # which convention made the item, and how sure the parser is of it (0–1): the
    # import preview puts the uncertain ones (candidates) first
    rule: str = ""
    confidence: float = 1.0

    def label_numbered(self) -> bool:
        """Does the item stand on a numbered paragraph (not ¶ or a dash)?"""
        last = self.ref.rsplit(".", 1)[-1]
        return not last.startswith(("¶", "—"))

    @property
    def uncertain(self) -> bool:
        return self.confidence < UNCERTAIN

    @property
    def due(self) -> date | None:
        """The final due date: the latest dated deadline."""
        dated = [d.date for d in self.deadlines if d.date]
        return max(dated) if dated else None


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


def marker(key: str) -> tuple[int, str, int] | None:
    """(level, label, length of the marker) of a numbered line."""
    for pattern, level, label in _MARKERS:
        match = pattern.match(key)
        if match:
            return level, label.format(*match.groups()), match.end()
    return None


def _strip_annotations(text: str) -> str:
    """The folded text without its owner annotations (``text`` as written or
    folded: folding is per character, so the spans agree)."""
    _, spans = annotations(text)
    key = fold(text)
    for start, end in reversed(spans):
        key = key[:start] + key[end:]
    return key.strip()


def _is_heading(rest: str) -> bool:
    bare = _strip_annotations(rest)
    return len(bare) <= _MAX_HEADING and not _SENTENCE_END.search(bare.rstrip("。"))\
        and not bare.endswith(("。", ";"))


class _Walker:
    def __init__(self, doc: Document):
        self.doc = doc
        self.year = doc.year or date.today().year
        head = " ".join(line.text for line in doc.lines[doc.body_start:doc.body_start + 3])
        # a 2023—2024年 winter plan: its 3月底前 falls in 2024
        self.period = document_period(doc.title, head, doc.signed)
        self.stack: list[_Heading] = []
        self.items: list[Item] = []
        self.unnumbered = 0
        # numbered prose paragraphs are tasks (a plan or notice without annotations);
        # which items only that rule makes, to drop them if annotations assign tasks
        self.prose = False
        self.pending: _Pending | None = None
        # units a note names for every later task: 以下均需X负责，不再一一列出
        self.standing: list[str] = []
        self.seen = 0
        self.titled_at = -1  # when the last heading was pushed
        self.prose_only: set[int] = set()
        self.prose_reports: set[int] = set()
        self.annotated = False
        self.dashes = 0
        # a ——dash list continues the numbered task or sub-heading above it
        self.in_task = False
        self.body: list[Line] = []
        self.first_leads = False  # the document says the first unit listed leads
        self.table_layout: _Layout | None = None  # of the last table, for rows after a break
        self.index = 0  # of the line being walked in ``body``

    # headings -------------------------------------------------------------
    def push(self, level: int, label: str, text: str) -> None:
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        owners = heading_owners(text)
        bare = _strip_annotations(text).rstrip("。")
        # (一)采供血机构: a sub-heading that is only a unit name owns what follows
        if (level in (1, 2) and not owners.has_units() and _UNIT_HEADING.match(bare)
                and not _GENERIC_HEADING.search(bare)):
            owners.lead_units.append(text.strip().rstrip("。"))
        self.stack.append(_Heading(level, label, text, owners,
                                   self.deadlines(text) if _QUICK_TIME.search(text) else []))
        self.seen += 1
        self.titled_at = self.seen
        if self.pending and level <= self.pending.level:
            self.pending = None
        self.unnumbered = 0
        self.dashes = 0
        self.in_task = level >= 2

    def inherited(self) -> Owners:
        owners = Owners()
        for heading in self.stack:
            owners.responsible_leaders.extend(
                n for n in heading.owners.responsible_leaders if n not in owners.responsible_leaders
            )
            owners.responsible_offices.extend(heading.owners.responsible_offices)
            owners.responsible_persons.extend(heading.owners.responsible_persons)
            owners.tags.extend(heading.owners.tags)
        for heading in reversed(self.stack):
            if heading.owners.has_units():
                owners.lead_units = list(heading.owners.lead_units)
                owners.co_units = list(heading.owners.co_units)
                owners.responsible_units = list(heading.owners.responsible_units)
                break
        return owners

    def assigns_owners(self) -> bool:
        return any(not h.owners.is_empty() for h in self.stack)

    def section(self) -> str:
        return " / ".join(h.text for h in self.stack)

    def ref(self, label: str) -> str:
        return ".".join([h.label for h in self.stack] + [label])

    # paragraphs -----------------------------------------------------------
    def paragraph(self, line: Line, label: str | None, text: str, level: int = 99,
                  terse: bool = False) -> None:
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()  # a numbered paragraph closes its preceding siblings
        own, spans = annotations(text)
        if _FIRST_LEADS.search(fold(text)):
            self.first_leads = True  # 列第一位的为牵头单位（下同）: from here on
        if self.first_leads:
            _first_leads(own)
        if len(spans) > 1:
            parts = _assignments(text, spans)
            if len(parts) > 1:
                # 推进A……（责任单位：甲）。完善B……（责任单位：乙）: one item per assignment
                for n, part in enumerate(parts, start=1):
                    self.paragraph(line, label if n == 1 else f"{label or '¶'}-{n}", part,
                                   level, terse)
                return
        self.seen += 1
        if self.pending and label is not None and level <= self.pending.level:
            self.pending = None
        if (self.pending and own.has_units() and label is not None and level > self.pending.level
                and (self.sibling_annotated(level) or self.seen == self.pending.seen + 1)):
            self.pending = None  # 1.…(X负责) 2.…(Y负责): each sub-item owns itself
        if self.pending and own.has_units() and self.only_prose_since_pending():
            self.close_pending(own, line, text)
            return
        normal = not own.is_empty() or bool(label and self.assigns_owners())
        titled = self.seen == self.titled_at + 1 and self.stack  # right under a heading
        self.titled_at = -1
        if titled and label is None and self.prose and not normal and self.body_task(line, text):
            return
        prose = self.prose and not normal and self.prose_task(label, text, spans, terse)
        self.in_task = (label is not None and level >= 2) or (self.in_task and bool(_DASH.match(text)))
        if not (normal or prose) and not _REPORT_VERB.search(text):
            self.hold(line, label, text, level, terse)
            return  # cheap exit: most paragraphs of a gazette are not items
        deadlines = self.deadlines(text)
        report = _has_report(text, deadlines)
        if not deadlines:
            deadlines = self.heading_deadlines()
        if not (normal or prose) and not report:
            self.hold(line, label, text, level, terse)
            return
        owners = self.inherited()
        _apply(owners, own)
        self.add_standing(owners, text)
        if not owners.has_units() and (report or prose):
            said = sentence_owners(text)
            owners.lead_units.extend(said.lead_units)
            owners.co_units.extend(said.co_units)
            owners.responsible_units.extend(said.responsible_units)
        only_prose = prose and not report
        if label is None and only_prose:
            self.dashes += 1
            label = f"—{self.dashes}"
        elif label is None:
            self.unnumbered += 1
            label = f"¶{self.unnumbered}"
        kind = "report" if report and own.is_empty() and not self.assigns_owners() else "task"
        if normal:
            self.annotated = True
        if only_prose:
            self.prose_only.add(len(self.items))
            self.hold(line, label if label[0] != "—" else None, text, level, terse,
                      item=len(self.items))
        elif prose and kind == "report":
            self.prose_reports.add(len(self.items))
            kind = "task"  # a numbered task of a plan that also asks for a report
        if not own.is_empty():
            rule = "annotation"
        elif normal:
            rule = "heading-owner"
        elif report and not prose:
            rule = "report"
        else:
            rule = "prose"
        self.items.append(Item(self.ref(label), line.lineno, text, kind, self.section(), owners,
                               deadlines, end_line=line.end, rule=rule,
                               confidence=_CONFIDENCE[rule]))

    def heading_deadlines(self) -> list[Deadline]:
        """The time set by the nearest heading that sets one (copies)."""
        for heading in reversed(self.stack):
            if heading.deadlines:
                return [Deadline(d.expr, d.date, d.recurrence, d.what, d.working_days, d.ongoing)
                        for d in heading.deadlines]
        return []

    def only_prose_since_pending(self) -> bool:
        """Are all items made since the pending task prose items (which an
        annotation closing the sub-list may still replace)? Checked
        incrementally: an item's kind is settled once its paragraph is read."""
        pending = self.pending
        assert pending is not None
        if pending.owned_since:
            return False
        for n in range(max(pending.count, pending.checked), len(self.items)):
            if n not in self.prose_only:
                pending.owned_since = True
                return False
        pending.checked = len(self.items)
        return True

    def sibling_annotated(self, level: int) -> bool:
        """Does a later sibling of the current numbered paragraph carry its own
        owner annotation (before the list ends)?"""
        for ahead in self.body[self.index + 1:self.index + 1 + _LOOKAHEAD]:
            found = marker(ahead.key)
            if found is None:
                continue
            if found[0] < level:
                return False
            if found[0] == level:
                return annotations(ahead.text[found[2]:].strip())[0].has_units()
        return False

    def body_task(self, line: Line, text: str) -> bool:
        """(一)建立健全调度机制 / 由市X局牵头，…: a task titled by the heading
        above its paragraph, when the paragraph names an owner or a date."""
        heading = self.stack[-1]
        if heading.level < 2 or _DUTY_LIST.search(heading.text) or any(
                _NOT_TASKS.search(h.text.strip().rstrip("。")) for h in self.stack):
            return False
        said = sentence_owners(text)
        deadlines = self.deadlines(text)
        if not said.has_units() and not any(d.date for d in deadlines):
            return False
        title = heading.text.strip()
        full = title + ("" if title[-1:] in "。；;：:" else "。") + text
        owners = self.inherited()
        for name in ("lead_units", "co_units", "responsible_units"):
            getattr(owners, name).extend(getattr(said, name))
        self.prose_only.add(len(self.items))
        self.items.append(Item(".".join(h.label for h in self.stack), line.lineno, full, "task",
                               " / ".join(h.text for h in self.stack[:-1]), owners, deadlines,
                               end_line=line.end, rule="prose-under-heading",
                               confidence=_CONFIDENCE["prose-under-heading"]))
        return True

    def add_standing(self, owners: Owners, text: str) -> None:
        """(…以下均需各县（市、区）人民政府负责，不再一一列出): a unit for every
        later task that names owners."""
        standing = _STANDING.search(fold(text))
        if standing:
            self.standing = split_names(text[standing.start(1):standing.end(1)])
        elif self.standing and owners.has_units():
            names = owners.lead_units + owners.co_units + owners.responsible_units
            owners.responsible_units.extend(n for n in self.standing if n not in names)

    def hold(self, line: Line, label: str | None, text: str, level: int, terse: bool,
             item: int | None = None) -> None:
        """Remember a numbered task without owners: an annotation closing the
        sub-list under it (1)…(2)…〔牵头部门：…〕 names its owners. ``item`` is
        the index of the prose item already made of it, if any."""
        if label is not None and not terse and self.pending is None:
            self.pending = _Pending(level, line, self.ref(label), text, self.section(),
                                    list(self.stack), len(self.items) + (item is not None), item,
                                    self.seen)

    def close_pending(self, own: Owners, line: Line, text: str) -> None:
        pending, self.pending = self.pending, None
        self.annotated = True
        # right after it, the annotated paragraph is the rest of the task
        adjacent = self.seen == pending.seen + 1
        if pending.item is not None:  # its prose item now has owners of its own
            self.prose_only.discard(pending.item)
            item = self.items[pending.item]
            _apply(item.owners, own)
            if adjacent:
                item.text += text
                item.end_line = line.end
                item.deadlines = self.deadlines(item.text)
            self.add_standing(item.owners, text)
            return
        stack, self.stack = self.stack, pending.stack
        owners = self.inherited()
        self.stack = stack
        _apply(owners, own)
        self.add_standing(owners, text)
        full = pending.text + text if adjacent else pending.text
        self.items.append(Item(pending.ref, pending.line.lineno, full, "task", pending.section,
                               owners, self.deadlines(full),
                               end_line=line.end if adjacent else pending.line.end,
                               rule="annotation-sublist",
                               confidence=_CONFIDENCE["annotation-sublist"]))

    def prose_task(self, label: str | None, text: str, spans: list[tuple[int, int]],
                   terse: bool = False) -> bool:
        """A numbered paragraph of running text (or a ——dash paragraph under one)
        outside the sections that only explain."""
        if label is None:
            if not (_DASH.match(text) and self.in_task):
                return False
        elif label.endswith("条"):
            return False
        bare = fold(text)
        for start, end in reversed(spans):
            bare = bare[:start] + bare[end:]
        if terse:  # 3. 新建口袋公园5个
            if len(bare) < _MIN_TASK // 2:
                return False
        elif len(bare) < _MIN_TASK or not _SENTENCE_END.search(bare):
            return False
        head = _SENTENCE_END.split(bare, maxsplit=1)[0]
        return not any(_NOT_TASKS.search(h.text.strip().rstrip("。")) for h in self.stack) and not (
            len(head) <= 12 and _NOT_TASKS.search(head))

    def table(self, lines: list[Line]) -> None:
        records, self.table_layout = read_table(lines, [h.text for h in self.stack],
                                                 self.table_layout)
        for record in records:
            self.items.append(self.record_item(record))
            self.annotated = True

    def record_item(self, record: TableRecord) -> Item:
        owners = self.inherited()
        if record.lead or record.co:
            own = Owners()
            own.lead_units.extend(split_names(record.lead))
            own.co_units.extend(split_names(record.co))
            if not record.lead:  # only 配合 and 责任: the responsible units lead
                own.lead_units.extend(split_names(record.units))
            else:
                own.responsible_units.extend(split_names(record.units))
            _apply(owners, own)
        elif record.units:
            own = Owners()
            own.lead_units.extend(split_names(record.units))
            _apply(owners, own)
        for leader in record.leaders:
            owners.responsible_leaders.extend(
                n for n in split_names(leader) if n not in owners.responsible_leaders)
        deadlines = self.deadlines(record.text) if record.kind == "task" else []
        for column, cell in record.dates:
            for found in self.deadlines(cell):
                found.what = found.what or column
                deadlines.append(found)
        ref = record.ref or self.ref(f"r{len(self.items) + 1}")
        rule = "table" if owners.has_units() or owners.responsible_leaders else "table-no-owner"
        return Item(ref, record.line.lineno, record.text, record.kind, " / ".join(record.section),
                    owners, deadlines, dict(record.fields), end_line=record.line.end, rule=rule,
                    confidence=_CONFIDENCE[rule])

    def deadlines(self, text: str) -> list[Deadline]:
        found = find_deadlines(text, self.year, period=self.period, anchor=self.doc.signed)
        return [Deadline(m.expr, m.date, m.recurrence, m.what, m.working_days, m.ongoing)
                for m in found]


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


def _assignments(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """A paragraph cut after each owner annotation that closes a sentence of
    its own; an annotation right after another one (a tag, a second key)
    stays with it, and so does text after the last annotation."""
    key = fold(text)
    parts: list[str] = []
    begin = 0
    for _, end in spans:
        while end < len(key) and key[end] in "。;,.， ":
            end += 1
        body = _SENTENCE_END.sub("", key[begin:end])
        if len(_strip_annotations(body)) >= _MIN_TASK // 2:
            parts.append(text[begin:end])
            begin = end
        elif parts:
            parts[-1] += text[begin:end]
            begin = end
    tail = text[begin:]
    if tail.strip():
        if parts and len(_strip_annotations(fold(tail))) < _MIN_TASK:
            parts[-1] += tail
        else:
            parts.append(tail)
    return [part for part in parts if part.strip()]


def _has_report(text: str, deadlines: list[Deadline]) -> bool:
    """A time expression followed, in the same sentence, by a report verb."""
    for found in deadlines:
        if found.date is None and not found.recurrence and not found.working_days:
            continue
        at = text.find(found.expr)
        if at < 0:
            continue
        tail = _SENTENCE_END.split(fold(text[at:]), maxsplit=1)[0]
        if _REPORT_VERB.search(tail):
            return True
    return False


def assigns_in_prose(doc: Document) -> bool:
    """Does the document assign tasks in numbered paragraphs (a plan, an
    implementation opinion, a work notice) rather than set rules (办法 with
    第X条 articles), duties in an emergency (应急预案) or nothing (批复, 通告)?"""
    kinds, subject, issued = _kinds(doc)
    if not kinds and doc.whole_file:
        return not _has_articles(doc)  # a text without a title: its numbered paragraphs may assign
    if not kinds or kinds[-1] not in _TASK_KINDS:
        return False
    if kinds[-1] == "通知" and (issued or _SETS_UP.search(subject)):
        return False
    return not _has_articles(doc)


def sets_rules(doc: Document) -> bool:
    """A regulation (办法, 细则 … or 第X条 articles) or an emergency plan: its
    report duties are standing rules, not tasks to track."""
    kinds, _, _ = _kinds(doc)
    return bool(kinds and kinds[-1] in _RULE_KINDS) or _has_articles(doc)


def _kinds(doc: Document) -> tuple[list[str], str, bool]:
    """Kind words of the title (of the document it issues), the subject, issued?"""
    title = _PARENTHETICAL.sub("", fold(doc.title))
    issued = _ISSUES.search(title)
    subject = title[issued.end():] if issued else title
    if issued:
        subject = re.sub(r"的?通知$", "", subject)
    return _KIND.findall(subject), subject, bool(issued)


def _has_articles(doc: Document) -> bool:
    body = doc.lines[doc.body_start:]
    return sum(1 for line in body if _ARTICLE.match(line.key)) >= 3


def _heads_a_section(rest: str, level: int, following: Line | None) -> bool:
    """A short numbered line without a full stop: a heading if sub-items, a
    table or prose follow it; a terse task if it carries its own owners or a
    sibling (or nothing) follows it."""
    if following is None or "\t" in following.text:
        return following is not None
    below = marker(following.key)
    if below and below[0] > level:
        return True
    bare = _strip_annotations(rest).rstrip("。")
    if _GENERIC_HEADING.search(bare) or bare.endswith("工作") or len(bare) < 4:
        return True
    if not annotations(rest)[0].is_empty() or below is not None:
        return False
    # prose under it (not an issuer's name or a signing date)
    after = following.key.strip()
    return len(after) > 30 or after[-1:] in "。;:"


def find_items(doc: Document) -> list[Item]:
    if doc.chronicle:
        return []  # a chronicle (大事记) reports what happened; it assigns nothing
    walker = _walk(doc, prose=assigns_in_prose(doc))
    items = walker.items
    if walker.annotated:
        # the document marks its tasks with annotations (or tables): they are the tasks;
        # a prose paragraph that still names a unit as the one to act is proposed as an
        # uncertain candidate, so the office sees it rather than nothing
        for n in walker.prose_reports:
            items[n].kind = "report"
        kept = []
        for n, item in enumerate(items):
            if n not in walker.prose_only:
                kept.append(item)
            elif _MEASURES.search(item.section) and item.label_numbered():
                # 保障措施 / 组织实施: numbered measures, which the office may drop
                item.rule, item.confidence = "measure", _CONFIDENCE["measure"]
                kept.append(item)
            elif item.owners.has_units() and _ASSIGNING.search(fold(item.text)):
                item.rule, item.confidence = "candidate", _CONFIDENCE["candidate"]
                kept.append(item)
        items = kept
    if any(item.kind == "report" for item in items) and sets_rules(doc):
        items = [item for item in items if item.kind != "report"]
    return items


def _walk(doc: Document, prose: bool) -> _Walker:
    walker = _Walker(doc)
    walker.prose = prose
    body = doc.lines[doc.body_start:]
    walker.body = body
    index = 0
    while index < len(body):
        walker.index = index
        line = body[index]
        if "\t" in line.text:
            end = index
            while end < len(body) and "\t" in body[end].text:
                end += 1
            walker.table(body[index:end])
            index = end
            continue
        found = marker(line.key)
        if (walker.prose and not found and _ATTACHMENT_LIST.match(line.key)
                and index + 1 < len(body) and marker(body[index + 1].key)
                and "\t" not in line.text):
            walker.prose = False  # a list of attachments; forms and templates follow
        if found:
            level, label, size = found
            rest = line.text[size:].strip()
            if not _is_heading(rest):
                walker.paragraph(line, label, rest, level)
            elif _heads_a_section(rest, level, body[index + 1] if index + 1 < len(body) else None):
                walker.push(level, label, rest)
            else:
                walker.paragraph(line, label, rest, level, terse=True)
        else:
            walker.paragraph(line, None, line.text.strip())
        index += 1
    return walker
