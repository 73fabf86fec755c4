"""Finding 1: one bad date stops every reminder.

Fault test: an item whose date was stored outside the plausible range (inserted directly in the
database, as the forms and the import allowed before) is skipped, logged and listed for the
office, while the sweep and the tick remind every other item. And every entrance refuses such a
date with a Chinese message (the shared rule of tracker/lib/plausible.py).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.smtpsink import Sink, smtp_sink
from tracker.lib import plausible
from tracker.models import (
    Deadline,
    Item,
    Reminder,
    ReminderFault,
    ReminderSettings,
    ReminderSweep,
)
from tracker.reminders import mail, plan, sweep

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db
# The worst dates the forms and the import accepted: year 1, a year typed with two digits, and
# the last day the database can hold.
BAD_DATES = [D(1, 1, 1), D(25, 6, 30), D(9999, 12, 31)]


def at(day, hour=9, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sink(settings):
    with smtp_sink() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10
        yield server


def dated_item(make_item, unit, due, text):
    item = make_item(text=text, lead=unit, due_date=due)
    deadline = Deadline.objects.create(item=item, expr=f"{due.month}月{due.day}日前", date=due)
    return item, deadline


def store_directly(bad, item, deadline=None):
    """Write a date past every check, as a row already in the database would hold it."""
    Item.objects.filter(pk=item.pk).update(due_date=bad)
    if deadline is not None:
        Deadline.objects.filter(pk=deadline.pk).update(date=bad)


@pytest.mark.parametrize("bad", BAD_DATES, ids=str)
def test_finding_01_one_bad_date_is_listed_and_every_other_item_is_reminded(
    make_item, units, users, sink, settings, client, bad
):
    ReminderSettings.load()
    good, _d = dated_item(make_item, units["fgj"], D(2024, 10, 10), "按时完成的示范任务。")
    late, _d = dated_item(make_item, units["jyj"], D(2024, 9, 2), "早已逾期的示范任务。")
    broken, deadline = dated_item(make_item, units["fgj"], D(2024, 10, 11), "日期录错的任务。")
    store_directly(bad, broken, deadline)
    undated = make_item(text="只有完成时限的任务。", lead=units["jyj"])
    store_directly(bad, undated)
    ReminderSweep.objects.create(date=D(2024, 10, 8), finished_at=at(D(2024, 10, 8), 10))

    # The five-minute tick (it runs the day's sweep first), then the sending.
    outcome = mail.send_deliveries(plan.tick(at(D(2024, 10, 9))))

    assert outcome == {"sent": 3}
    assert sorted(rcpt[0] for rcpt, _m in sink.accepted) == [
        "head@example.gov.cn",
        "staff@example.gov.cn",
        "supervisor@example.gov.cn",
    ]
    assert ReminderSweep.objects.get(date=D(2024, 10, 9)).finished_at is not None
    assert set(Reminder.objects.values_list("item_id", flat=True)) == {good.pk, late.pk}
    assert Reminder.objects.filter(item=late, rule=Reminder.Rule.ESCALATION).exists()
    staff_mail = Sink.text(sink.to("staff@example.gov.cn")[0])
    assert reverse("item_detail", args=[good.pk]) in staff_mail
    assert reverse("item_detail", args=[broken.pk]) not in staff_mail
    faults = set(ReminderFault.objects.values_list("item_id", "deadline_id", "due_on", "code"))
    assert faults == {
        (broken.pk, deadline.pk, bad, "date_out_of_range"),
        (undated.pk, None, bad, "date_out_of_range"),
    }

    client.force_login(users["supervisor"])
    page = client.get(reverse("reminder_failures")).content.decode()
    assert "无法提醒的事项" in page and "日期超出合理范围" in page
    for item in (broken, undated):
        assert reverse("item_detail", args=[item.pk]) in page
    assert reverse("item_detail", args=[good.pk]) not in page

    # Repaired, the item is reminded again and leaves the list at the next sweep.
    store_directly(D(2024, 10, 11), broken, deadline)
    Item.objects.filter(pk=undated.pk).update(due_date=None)
    sweep.sweep(D(2024, 10, 10))
    assert not ReminderFault.objects.exists()
    assert Reminder.objects.filter(item=broken, date=D(2024, 10, 10)).exists()


def test_finding_01_rules_that_raise_for_one_date_skip_only_that_dates_items(
    make_item, units, users, monkeypatch
):
    ReminderSettings.load()
    good, _d = dated_item(make_item, units["fgj"], D(2024, 10, 10), "按时完成的示范任务。")
    odd, deadline = dated_item(make_item, units["jyj"], D(2024, 10, 11), "规则出错的任务。")
    real = sweep.deadline_firings

    def failing(due, window, rules, index):
        if due == D(2024, 10, 11):
            raise OverflowError("date value out of range")
        return real(due, window, rules, index)

    monkeypatch.setattr(sweep, "deadline_firings", failing)
    sweep.sweep(D(2024, 10, 9))
    assert set(Reminder.objects.values_list("item_id", flat=True)) == {good.pk}
    fault = ReminderFault.objects.get()
    assert (fault.item_id, fault.deadline_id, fault.code) == (odd.pk, deadline.pk, "rule_error")
    assert "OverflowError" in fault.error


def test_finding_01_a_recurrence_the_rules_cannot_read_is_listed_not_fatal(make_item, units, users):
    ReminderSettings.load()
    good, _d = dated_item(make_item, units["fgj"], D(2024, 10, 10), "按时完成的示范任务。")
    odd = make_item(text="周期写错的任务。", lead=units["jyj"])
    Deadline.objects.create(
        item=odd, kind=Deadline.Kind.REPORT, recurrence="monthly:firstXworkdays"
    )
    sweep.sweep(D(2024, 10, 9))
    assert Reminder.objects.filter(item=good).exists()
    fault = ReminderFault.objects.get()
    assert (fault.item_id, fault.recurrence, fault.code) == (
        odd.pk,
        "monthly:firstXworkdays",
        "rule_error",
    )


def test_finding_01_the_plausible_range_is_settable(settings):
    settings.DUBAN_EARLIEST_DATE = "2010-01-01"
    settings.DUBAN_LATEST_DATE_YEARS = 2
    assert plausible.bounds(D(2025, 3, 1)) == (D(2010, 1, 1), D(2027, 3, 1))
    assert plausible.bounds(D(2024, 2, 29)) == (D(2010, 1, 1), D(2026, 2, 28))
    assert not plausible.is_plausible(D(2009, 12, 31), D(2025, 3, 1))
    assert plausible.is_plausible(D(2027, 3, 1), D(2025, 3, 1))
    assert "2010-01-01 至 2027-03-01" in plausible.out_of_range_message(D(25, 6, 30), D(2025, 3, 1))
