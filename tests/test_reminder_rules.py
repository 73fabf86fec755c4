"""Reminder rules on real calendars: holidays, adjusted working weekends, catch-up, once only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker.lib.workdays import WorkdayCalendar
from tracker.models import (
    Deadline,
    Item,
    ItemPerson,
    Notice,
    ProgressReport,
    Reminder,
    ReminderSettings,
    ReminderSweep,
)
from tracker.reminders import sweep
from tracker.reminders.rules import (
    WorkdayIndex,
    deadline_rules_on,
    escalation_on,
    is_sending_time,
    report_due_dates,
    report_rules_on,
)

D = datetime.date
R = Reminder.Rule
CAL = WorkdayCalendar(overrides={})
LONG_AGO = datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC)


def firings(due, first, last, rule_function=deadline_rules_on, rules=None):
    """{day: [(rule, offset)]} for every working day in [first, last]."""
    rules = rules or ReminderSettings()
    index = WorkdayIndex(CAL, first - datetime.timedelta(days=60), last)
    out, day = {}, first
    while day <= last:
        if CAL.is_workday(day):
            fired = rule_function(due, day, rules, index)
            if fired:
                out[day] = fired
        day += datetime.timedelta(days=1)
    return out


def escalated(due, first, last, rules=None):
    """(day, days late) of the escalation a sweep over the working days [first, last] makes."""
    index = WorkdayIndex(CAL, first - datetime.timedelta(days=60), last)
    window = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    return escalation_on(
        due, [day for day in window if CAL.is_workday(day)], rules or ReminderSettings(), index
    )


def test_a_date_due_after_the_national_day_week_is_reminded_on_working_days_before_it():
    # 2024-10-01..07 are holidays; 09-29 (Sunday) was worked.
    fired = firings(D(2024, 10, 8), D(2024, 9, 15), D(2024, 10, 8))
    assert fired == {
        D(2024, 9, 23): [(R.BEFORE, 7)],
        D(2024, 9, 27): [(R.BEFORE, 3)],
        D(2024, 9, 30): [(R.BEFORE, 1)],
        D(2024, 10, 8): [(R.DUE, 0)],
    }


def test_a_date_due_on_a_holiday_counts_from_the_last_working_day_before_it():
    fired = firings(D(2024, 10, 3), D(2024, 9, 20), D(2024, 10, 7))
    assert fired[D(2024, 9, 30)] == [(R.DUE, 0)]
    assert fired[D(2024, 9, 29)] == [(R.BEFORE, 1)]  # the working Sunday
    assert fired[D(2024, 9, 26)] == [(R.BEFORE, 3)]
    assert not any(day.month == 10 for day in fired)


def test_overdue_reminders_run_daily_then_weekly_and_escalate_after_five_working_days():
    fired = firings(D(2024, 9, 30), D(2024, 10, 1), D(2024, 10, 31))
    assert fired == {
        D(2024, 10, 8): [(R.OVERDUE, -1)],
        D(2024, 10, 9): [(R.OVERDUE, -2)],
        D(2024, 10, 10): [(R.OVERDUE, -3)],
        D(2024, 10, 16): [(R.OVERDUE, -8)],
        D(2024, 10, 23): [(R.OVERDUE, -13)],
        D(2024, 10, 30): [(R.OVERDUE, -18)],
    }
    assert escalated(D(2024, 9, 30), D(2024, 10, 1), D(2024, 10, 31)) == (
        D(2024, 10, 12),
        5,
    )  # a working Saturday


def test_a_sweep_that_first_sees_an_item_long_overdue_escalates_it_that_day():
    assert escalated(D(2024, 9, 30), D(2024, 10, 21), D(2024, 10, 31)) == (D(2024, 10, 21), 11)
    assert escalated(D(2024, 9, 30), D(2024, 10, 1), D(2024, 10, 11)) is None  # only 4 late


def test_the_working_sunday_of_2024_02_04_carries_the_seven_day_reminder():
    fired = firings(D(2024, 2, 19), D(2024, 1, 25), D(2024, 2, 19))
    assert fired == {
        D(2024, 2, 4): [(R.BEFORE, 7)],
        D(2024, 2, 8): [(R.BEFORE, 3)],
        D(2024, 2, 18): [(R.BEFORE, 1)],  # the Sunday after the Spring Festival
        D(2024, 2, 19): [(R.DUE, 0)],
    }


def test_an_item_due_in_the_spring_festival_is_overdue_from_the_first_working_day_after():
    fired = firings(D(2024, 2, 12), D(2024, 2, 5), D(2024, 2, 23))
    assert fired[D(2024, 2, 9)] == [(R.DUE, 0)]
    assert fired[D(2024, 2, 18)] == [(R.OVERDUE, -1)]
    assert escalated(D(2024, 2, 12), D(2024, 2, 5), D(2024, 2, 23)) == (D(2024, 2, 22), 5)


def test_edited_rules_change_the_schedule():
    rules = ReminderSettings(
        before_days="2", overdue_daily_days=1, overdue_every_days=2, escalate_after_days=3
    )
    fired = firings(D(2024, 6, 12), D(2024, 6, 1), D(2024, 6, 20), rules=rules)
    assert fired == {
        D(2024, 6, 7): [(R.BEFORE, 2)],  # 06-10 was the Dragon Boat holiday
        D(2024, 6, 12): [(R.DUE, 0)],
        D(2024, 6, 13): [(R.OVERDUE, -1)],
        D(2024, 6, 17): [(R.OVERDUE, -3)],
        D(2024, 6, 19): [(R.OVERDUE, -5)],
    }
    assert escalated(D(2024, 6, 12), D(2024, 6, 1), D(2024, 6, 20), rules) == (D(2024, 6, 17), 3)


def test_the_default_report_cycle_is_the_25th_of_each_month():
    dues = report_due_dates("", D(2024, 4, 1), D(2024, 6, 30), ReminderSettings(), CAL)
    assert dues == [D(2024, 4, 25), D(2024, 5, 25), D(2024, 6, 25)]


@pytest.mark.parametrize(
    "recurrence, expected",
    [
        ("monthly:10", [D(2024, 4, 10), D(2024, 5, 10), D(2024, 6, 10)]),
        ("monthly:end", [D(2024, 4, 30), D(2024, 5, 31), D(2024, 6, 30)]),
        # the 5th working day: after the Qingming (04-04..06) and May Day (05-01..05) holidays
        ("monthly:first5workdays", [D(2024, 4, 8), D(2024, 5, 10), D(2024, 6, 7)]),
        ("quarterly", [D(2024, 6, 30)]),
        ("yearly:05-15", [D(2024, 5, 15)]),
        ("weekly:5", [D(2024, 4, 5) + datetime.timedelta(days=7 * n) for n in range(13)]),
        ("daily", []),
    ],
)
def test_recurring_deadlines_set_their_own_report_days(recurrence, expected):
    dues = report_due_dates(recurrence, D(2024, 4, 1), D(2024, 6, 30), ReminderSettings(), CAL)
    assert dues == expected


def test_a_report_due_on_a_saturday_is_reminded_before_and_once_when_late():
    # 2024-05-25 was a Saturday: the report day counts from Friday 05-24.
    fired = firings(D(2024, 5, 25), D(2024, 5, 10), D(2024, 6, 7), report_rules_on)
    assert fired == {
        D(2024, 5, 17): [(R.REPORT, 5)],
        D(2024, 5, 21): [(R.REPORT, 3)],
        D(2024, 5, 23): [(R.REPORT, 1)],
        D(2024, 5, 24): [(R.REPORT, 0)],
        D(2024, 5, 27): [(R.REPORT, -1)],
    }


def test_mail_goes_out_only_in_sending_hours_on_working_days():
    rules = ReminderSettings()

    def at(day, hour, minute=0):
        return datetime.datetime(
            day.year,
            day.month,
            day.day,
            hour,
            minute,
            tzinfo=datetime.timezone(datetime.timedelta(hours=8)),
        )

    assert is_sending_time(at(D(2024, 10, 8), 8, 30), rules, CAL)
    assert not is_sending_time(at(D(2024, 10, 8), 8, 29), rules, CAL)
    assert not is_sending_time(at(D(2024, 10, 8), 22, 0), rules, CAL)
    assert not is_sending_time(at(D(2024, 10, 3), 9, 0), rules, CAL)  # holiday
    assert is_sending_time(at(D(2024, 2, 4), 9, 0), rules, CAL)  # working Sunday
    assert not is_sending_time(at(D(2024, 10, 8), 9, 0), ReminderSettings(enabled=False), CAL)


# --- the sweep (database) --------------------------------------------------------------------


@pytest.fixture
def rules(db):
    return ReminderSettings.load()


def swept_until(day):
    """Pretend the sweep last finished on `day`, so the next one covers the days after only."""
    ReminderSweep.objects.create(
        date=day,
        finished_at=datetime.datetime(day.year, day.month, day.day, 1, tzinfo=datetime.UTC),
    )


def deadline_reminders():
    return Reminder.objects.exclude(rule=R.REPORT)


def with_deadline(make_item, units, due, kind=Deadline.Kind.DEADLINE, **fields):
    item = make_item(lead=units["fgj"], due_date=due, **fields)
    Deadline.objects.create(item=item, kind=kind, expr=f"{due.month}月{due.day}日前", date=due)
    return item


def test_a_sweep_creates_a_reminder_once_for_the_units_members_and_named_people(
    make_item, units, users, rules
):
    item = with_deadline(make_item, units, D(2024, 10, 8))
    ItemPerson.objects.create(
        item=item, role=ItemPerson.Role.PERSON, name="张三", user=users["other_staff"]
    )
    swept_until(D(2024, 9, 26))
    sweep.sweep(D(2024, 9, 27))
    reminder = Reminder.objects.get()
    assert (reminder.rule, reminder.offset, reminder.date) == (R.BEFORE, 3, D(2024, 9, 27))
    recipients = set(Notice.objects.values_list("recipient__username", flat=True))
    assert recipients == {"staff", "head", "other_staff"}

    sweep.sweep(D(2024, 9, 27))
    sweep.sweep(D(2024, 9, 27))
    assert Reminder.objects.count() == 1 and Notice.objects.count() == 3


def test_milestones_remind_like_deadlines_until_done(make_item, units, users, rules):
    item = make_item(lead=units["fgj"], kind=Item.Kind.ADHOC)
    milestone = Deadline.objects.create(
        item=item,
        kind=Deadline.Kind.MILESTONE,
        expr="1个工作日内",
        what="研究部署",
        date=D(2024, 10, 9),
    )
    done = Deadline.objects.create(
        item=item,
        kind=Deadline.Kind.MILESTONE,
        what="接收任务",
        date=D(2024, 10, 8),
        done_at=datetime.datetime(2024, 10, 8, 9, tzinfo=datetime.UTC),
    )
    sweep.sweep(D(2024, 10, 8))
    assert list(Reminder.objects.values_list("deadline", "rule")) == [(milestone.pk, R.BEFORE)]
    assert not done.reminders.exists()


def test_a_milestone_marked_done_is_no_longer_reminded_when_overdue(make_item, units, users, rules):
    item = make_item(lead=units["fgj"], kind=Item.Kind.ADHOC)
    done = Deadline.objects.create(
        item=item, kind=Deadline.Kind.MILESTONE, what="研究部署", date=D(2024, 10, 8)
    )
    open_one = Deadline.objects.create(
        item=item, kind=Deadline.Kind.MILESTONE, what="上报结果", date=D(2024, 10, 8)
    )
    swept_until(D(2024, 10, 8))
    sweep.sweep(D(2024, 10, 9))
    assert set(Reminder.objects.values_list("deadline", "rule")) == {
        (done.pk, R.OVERDUE),
        (open_one.pk, R.OVERDUE),
    }
    done.done_at = datetime.datetime(2024, 10, 9, 9, tzinfo=datetime.UTC)
    done.save()
    for day in (D(2024, 10, 10), D(2024, 10, 11), D(2024, 10, 16)):
        sweep.sweep(day)
    assert not done.reminders.exclude(date=D(2024, 10, 9)).exists()
    assert set(open_one.reminders.values_list("rule", "date")) == {
        (R.OVERDUE, D(2024, 10, 9)),
        (R.OVERDUE, D(2024, 10, 10)),
        (R.OVERDUE, D(2024, 10, 11)),
        (R.ESCALATION, D(2024, 10, 14)),
    }


def test_an_item_awaiting_approval_of_its_completion_is_escalated_but_not_chased(
    make_item, units, users, rules
):
    waiting = with_deadline(
        make_item, units, D(2024, 9, 30), status=Item.Status.COMPLETION_REQUESTED
    )
    own_date = make_item(
        lead=units["fgj"], due_date=D(2024, 10, 9), status=Item.Status.COMPLETION_REQUESTED
    )
    swept_until(D(2024, 9, 29))
    for day in (D(2024, 9, 30), D(2024, 10, 8), D(2024, 10, 12)):
        sweep.sweep(day)
    assert list(Reminder.objects.values_list("item", "rule")) == [(waiting.pk, R.ESCALATION)]
    assert not own_date.reminders.exists()


def test_completed_items_and_far_deadlines_get_nothing(make_item, units, users, rules):
    with_deadline(
        make_item,
        units,
        D(2024, 10, 8),
        status=Item.Status.COMPLETED,
        completed_at=datetime.datetime(2024, 9, 1, tzinfo=datetime.UTC),
    )
    with_deadline(make_item, units, D(2024, 12, 31))
    swept_until(D(2024, 9, 26))
    sweep.sweep(D(2024, 9, 27))
    assert not Reminder.objects.exists()


def test_an_item_due_date_without_deadline_rows_is_reminded_too(make_item, units, users, rules):
    item = make_item(lead=units["fgj"], due_date=D(2024, 10, 8))
    swept_until(D(2024, 9, 29))
    sweep.sweep(D(2024, 9, 30))
    assert list(Reminder.objects.values_list("item", "deadline", "rule")) == [
        (item.pk, None, R.BEFORE)
    ]


def test_escalations_go_to_leaders_with_accounts_and_the_supervision_office(
    make_item, units, users, rules
):
    item = with_deadline(make_item, units, D(2024, 9, 30))
    ItemPerson.objects.create(
        item=item, role=ItemPerson.Role.LEADER, name="王副区长", user=users["leader"]
    )
    ItemPerson.objects.create(item=item, role=ItemPerson.Role.LEADER, name="无账号领导")
    sweep.sweep(D(2024, 10, 12))
    escalation = Reminder.objects.get(rule=R.ESCALATION)
    assert set(escalation.notices.values_list("recipient__username", flat=True)) == {
        "leader",
        "supervisor",
    }


def test_an_item_imported_twenty_working_days_overdue_is_escalated_once_at_the_next_sweep(
    make_item, units, users, rules
):
    # Due 2024-09-13; 20 working days later is 10-17 (the National Day week is not counted).
    item = with_deadline(make_item, units, D(2024, 9, 13))
    own_date = make_item(lead=units["fgj"], due_date=D(2024, 9, 13))  # no Deadline rows
    ItemPerson.objects.create(
        item=item, role=ItemPerson.Role.LEADER, name="王副区长", user=users["leader"]
    )
    swept_until(D(2024, 10, 16))
    sweep.sweep(D(2024, 10, 17))
    escalations = Reminder.objects.filter(rule=R.ESCALATION)
    assert sorted(escalations.values_list("item", "offset", "date", "due_on")) == [
        (item.pk, -20, D(2024, 10, 17), D(2024, 9, 13)),
        (own_date.pk, -20, D(2024, 10, 17), D(2024, 9, 13)),
    ]
    notices = Notice.objects.filter(reminder__rule=R.ESCALATION).count()
    assert notices == 3  # the leader and the supervision office; the office only for the other

    sweep.sweep(D(2024, 10, 17))  # a re-run
    for day in (D(2024, 10, 18), D(2024, 10, 22), D(2024, 11, 25)):
        sweep.sweep(day)
    assert escalations.count() == 2
    assert Notice.objects.filter(reminder__rule=R.ESCALATION).count() == notices


def test_an_escalation_is_offered_once_even_by_a_racing_second_sweep(
    make_item, units, users, rules
):
    item = with_deadline(make_item, units, D(2024, 9, 13))
    sweep.sweep(D(2024, 10, 18))
    # A second worker that computed the key before the first one's insert landed (other date).
    sweep._insert(
        [
            Reminder(
                item=item,
                deadline=item.deadlines.get(),
                rule=R.ESCALATION,
                offset=-21,
                due_on=D(2024, 9, 13),
                date=D(2024, 10, 21),
            )
        ]
    )
    assert Reminder.objects.filter(rule=R.ESCALATION).count() == 1


def test_a_moved_date_due_that_is_missed_again_is_escalated_again(make_item, units, users, rules):
    item = with_deadline(make_item, units, D(2024, 9, 13))
    swept_until(D(2024, 10, 16))
    sweep.sweep(D(2024, 10, 17))
    item.deadlines.update(date=D(2024, 10, 21))
    sweep.sweep(D(2024, 10, 28))
    assert sorted(Reminder.objects.filter(rule=R.ESCALATION).values_list("due_on", "offset")) == [
        (D(2024, 9, 13), -20),
        (D(2024, 10, 21), -5),
    ]


def test_missed_working_days_are_caught_up_once(make_item, units, users, rules):
    with_deadline(make_item, units, D(2024, 10, 8))
    swept_until(D(2024, 9, 20))
    # Down from 09-21 to 09-30: the 7-day reminder of 09-23 and the 3-day one of 09-27 were
    # missed; the catch-up says once how the date stands today (1 working day left).
    sweep.sweep(D(2024, 9, 30))
    assert list(deadline_reminders().values_list("rule", "offset", "date")) == [
        (R.BEFORE, 1, D(2024, 9, 30))
    ]
    count = Reminder.objects.count()
    sweep.sweep(D(2024, 9, 30))
    assert Reminder.objects.count() == count


def test_catching_up_goes_back_no_further_than_the_rules_say(make_item, units, users, rules):
    with_deadline(make_item, units, D(2024, 10, 8))
    rules.catch_up_days = 2
    rules.save()
    sweep.sweep(D(2024, 9, 30), rules)
    assert sorted(deadline_reminders().values_list("offset", flat=True)) == [1]


def test_progress_reports_are_reminded_until_one_is_in(make_item, units, users, rules):
    silent = make_item(lead=units["fgj"], created_at=LONG_AGO)
    reported = make_item(lead=units["fgj"], created_at=LONG_AGO)
    ProgressReport.objects.create(
        item=reported,
        author=users["staff"],
        percent=30,
        narrative="按计划推进",
        created_at=datetime.datetime(2024, 5, 10, 2, tzinfo=datetime.UTC),
    )
    own_cycle = make_item(lead=units["fgj"], created_at=LONG_AGO)
    Deadline.objects.create(
        item=own_cycle,
        kind=Deadline.Kind.REPORT,
        expr="每月10日前",
        recurrence="monthly:10",
        what="上报进展",
    )
    swept_until(D(2024, 5, 20))
    sweep.sweep(D(2024, 5, 21))
    assert list(Reminder.objects.values_list("item", "rule", "offset", "due_on")) == [
        (silent.pk, R.REPORT, 3, D(2024, 5, 25))
    ]


def test_a_recurring_report_deadline_reminds_on_its_own_day(make_item, units, users, rules):
    item = make_item(lead=units["fgj"])
    deadline = Deadline.objects.create(
        item=item,
        kind=Deadline.Kind.REPORT,
        expr="每月10日前",
        recurrence="monthly:10",
        what="上报进展",
    )
    swept_until(D(2024, 6, 7))
    sweep.sweep(D(2024, 6, 11))  # 06-10 was the Dragon Boat holiday: late the day after
    assert list(Reminder.objects.values_list("deadline", "offset", "due_on")) == [
        (deadline.pk, -1, D(2024, 6, 10))
    ]


def test_the_sweep_asks_the_same_number_of_queries_for_few_and_many_items(
    make_item, units, users, rules
):
    def sweep_queries(count):
        for n in range(count):
            due = D(2024, 10, 8) if n % 2 else D(2024, 9, 2)  # before, or long overdue
            with_deadline(make_item, units, due + datetime.timedelta(days=n % 3))
        Reminder.objects.all().delete()
        ReminderSweep.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            sweep.sweep(D(2024, 9, 27), rules)
        return len(queries), Reminder.objects.count()

    few, few_reminders = sweep_queries(3)
    many, many_reminders = sweep_queries(60)
    assert many_reminders > 10 * few_reminders
    long_overdue = Deadline.objects.filter(date__lt=D(2024, 9, 10)).count()
    assert Reminder.objects.filter(rule=R.ESCALATION).count() == long_overdue == 32
    assert few == many
