"""The daily sweep: which reminders fall due, and to whom (one Notice per recipient)."""

import contextlib
import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, IntegerField, OuterRef, Q, Value
from django.utils import timezone

from tracker.lib import clock, plausible
from tracker.lib.workdays import WorkdayCalendar
from tracker.models import (
    Deadline,
    Item,
    ItemOwner,
    ItemPerson,
    Notice,
    ProgressReport,
    Reminder,
    ReminderFault,
    ReminderSettings,
    ReminderSweep,
    User,
)
from tracker.reminders.faults import (
    OFFSET_RANGE,
    RULE_ERRORS,
    FaultLog,
    describe,
    insert_isolated,
)
from tracker.reminders.rules import (
    WorkdayIndex,
    deadline_firings,
    escalation_cutoff,
    escalation_on,
    report_firings,
    sweep_window,
)

ONE_DAY = datetime.timedelta(days=1)
CHUNK = 5000
R = Reminder.Rule


# --- the sweep ---------------------------------------------------------------------------------


def sweep(today=None, rules=None, calendar=None):
    """Create every Reminder and Notice due up to `today`; safe to run again or in parallel.

    The sweep first claims the day (a conditional UPDATE on its ReminderSweep row). A second
    sweep of the same day while the first runs does nothing and says so (`skipped`): two
    sweeps inserting and fanning out the same reminders in parallel could deadlock on
    PostgreSQL's row and index locks. A claim older than the task's hard time limit belongs to
    a sweep that died and is taken over.
    """
    today = today or clock.today()
    rules = rules or ReminderSettings.load()
    calendar = calendar or WorkdayCalendar()
    record, _created = ReminderSweep.objects.get_or_create(date=today)
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimed = (
        ReminderSweep.objects.filter(pk=record.pk)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now)
    )
    if not claimed:
        return {"window": [], "reminders": 0, "notices": 0, "skipped": True}
    try:
        window = sweep_window(today, rules, calendar)
        created = 0
        if window:
            faults = FaultLog()
            created = _create_deadline_reminders(window, rules, calendar, faults)
            created += _create_report_reminders(window, rules, calendar, faults)
            faults.save()
        notices = fan_out()
    except BaseException:
        with contextlib.suppress(Exception):  # the next tick takes a stale claim over anyway
            ReminderSweep.objects.filter(pk=record.pk, claimed_at=now).update(claimed_at=None)
        raise
    ReminderSweep.objects.filter(pk=record.pk).update(
        finished_at=timezone.now(), claimed_at=None, reminders=created, notices=notices
    )
    return {"window": window, "reminders": created, "notices": notices}


def _open_items():
    """Items the sweep may remind: neither completed nor withdrawn (撤销)."""
    return Item.objects.active().exclude(status=Item.Status.COMPLETED)


# A Deadline of a withdrawn item (撤销) reminds nobody; restored, it does again.
ACTIVE_ITEM = {"item__withdrawn_at__isnull": True}


# An item whose unit asked for completion (awaiting approval) is not chased for its dates any
# more; escalations and progress-report reminders still go out. A completed item gets nothing.
NOT_CHASED = [Item.Status.COMPLETED, Item.Status.COMPLETION_REQUESTED]
DATE_RULES = {R.BEFORE, R.DUE, R.OVERDUE}


def still_due(status, rule):
    """Whether a reminder of `rule` still concerns an item in `status` (checked again when the
    e-mail is built; the sweep asks the same in SQL with NOT_CHASED)."""
    if status == Item.Status.COMPLETED:
        return False
    return not (status == Item.Status.COMPLETION_REQUESTED and rule in DATE_RULES)


def _lock_order(reminder):
    """The order every sweep inserts reminders in. Two sweeps inserting overlapping keys (a
    catch-up window covering a day another sweep is doing, escalations found by sweeps of two
    days) wait for each other's unique-index entries; taken in one ascending order, those waits
    never form a cycle. The prefix (item, deadline, rule, due_on) fixes the escalation key too."""
    return (
        reminder.item_id,
        reminder.deadline_id or 0,
        reminder.rule,
        reminder.due_on,
        reminder.date,
    )


