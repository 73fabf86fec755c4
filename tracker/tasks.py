"""Celery tasks: thin wrappers that look up ids and call plain functions.

Services never import this module; views and beat enqueue (views with ``delay_on_commit``).
"""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from tracker.bulletin import mailing
from tracker.channels import send
from tracker.imports.jobs import run_import_job
from tracker.inbox import deliver
from tracker.lib import clock
from tracker.models import Heartbeat
from tracker.reminders import mail, plan
from tracker.supervision import notices
from tracker.tracking import export_jobs


@shared_task
def heartbeat(name="worker"):
    """Record that a worker ran a task (beat schedules it as 'beat', /healthz reads both)."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now})
    if name != "worker":
        Heartbeat.objects.update_or_create(name="worker", defaults={"at": now})
    return now.isoformat()


@shared_task(
    acks_late=True,
    soft_time_limit=settings.DUBAN_IMPORT_TIME_LIMIT,
    time_limit=settings.DUBAN_IMPORT_HARD_TIME_LIMIT,
)
def parse_import(job_id):
    """Parse an uploaded file into its preview (tracker.imports.jobs.run_import_job).

    Idempotent: the job is claimed by a conditional UPDATE, so a second delivery does nothing.
    Out of time (DUBAN_IMPORT_TIME_LIMIT) the job fails with a message and the worker is free.
    """
    job = run_import_job(job_id)
    return job.status if job else None


# Reminders (tracker/reminders/ decides and sends). Both steps are idempotent — unique keys and
# claimed deliveries — so a redelivered message (acks_late) does no harm.


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600)
def reminders_tick():
    """Beat, every few minutes: in sending hours sweep once a day, then send what is due (and
    only while sending hours last: the rest waits for the next window)."""
    moment = clock.now()
    return mail.send_deliveries(plan.tick(moment), moment=moment)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def notices_mail():
    """Inbox messages to e-mail: views enqueue it when they post messages (sent at once),
    beat every few minutes (digests after the digest time, retries)."""
    deliver.plan_notices()
    result = mail.send_deliveries(deliver.sendable())
    # The units' channels (mailbox, group robots): each delivery on its own, retried.
    channels = send.send_pending()
    return {**result, **{f"channel_{k}": v for k, v in channels.items()}}


@shared_task(acks_late=True)
def escalate_notices():
    """Beat, hourly: a 督办单 whose reply is late goes up one level (once: conditional UPDATE),
    and the unit and its 分管领导 are told at once."""
    escalated = notices.escalate_overdue()
    if escalated:
        notices_mail.delay()
    return [notice.number for notice in escalated]


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600)
def bulletin_mail():
    """Beat, hourly: last month's 通报 to each leader once (tracker/bulletin/mailing.py)."""
    return mailing.send_monthly()


@shared_task(acks_late=True, soft_time_limit=1740, time_limit=1800)
def export_ledger(job):
    """A large 台账 export (tracker/tracking/export_jobs.py); a job already run is left alone."""
    record = export_jobs.run(job)
    return record["state"] if record else None
