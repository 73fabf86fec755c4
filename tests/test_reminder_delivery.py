"""Reminder e-mails over a real SMTP conversation (aiosmtpd): once per person per run, retried."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.smtpsink import Sink, smtp_sink
from tracker.models import (
    Deadline,
    Delivery,
    Item,
    ItemPerson,
    Reminder,
    ReminderSettings,
    ReminderSweep,
    User,
)
from tracker.reminders import mail, plan, sweep
from tracker.tasks import reminders_tick

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(day, hour=9, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def run(moment):
    """What the beat task does at `moment`: tick, then send what is due."""
    return mail.send_deliveries(plan.tick(moment), moment=moment)


@pytest.fixture
def rules(db):
    return ReminderSettings.load()


def use_sink(settings, sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10


@pytest.fixture
def sink(settings):
    with smtp_sink() as server:
        use_sink(settings, server)
        yield server


def due_item(make_item, unit, due, **fields):
    item = make_item(text=f"完成{due:%m月%d日}到期的示范任务。", lead=unit, due_date=due, **fields)
    Deadline.objects.create(item=item, expr=f"{due.month}月{due.day}日前", date=due)
    return item


def swept_until(day):
    ReminderSweep.objects.create(date=day, finished_at=at(day, 10))


def test_each_recipient_gets_one_email_listing_all_their_items(
    make_item, units, users, rules, sink, settings
):
    first = due_item(make_item, units["fgj"], D(2024, 10, 9))
    second = due_item(make_item, units["fgj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    assert run(at(D(2024, 10, 9))) == {"sent": 2}

    assert sorted(rcpt[0] for rcpt, _m in sink.accepted) == [
        "head@example.gov.cn",
        "staff@example.gov.cn",
    ]
    message = sink.to("staff@example.gov.cn")[0]
    assert "2 项督办事项" in message["Subject"]
    text, html = Sink.text(message), Sink.html(message)
    for item in (first, second):
        url = settings.SITE_URL + reverse("item_detail", args=[item.pk])
        assert url in text and f'href="{url}"' in html
    assert "今天到期（2024年10月9日）" in text
    assert "还有 1 个工作日到期（2024年10月10日）" in text
    assert Delivery.objects.filter(status=Delivery.Status.SENT, attempts=1).count() == 2

    assert run(at(D(2024, 10, 9), 9, 5)) == {}
    assert len(sink.accepted) == 2


def test_nothing_is_sent_at_night_on_holidays_or_before_the_send_time(
    make_item, units, users, rules, sink
):
    due_item(make_item, units["fgj"], D(2024, 10, 9))
    swept_until(D(2024, 9, 30))
    assert run(at(D(2024, 10, 3), 9)) == {}  # National Day
    assert run(at(D(2024, 10, 8), 23, 0)) == {}
    assert run(at(D(2024, 10, 9), 8, 29)) == {}
    assert not Reminder.objects.exists() and not sink.accepted
    # The next morning: the missed reminder of 10-08 is not replayed beside today's; the date
    # is reminded once as it stands (due today), one e-mail per recipient. The week's digest,
    # due on 10-08 (the first working day after the holiday) when no tick swept, goes out too.
    assert run(at(D(2024, 10, 9), 8, 30)) == {"sent": 4}
    assert set(Reminder.objects.values_list("rule", "date")) == {
        (Reminder.Rule.DUE, D(2024, 10, 9))
    }
    assert Delivery.objects.filter(kind=Delivery.Kind.WEEKLY, period=D(2024, 10, 7)).count() == 2


def test_a_changed_send_time_applies_at_the_next_tick(make_item, units, users, rules, sink):
    due_item(make_item, units["fgj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    rules.send_time = datetime.time(10, 0)
    rules.save()
    assert run(at(D(2024, 10, 9), 9, 30)) == {}
    assert run(at(D(2024, 10, 9), 10, 0)) == {"sent": 2}


def test_digest_users_get_one_daily_digest_instead_of_immediate_mails(
    make_item, units, users, rules, sink
):
    User.objects.filter(username="head").update(delivery=User.Timing.DIGEST)
    due_item(make_item, units["fgj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    assert run(at(D(2024, 10, 9), 9)) == {"sent": 1}
    assert [rcpt for rcpt, _m in sink.accepted] == [["staff@example.gov.cn"]]
    assert run(at(D(2024, 10, 9), 17, 0)) == {"sent": 1}
    digest = sink.to("head@example.gov.cn")
    assert len(digest) == 1 and "每日汇总" in digest[0]["Subject"]
    assert run(at(D(2024, 10, 9), 17, 30)) == {}
    assert len(sink.accepted) == 2


def test_the_beat_task_sends_on_the_configured_clock(
    make_item, units, users, rules, sink, settings
):
    due_item(make_item, units["fgj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    settings.DUBAN_FAKE_NOW = "2024-10-09T08:45:00+08:00"
    assert reminders_tick() == {"sent": 2}
    assert reminders_tick() == {}


def test_english_users_get_their_mail_in_english_markup(make_item, units, users, rules, sink):
    User.objects.filter(username="staff").update(language="en")
    due_item(make_item, units["fgj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    run(at(D(2024, 10, 9)))
    assert '<html lang="en">' in Sink.html(sink.to("staff@example.gov.cn")[0])
    assert '<html lang="zh-hans">' in Sink.html(sink.to("head@example.gov.cn")[0])


def test_an_smtp_server_that_refuses_at_first_gets_the_mail_on_retry(
    make_item, units, users, rules, settings
):
    rules.retry_backoff_seconds = 1
    rules.save()
    due_item(make_item, units["jyj"], D(2024, 10, 10))  # one recipient: other_staff
    swept_until(D(2024, 10, 8))
    with smtp_sink(refuse=2) as server, time_machine.travel(timezone.now()) as clock:
        use_sink(settings, server)
        moment = at(D(2024, 10, 9))
        assert run(moment) == {"retry": 1}
        delivery = Delivery.objects.get()
        assert delivery.attempts == 1 and "451" in delivery.last_error
        assert run(moment) == {}  # backing off: not due yet
        clock.shift(1.1)
        assert run(moment) == {"retry": 1}
        clock.shift(1.1)
        assert run(moment) == {}  # the back-off doubles: 2 s now
        clock.shift(1.0)
        assert run(moment) == {"sent": 1}
        assert server.attempts == 3 and len(server.accepted) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 3)


def test_what_finally_failed_is_shown_to_the_supervision_office_and_can_be_resent(
    make_item, units, users, rules, settings, client
):
    rules.max_attempts = 1
    rules.save()
    due_item(make_item, units["jyj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    with smtp_sink(refuse=5) as server:
        use_sink(settings, server)
        assert run(at(D(2024, 10, 9))) == {"failed": 1}
    failed = Delivery.objects.get(status=Delivery.Status.FAILED)

    client.force_login(users["other_staff"])
    assert client.get(reverse("reminder_failures")).status_code == 403
    client.force_login(users["supervisor"])
    page = client.get(reverse("reminder_failures")).content.decode()
    assert "other_staff@example.gov.cn" in page and "451" in page
    response = client.post(reverse("reminder_retry"), {"delivery": [failed.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Delivery.Status.PENDING, 0)


def test_a_stale_claim_is_taken_over_and_a_fresh_one_is_left_alone(
    make_item, units, users, rules, sink
):
    due_item(make_item, units["fgj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    sweep.sweep(D(2024, 10, 9))
    plan.plan_deliveries(at(D(2024, 10, 9)))
    dead, busy = Delivery.objects.order_by("id")
    now = datetime.datetime.now(datetime.UTC)
    Delivery.objects.filter(pk=dead.pk).update(
        claimed_at=now - datetime.timedelta(hours=1), attempts=1, claim_token="dead-worker"
    )
    Delivery.objects.filter(pk=busy.pk).update(claimed_at=now, attempts=1, claim_token="alive")
    assert plan.sendable() == [dead.pk]
    assert mail.send_delivery(busy.pk) == "busy"
    assert run(at(D(2024, 10, 9))) == {"sent": 1}
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (Delivery.Status.SENT, 2)
    assert len(sink.accepted) == 1


def test_an_item_completed_before_sending_is_left_out(make_item, units, users, rules, sink):
    item = due_item(make_item, units["fgj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    sweep.sweep(D(2024, 10, 9))
    Item.objects.filter(pk=item.pk).update(
        status=Item.Status.COMPLETED, completed_at=at(D(2024, 10, 9), 8)
    )
    assert run(at(D(2024, 10, 9))) == {"skipped": 2}
    assert not sink.accepted


def test_an_item_whose_completion_was_requested_before_sending_is_not_chased(
    make_item, units, users, rules
):
    chased = due_item(make_item, units["fgj"], D(2024, 10, 10))
    waiting = due_item(make_item, units["fgj"], D(2024, 10, 10))
    swept_until(D(2024, 10, 8))
    sweep.sweep(D(2024, 10, 9))
    Item.objects.filter(pk=waiting.pk).update(status=Item.Status.COMPLETION_REQUESTED)
    message = mail.build_message(planned(D(2024, 10, 9))[0])
    assert "1 项督办事项" in message.subject
    assert f"/items/{chased.pk}/" in message.body and f"/items/{waiting.pk}/" not in message.body


def test_leaders_and_the_office_get_a_weekly_digest_on_the_first_working_day(
    make_item, units, users, rules, sink, settings
):
    late = due_item(make_item, units["fgj"], D(2024, 10, 9))
    ItemPerson.objects.create(
        item=late, role=ItemPerson.Role.LEADER, name="leader", user=users["leader"]
    )
    done = make_item(
        text="已经办结的任务。",
        lead=units["fgj"],
        status=Item.Status.COMPLETED,
        completed_at=at(D(2024, 10, 10), 15),
    )
    swept_until(D(2024, 10, 13))
    run(at(D(2024, 10, 14)))  # Monday
    for name in ("leader", "supervisor"):
        mail = [m for m in sink.to(f"{name}@example.gov.cn") if "每周汇总" in m["Subject"]]
        assert len(mail) == 1, name
        text = Sink.text(mail[0])
        assert settings.SITE_URL + reverse("item_detail", args=[late.pk]) in text
    office = Sink.text(
        [m for m in sink.to("supervisor@example.gov.cn") if "每周汇总" in m["Subject"]][0]
    )
    assert settings.SITE_URL + reverse("item_detail", args=[done.pk]) in office
    before = len(sink.accepted)
    run(at(D(2024, 10, 14), 15))
    assert len(sink.accepted) == before


def test_a_weekly_digest_waits_for_the_first_working_day_after_a_holiday_monday(users, rules, sink):
    swept_until(D(2024, 10, 7))
    run(at(D(2024, 10, 8)))  # Monday 10-07 was a holiday
    assert set(
        Delivery.objects.filter(kind=Delivery.Kind.WEEKLY).values_list(
            "recipient__username", "period"
        )
    ) == {("leader", D(2024, 10, 7)), ("supervisor", D(2024, 10, 7))}


def planned(day):
    """Sweep and plan at 09:00 of `day` (no sending); the planned deliveries."""
    sweep.sweep(day)
    plan.plan_deliveries(at(day))
    return list(Delivery.objects.select_related("recipient").order_by("id"))


def test_building_an_email_asks_the_same_queries_for_one_item_or_many(
    make_item, units, users, rules
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def build_queries(count):
        Delivery.objects.all().delete()
        Reminder.objects.all().delete()
        for n in range(count):
            item = due_item(make_item, units["fgj"], D(2024, 10, 10))
            item.deadlines.update(kind=Deadline.Kind.MILESTONE, what=f"节点{n}")
        swept_until(D(2024, 10, 8))
        delivery = planned(D(2024, 10, 9))[0]
        with CaptureQueriesContext(connection) as queries:
            message = mail.build_message(delivery)
        ReminderSweep.objects.all().delete()
        return len(queries), message.body.count("［节点］")

    # the recipient's unit (which items they may open); the notices with their reminders,
    # items, deadlines; the items' state; the pace thresholds; the items' units
    assert build_queries(1) == (5, 1)
    assert build_queries(40) == (5, 41)


def test_a_milestone_name_is_escaped_in_the_html_and_kept_as_is_in_the_text(
    make_item, units, users, rules
):
    item = due_item(make_item, units["fgj"], D(2024, 10, 10))
    item.deadlines.update(kind=Deadline.Kind.MILESTONE, what='<印发> & "落实"')
    swept_until(D(2024, 10, 8))
    message = mail.build_message(planned(D(2024, 10, 9))[0])
    assert '还有 1 个工作日到期（2024年10月10日）［节点］ · <印发> & "落实"' in message.body
    html = message.alternatives[0][0]
    assert (
        "还有 1 个工作日到期（2024年10月10日）［节点］ · &lt;印发&gt; &amp; &quot;落实&quot;"
        in html
    )
