"""The monthly 通报 to leaders, sent by beat (tracker.tasks.bulletin_mail).

On the first working day of a month, in sending hours (ReminderSettings, WorkdayCalendar),
every active leader with an e-mail address gets last month's 通报 (their 分管 units when they
have any, else all units) once: a BulletinMail row per leader and month is claimed before
sending; a failed send is retried at the next run (attempts and the error kept), a sent one
never again.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tracker.bulletin import exports
from tracker.bulletin.figures import Scope
from tracker.bulletin.views import DOCX, bulletin_context, last_month
from tracker.lib import clock
from tracker.lib.workdays import WorkdayCalendar
from tracker.models import BulletinMail, ReminderSettings, ReminderSweep, Unit, User
from tracker.reminders.rules import is_sending_time

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def leaders():
    return User.objects.filter(role=User.Role.LEADER, is_active=True).exclude(email="")


def monthly_due(today, calendar):
    """Whether this month's 通报 is due by `today`: on the month's first working day, or on a
    later day when the system ran before that day but swept nothing on it (down that day: the
    next run catches up); a new installation starts with the next month's."""
    day = today.replace(day=1)
    while not calendar.is_workday(day):
        day += datetime.timedelta(days=1)
    if day == today:
        return True
    return (
        day < today
        and not ReminderSweep.objects.filter(date=day, finished_at__isnull=False).exists()
        and ReminderSweep.objects.filter(date__lt=day).exists()
    )


def send_monthly(moment=None):
    """In sending hours of the day it is due, send last month's 通报 to each leader who has not
    had it; returns {"sent": n, "failed": n} ({} when it is not the time)."""
    moment = moment or clock.now()
    calendar = WorkdayCalendar()
    today = timezone.localdate(moment)
    pending = BulletinMail.objects.filter(month=last_month(today)[0], sent_at__isnull=True)
    if not is_sending_time(moment, ReminderSettings.load(), calendar):
        return {}
    if not (monthly_due(today, calendar) or pending.exists()):
        return {}
    start, end = last_month(today)
    result = {"sent": 0, "failed": 0}
    for leader in leaders():
        try:
            with transaction.atomic():
                row, _created = BulletinMail.objects.get_or_create(recipient=leader, month=start)
        except IntegrityError:
            continue
        claimed = BulletinMail.objects.filter(
            pk=row.pk, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS
        ).update(attempts=row.attempts + 1)
        if not claimed:
            continue
        try:
            build(leader, start, end).send()
        except Exception as exc:  # noqa: BLE001 (any mail failure: kept and retried)
            log.warning("monthly bulletin to %s failed: %s", leader.pk, exc)
            BulletinMail.objects.filter(pk=row.pk).update(last_error=str(exc)[:2000])
            result["failed"] += 1
            continue
        BulletinMail.objects.filter(pk=row.pk).update(sent_at=timezone.now(), last_error="")
        result["sent"] += 1
    return result


def build(leader, start, end):
    """The e-mail: the 通报 as text and HTML, the Word file attached, in the leader's language."""
    own = Unit.objects.filter(leader=leader).exists()
    with translation.override(leader.language or settings.LANGUAGE_CODE):
        context = bulletin_context(leader, start, end, Scope(leader=leader if own else None))
        query = f"?start={start.isoformat()}&end={end.isoformat()}"
        if own:
            query += f"&leader={leader.pk}"
        context.update(
            {"recipient": leader, "url": settings.SITE_URL + reverse("bulletin") + query}
        )
        subject = " ".join(render_to_string("tracker/email/bulletin_subject.txt", context).split())
        text = render_to_string("tracker/email/bulletin.txt", context)
        html = render_to_string("tracker/email/bulletin.html", context)
        attachment = exports.bulletin_docx(
            context["title"], context["subtitle"], context["rows"], context["totals"]
        )
    message = EmailMultiAlternatives(subject, text, to=[leader.email])
    message.attach_alternative(html, "text/html")
    message.attach(f"bulletin-{start:%Y%m}.docx", attachment, DOCX)
    return message