def _insert(reminders, faults=None):
    """Insert, ignoring keys that exist; returns how many rows were offered. A row the
    database refuses is recorded as a fault and skipped, the others are inserted."""
    reminders.sort(key=_lock_order)
    return insert_isolated(Reminder, reminders, CHUNK, faults or FaultLog())


def _fits(offset):
    if not OFFSET_RANGE[0] <= offset <= OFFSET_RANGE[1]:
        raise OverflowError(f"offset {offset} out of range")
    return offset


def _undated_items():
    """Open items whose own due date counts: they have no dated Deadline rows."""
    return _open_items().exclude(
        Exists(Deadline.objects.filter(item=OuterRef("pk"), date__isnull=False))
    )


def _create_deadline_reminders(window, rules, calendar, faults):
    """Reminders of every open date in the plausible range (tracker/lib/plausible.py); the dates
    outside it, and those whose rules raise, are skipped and listed (faults.py)."""
    earliest, latest = plausible.bounds(window[-1])
    faults.out_of_range(earliest, latest, _open_items())
    longest = max(ReminderSettings.day_list(rules.before_days) + [0])
    open_dates = Deadline.objects.filter(Deadline.OPEN, date__gte=earliest, date__lte=latest)
    oldest = open_dates.order_by("date").values_list("date", flat=True).first()
    oldest_item = (
        _open_items()
        .filter(due_date__gte=earliest, due_date__lte=latest)
        .order_by("due_date")
        .values_list("due_date", flat=True)
        .first()
    )
    first = max(earliest, min(d for d in (oldest, oldest_item, window[0]) if d is not None))
    last = min(latest, calendar.add_workdays(window[-1], longest + 1))
    index = WorkdayIndex(calendar, max(first - 30 * ONE_DAY, earliest), max(last, window[-1]))
    firings = defaultdict(list)  # date due -> [(rule, offset, day)]
    failed = {}  # date due -> the exception its rules raised
    due = first
    while due <= last:
        try:
            for rule, offset, day in deadline_firings(due, window, rules, index):
                firings[due].append((rule, _fits(offset), day))
        except RULE_ERRORS as exc:
            firings.pop(due, None)
            failed[due] = exc
        due += ONE_DAY
    open_deadlines = Deadline.objects.filter(Deadline.OPEN, **ACTIVE_ITEM).exclude(
        item__status=Item.Status.COMPLETED
    )
    rows = _escalations(window, rules, index, earliest, faults)
    if not firings:
        faults.dates_failed(failed, open_deadlines, _undated_items())
        return _insert(rows, faults)
    dated = (
        Deadline.objects.filter(Deadline.OPEN, date__in=list(firings))
        .exclude(item__status__in=NOT_CHASED)
        .filter(**ACTIVE_ITEM)
        .values_list("id", "item_id", "date")
    )
    for deadline_id, item_id, date in dated.iterator(chunk_size=CHUNK):
        rows.extend(
            Reminder(
                item_id=item_id,
                deadline_id=deadline_id,
                rule=rule,
                offset=offset,
                due_on=date,
                date=day,
            )
            for rule, offset, day in firings[date]
        )
    # Items whose due date was set by hand, without dated Deadline rows.
    undated = (
        _undated_items()
        .exclude(status__in=NOT_CHASED)
        .filter(due_date__in=list(firings))
        .values_list("id", "due_date")
    )
    for item_id, date in undated.iterator(chunk_size=CHUNK):
        rows.extend(
            Reminder(item_id=item_id, rule=rule, offset=offset, due_on=date, date=day)
            for rule, offset, day in firings[date]
        )
    faults.dates_failed(failed, open_deadlines, _undated_items())
    return _insert(rows, faults)


