"""The reminder rules: pure functions of dates and working days."""

import datetime

from django.utils import timezone

from tracker.models import (
    Reminder,
    ReminderSettings,
    ReminderSweep,
)

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


def deadline_state_on(due, day, index):
    """(rule, offset) describing a date due as it stands on `day`, whether or not a rule fires
    that day: due in N working days, due today, or N working days late."""
    if due >= day:
        base = index.base(due)
        ahead = index.between(day, base) if base >= day else 0
        return (R.BEFORE, ahead) if ahead > 0 else (R.DUE, 0)
    late = index.between(due, day)
    return (R.OVERDUE, -late) if late > 0 else (R.DUE, 0)


def deadline_firings(due, window, rules, index):
    """The (rule, offset, day) reminders a date due gets from a sweep over `window`.

    A sweep over one day gives that day's rules. A catch-up over several (the sweep was down,
    or this is a new installation's first) reminds once per date due, of its current state on
    the last day: missed days are not replayed as "3 / 2 / 1 working days late" side by side.
    """
    fired = [
        (rule, offset, day)
        for day in window
        for rule, offset in deadline_rules_on(due, day, rules, index)
    ]
    if len(window) <= 1 or not fired:
        return fired
    today = window[-1]
    rule, offset = deadline_state_on(due, today, index)
    return [(rule, offset, today)]


def latest_per_due(firings):
    """Of report firings (due, start, rule, offset, day), the last one of each date due: a
    catch-up reminds of a missed report day once."""
    latest = {}
    for firing in firings:
        due, day = firing[0], firing[4]
        if due not in latest or latest[due][4] < day:
            latest[due] = firing
    return sorted(latest.values())


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
    return (
        datetime.date(year, month % 12 + 1, 1) if month < 12 else datetime.date(year + 1, 1, 1)
    ) - ONE_DAY


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
        weekday = int(arg) if arg.isascii() and arg.isdigit() else 5
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
        if arg.isascii() and arg.isdigit():
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
        if mm.isascii() and mm.isdigit() and int(mm) == month:
            return end.replace(day=min(int(dd or end.day), end.day))
    return None


def report_firings(recurrence, window, rules, calendar, index):
    """(due, period_start, rule, offset, day) for each report reminder of a cycle in `window`."""
    first, last = window[0] - datetime.timedelta(days=40), window[-1] + datetime.timedelta(days=90)
    dues = report_due_dates(recurrence, first - datetime.timedelta(days=370), last, rules, calendar)
    firings = []
    for previous, due in zip(dues, dues[1:], strict=False):
        if due < first:
            continue
        for day in window:
            for rule, offset in report_rules_on(due, day, rules, index):
                firings.append((due, previous + ONE_DAY, rule, offset, day))
    return latest_per_due(firings)


def is_sending_time(moment, rules, calendar):
    """Mail goes out on working days between the send time and the quiet time, local time."""
    local = timezone.localtime(moment)
    return (
        rules.enabled
        and calendar.is_workday(local.date())
        and rules.send_time <= local.time() < rules.quiet_time
    )


def sweep_window(today, rules, calendar):
    """The working days to sweep: since the last finished sweep, at most catch_up_days back."""
    start = today - datetime.timedelta(days=rules.catch_up_days)
    last = (
        ReminderSweep.objects.filter(date__lt=today, finished_at__isnull=False)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if last is not None:
        start = max(start, last + ONE_DAY)
    days = []
    day = start
    while day <= today:
        if calendar.is_workday(day):
            days.append(day)
        day += ONE_DAY
    return days
