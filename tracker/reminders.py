"""Which reminders fall due, to whom, and when they go out: the rules and the daily sweep.

Plain functions over the models; tracker/tasks.py calls them, tracker/notify.py sends.

The rules (defaults; the supervision office edits ReminderSettings):
- a date due (an item's deadline or "13710" milestone, or its own due date when it has no
  dated Deadline rows) reminds 7, 3 and 1 working days before and on the day; a date falling on
  a holiday counts from the last working day before it;
- overdue: on each of the first 3 working days after, then every 5 working days (weekly);
  an item 5 or more working days late is escalated to the responsible leaders and the
  supervision office once per date due, by the first sweep that finds it so late (also when it
  was imported already late or the sweep was down longer than catch_up_days);
- progress reports: each recurring deadline (每月25日前 → monthly:25 …) and, for items without
  one, the default cycle (monthly, by the 25th) reminds 5, 3, 1 working days before and on the
  report day, and once the next working day if late, until a ProgressReport of the period exists.

Exactly once: the sweep computes, for every working day since the last finished sweep (at most
`catch_up_days` back), the keys (item, deadline, rule, date) due, and inserts them with
ignore_conflicts under the unique constraints; a re-run or a second worker adds nothing. Each
new Reminder then gets one Notice per recipient (unique too). The sweep's query count does not
depend on how many items exist: the rules are evaluated once per distinct date in Python and
the database is asked for the rows on those dates only (set-based, in chunks of reminders).
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, IntegerField, OuterRef, Q, Value
from django.utils import timezone

from tracker import clock
from tracker.models import (
    Deadline,
    Delivery,
    Item,
    ItemOwner,
    ItemPerson,
    Notice,
    ProgressReport,
    Reminder,
    ReminderSettings,
    ReminderSweep,
    User,
)
from tracker.workdays import WorkdayCalendar

ONE_DAY = datetime.timedelta(days=1)
CHUNK = 5000
R = Reminder.Rule


# --- working-day arithmetic by lookup --------------------------------------------------------


class WorkdayIndex:
    """WorkdayCalendar arithmetic over a span by table lookup (the sweep asks thousands of times)."""

    def __init__(self, calendar, first, last):
        self.calendar = calendar
        self.rank = {}  # date -> working days from `first` up to and including it
        count, day = 0, first
        while day <= last:
            count += calendar.is_workday(day)
            self.rank[day] = count
            day += ONE_DAY

    def is_workday(self, day):
        return self.calendar.is_workday(day)

    def between(self, start, end):
        """Working days after `start` up to and including `end` (WorkdayCalendar's rule)."""
        if start in self.rank and end in self.rank:
            return self.rank[end] - self.rank[start]
        return self.calendar.workdays_between(start, end)

    def base(self, due):
        """The working day a date due counts from: itself, or the last working day before it."""
        while not self.calendar.is_workday(due):
            due -= ONE_DAY
        return due


# --- the rules: pure functions of dates ------------------------------------------------------


def overdue_fires(days_overdue, rules):
    """Whether an item `days_overdue` working days late is reminded that day."""
    daily, every = rules.overdue_daily_days, max(rules.overdue_every_days, 1)
    if days_overdue < 1:
        return False
    return days_overdue <= daily or (days_overdue - daily) % every == 0


def deadline_rules_on(due, day, rules, index):
    """The (rule, offset) pairs a date due on `due` fires on the working day `day`."""
    fired = []
    if due >= day:
        base = index.base(due)
        ahead = index.between(day, base) if base >= day else -1
        if ahead == 0:
            fired.append((R.DUE, 0))
        elif ahead > 0 and ahead in ReminderSettings.day_list(rules.before_days):
            fired.append((R.BEFORE, ahead))
        return fired
    late = index.between(due, day)
    if overdue_fires(late, rules):
        fired.append((R.OVERDUE, -late))
    return fired


def escalation_on(due, window, rules, index):
    """(day, working days late) of the first day of `window` on which a date due on `due` is
    escalated: N (escalate_after_days) or more working days late. None if on no day of it.

    An escalation happens once per date due (unique key), on the first sweep that finds it N or
    more days late: the day it reaches N, or later for items imported or swept late.
    """
    for day in window:
        late = index.between(due, day) if due < day else 0
        if late >= rules.escalate_after_days:
            return day, late
    return None


def escalation_cutoff(today, rules, index):
    """The latest date due that is N or more working days late on `today`."""
    due = today - ONE_DAY
    while index.between(due, today) < rules.escalate_after_days:
        due -= ONE_DAY
    return due


def report_rules_on(due, day, rules, index):
    """The (rule, offset) pairs a report due on `due` fires on the working day `day`."""
    if due >= day:
        base = index.base(due)
        ahead = index.between(day, base) if base >= day else -1
        if ahead >= 0 and ahead in ReminderSettings.day_list(rules.report_before_days):
            return [(R.REPORT, ahead)]
        return []
    return [(R.REPORT, -1)] if index.between(due, day) == 1 else []


def _month_end(year, month):
    return (datetime.date(year, month % 12 + 1, 1) if month < 12
            else datetime.date(year + 1, 1, 1)) - ONE_DAY


def report_due_dates(recurrence, first, last, rules, calendar):
    """The report-by dates of a recurrence (gazette/deadlines.py vocabulary) in a span.

    '' is the default cycle (monthly by rules.report_day); 'daily' and unknown values give
    none (a daily report is not reminded by e-mail).
    """
    kind, _sep, arg = (recurrence or f"monthly:{rules.report_day}").partition(":")
    if kind == "monthly" and not arg:
        arg = str(rules.report_day)
    days = []
    if kind == "weekly":
        weekday = int(arg) if arg.isdigit() else 5
        day = first - datetime.timedelta(days=first.isoweekday() - weekday) - 7 * ONE_DAY
        while day <= last:
            days.append(day)
            day += 7 * ONE_DAY
    else:
        for year in range(first.year - 1, last.year + 1):
            for month in range(1, 13):
                due = _period_due(kind, arg, year, month, calendar)
                if due is not None:
                    days.append(due)
    return sorted(day for day in days if first <= day <= last)


def _period_due(kind, arg, year, month, calendar):
    end = _month_end(year, month)
    if kind == "monthly":
        if arg.isdigit():
            return end.replace(day=min(int(arg), end.day))
        if arg in ("end", "last10days"):
            return end
        if arg == "mid":
            return end.replace(day=20)
        if arg == "start":
            return end.replace(day=5)
        if arg.startswith("first") and arg.endswith("workdays"):
            return calendar.add_workdays(end.replace(day=1) - ONE_DAY, int(arg[5:-8] or 5))
        if arg.startswith("first") and arg.endswith("days"):
            return end.replace(day=min(int(arg[5:-4] or 10), end.day))
        return None
    if kind == "quarterly" and month % 3 == 0:
        return end
    if kind == "semiannual" and month % 6 == 0:
        return end
    if kind == "yearly":
        month_day = arg or "12-31"
        mm, _sep, dd = month_day.partition("-")
        if mm.isdigit() and int(mm) == month:
            return end.replace(day=min(int(dd or end.day), end.day))
    return None


def report_firings(recurrence, window, rules, calendar, index):
    """(due, period_start, rule, offset, day) for each report reminder of a cycle in `window`."""
    first, last = window[0] - datetime.timedelta(days=40), window[-1] + datetime.timedelta(days=90)
    dues = report_due_dates(recurrence, first - datetime.timedelta(days=370), last, rules,
                            calendar)
    firings = []
    for previous, due in zip(dues, dues[1:], strict=False):
        if due < first:
            continue
        for day in window:
            for rule, offset in report_rules_on(due, day, rules, index):
                firings.append((due, previous + ONE_DAY, rule, offset, day))
    return firings


def is_sending_time(moment, rules, calendar):
    """Mail goes out on working days between the send time and the quiet time, local time."""
    local = timezone.localtime(moment)
    return (rules.enabled and calendar.is_workday(local.date())
            and rules.send_time <= local.time() < rules.quiet_time)


def sweep_window(today, rules, calendar):
    """The working days to sweep: since the last finished sweep, at most catch_up_days back."""
    start = today - datetime.timedelta(days=rules.catch_up_days)
    last = (ReminderSweep.objects.filter(date__lt=today, finished_at__isnull=False)
            .order_by("-date").values_list("date", flat=True).first())
    if last is not None:
        start = max(start, last + ONE_DAY)
    days = []
    day = start
    while day <= today:
        if calendar.is_workday(day):
            days.append(day)
        day += ONE_DAY
    return days


# --- the sweep ---------------------------------------------------------------------------------


def sweep(today=None, rules=None, calendar=None):
    """Create every Reminder and Notice due up to `today`; safe to run again or in parallel."""
    today = today or clock.today()
    rules = rules or ReminderSettings.load()
    calendar = calendar or WorkdayCalendar()
    record, _created = ReminderSweep.objects.get_or_create(date=today)
    window = sweep_window(today, rules, calendar)
    created = 0
    if window:
        created = _create_deadline_reminders(window, rules, calendar)
        created += _create_report_reminders(window, rules, calendar)
    notices = fan_out()
    ReminderSweep.objects.filter(pk=record.pk).update(
        finished_at=timezone.now(), reminders=created, notices=notices
    )
    return {"window": window, "reminders": created, "notices": notices}


def _open_items():
    return Item.objects.exclude(status=Item.Status.COMPLETED)


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


def _insert(reminders):
    """Insert, ignoring keys that exist; returns how many rows were offered."""
    Reminder.objects.bulk_create(reminders, batch_size=CHUNK, ignore_conflicts=True)
    return len(reminders)


def _create_deadline_reminders(window, rules, calendar):
    longest = max(ReminderSettings.day_list(rules.before_days) + [0])
    oldest = (Deadline.objects.filter(date__isnull=False, done_at__isnull=True)
              .order_by("date").values_list("date", flat=True).first())
    oldest_item = (_open_items().filter(due_date__isnull=False).order_by("due_date")
                   .values_list("due_date", flat=True).first())
    first = min(d for d in (oldest, oldest_item, window[0]) if d is not None)
    last = calendar.add_workdays(window[-1], longest + 1)
    index = WorkdayIndex(calendar, first - 30 * ONE_DAY, last)
    firings = defaultdict(list)  # date due -> [(rule, offset, day)]
    due = first
    while due <= last:
        for day in window:
            for rule, offset in deadline_rules_on(due, day, rules, index):
                firings[due].append((rule, offset, day))
        due += ONE_DAY
    rows = _escalations(window, rules, index)
    if not firings:
        return _insert(rows)
    dated = (Deadline.objects.filter(date__in=list(firings), done_at__isnull=True)
             .exclude(item__status__in=NOT_CHASED)
             .values_list("id", "item_id", "date"))
    for deadline_id, item_id, date in dated.iterator(chunk_size=CHUNK):
        rows.extend(Reminder(item_id=item_id, deadline_id=deadline_id, rule=rule, offset=offset,
                             due_on=date, date=day) for rule, offset, day in firings[date])
    # Items whose due date was set by hand, without dated Deadline rows.
    undated = (Item.objects.exclude(status__in=NOT_CHASED).filter(due_date__in=list(firings))
               .exclude(Exists(Deadline.objects.filter(item=OuterRef("pk"),
                                                       date__isnull=False)))
               .values_list("id", "due_date"))
    for item_id, date in undated.iterator(chunk_size=CHUNK):
        rows.extend(Reminder(item_id=item_id, rule=rule, offset=offset, due_on=date, date=day)
                    for rule, offset, day in firings[date])
    return _insert(rows)


def _escalations(window, rules, index):
    """Escalation Reminders for every open date due N or more working days late and not yet
    escalated, however long ago it fell due (two set-based queries; the partial unique
    constraints on (item, deadline, due_on) keep it to one even when two sweeps race)."""
    cutoff = escalation_cutoff(window[-1], rules, index)
    escalated = Reminder.objects.filter(rule=R.ESCALATION, item=OuterRef("item_id"))
    dated = (Deadline.objects.filter(date__lte=cutoff, done_at__isnull=True)
             .exclude(item__status=Item.Status.COMPLETED)
             .exclude(Exists(escalated.filter(deadline=OuterRef("pk"), due_on=OuterRef("date"))))
             .values_list("id", "item_id", "date"))
    undated = (_open_items().filter(due_date__lte=cutoff)
               .exclude(Exists(Deadline.objects.filter(item=OuterRef("pk"),
                                                       date__isnull=False)))
               .exclude(Exists(Reminder.objects.filter(
                   rule=R.ESCALATION, item=OuterRef("pk"), deadline__isnull=True,
                   due_on=OuterRef("due_date"))))
               .annotate(deadline_id=Value(None, output_field=IntegerField()))
               .values_list("deadline_id", "id", "due_date"))
    days, rows = {}, []
    for query in (dated, undated):
        for deadline_id, item_id, due in query.iterator(chunk_size=CHUNK):
            if due not in days:
                days[due] = escalation_on(due, window, rules, index)
            day, late = days[due]
            rows.append(Reminder(item_id=item_id, deadline_id=deadline_id, rule=R.ESCALATION,
                                 offset=-late, due_on=due, date=day))
    return rows


def _create_report_reminders(window, rules, calendar):
    index = WorkdayIndex(calendar, window[0] - 400 * ONE_DAY, window[-1] + 120 * ONE_DAY)
    recurring = (Deadline.objects.filter(done_at__isnull=True, date__isnull=True)
                 .exclude(recurrence="").exclude(item__status=Item.Status.COMPLETED))
    cycles = {rec: report_firings(rec, window, rules, calendar, index)
              for rec in recurring.values_list("recurrence", flat=True).distinct()}
    cycles = {rec: firings for rec, firings in cycles.items() if firings}
    rows = []
    if cycles:
        firing = recurring.filter(recurrence__in=list(cycles))
        latest = _latest_reports(firing.values("item_id"))
        for deadline_id, item_id, rec in firing.values_list("id", "item_id", "recurrence"):
            for due, start, rule, offset, day in cycles[rec]:
                if latest.get(item_id) is None or latest[item_id] < start:
                    rows.append(Reminder(item_id=item_id, deadline_id=deadline_id, rule=rule,
                                         offset=offset, due_on=due, date=day))
    # The default cycle, for open items without a recurring deadline of their own.
    by_period = defaultdict(list)
    for due, start, rule, offset, day in report_firings("", window, rules, calendar, index):
        by_period[(due, start)].append((rule, offset, day))
    has_cycle = recurring.filter(item=OuterRef("pk"))
    for (due, start), firings in by_period.items():
        since = timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
        reported = ProgressReport.objects.filter(item=OuterRef("pk"), created_at__gte=since)
        missing = (_open_items().filter(created_at__date__lte=due)
                   .exclude(Exists(has_cycle)).exclude(Exists(reported))
                   .values_list("id", flat=True))
        for item_id in missing.iterator(chunk_size=CHUNK):
            rows.extend(Reminder(item_id=item_id, rule=rule, offset=offset, due_on=due, date=day)
                        for rule, offset, day in firings)
    return _insert(rows)


def _latest_reports(item_ids):
    """{item_id: local date of its latest progress report} for the items of a subquery."""
    latest = {}
    reports = ProgressReport.objects.filter(item_id__in=item_ids).values_list("item_id",
                                                                              "created_at")
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
    rules to the members (staff, unit heads) of the item's units and its named people.
    """
    total = 0
    supervisors = list(_mail_users().filter(role=User.Role.SUPERVISOR)
                       .values_list("id", flat=True))
    while True:
        pending = list(Reminder.objects.filter(fanned_out=False).order_by("id")
                       .values_list("id", "item_id", "rule")[:CHUNK])
        if not pending:
            return total
        item_ids = {item_id for _id, item_id, _rule in pending}
        units = defaultdict(set)
        for item_id, unit_id in ItemOwner.objects.filter(
                item_id__in=item_ids, unit__isnull=False).values_list("item_id", "unit_id"):
            units[item_id].add(unit_id)
        members = defaultdict(set)
        for unit_id, user_id in _mail_users().filter(
                role__in=[User.Role.STAFF, User.Role.UNIT_HEAD],
                unit_id__in={u for us in units.values() for u in us}).values_list("unit_id", "id"):
            members[unit_id].add(user_id)
        people, leaders = defaultdict(set), defaultdict(set)
        for item_id, user_id, role in ItemPerson.objects.filter(
                item_id__in=item_ids, user__is_active=True, user__isnull=False
        ).exclude(user__email="").values_list("item_id", "user_id", "role"):
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
        with transaction.atomic():
            Notice.objects.bulk_create(notices, batch_size=CHUNK, ignore_conflicts=True)
            Reminder.objects.filter(id__in=[p[0] for p in pending]).update(fanned_out=True)
        total += len(notices)


# --- from notices to e-mails ---------------------------------------------------------------


def plan_deliveries(moment=None, rules=None, calendar=None):
    """Attach waiting notices to e-mails (Delivery rows); returns how many were opened.

    Immediate users get one e-mail per run with all their waiting notices; digest users one a
    day, from the digest time on. The leaders and the supervision office get a weekly digest on
    the first working day of the week from the configured weekday on.
    """
    moment = moment or clock.now()
    rules = rules or ReminderSettings.load()
    calendar = calendar or WorkdayCalendar()
    local = timezone.localtime(moment)
    today = local.date()
    opened = 0
    waiting = (Notice.objects.filter(delivery__isnull=True).order_by()
               .values_list("recipient_id", "recipient__delivery").distinct())
    for recipient_id, preference in list(waiting):
        if preference == User.Delivery.DIGEST:
            if local.time() >= rules.digest_time:
                opened += _open_delivery(recipient_id, Delivery.Kind.DAILY, today)
        else:
            opened += _open_delivery(recipient_id, Delivery.Kind.IMMEDIATE, today)
    if _weekly_digest_day(today, rules, calendar):
        monday = today - datetime.timedelta(days=today.weekday())
        readers = _mail_users().filter(role__in=[User.Role.LEADER, User.Role.SUPERVISOR])
        Delivery.objects.bulk_create(
            [Delivery(recipient_id=user_id, kind=Delivery.Kind.WEEKLY, period=monday)
             for user_id in readers.values_list("id", flat=True)],
            ignore_conflicts=True,
        )
    return opened


def _weekly_digest_day(today, rules, calendar):
    """Whether today is the first working day of its week on or after the configured weekday."""
    monday = today - datetime.timedelta(days=today.weekday())
    for offset in range(rules.weekly_digest_weekday - 1, 7):
        day = monday + datetime.timedelta(days=offset)
        if calendar.is_workday(day):
            return day == today
    return False


def _open_delivery(recipient_id, kind, period):
    """One new e-mail carrying all of the recipient's waiting notices (conditional UPDATE).

    Inside one transaction, so no sender sees the Delivery before its notices are attached;
    a notice is attached at most once because the UPDATE requires `delivery IS NULL`.
    """
    with transaction.atomic():
        if kind == Delivery.Kind.IMMEDIATE:
            delivery = Delivery.objects.create(recipient_id=recipient_id, kind=kind, period=period)
        else:
            delivery, created = Delivery.objects.get_or_create(
                recipient_id=recipient_id, kind=kind, period=period)
            if not created:
                return 0  # today's digest exists; what came later waits for tomorrow's
        attached = Notice.objects.filter(recipient_id=recipient_id,
                                         delivery__isnull=True).update(delivery=delivery)
        if not attached:
            delivery.delete()
            return 0
    return 1


def sendable(now=None, rules=None):
    """Ids of deliveries to send now: pending, due, and not claimed (or claimed by the dead)."""
    now = now or timezone.now()
    rules = rules or ReminderSettings.load()
    stale = now - datetime.timedelta(seconds=rules.claim_timeout_seconds)
    return list(Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
                .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
                .order_by("id").values_list("id", flat=True))


def tick(moment=None):
    """What beat runs every few minutes: in sending hours, sweep once a day, plan, and return
    the deliveries to send. Outside them (night, weekends, holidays) it does nothing, so a
    worker that comes back at night sends its backlog at the next send time, once."""
    moment = moment or clock.now()
    rules = ReminderSettings.load()
    calendar = WorkdayCalendar()
    if not is_sending_time(moment, rules, calendar):
        return []
    today = timezone.localdate(moment)
    if not ReminderSweep.objects.filter(date=today, finished_at__isnull=False).exists():
        sweep(today, rules, calendar)
    plan_deliveries(moment, rules, calendar)
    return sendable(rules=rules)