def _escalations(window, rules, index, earliest, faults):
    """Escalation Reminders for every open date due N or more working days late and not yet
    escalated, however long ago it fell due (but not before the plausible range) in two
    set-based queries; the partial unique constraints on (item, deadline, due_on) keep it to
    one even when two sweeps race."""
    cutoff = escalation_cutoff(window[-1], rules, index)
    escalated = Reminder.objects.filter(rule=R.ESCALATION, item=OuterRef("item_id"))
    dated = (
        Deadline.objects.filter(Deadline.OPEN, date__gte=earliest, date__lte=cutoff)
        .exclude(item__status=Item.Status.COMPLETED)
        .filter(**ACTIVE_ITEM)
        .exclude(Exists(escalated.filter(deadline=OuterRef("pk"), due_on=OuterRef("date"))))
        .values_list("id", "item_id", "date")
    )
    undated = (
        _undated_items()
        .filter(due_date__gte=earliest, due_date__lte=cutoff)
        .exclude(
            Exists(
                Reminder.objects.filter(
                    rule=R.ESCALATION,
                    item=OuterRef("pk"),
                    deadline__isnull=True,
                    due_on=OuterRef("due_date"),
                )
            )
        )
        .annotate(deadline_id=Value(None, output_field=IntegerField()))
        .values_list("deadline_id", "id", "due_date")
    )
    days, rows = {}, []
    for query in (dated, undated):
        for deadline_id, item_id, due in query.iterator(chunk_size=CHUNK):
            if due not in days:  # the rule once per distinct date, guarded
                try:
                    day, late = escalation_on(due, window, rules, index)
                    days[due] = (day, _fits(-late))
                except RULE_ERRORS as exc:
                    days[due] = exc
            if isinstance(days[due], Exception):
                faults.add(
                    item_id, deadline_id, due, ReminderFault.Code.RULE_ERROR, describe(days[due])
                )
                continue
            day, offset = days[due]
            rows.append(
                Reminder(
                    item_id=item_id,
                    deadline_id=deadline_id,
                    rule=R.ESCALATION,
                    offset=offset,
                    due_on=due,
                    date=day,
                )
            )
    return rows


def _create_report_reminders(window, rules, calendar, faults):
    index = WorkdayIndex(calendar, window[0] - 400 * ONE_DAY, window[-1] + 120 * ONE_DAY)
    recurring = (
        Deadline.objects.filter(Deadline.OPEN, date__isnull=True)
        .exclude(recurrence="")
        .exclude(item__status=Item.Status.COMPLETED)
        .filter(**ACTIVE_ITEM)
    )
    cycles = {}
    for rec in recurring.values_list("recurrence", flat=True).distinct():
        try:  # once per distinct recurrence, guarded: a cycle the rules cannot read is listed
            cycles[rec] = report_firings(rec, window, rules, calendar, index)
        except RULE_ERRORS as exc:
            for deadline_id, item_id in recurring.filter(recurrence=rec).values_list(
                "id", "item_id"
            ):
                faults.add(
                    item_id,
                    deadline_id,
                    None,
                    ReminderFault.Code.RULE_ERROR,
                    describe(exc),
                    recurrence=rec,
                )
    cycles = {rec: firings for rec, firings in cycles.items() if firings}
    rows = []
    if cycles:
        firing = recurring.filter(recurrence__in=list(cycles))
        latest = _latest_reports(firing.values("item_id"))
        for deadline_id, item_id, rec in firing.values_list("id", "item_id", "recurrence"):
            for due, start, rule, offset, day in cycles[rec]:
                if latest.get(item_id) is None or latest[item_id] < start:
                    rows.append(
                        Reminder(
                            item_id=item_id,
                            deadline_id=deadline_id,
                            rule=rule,
                            offset=offset,
                            due_on=due,
                            date=day,
                        )
                    )
    # The default cycle, for open items without a recurring deadline of their own.
    by_period = defaultdict(list)
    for due, start, rule, offset, day in report_firings("", window, rules, calendar, index):
        by_period[(due, start)].append((rule, offset, day))
    has_cycle = recurring.filter(item=OuterRef("pk"))
    for (due, start), firings in by_period.items():
        since = timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
        reported = ProgressReport.objects.filter(item=OuterRef("pk"), created_at__gte=since)
        missing = (
            _open_items()
            .filter(created_at__date__lte=due)
            .exclude(Exists(has_cycle))
            .exclude(Exists(reported))
            .values_list("id", flat=True)
        )
        for item_id in missing.iterator(chunk_size=CHUNK):
            rows.extend(
                Reminder(item_id=item_id, rule=rule, offset=offset, due_on=due, date=day)
                for rule, offset, day in firings
            )
    return _insert(rows, faults)


