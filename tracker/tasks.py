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
