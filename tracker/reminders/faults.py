"""Rows the reminders cannot handle: logged, listed for the office, skipped.

One bad row must not stop the reminders of everybody else. The sweep evaluates its rules once
per distinct date and fetches rows in set-based queries; what goes wrong for one date (or one
recurrence) or one row lands here instead of raising: the rows concerned are skipped, logged and
recorded as ReminderFault rows that the failures page lists until the date is repaired.
"""

import logging

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tracker.models import Deadline, Item, ReminderFault

log = logging.getLogger(__name__)

# What date arithmetic and rule evaluation raise on a bad value. Anything else (the database
# gone, the task out of time) still stops the run: the next tick starts it again.
RULE_ERRORS = (ArithmeticError, ValueError, TypeError, LookupError, NotImplementedError)
# Reminder.offset is a SmallIntegerField.
OFFSET_RANGE = (-32768, 32767)


def describe(exc):
    return f"{type(exc).__name__}: {exc}"[:2000]


class FaultLog:
    """The rows one sweep skipped; `save()` records them and forgets those since repaired."""

    def __init__(self):
        self.started = timezone.now()
        self.rows = {}  # (item_id, deadline_id) -> fields of ReminderFault

    def add(self, item_id, deadline_id, due_on, code, error="", recurrence=""):
        key = (item_id, deadline_id)
        if key in self.rows:
            return
        log.error(
            "reminders skip item %s (deadline %s, date %s, %s): %s %s",
            item_id,
            deadline_id,
            due_on,
            recurrence or "-",
            code,
            error,
        )
        self.rows[key] = {
            "due_on": due_on,
            "code": code,
            "error": error,
            "recurrence": recurrence[:50],
        }

    def out_of_range(self, earliest, latest, open_items):
        """List every open date outside the plausible range (two set-based queries)."""
        outside = Q(date__lt=earliest) | Q(date__gt=latest)
        dated = (
            Deadline.objects.filter(outside, done_at__isnull=True)
            .exclude(item__status=Item.Status.COMPLETED)
            .values_list("id", "item_id", "date")
        )
        for deadline_id, item_id, day in dated:
            self.add(item_id, deadline_id, day, ReminderFault.Code.DATE_OUT_OF_RANGE)
        undated = (
            open_items.filter(Q(due_date__lt=earliest) | Q(due_date__gt=latest))
            .exclude(deadlines__date__isnull=False)
            .values_list("id", "due_date")
        )
        for item_id, day in undated:
            self.add(item_id, None, day, ReminderFault.Code.DATE_OUT_OF_RANGE)

    def dates_failed(self, failed, dated, undated):
        """Record the rows on dates whose rules raised ({date: exception})."""
        if not failed:
            return
        for deadline_id, item_id, day in dated.filter(date__in=list(failed)).values_list(
            "id", "item_id", "date"
        ):
            self.add(
                item_id, deadline_id, day, ReminderFault.Code.RULE_ERROR, describe(failed[day])
            )
        for item_id, day in undated.filter(due_date__in=list(failed)).values_list("id", "due_date"):
            self.add(item_id, None, day, ReminderFault.Code.RULE_ERROR, describe(failed[day]))

    def save(self):
        """Record this sweep's faults; delete those it no longer met."""
        now = timezone.now()
        for (item_id, deadline_id), fields in self.rows.items():
            mine = ReminderFault.objects.filter(item_id=item_id, deadline_id=deadline_id)
            if mine.update(last_seen=now, **fields):
                continue
            try:
                with transaction.atomic():
                    ReminderFault.objects.create(
                        item_id=item_id,
                        deadline_id=deadline_id,
                        first_seen=now,
                        last_seen=now,
                        **fields,
                    )
            except IntegrityError:  # a racing sweep recorded it first
                mine.update(last_seen=now, **fields)
        ReminderFault.objects.filter(last_seen__lt=self.started).delete()


def insert_isolated(model, rows, batch_size, faults):
    """bulk_create(ignore_conflicts) in batches; a batch the database refuses is split until
    the row it refuses is alone, and that row becomes a fault instead of stopping the rest."""
    offered = 0
    for start in range(0, len(rows), batch_size):
        offered += _insert_part(model, rows[start : start + batch_size], faults)
    return offered


def _insert_part(model, rows, faults):
    if not rows:
        return 0
    try:
        with transaction.atomic():
            model.objects.bulk_create(rows, ignore_conflicts=True)
        return len(rows)
    except DatabaseError as exc:
        if len(rows) == 1:
            row = rows[0]
            faults.add(
                row.item_id,
                row.deadline_id,
                row.due_on,
                ReminderFault.Code.RULE_ERROR,
                describe(exc),
            )
            return 0
        half = len(rows) // 2
        return _insert_part(model, rows[:half], faults) + _insert_part(model, rows[half:], faults)