def _latest_reports(item_ids):
    """{item_id: local date of its latest progress report} for the items of a subquery."""
    latest = {}
    reports = ProgressReport.objects.filter(item_id__in=item_ids).values_list(
        "item_id", "created_at"
    )
    for item_id, created in reports.iterator(chunk_size=CHUNK):
        day = timezone.localdate(created)
        if item_id not in latest or latest[item_id] < day:
            latest[item_id] = day
    return latest


def _mail_users():
    return User.objects.filter(is_active=True).exclude(email="")


def fan_out():
    """Give each new Reminder one Notice per recipient; returns the number of notices offered.

    Escalations go to the item's leaders with accounts and the supervision office; the other
    rules to the members (staff, unit heads) of the item's units and its named people, but
    never to a leader's account: leaders get the weekly digest and escalations only.
    """
    total = 0
    supervisors = list(_mail_users().filter(role=User.Role.SUPERVISOR).values_list("id", flat=True))
    while True:
        with transaction.atomic():
            added = _fan_out_chunk(supervisors)
        if added is None:
            return total
        total += added


def _fan_out_chunk(supervisors):
    """One chunk of the fan-out, inside the caller's transaction; None when nothing is left.

    The chunk's reminders are locked first (FOR UPDATE SKIP LOCKED, by id): a second sweep
    fanning out at the same time takes other reminders or none, never the same ones, so the
    two never wait for each other's notices or reminder rows (no deadlock, no double work).
    """
    pending = list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(fanned_out=False)
        .order_by("id")
        .values_list("id", "item_id", "rule")[:CHUNK]
    )
    if not pending:
        return None
    item_ids = {item_id for _id, item_id, _rule in pending}
    units = defaultdict(set)
    for item_id, unit_id in ItemOwner.objects.filter(
        item_id__in=item_ids, unit__isnull=False
    ).values_list("item_id", "unit_id"):
        units[item_id].add(unit_id)
    members = defaultdict(set)
    for unit_id, user_id in (
        _mail_users()
        .filter(
            role__in=[User.Role.STAFF, User.Role.UNIT_HEAD],
            unit_id__in={u for us in units.values() for u in us},
        )
        .values_list("unit_id", "id")
    ):
        members[unit_id].add(user_id)
    people, leaders = defaultdict(set), defaultdict(set)
    for item_id, user_id, role, account in (
        ItemPerson.objects.filter(item_id__in=item_ids, user__is_active=True, user__isnull=False)
        .exclude(user__email="")
        .values_list("item_id", "user_id", "role", "user__role")
    ):
        if account != User.Role.LEADER:  # leaders read digests, never act on reminders
            people[item_id].add(user_id)
        if role == ItemPerson.Role.LEADER:
            leaders[item_id].add(user_id)
    notices = []
    for reminder_id, item_id, rule in pending:
        if rule == R.ESCALATION:
            to = leaders[item_id] | set(supervisors)
        else:
            to = set(people[item_id])
            for unit_id in units[item_id]:
                to |= members[unit_id]
        notices.extend(Notice(reminder_id=reminder_id, recipient_id=user_id) for user_id in to)
    # Rows in one order (reminder, recipient), whoever inserts them.
    notices.sort(key=lambda n: (n.reminder_id, n.recipient_id))
    Notice.objects.bulk_create(notices, batch_size=CHUNK, ignore_conflicts=True)
    Reminder.objects.filter(id__in=[p[0] for p in pending]).update(fanned_out=True)
    return len(notices)
