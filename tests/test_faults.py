"""Fault injection (slow, PostgreSQL only): the reminder pipeline with a Redis the test starts and
kills on its own port and an SMTP server that refuses, delays and drops (tests/smtpsink.py).

Each test is named after the point of the reminders-under-faults list it keeps fixed."""

import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest

from config.celery_app import app
from tests.faults import needs_postgres, needs_redis_server, redis_server
from tests.processes import celery_worker, process_env, wait_for
from tests.smtpsink import smtp_sink
from tracker.models import Deadline, Delivery, Heartbeat, ReminderSweep
from tracker.tasks import heartbeat, reminders_tick

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), needs_postgres]
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = "2024-10-09T09:00:00+08:00"  # the workers' clock: a Wednesday morning in sending hours


def publish(task, broker_url, queue, *args):
    with app.connection_for_write(broker_url) as conn:
        task.apply_async(args=args, queue=queue, connection=conn)


def items_due_tomorrow(make_item, *units):
    ReminderSweep.objects.create(
        date=datetime.date(2024, 10, 8),
        finished_at=datetime.datetime(2024, 10, 8, 9, tzinfo=SHANGHAI),
    )
    for unit in units:
        item = make_item(lead=unit, due_date=datetime.date(2024, 10, 10))
        Deadline.objects.create(item=item, expr="10月10日前", date=item.due_date)


@needs_redis_server
def test_point2_worker_survives_redis_killed_under_a_running_tick(
    make_item, units, users, tmp_path
):
    items_due_tomorrow(make_item, units["fgj"], units["jyj"])  # three recipients
    queue = f"test-faults-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"

    def text():
        return log.read_text(errors="replace")

    # A slow mail server keeps the tick (acks_late, unacknowledged) running for seconds.
    with redis_server(tmp_path) as redis, smtp_sink(delay=1.5) as sink:
        env = process_env(
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(sink.port),
            DUBAN_FAKE_NOW=NOW,
            CELERY_BROKER_URL=redis.url(),
        )
        # The production pool (prefork), as systemd and `make run` start it.
        with celery_worker(queue, log, "--pool=prefork", "--concurrency=2", env=env) as worker:
            assert wait_for(lambda: "ready." in text(), 90), text()
            publish(reminders_tick, redis.url(), queue)
            assert wait_for(lambda: sink.attempts >= 1, 60), text()
            redis.kill()  # mid-tick: the broker disappears with the tick's message unacked
            assert wait_for(lambda: "Cannot connect" in text() or worker.poll() is not None, 60), (
                text()
            )
            assert worker.poll() is None, "the worker died with the broker:\n" + text()
            assert wait_for(lambda: "reminders_tick" in text() and "succeeded in" in text(), 60), (
                text()
            )
            redis.start()  # the outage ends; the same worker must consume again
            publish(heartbeat, redis.url(), queue, "after-outage")
            assert wait_for(lambda: Heartbeat.objects.filter(name="after-outage").exists(), 90), (
                text()
            )
            assert worker.poll() is None, text()
    assert "Unrecoverable error" not in text()
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 3
    assert len(sink.accepted) == 3
