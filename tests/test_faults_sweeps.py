"""Concurrent sweeps on PostgreSQL (slow): sweeps started at the same instant from threads, each
with its own database connection, many times over. None may fail (no deadlock, no error), and
what they leave must be what one sweep leaves: no reminder or notice twice, none missing.

Sweeps of the same day meet at the day's claim (one sweeps, the others skip). Sweeps of
different days do not: a catch-up window covers the days the others are doing and escalations
are keyed without the day, so they insert the same keys and fan out the same reminders at once;
the lock order (reminders inserted in one key order, fan-out chunks taken FOR UPDATE SKIP LOCKED)
is what keeps them apart.
"""

import datetime
import threading

import pytest
from django.db import connections

from tests.faults import needs_postgres
from tracker.models import (
    Deadline,
    ItemPerson,
    Notice,
    Reminder,
    ReminderFault,
    ReminderSweep,
)
from tracker.reminders import sweep

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), needs_postgres]
D = datetime.date
ROUNDS = 8  # bounded: each round is a few small sweeps
SWEPT = D(2024, 10, 8)  # the last finished sweep before the contested days (a Tuesday)
DAYS = [D(2024, 10, 9), D(2024, 10, 10), D(2024, 10, 11)]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def contested(make_item, units, users):
    """Items whose dates fire on the contested days in every rule: 7/3/1 before, due, overdue
    and escalations (dates up to four weeks back), in two units, some with a named leader."""
    first = D(2024, 9, 10)
    for n in range(90):
        due = first + datetime.timedelta(days=n % 45)
        unit = units["fgj"] if n % 2 else units["jyj"]
        item = make_item(text=f"并发扫描示范任务第{n}项。", lead=unit, due_date=due)
        Deadline.objects.create(item=item, expr=f"{due.month}月{due.day}日前", date=due)
        if n % 3 == 0:
            ItemPerson.objects.create(
                item=item, role=ItemPerson.Role.LEADER, name="leader", user=users["leader"]
            )
    ReminderSweep.objects.create(
        date=SWEPT, finished_at=datetime.datetime(2024, 10, 8, 9, tzinfo=datetime.UTC)
    )


def reset():
    Notice.objects.all().delete()
    Reminder.objects.all().delete()
    ReminderFault.objects.all().delete()
    ReminderSweep.objects.exclude(date=SWEPT).delete()


def state():
    """What the sweeps left: reminder keys and (reminder key, recipient) notices, as sets,
    after checking that no key is there twice and every reminder was fanned out."""
    rows = list(
        Reminder.objects.values_list(
            "id", "item_id", "deadline_id", "rule", "offset", "due_on", "date", "fanned_out"
        )
    )
    keys = {row[0]: row[1:7] for row in rows}
    assert len(set(keys.values())) == len(rows), "a reminder is there twice"
    assert all(row[7] for row in rows), "a reminder was left without its notices"
    notices = [(keys[r], u) for r, u in Notice.objects.values_list("reminder_id", "recipient_id")]
    assert len(set(notices)) == len(notices), "a notice is there twice"
    return set(keys.values()), set(notices)


def at_once(calls, monkeypatch):
    """Run the calls at the same instant in threads (each its own connection); their results,
    or the first error raised in any of them."""
    monkeypatch.setattr(sweep, "CHUNK", 40)  # many small transactions: more chances to meet
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(position, call):
        try:
            barrier.wait(timeout=60)
            results[position] = call()
        except BaseException as exc:  # noqa: BLE001 (reported below, whatever it is)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a sweep never finished"
    if errors:
        raise errors[0]
    return results


def test_sweeps_of_the_same_day_started_together_leave_what_one_sweep_leaves(
    contested, monkeypatch
):
    sweep.sweep(DAYS[0])
    expected = state()
    assert expected[0] and expected[1]
    for _round in range(ROUNDS):
        reset()
        results = at_once([lambda: sweep.sweep(DAYS[0])] * 3, monkeypatch)
        assert [r.get("skipped", False) for r in results].count(False) >= 1
        assert state() == expected
        record = ReminderSweep.objects.get(date=DAYS[0])
        assert record.finished_at is not None and record.claimed_at is None


def test_sweeps_of_different_days_started_together_never_deadlock(contested, users, monkeypatch):
    # What one sweep of the last day leaves (a catch-up over the three days): the reminders'
    # recipients by item and kind, to check every notice the racing sweeps made against.
    sweep.sweep(DAYS[-1])
    recipients = {}
    for (item, _dl, rule, _o, _due, _day), user in state()[1]:
        recipients.setdefault((item, rule == Reminder.Rule.ESCALATION), set()).add(user)
    for _round in range(ROUNDS):
        reset()
        at_once([lambda day=day: sweep.sweep(day) for day in DAYS], monkeypatch)
        reminders, notices = state()
        # Every day was swept once and left finished.
        assert set(
            ReminderSweep.objects.filter(finished_at__isnull=False).values_list("date", flat=True)
        ) == {SWEPT, *DAYS}
        # One escalation per date due, whichever sweep found it.
        escalated = [
            (i, dl, due)
            for i, dl, rule, _o, due, _d in reminders
            if rule == Reminder.Rule.ESCALATION
        ]
        assert escalated and len(escalated) == len(set(escalated))
        # Each reminder reached exactly its recipients.
        got = {}
        for key, user in notices:
            got.setdefault(key, set()).add(user)
        for key in reminders:
            item, rule = key[0], key[2]
            assert got.get(key, set()) == recipients[(item, rule == Reminder.Rule.ESCALATION)]


def test_fan_outs_running_together_share_the_work_without_doing_any_twice(contested, monkeypatch):
    sweep.sweep(DAYS[0])
    expected = state()
    for _round in range(ROUNDS):
        Notice.objects.all().delete()
        Reminder.objects.update(fanned_out=False)
        offered = at_once([sweep.fan_out] * 3, monkeypatch)
        assert state() == expected
        # Each reminder was fanned out by one of them (its chunk locked, skipped by the others).
        assert sum(offered) == len(expected[1])
