"""Reminders that stay right under faults: one test per point (named after it), on the
configured database with an in-process SMTP sink. The fault tests with real processes, a Redis
the test kills and concurrent sweeps are in tests/test_faults.py (slow, PostgreSQL)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.smtpsink import Sink, smtp_sink
from tracker.models import (
    Deadline,
    Delivery,
    Item,
    ItemPerson,
    Notice,
    ProgressReport,
    Reminder,
    ReminderSettings,
    ReminderSweep,
    Request,
    User,
)
from tracker.reminders import mail, plan, sweep
from tracker.tracking import actions

D = datetime.date
R = Reminder.Rule
SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(day, hour=9, minute=0, second=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def run(moment):
    """What the beat task does at `moment`: tick, then send what is due."""
    return mail.send_deliveries(plan.tick(moment), moment=moment)


def swept_until(day):
    ReminderSweep.objects.create(date=day, finished_at=at(day, 10))


def due_item(make_item, unit, due, kind=Deadline.Kind.DEADLINE, **fields):
    item = make_item(text=f"完成{due:%m月%d日}到期的示范任务。", lead=unit, due_date=due, **fields)
    Deadline.objects.create(item=item, kind=kind, expr=f"{due.month}月{due.day}日前", date=due)
    return item


def use_sink(settings, sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def rules(db):
    return ReminderSettings.load()


@pytest.fixture
def sink(settings):
    with smtp_sink() as server:
        use_sink(settings, server)
        yield server


def texts(sink, address):
    return [Sink.text(m) for m in sink.to(address)]


# --- 1. an approved extension closes the date it replaces ------------------------------------


def test_point1_an_approved_extension_closes_the_superseded_deadline(
    make_item, units, users, rules, sink
):
    item = due_item(make_item, units["fgj"], D(2024, 9, 13))
    ItemPerson.objects.create(
        item=item, role=ItemPerson.Role.LEADER, name="leader", user=users["leader"]
    )
    old = item.deadlines.get()
    swept_until(D(2024, 9, 12))
    sweep.sweep(D(2024, 9, 13))  # due today: the unit is reminded of 9-13
    request = Request.objects.create(
        item=item,
        kind=Request.Kind.EXTENSION,
        requested_by=users["staff"],
        reason="需要更多时间",
        new_date=D(2024, 11, 29),
    )
    item.refresh_from_db()
    actions.do_decide_extension(users["supervisor"], request, item.version, approve=True)

    old.refresh_from_db()
    assert old.superseded_at is not None and old.done_at is None
    audit = old.history.order_by("-history_date").first()
    assert audit.superseded_at is not None
    assert "deadline_superseded" in audit.history_change_reason
    assert "2024-11-29" in audit.history_change_reason
    # The following weeks: nothing about 9-13 (no overdue line, no escalation), the new date
    # reminded as usual.
    day = D(2024, 9, 14)
    while day <= D(2024, 11, 29):
        sweep.sweep(day)
        day += datetime.timedelta(days=1)
    assert not Reminder.objects.filter(due_on=D(2024, 9, 13)).exclude(date=D(2024, 9, 13)).exists()
    assert not Reminder.objects.filter(rule=R.ESCALATION).exists()
    assert set(Reminder.objects.filter(due_on=D(2024, 11, 29)).values_list("rule", "offset")) == {
        (R.BEFORE, 7),
        (R.BEFORE, 3),
        (R.BEFORE, 1),
        (R.DUE, 0),
    }
    # And the 9-13 reminder not yet e-mailed is dropped at send time.
    plan.plan_deliveries(at(D(2024, 11, 29)))
    deliveries = Delivery.objects.filter(notices__reminder__due_on=D(2024, 9, 13)).distinct()
    assert deliveries.count() == 2  # staff and head (a named leader reads digests only)
    for delivery in deliveries:
        message = mail.build_message(delivery)
        assert message is None or "2024年9月13日" not in message.body


# --- 3. sending hours are checked before every e-mail ----------------------------------------


def test_point3_quiet_hours_are_checked_before_every_email(
    make_item, units, users, rules, sink, monkeypatch
):
    due_item(make_item, units["fgj"], D(2024, 10, 10))  # staff, head
    due_item(make_item, units["jyj"], D(2024, 10, 10))  # other_staff
    swept_until(D(2024, 10, 8))
    sent_at = []
    send = mail.send_delivery
    start = at(D(2024, 10, 9), 19, 59, 30)
    with time_machine.travel(start, tick=False) as clock:

        def slow_send(*args, **kwargs):  # a mail server that takes 20 s per message
            sent_at.append(datetime.datetime.now(SHANGHAI))
            outcome = send(*args, **kwargs)
            clock.shift(datetime.timedelta(seconds=20))
            return outcome

        monkeypatch.setattr(mail, "send_delivery", slow_send)
        assert run(start) == {"sent": 2, "deferred": 1}
        assert all(moment.time() < rules.quiet_time for moment in sent_at)
        assert (
            Delivery.objects.filter(status=Delivery.Status.PENDING, claimed_at__isnull=True).count()
            == 1
        )
        # Nothing at night; the rest goes out when the next sending window opens.
        clock.move_to(at(D(2024, 10, 9), 22))
        assert run(at(D(2024, 10, 9), 22)) == {}
        clock.move_to(at(D(2024, 10, 10), 8, 30))
        outcome = run(at(D(2024, 10, 10), 8, 30))
    assert outcome["sent"] >= 1
    assert {rcpt[0] for rcpt, _m in sink.accepted} == {
        "staff@example.gov.cn",
        "head@example.gov.cn",
        "other_staff@example.gov.cn",
    }
    assert all(rules.send_time <= moment.time() < rules.quiet_time for moment in sent_at)


# --- 4. a catch-up reminds each date once, as it stands ---------------------------------------


def test_point4_a_catch_up_sends_the_current_state_of_each_date_once(
    make_item, units, users, rules, sink
):
    # Down from Thursday 11-07 to Monday 11-11: dates due the Tuesday before (4 working days
    # late by Monday), the Friday (1 late), Monday itself and Tuesday.
    for due in (D(2024, 11, 5), D(2024, 11, 8), D(2024, 11, 11), D(2024, 11, 12)):
        due_item(make_item, units["jyj"], due, kind=Deadline.Kind.MILESTONE)
    swept_until(D(2024, 11, 6))
    run(at(D(2024, 11, 11), 8, 30))
    [text] = texts(sink, "other_staff@example.gov.cn")
    lines = [line for line in text.splitlines() if line.strip().startswith("- ")]
    assert len(lines) == 4, text
    assert any("已逾期 4 个工作日" in line and "2024年11月5日" in line for line in lines), text
    assert any("已逾期 1 个工作日" in line and "2024年11月8日" in line for line in lines), text
    assert any("今天到期" in line and "2024年11月11日" in line for line in lines), text
    assert any("还有 1 个工作日到期" in line and "2024年11月12日" in line for line in lines), text
    assert Reminder.objects.exclude(rule=R.REPORT).count() == 4


def test_point4_a_new_installation_does_not_replay_the_week_before_it(
    make_item, units, users, rules
):
    due_item(make_item, units["jyj"], D(2024, 10, 11))
    sweep.sweep(D(2024, 10, 16))  # first sweep ever: a catch-up over catch_up_days
    # One line, as the date stands on 10-16: 4 working days late (Saturday 10-12 was one).
    assert list(Reminder.objects.exclude(rule=R.REPORT).values_list("rule", "offset", "date")) == [
        (R.OVERDUE, -4, D(2024, 10, 16))
    ]


# --- 5. a missed weekly digest is caught up ---------------------------------------------------


def test_point5_a_missed_weekly_digest_is_caught_up_by_the_first_tick_of_the_week(
    make_item, units, users, rules, sink
):
    swept_until(D(2024, 10, 18))
    # No tick on Monday 10-21; Tuesday's first tick finds no digest for the week.
    run(at(D(2024, 10, 22), 8, 30))
    weekly = Delivery.objects.filter(kind=Delivery.Kind.WEEKLY, period=D(2024, 10, 21))
    assert set(weekly.values_list("recipient__username", flat=True)) == {"leader", "supervisor"}
    assert weekly.filter(status=Delivery.Status.SENT).count() == 2
    run(at(D(2024, 10, 22), 9))
    run(at(D(2024, 10, 23), 9))
    assert weekly.count() == 2
    assert len([m for m in sink.accepted if "每周汇总" in m[1]["Subject"]]) == 2


# --- 6. two sweeps of a day never run together -------------------------------------------------


def test_point6_a_second_sweep_of_the_day_leaves_it_to_the_one_running(
    make_item, units, users, rules
):
    due_item(make_item, units["jyj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    now = datetime.datetime.now(datetime.UTC)
    ReminderSweep.objects.create(date=D(2024, 10, 9), claimed_at=now)  # a sweep is running
    assert sweep.sweep(D(2024, 10, 9))["skipped"] is True
    assert not Reminder.objects.exists() and not Notice.objects.exists()
    # A claim older than the task's time limit is a sweep that died: taken over.
    ReminderSweep.objects.filter(date=D(2024, 10, 9)).update(
        claimed_at=now - datetime.timedelta(hours=1)
    )
    assert sweep.sweep(D(2024, 10, 9))["reminders"] > 0
    record = ReminderSweep.objects.get(date=D(2024, 10, 9))
    assert record.finished_at is not None and record.claimed_at is None


# --- 7. the check at send time looks at the deadline and at reports ---------------------------


def test_point7_a_milestone_marked_done_is_left_out_of_that_days_digest(
    make_item, units, users, rules, sink
):
    users["other_staff"].delivery = User.Timing.DIGEST
    users["other_staff"].save()
    done = due_item(make_item, units["jyj"], D(2024, 10, 9), kind=Deadline.Kind.MILESTONE)
    other = due_item(make_item, units["jyj"], D(2024, 10, 9), kind=Deadline.Kind.MILESTONE)
    swept_until(D(2024, 10, 8))
    run(at(D(2024, 10, 9), 9))  # swept: both due today, waiting for the 17:00 digest
    done.deadlines.update(done_at=at(D(2024, 10, 9), 11))
    run(at(D(2024, 10, 9), 17))
    [text] = texts(sink, "other_staff@example.gov.cn")
    assert f"/items/{other.pk}/" in text and f"/items/{done.pk}/" not in text


def test_point7_a_progress_report_filed_since_the_report_reminder_is_left_out(
    make_item, units, users, rules, sink
):
    reporting = make_item(text="按月报送进展的任务。", lead=units["jyj"])
    Deadline.objects.create(
        item=reporting, kind=Deadline.Kind.REPORT, expr="每月25日前", recurrence="monthly:25"
    )
    swept_until(D(2024, 10, 24))
    sweep.sweep(D(2024, 10, 25))  # report day: a report reminder for other_staff
    assert Reminder.objects.filter(item=reporting, rule=R.REPORT).exists()
    ProgressReport.objects.create(
        item=reporting, author=users["other_staff"], percent=40, narrative="已完成调研。"
    )
    assert run(at(D(2024, 10, 25), 10)) == {"skipped": 1}
    assert not sink.accepted


# --- 8. a permanent refusal fails at once, with the server's reason ---------------------------


def test_point8_a_permanent_refusal_fails_at_once_with_the_servers_reason(
    make_item, units, users, rules, settings, client
):
    due_item(make_item, units["fgj"], D(2024, 10, 10))  # staff, head
    swept_until(D(2024, 10, 8))
    refusal = "550 5.1.1 <staff@example.gov.cn>: Recipient address rejected: User unknown"
    with smtp_sink(reject={"staff@example.gov.cn": refusal}) as server:
        use_sink(settings, server)
        assert run(at(D(2024, 10, 9))) == {"failed": 1, "sent": 1}
    failed = Delivery.objects.get(status=Delivery.Status.FAILED)
    assert failed.attempts == 1 and failed.recipient == users["staff"]
    assert failed.last_error.startswith("550 5.1.1") and "User unknown" in failed.last_error
    client.force_login(users["supervisor"])
    page = client.get(reverse("reminder_failures")).content.decode()
    assert "邮件服务器拒收，不再重试" in page and "Recipient address rejected" in page


def test_point8_temporary_refusals_and_dropped_lines_are_retried(
    make_item, units, users, rules, settings
):
    due_item(make_item, units["jyj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    with (
        smtp_sink(refuse=1, code="421 4.7.0 Too many connections", drop=1) as server,
        time_machine.travel(at(D(2024, 10, 9)), tick=False) as clock,
    ):
        use_sink(settings, server)
        assert run(at(D(2024, 10, 9))) == {"retry": 1}
        assert "421" in Delivery.objects.get().last_error
        clock.shift(datetime.timedelta(seconds=rules.retry_backoff_seconds + 1))
        assert run(at(D(2024, 10, 9), 9, 6)) == {"retry": 1}
        clock.shift(datetime.timedelta(seconds=2 * rules.retry_backoff_seconds + 1))
        assert run(at(D(2024, 10, 9), 9, 20)) == {"sent": 1}
    assert len(server.accepted) == 1


# --- 9. "sent but not recorded" is harmless and counted ---------------------------------------


def test_point9_a_resend_after_a_dropped_250_carries_the_same_message_id(
    make_item, units, users, rules, settings, client
):
    due_item(make_item, units["jyj"], D(2024, 10, 10))  # one recipient: other_staff
    swept_until(D(2024, 10, 8))
    # The server stores the message, then the line drops before its 250 answer.
    with (
        smtp_sink(drop_after_store=1) as server,
        time_machine.travel(at(D(2024, 10, 9)), tick=False) as clock,
    ):
        use_sink(settings, server)
        assert run(at(D(2024, 10, 9))) == {"retry": 1}
        delivery = Delivery.objects.get()
        assert delivery.sending_at is not None and not delivery.possibly_duplicate
        clock.shift(datetime.timedelta(seconds=rules.retry_backoff_seconds + 1))
        assert run(at(D(2024, 10, 9), 9, 6)) == {"sent": 1}
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.possibly_duplicate
    ids = server.message_ids()
    assert len(ids) == 2 and ids[0] == ids[1] == mail.message_id(delivery)
    client.force_login(users["supervisor"])
    page = client.get(reverse("reminder_failures")).content.decode()
    assert "可能重复发送 (1)" in page and "other_staff@example.gov.cn" in page


def test_point9_a_claim_that_began_sending_is_resent_only_after_the_claim_timeout(
    make_item, units, users, rules, sink
):
    due_item(make_item, units["jyj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    with time_machine.travel(at(D(2024, 10, 9)), tick=False) as clock:
        sweep.sweep(D(2024, 10, 9))
        plan.plan_deliveries(at(D(2024, 10, 9)))
        delivery = Delivery.objects.get()
        # A worker claimed it, began the SMTP conversation and was killed.
        now = datetime.datetime.now(datetime.UTC)
        Delivery.objects.filter(pk=delivery.pk).update(
            claimed_at=now, sending_at=now, claim_token="killed", attempts=1
        )
        clock.shift(datetime.timedelta(seconds=rules.claim_timeout_seconds - 5))
        assert run(at(D(2024, 10, 9), 9, 9)) == {}
        clock.shift(datetime.timedelta(seconds=10))
        assert run(at(D(2024, 10, 9), 9, 10)) == {"sent": 1}
    delivery.refresh_from_db()
    assert delivery.possibly_duplicate and delivery.attempts == 2
    assert sink.message_ids() == [mail.message_id(delivery)]


def test_point9_a_worker_killed_before_sending_began_resends_without_a_duplicate_mark(
    make_item, units, users, rules, sink
):
    due_item(make_item, units["jyj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    sweep.sweep(D(2024, 10, 9))
    plan.plan_deliveries(at(D(2024, 10, 9)))
    stale = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    Delivery.objects.update(claimed_at=stale, claim_token="killed", attempts=1)
    assert run(at(D(2024, 10, 9))) == {"sent": 1}
    assert not Delivery.objects.get().possibly_duplicate


def test_point1_an_item_extended_past_its_old_date_is_not_shown_overdue(
    make_item, units, users, rules
):
    item = due_item(make_item, units["fgj"], D(2024, 9, 13))
    request = Request.objects.create(
        item=item,
        kind=Request.Kind.EXTENSION,
        requested_by=users["staff"],
        reason="需要更多时间",
        new_date=D(2024, 11, 29),
    )
    item.refresh_from_db()
    actions.do_decide_extension(users["supervisor"], request, item.version, approve=True)
    shown = Item.objects.with_state(D(2024, 10, 9)).get(pk=item.pk)
    assert shown.next_due == D(2024, 11, 29) and shown.state != Item.State.OVERDUE
    loaded = Item.objects.get(pk=item.pk)
    assert loaded.next_due_on() == D(2024, 11, 29)
    assert loaded.state_on(D(2024, 10, 9)) != Item.State.OVERDUE
