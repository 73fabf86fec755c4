"""What the parser produces for each task: an :class:`Item` with its owners,
its deadlines, the rule that made it and how sure the parser is of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from gazette.owners import Owners

UNCERTAIN = 0.5
CONFIDENCE = {
    "annotation": 0.95,
    "annotation-sublist": 0.9,
    "table": 0.9,
    "heading-owner": 0.85,
    "report": 0.8,
    "table-no-owner": 0.7,
    "prose-under-heading": 0.6,
    "prose": 0.6,
    "measure": 0.5,
    "candidate": 0.4,
}


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
