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
