"""The reminder scenarios that hold, kept holding (slow, PostgreSQL): real Celery workers on a
Redis of the test's own (tests/faults.py), an SMTP sink that refuses (tests/smtpsink.py), and
the fake clock.

- parallel workers: three workers run ticks at the same time; every e-mail arrives once;
- a SIGKILL loop: the worker is killed at random points while it sends, and started again;
  in the end every e-mail arrived, and a message that came twice is one marked 可能重复发送;
- a 451 storm: the server refuses everything for a while, then accepts: each e-mail once, and
  every refused attempt counted on its delivery;
- a clock jump over 国庆 and back: nothing outside sending hours, the catch-up after the
  holiday tells each date's current state once.

Claims go stale after 3 s and retries wait 1 s here (ReminderSettings), so that each test
stays within a minute or so."""

import datetime
import os
import random
import signal
import uuid
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine

from config.celery_app import app
from tests.conftest import make_user
from tests.faults import needs_postgres, needs_redis_server, redis_server
from tests.processes import celery_worker, process_env, wait_for
from tests.smtpsink import Sink, smtp_sink
from tracker.models import Deadline, Delivery, ReminderSettings, ReminderSweep, Unit, User
from tracker.reminders import mail
from tracker.tasks import reminders_tick

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), needs_postgres]
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = "2024-10-09T09:00:00+08:00"  # the workers' clock: a Wednesday morning in sending hours
D = datetime.date
RECIPIENTS = 12


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def quick_rules(db):
    rules = ReminderSettings.load()
    rules.claim_timeout_seconds = 3
    rules.retry_backoff_seconds = 1
    rules.max_attempts = 20
    rules.save()
    return rules


@pytest.fixture
def twelve_recipients(make_item, quick_rules):
    """Twelve units with one staff member each and an item due tomorrow: twelve e-mails."""
    ReminderSweep.objects.create(
        date=D(2024, 10, 8), finished_at=datetime.datetime(2024, 10, 8, 9, tzinfo=SHANGHAI)
    )
    for n in range(RECIPIENTS):
        unit = Unit.objects.create(name=f"示范单位{n}")
        make_user(f"staff{n}", User.Role.STAFF, unit)
        item = make_item(text=f"第{n}项示范任务。", lead=unit, due_date=D(2024, 10, 10))
        Deadline.objects.create(item=item, expr="10月10日前", date=item.due_date)


def publish(broker_url, queue):
    with app.connection_for_write(broker_url) as conn:
        reminders_tick.apply_async(queue=queue, connection=conn)


def worker_env(redis, sink):
    return process_env(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        DUBAN_FAKE_NOW=NOW,
        CELERY_BROKER_URL=redis.url(),
    )


def all_sent():
    return not Delivery.objects.exclude(status=Delivery.Status.SENT).exists() and (
        Delivery.objects.count() == RECIPIENTS
    )


def ticks_until(predicate, redis, queue, timeout=90):
    """Publish a tick every second (beat, faster) until `predicate` holds."""

    def step():
        if predicate():
            return True
        publish(redis.url(), queue)
        return False

    return wait_for(step, timeout, interval=1)


def received(sink):
    return Counter(sink.message_ids())


def expected_ids():
    return {mail.message_id(d) for d in Delivery.objects.all()}


@needs_redis_server
def test_parallel_workers_send_each_email_once(twelve_recipients, tmp_path):
    queue = f"test-parallel-{uuid.uuid4().hex[:8]}"
    logs = [tmp_path / f"worker{n}.log" for n in range(3)]
    with redis_server(tmp_path) as redis, smtp_sink(delay=0.2) as sink:
        env = worker_env(redis, sink)
        with (
            celery_worker(queue, logs[0], "-n", "w0@%h", env=env),
            celery_worker(queue, logs[1], "-n", "w1@%h", env=env),
            celery_worker(queue, logs[2], "-n", "w2@%h", env=env),
        ):
            assert wait_for(
                lambda: (
                    all("ready." in log.read_text(errors="replace") for log in logs if log.exists())
                    and all(log.exists() for log in logs)
                ),
                90,
            )
            for _ in range(6):  # six ticks at once: three workers run them side by side
                publish(redis.url(), queue)
            assert ticks_until(all_sent, redis, queue), [log.read_text() for log in logs]
    got = received(sink)
    assert set(got) == expected_ids() and len(got) == RECIPIENTS
    assert all(count == 1 for count in got.values()), got
    assert not Delivery.objects.filter(possibly_duplicate=True).exists()
    # More than one worker did the sending.
    senders = [log.read_text(errors="replace").count("succeeded in") for log in logs]
    assert sum(1 for n in senders if n) >= 2, senders


