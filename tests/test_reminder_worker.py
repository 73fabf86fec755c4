"""Real Celery workers on the configured broker (files or Redis) sending to a real SMTP sink."""

import datetime
import os
import signal
import time
import uuid
from zoneinfo import ZoneInfo

import pytest

from tests.processes import celery_worker, process_env, wait_for
from tests.smtpsink import smtp_sink
from tracker.models import Deadline, Delivery, ReminderSettings, ReminderSweep
from tracker.tasks import reminders_tick

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The workers' clock: a Wednesday morning in sending hours.
NOW = "2024-10-09T09:00:00+08:00"


def worker_env(sink):
    return process_env(
        EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(sink.port), EMAIL_TIMEOUT="30", DUBAN_FAKE_NOW=NOW
    )


def items_due_tomorrow(make_item, *units):
    ReminderSweep.objects.create(
        date=datetime.date(2024, 10, 8),
        finished_at=datetime.datetime(2024, 10, 8, 9, tzinfo=SHANGHAI),
    )
    for unit in units:
        item = make_item(lead=unit, due_date=datetime.date(2024, 10, 10))
        Deadline.objects.create(item=item, expr="10月10日前", date=item.due_date)


def finished_tasks(log_path):
    return log_path.read_text(errors="replace").count("succeeded in")


def test_two_workers_running_the_tick_in_parallel_send_each_email_once(
    make_item, units, users, tmp_path
):
    items_due_tomorrow(make_item, units["fgj"], units["jyj"])  # staff, head; other_staff
    queue = f"test-remind-{uuid.uuid4().hex[:8]}"
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    # A slow mail server keeps the first tick busy for seconds, so the other worker's ticks
    # run while it still holds claims.
    with (
        smtp_sink(delay=1.5) as sink,
        celery_worker(queue, logs[0], env=worker_env(sink)) as a,
        celery_worker(queue, logs[1], env=worker_env(sink)) as b,
    ):
        ready = wait_for(
            lambda: all("ready." in log.read_text(errors="replace") for log in logs), timeout=90
        )
        assert ready, "\n".join(log.read_text(errors="replace") for log in logs)
        for _ in range(6):
            reminders_tick.apply_async(queue=queue)
        done = wait_for(lambda: sum(finished_tasks(log) for log in logs) >= 6, timeout=120)
        text = "\n".join(log.read_text(errors="replace") for log in logs)
        assert done and a.poll() is None and b.poll() is None, text
        assert all(finished_tasks(log) for log in logs), "both workers took ticks:\n" + text
        addresses = sorted(rcpt[0] for rcpt, _message in sink.accepted)
    assert addresses == [
        "head@example.gov.cn",
        "other_staff@example.gov.cn",
        "staff@example.gov.cn",
    ]
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 3


def test_a_worker_killed_while_sending_leaves_its_email_to_the_next_run(
    make_item, units, users, tmp_path
):
    ReminderSettings.objects.update_or_create(pk=1, defaults={"claim_timeout_seconds": 3})
    items_due_tomorrow(make_item, units["jyj"])  # one recipient: other_staff
    queue = f"test-remind-{uuid.uuid4().hex[:8]}"
    with smtp_sink(stall=1) as sink:
        with celery_worker(queue, tmp_path / "killed.log", env=worker_env(sink)) as doomed:
            reminders_tick.apply_async(queue=queue)
            stalled = wait_for(lambda: sink.stalling.is_set(), timeout=90)
            assert stalled, (tmp_path / "killed.log").read_text(errors="replace")
            os.killpg(doomed.pid, signal.SIGKILL)  # mid-DATA, the delivery claimed, not sent
            doomed.wait(timeout=30)
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.PENDING and delivery.claimed_at is not None
        assert not sink.accepted

        time.sleep(3)  # the claim goes stale
        with celery_worker(queue, tmp_path / "next.log", env=worker_env(sink)):
            reminders_tick.apply_async(queue=queue)
            sent = wait_for(
                lambda: Delivery.objects.filter(status=Delivery.Status.SENT).exists(), timeout=90
            )
            assert sent, (tmp_path / "next.log").read_text(errors="replace")
        assert [rcpt for rcpt, _message in sink.accepted] == [["other_staff@example.gov.cn"]]
    delivery.refresh_from_db()
    assert delivery.attempts == 2
