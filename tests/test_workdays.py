import datetime

import pytest

from tracker.lib.workdays import WorkdayCalendar
from tracker.models import Holiday

D = datetime.date


def calendar(**overrides):
    return WorkdayCalendar(overrides=overrides or {})


def test_an_adjusted_working_sunday_is_a_workday():
    # 2024-02-04 was a Sunday worked in exchange for the Spring Festival holiday.
    assert calendar().is_workday(D(2024, 2, 4))
    assert not calendar().is_workday(D(2024, 2, 12))


def test_working_days_skip_the_national_day_week():
    cal = calendar()
    # 2024-09-30 (Mon) is a workday; 10-01..10-07 are holidays; 10-12 (Sat) is worked.
    assert cal.add_workdays(D(2024, 9, 30), 1) == D(2024, 10, 8)
    assert cal.add_workdays(D(2024, 10, 8), 4) == D(2024, 10, 12)
    assert cal.add_workdays(D(2024, 10, 8), -1) == D(2024, 9, 30)
    assert cal.workdays_between(D(2024, 9, 30), D(2024, 10, 8)) == 1
    assert cal.workdays_between(D(2024, 10, 8), D(2024, 9, 30)) == -1
    assert cal.next_workday(D(2024, 10, 3)) == D(2024, 10, 8)


def test_unknown_years_fall_back_to_weekdays_and_entered_holidays():
    cal = calendar(**{})
    monday, saturday = D(2031, 3, 3), D(2031, 3, 8)
    assert cal.is_workday(monday) and not cal.is_workday(saturday)
    entered = WorkdayCalendar(overrides={monday: False, saturday: True})
    assert not entered.is_workday(monday) and entered.is_workday(saturday)


@pytest.mark.django_db
def test_holidays_entered_by_an_administrator_win():
    Holiday.objects.create(date=D(2024, 5, 6), name="地方假日")
    Holiday.objects.create(date=D(2024, 5, 12), is_workday=True, name="调休")
    cal = WorkdayCalendar()
    assert not cal.is_workday(D(2024, 5, 6))
    assert cal.is_workday(D(2024, 5, 12))
