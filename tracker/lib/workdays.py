"""Working days of the Chinese calendar, with the adjusted working weekends (调休).

The chinesecalendar package knows the State Council's holiday arrangements for the years it
was released with; an administrator enters Holiday rows for other years or local changes, and
those rows win.
"""

import datetime

import chinese_calendar

from tracker.models import Holiday

ONE_DAY = datetime.timedelta(days=1)


class WorkdayCalendar:
    """Answers "is this a working day?"; load once per request or sweep, then ask many times."""

    def __init__(self, overrides=None):
        if overrides is None:
            overrides = dict(Holiday.objects.values_list("date", "is_workday"))
        self.overrides = overrides

    def is_workday(self, day):
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            # A year the package does not know: weekdays work unless a Holiday row says not.
            return day.weekday() < 5

    def add_workdays(self, day, count):
        """The date `count` working days after `day` (before it when negative); 0 is `day`."""
        step = ONE_DAY if count >= 0 else -ONE_DAY
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def next_workday(self, day):
        """`day` itself when it is a working day, else the next one."""
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def workdays_between(self, start, end):
        """Working days after `start` up to and including `end` (negative when end < start)."""
        if end < start:
            return -self.workdays_between(end, start)
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.is_workday(day)
        return count
