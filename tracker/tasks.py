"""Celery tasks: thin wrappers that look up ids and call plain functions."""

from celery import shared_task
from django.utils import timezone

from tracker.models import Heartbeat


@shared_task
def heartbeat(name="worker"):
    """Record that a worker ran a task (beat schedules it as 'beat', /healthz reads both)."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now})
    if name != "worker":
        Heartbeat.objects.update_or_create(name="worker", defaults={"at": now})
    return now.isoformat()


@shared_task(acks_late=True)
def parse_import(job_id):
    """Parse an uploaded file into its preview (tracker.importing.run_import_job).

    Idempotent: the job is claimed by a conditional UPDATE, so a second delivery does nothing.
    """
    from tracker.importing import run_import_job

    job = run_import_job(job_id)
    return job.status if job else None


# Reminders (tracker/reminders.py decides, tracker/notify.py sends). Both are idempotent —
# unique keys and claimed deliveries — so a redelivered message (acks_late) does no harm.


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600)
def reminders_tick():
    """Beat, every few minutes: in sending hours sweep once a day, then send what is due."""
    from tracker import notify, reminders

    return notify.send_deliveries(reminders.tick())


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600)
def sweep_reminders(day=None):
    """Create the reminders due up to `day` (ISO date, default today); sends nothing."""
    import datetime

    from tracker import reminders

    result = reminders.sweep(datetime.date.fromisoformat(day) if day else None)
    return {"reminders": result["reminders"], "notices": result["notices"]}


def schedule_reminders_tick():
    """Run a tick soon after the current transaction commits (a retry asked from a page)."""
    from django.db import transaction

    transaction.on_commit(lambda: reminders_tick.delay())
