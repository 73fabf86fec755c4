"""The figures of a 通报 and of the 年终考核, computed from the items, one rule for each.

An item counts for a unit when the unit leads it or is responsible for it (牵头/责任单位) and
its due date falls within the period (应办结事项). Of those:
- 办结: completed on or before the period's last day; 按时办结: completed by its due date;
- 逾期: past its due date (as of the period's end, or today if sooner) and not completed by
  then, or completed after it; its overdue days are calendar days from the due date to its
  completion (or to that day);
- 办结率 / 按时办结率: per cent of the unit's items; grades: how many items got each grade.
Ranking: 按时办结率, then 办结率 (higher first), then fewer overdue items; equal figures share
a rank. The 年终考核 takes a calendar year: the weighted mean (AssessmentSettings) of the mean
grade points, the on-time rate and the overdue-day score (100 − days × penalty, at least 0);
a unit none of whose items is graded is scored on the other two weights.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from tracker.models import AssessmentSettings, Item, ItemOwner

ACCOUNTABLE = [ItemOwner.Role.LEAD, ItemOwner.Role.RESPONSIBLE]


@dataclass
class Scope:
    """Which items: all, one document's, or those of the units a leader is in charge of."""

    document: object = None
    leader: object = None


@dataclass
class Fact:
    item: Item
    done: bool
    on_time: bool
    overdue_days: int  # 0 when not overdue

    @property
    def overdue(self):
        return self.overdue_days > 0


@dataclass
class UnitRow:
    unit_id: int
    name: str
    facts: list = field(default_factory=list)
    rank: int = 0

    @property
    def count(self):
        return len(self.facts)

    @property
    def done(self):
        return sum(f.done for f in self.facts)

    @property
    def on_time(self):
        return sum(f.on_time for f in self.facts)

    @property
    def done_rate(self):
        return _rate(self.done, self.count)

    @property
    def on_time_rate(self):
        return _rate(self.on_time, self.count)

    @property
    def overdue(self):
        return [f for f in self.facts if f.overdue]

    @property
    def overdue_days(self):
        return sum(f.overdue_days for f in self.facts)

    @property
    def grades(self):
        counts = Counter(f.item.grade for f in self.facts if f.item.grade)
        return [(grade, counts.get(grade, 0)) for grade in Item.Grade.values]

    def ranking_key(self):
        return (-self.on_time_rate, -self.done_rate, len(self.overdue))


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else 0.0


def fact(item, end, today):
    """What an item due by `end` looks like on the period's last day (or today if sooner)."""
    as_of = min(end, today)
    completed = (
        timezone.localdate(item.completed_at)
        if item.status == Item.Status.COMPLETED and item.completed_at
        else None
    )
    done = completed is not None and completed <= end
    on_time = done and completed <= item.due_date
    if done and completed > item.due_date:
        late = (completed - item.due_date).days
    elif not done and item.due_date < as_of:
        late = (as_of - item.due_date).days
    else:
        late = 0
    return Fact(item=item, done=done, on_time=on_time, overdue_days=late)


def unit_rows(items, start, end, scope=None, today=None):
    """One UnitRow per accountable unit of the items due in [start, end], ranked."""
    today = today or timezone.localdate()
    scope = scope or Scope()
    if scope.document is not None:
        items = items.filter(document=scope.document)
    due = items.filter(due_date__gte=start, due_date__lte=end)
    owners = ItemOwner.objects.filter(item__in=due, role__in=ACCOUNTABLE, unit__isnull=False)
    if scope.leader is not None:
        owners = owners.filter(unit__leader=scope.leader)
    pairs = set(owners.values_list("item_id", "unit_id", "unit__name"))
    loaded = {
        item.pk: item
        for item in due.filter(pk__in={p[0] for p in pairs}).select_related("document")
    }
    rows = {}
    for item_id, unit_id, name in sorted(pairs, key=lambda p: (p[2], p[0])):
        row = rows.setdefault(unit_id, UnitRow(unit_id=unit_id, name=name))
        row.facts.append(fact(loaded[item_id], end, today))
    return rank(list(rows.values()))


def rank(rows, key=None):
    key = key or UnitRow.ranking_key
    rows.sort(key=lambda r: (key(r), r.name))
    for position, row in enumerate(rows, start=1):
        previous = rows[position - 2] if position > 1 else None
        row.rank = previous.rank if previous is not None and key(previous) == key(row) else position
    return rows


def totals(rows):
    """The whole 通报's figures: items are counted once even when two units share one."""
    facts = {f.item.pk: f for row in rows for f in row.facts}
    whole = UnitRow(unit_id=0, name="", facts=list(facts.values()))
    return whole


# ---- 年终考核 ---------------------------------------------------------------------------------


@dataclass
class Score:
    row: UnitRow
    grade_points: float | None
    overdue_score: float
    score: float
    rank: int = 0


def year_bounds(year):
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def assessment(items, year, weights=None, today=None):
    """Each unit's year-end score, highest first."""
    weights = weights or AssessmentSettings.load()
    start, end = year_bounds(year)
    points = weights.grade_points()
    penalty = Decimal(weights.overdue_day_penalty)
    scores = []
    for row in unit_rows(items, start, end, today=today):
        graded = [points[f.item.grade] for f in row.facts if f.item.grade in points]
        grade_points = round(sum(graded) / len(graded), 1) if graded else None
        overdue_score = float(max(Decimal(0), 100 - penalty * row.overdue_days))
        parts = [
            (weights.on_time_weight, row.on_time_rate),
            (weights.overdue_weight, overdue_score),
        ]
        if grade_points is not None:
            parts.append((weights.grade_weight, grade_points))
        weight = sum(w for w, _value in parts)
        score = round(sum(w * v for w, v in parts) / weight, 1) if weight else 0.0
        scores.append(
            Score(
                row=row,
                grade_points=grade_points,
                overdue_score=round(overdue_score, 1),
                score=score,
            )
        )
    scores.sort(key=lambda s: (-s.score, s.row.name))
    for position, item in enumerate(scores, start=1):
        previous = scores[position - 2] if position > 1 else None
        item.rank = previous.rank if previous and previous.score == item.score else position
    return scores
