"""A real Celery worker process runs tasks on whichever broker the settings name."""

import uuid

import pytest

from tests.processes import celery_worker, wait_for
from tracker.models import Heartbeat
from tracker.tasks import heartbeat

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_worker_process_executes_a_task(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with celery_worker(queue, tmp_path / "worker.log") as proc:
        heartbeat.apply_async(args=["probe"], queue=queue)
        seen = wait_for(lambda: Heartbeat.objects.filter(name="probe").exists(), timeout=90)
        log = (tmp_path / "worker.log").read_text(errors="replace")
        assert proc.poll() is None, log
    assert seen, log
    assert Heartbeat.objects.filter(name="worker").exists()
