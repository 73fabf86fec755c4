"""The walk over a document's body that turns headings, paragraphs and tables
into items, keeping the chain of headings above the current line."""

from __future__ import annotations

from datetime import date

from gazette import walk_state as patterns
from gazette.deadlines import document_period, find_deadlines
from gazette.lines import Line, fold
from gazette.model import CONFIDENCE, Deadline, Item
from gazette.names import split_names
from gazette.owners import Owners, find_annotations, heading_owners
from gazette.paragraphs import (
    GENERIC_HEADING,
    MIN_TASK,
    REPORT_VERB,
    SENTENCE_END,
    assignments,
    has_report,
    heads_a_section,
    is_heading,
    marker,
    strip_annotations,
)
from gazette.prose_owners import glued_units, sentence_owners
from gazette.split import Document
from gazette.tables import TableRecord, _Layout, read_table
from gazette.walk_state import _apply, _first_leads, _Heading, _Pending


class Walker:
    def __init__(self, doc: Document):
        self.doc = doc
        self.year = doc.year or date.today().year
        head = " ".join(line.text for line in doc.lines[doc.body_start : doc.body_start + 3])
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
        bare = strip_annotations(text).rstrip("。")
        # (一)采供血机构: a sub-heading that is only a unit name owns what follows
        if (
            level in (1, 2)
            and not owners.has_units()
            and patterns.UNIT_HEADING.match(bare)
            and not GENERIC_HEADING.search(bare)
        ):
            owners.lead_units.append(text.strip().rstrip("。"))
        self.stack.append(
            _Heading(
                level,
                label,
                text,
                owners,
                self.deadlines(text) if patterns.QUICK_TIME.search(text) else [],
            )
        )
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
    def paragraph(
        self, line: Line, label: str | None, text: str, level: int = 99, terse: bool = False
    ) -> None:
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()  # a numbered paragraph closes its preceding siblings
        own, spans = find_annotations(text)
        if patterns.FIRST_LEADS.search(fold(text)):
            self.first_leads = True  # 列第一位的为牵头单位（下同）: from here on
        if self.first_leads:
            _first_leads(own)
        if len(spans) > 1:
            parts = assignments(text, spans)
            if len(parts) > 1:
                # 推进A……（责任单位：甲）。完善B……（责任单位：乙）: one item per assignment,
                # each on the original line where it begins
                at = max(line.text.find(text), 0)
                for n, part in enumerate(parts, start=1):
                    found = line.text.find(part, at)
                    at = found if found >= 0 else at
                    first, last = line.lineno_at(at), line.lineno_at(at + max(len(part) - 1, 0))
                    own_line = (
                        line
                        if (first, last) == (line.lineno, line.end)
                        else Line.make(line.text, first, last, line.bold)
                    )
                    at += len(part)
                    self.paragraph(
                        own_line, label if n == 1 else f"{label or '¶'}-{n}", part, level, terse
                    )
                return
        self.seen += 1
        if self.pending and label is not None and level <= self.pending.level:
            self.pending = None
        if (
            self.pending
            and own.has_units()
            and label is not None
            and level > self.pending.level
            and (self.sibling_annotated(level) or self.seen == self.pending.seen + 1)
        ):
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
        self.in_task = (label is not None and level >= 2) or (
            self.in_task and bool(patterns.DASH.match(text))
        )
        if not (normal or prose) and not REPORT_VERB.search(text):
            self.hold(line, label, text, level, terse)
            return  # cheap exit: most paragraphs of a gazette are not items
        deadlines = self.deadlines(text)
        report = has_report(text, deadlines)
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
            if not said.has_units():
                owners.responsible_units.extend(glued_units(text))
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
            self.hold(
                line, label if label[0] != "—" else None, text, level, terse, item=len(self.items)
            )
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
        self.items.append(
            Item(
                self.ref(label),
                line.lineno,
                text,
                kind,
                self.section(),
                owners,
                deadlines,
                end_line=line.end,
                rule=rule,
                confidence=CONFIDENCE[rule],
            )
        )

    def heading_deadlines(self) -> list[Deadline]:
        """The time set by the nearest heading that sets one (copies)."""
        for heading in reversed(self.stack):
            if heading.deadlines:
                return [
                    Deadline(d.expr, d.date, d.recurrence, d.what, d.working_days, d.ongoing)
                    for d in heading.deadlines
                ]
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
        for ahead in self.body[self.index + 1 : self.index + 1 + patterns.LOOKAHEAD]:
            found = marker(ahead.key)
            if found is None:
                continue
            if found[0] < level:
                return False
            if found[0] == level:
                return find_annotations(ahead.text[found[2] :].strip())[0].has_units()
        return False

    def body_task(self, line: Line, text: str) -> bool:
        """(一)建立健全调度机制 / 由市X局牵头，…: a task titled by the heading
        above its paragraph, when the paragraph names an owner or a date."""
        heading = self.stack[-1]
        if (
            heading.level < 2
            or patterns.DUTY_LIST.search(heading.text)
            or any(patterns.NOT_TASKS.search(h.text.strip().rstrip("。")) for h in self.stack)
        ):
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
        self.items.append(
            Item(
                ".".join(h.label for h in self.stack),
                line.lineno,
                full,
                "task",
                " / ".join(h.text for h in self.stack[:-1]),
                owners,
                deadlines,
                end_line=line.end,
                rule="prose-under-heading",
                confidence=CONFIDENCE["prose-under-heading"],
            )
        )
        return True

    def add_standing(self, owners: Owners, text: str) -> None:
        """(…以下均需各县（市、区）人民政府负责，不再一一列出): a unit for every
        later task that names owners."""
        standing = patterns.STANDING.search(fold(text))
        if standing:
            self.standing = split_names(text[standing.start(1) : standing.end(1)])
        elif self.standing and owners.has_units():
            names = owners.lead_units + owners.co_units + owners.responsible_units
            owners.responsible_units.extend(n for n in self.standing if n not in names)

    def hold(
        self,
        line: Line,
        label: str | None,
        text: str,
        level: int,
        terse: bool,
        item: int | None = None,
    ) -> None:
        """Remember a numbered task without owners: an annotation closing the
        sub-list under it (1)…(2)…〔牵头部门：…〕 names its owners. ``item`` is
        the index of the prose item already made of it, if any."""
        if label is not None and not terse and self.pending is None:
            self.pending = _Pending(
                level,
                line,
                self.ref(label),
                text,
                self.section(),
                list(self.stack),
                len(self.items) + (item is not None),
                item,
                self.seen,
            )

    def close_pending(self, own: Owners, line: Line, text: str) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
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
        self.items.append(
            Item(
                pending.ref,
                pending.line.lineno,
                full,
                "task",
                pending.section,
                owners,
                self.deadlines(full),
                end_line=line.end if adjacent else pending.line.end,
                rule="annotation-sublist",
                confidence=CONFIDENCE["annotation-sublist"],
            )
        )

    def prose_task(
        self, label: str | None, text: str, spans: list[tuple[int, int]], terse: bool = False
    ) -> bool:
        """A numbered paragraph of running text (or a ——dash paragraph under one)
        outside the sections that only explain."""
        if label is None:
            if not (patterns.DASH.match(text) and self.in_task):
                return False
        elif label.endswith("条"):
            return False
        bare = fold(text)
        for start, end in reversed(spans):
            bare = bare[:start] + bare[end:]
        if terse:  # 3. 新建口袋公园5个
            if len(bare) < MIN_TASK // 2:
                return False
        elif len(bare) < MIN_TASK or not SENTENCE_END.search(bare):
            return False
        head = SENTENCE_END.split(bare, maxsplit=1)[0]
        return not any(
            patterns.NOT_TASKS.search(h.text.strip().rstrip("。")) for h in self.stack
        ) and not (len(head) <= 12 and patterns.NOT_TASKS.search(head))

    def table(self, lines: list[Line]) -> None:
        records, self.table_layout = read_table(
            lines, [h.text for h in self.stack], self.table_layout
        )
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
                n for n in split_names(leader) if n not in owners.responsible_leaders
            )
        deadlines = self.deadlines(record.text) if record.kind == "task" else []
        for column, cell in record.dates:
            for found in self.deadlines(cell):
                found.what = found.what or column
                deadlines.append(found)
        ref = record.ref or self.ref(f"r{len(self.items) + 1}")
        rule = "table" if owners.has_units() or owners.responsible_leaders else "table-no-owner"
        return Item(
            ref,
            record.line.lineno,
            record.text,
            record.kind,
            " / ".join(record.section),
            owners,
            deadlines,
            dict(record.fields),
            end_line=record.line.end,
            rule=rule,
            confidence=CONFIDENCE[rule],
        )

    def deadlines(self, text: str) -> list[Deadline]:
        found = find_deadlines(text, self.year, period=self.period, anchor=self.doc.signed)
        return [
            Deadline(m.expr, m.date, m.recurrence, m.what, m.working_days, m.ongoing) for m in found
        ]


def walk(doc: Document, prose: bool) -> Walker:
    walker = Walker(doc)
    walker.prose = prose
    body = doc.lines[doc.body_start :]
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
        if (
            walker.prose
            and not found
            and patterns.ATTACHMENT_LIST.match(line.key)
            and index + 1 < len(body)
            and marker(body[index + 1].key)
            and "\t" not in line.text
        ):
            walker.prose = False  # a list of attachments; forms and templates follow
        if found:
            level, label, size = found
            rest = line.text[size:].strip()
            if not is_heading(rest):
                walker.paragraph(line, label, rest, level)
            elif heads_a_section(rest, level, body[index + 1] if index + 1 < len(body) else None):
                walker.push(level, label, rest)
            else:
                walker.paragraph(line, label, rest, level, terse=True)
        else:
            walker.paragraph(line, None, line.text.strip())
        index += 1
    return walker