@needs_redis_server
def test_a_worker_killed_again_and_again_while_sending_loses_nothing(twelve_recipients, tmp_path):
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    queue = f"test-sigkill-{uuid.uuid4().hex[:8]}"
    kills = 0
    with redis_server(tmp_path) as redis, smtp_sink(delay=0.3) as sink:
        env = worker_env(redis, sink)
        for round_ in range(4):
            if all_sent():
                break
            log = tmp_path / f"worker{round_}.log"
            with celery_worker(queue, log, env=env) as worker:
                assert wait_for(lambda log=log: "ready." in log.read_text(errors="replace"), 90)
                before = len(sink.accepted)
                target = before + rng.randint(1, 3)
                # After a kill the claim goes stale first (3 s): ticks until one is sent anew.
                ticks_until(
                    lambda target=target: len(sink.accepted) >= target or all_sent(),
                    redis,
                    queue,
                    timeout=30,
                )
                if not all_sent():
                    os.killpg(worker.pid, signal.SIGKILL)  # mid-send, between two messages
                    worker.wait(timeout=10)
                    kills += 1
        log = tmp_path / "worker-last.log"
        with celery_worker(queue, log, env=env):
            assert wait_for(lambda: "ready." in log.read_text(errors="replace"), 90)
            assert ticks_until(all_sent, redis, queue), (seed, log.read_text())
    assert kills >= 1, seed
    got = received(sink)
    assert set(got) == expected_ids(), seed
    twice = {mid for mid, count in got.items() if count > 1}
    marked = {mail.message_id(d) for d in Delivery.objects.filter(possibly_duplicate=True)}
    assert twice <= marked, (seed, twice, marked)


@needs_redis_server
def test_a_451_storm_delays_the_emails_and_then_each_goes_once(twelve_recipients, tmp_path):
    queue = f"test-storm-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    storm = 2 * RECIPIENTS + 5  # every message refused twice over, then some more
    with redis_server(tmp_path) as redis, smtp_sink(refuse=storm) as sink:  # noqa: SIM117
        with celery_worker(queue, log, env=worker_env(redis, sink)):  # needs the two above
            assert wait_for(lambda: "ready." in log.read_text(errors="replace"), 90)
            assert ticks_until(all_sent, redis, queue), log.read_text()
    got = received(sink)
    assert set(got) == expected_ids() and all(count == 1 for count in got.values()), got
    deliveries = list(Delivery.objects.all())
    # Every SMTP attempt the server saw is counted on a delivery: refusals plus one success each.
    assert sink.attempts == storm + RECIPIENTS
    assert sum(d.attempts for d in deliveries) == sink.attempts
    assert all(d.attempts >= 3 for d in deliveries)
    assert all(d.last_error.startswith("451") for d in deliveries)
    assert not any(d.possibly_duplicate for d in deliveries)


def at(day, hour, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def test_a_clock_jump_over_national_day_and_back(make_item, units, users, quick_rules, settings):
    """Beat's task run at the moments a jumping clock gives: over 国庆 2024 and back."""
    for due in (D(2024, 9, 30), D(2024, 10, 3), D(2024, 10, 8), D(2024, 10, 9)):
        item = make_item(
            text=f"国庆前后到期的示范任务{due:%m%d}。", lead=units["jyj"], due_date=due
        )
        Deadline.objects.create(
            item=item, kind=Deadline.Kind.MILESTONE, expr=f"{due.month}月{due.day}日前", date=due
        )
    ReminderSweep.objects.create(date=D(2024, 9, 27), finished_at=at(D(2024, 9, 27), 9))
    sent_at = []
    with smtp_sink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False

        def tick_at(moment):
            with time_machine.travel(moment, tick=True):
                before = len(sink.accepted)
                outcome = reminders_tick()
                sent_at.extend([moment] * (len(sink.accepted) - before))
                return outcome

        # Sunday 09-29 is a 调休 working day: mail goes out (the 10-09 date, 3 days ahead).
        assert tick_at(at(D(2024, 9, 29), 10)) == {"sent": 1}
        # Forward over the holiday: nothing on 10-01, nor on Saturday 10-05, nor at night.
        for moment in (at(D(2024, 10, 1), 10), at(D(2024, 10, 5), 12), at(D(2024, 10, 7), 23)):
            assert tick_at(moment) == {}, moment
        # The first working morning after it: the unit's e-mail (each date as it stands that
        # day) and the week's digest to the leader and the office (Monday was a holiday).
        assert tick_at(at(D(2024, 10, 8), 8, 30)) == {"sent": 3}
        # And back: before the send time, into the holiday, then forward to the same morning.
        for moment in (at(D(2024, 10, 8), 8, 0), at(D(2024, 10, 6), 10), at(D(2024, 10, 8), 8, 35)):
            assert tick_at(moment) == {}, moment
    assert all(moment.time() >= datetime.time(8, 30) for moment in sent_at)
    assert len(sink.accepted) == 4 and len(set(sink.message_ids())) == 4
    assert len(sink.to("other_staff@example.gov.cn")) == 2
    assert {len(sink.to(f"{name}@example.gov.cn")) for name in ("leader", "supervisor")} == {1}
    text = Sink.text(sink.to("other_staff@example.gov.cn")[-1])
    lines = [line for line in text.splitlines() if line.strip().startswith("- ")]
    assert len(lines) == 4, text
    assert sum("2024年9月30日" in line and "已逾期 1 个工作日" in line for line in lines) == 1, text
    assert sum("2024年10月3日" in line and "已逾期" in line for line in lines) == 1, text
    assert sum("2024年10月8日" in line and "今天到期" in line for line in lines) == 1, text
    assert sum("2024年10月9日" in line and "还有 1 个工作日到期" in line for line in lines) == 1, (
        text
    )
