"""From notices to e-mails: which deliveries go out now (the five-minute tick)."""

import datetime
import logging

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from tracker.lib import clock
from tracker.lib.workdays import WorkdayCalendar
from tracker.models import (
    Delivery,
    Notice,
    Reminder,
    ReminderSettings,
    ReminderSweep,
    User,
)
from tracker.reminders.faults import RULE_ERRORS
from tracker.reminders.rules import is_sending_time
from tracker.reminders.sweep import _mail_users, sweep

ONE_DAY = datetime.timedelta(days=1)
CHUNK = 5000
R = Reminder.Rule
log = logging.getLogger(__name__)


# --- from notices to e-mails ---------------------------------------------------------------


def plan_deliveries(moment=None, rules=None, calendar=None):
    """Attach waiting notices to e-mails (Delivery rows); returns how many were opened.

    Immediate users get one e-mail per run with all their waiting notices; digest users one a
    day, from the digest time on. The leaders and the supervision office get a weekly digest on
    the first working day of the week from the configured weekday on, or at the first tick
    after it when no tick ran that day.
    """
    moment = moment or clock.now()
    rules = rules or ReminderSettings.load()
    calendar = calendar or WorkdayCalendar()
    local = timezone.localtime(moment)
    today = local.date()
    opened = 0
    waiting = (
        Notice.objects.filter(delivery__isnull=True)
        .order_by()
        .values_list("recipient_id", "recipient__delivery")
        .distinct()
    )
    for recipient_id, preference in list(waiting):
        try:  # one recipient's trouble must not hold back the others' e-mails
            if preference == User.Timing.DIGEST:
                if local.time() >= rules.digest_time:
                    opened += open_delivery(
                        recipient_id, Delivery.Kind.DAILY, today, Notice, one_per_period=True
                    )
            else:
                opened += open_delivery(
                    recipient_id, Delivery.Kind.IMMEDIATE, today, Notice, one_per_period=False
                )
        except (DatabaseError, *RULE_ERRORS):
            log.exception("cannot plan the e-mail of user %s; the others go on", recipient_id)
    monday = today - datetime.timedelta(days=today.weekday())
    if (
        _weekly_digest_due(today, rules, calendar)
        and not Delivery.objects.filter(kind=Delivery.Kind.WEEKLY, period=monday).exists()
    ):
        readers = _mail_users().filter(role__in=[User.Role.LEADER, User.Role.SUPERVISOR])
        Delivery.objects.bulk_create(
            [
                Delivery(recipient_id=user_id, kind=Delivery.Kind.WEEKLY, period=monday)
                for user_id in readers.values_list("id", flat=True)
            ],
            ignore_conflicts=True,
        )
    return opened


def _weekly_digest_due(today, rules, calendar):
    """Whether this week's digest is due by `today`: on the first working day of the week on or
    after the configured weekday, or on a later day of the week when no tick swept that day
    although the system ran before it (the sweep was down that day: the first tick after
    catches the digest up; a new installation starts with the next week's)."""
    monday = today - datetime.timedelta(days=today.weekday())
    for offset in range(rules.weekly_digest_weekday - 1, 7):
        day = monday + datetime.timedelta(days=offset)
        if calendar.is_workday(day):
            break
    else:
        return False
    if day == today:
        return True
    return (
        day < today
        and not ReminderSweep.objects.filter(date=day, finished_at__isnull=False).exists()
        and ReminderSweep.objects.filter(date__lt=day).exists()
    )


def open_delivery(recipient_id, kind, period, waiting, *, one_per_period):
    """One new e-mail carrying all of the recipient's waiting rows of `waiting` (Notice or
    Message) by a conditional UPDATE; a digest kind (`one_per_period`) opens at most one
    e-mail per period.

    Inside one transaction, so no sender sees the Delivery before its rows are attached;
    a row is attached at most once because the UPDATE requires `delivery IS NULL`.
    """
    with transaction.atomic():
        if not one_per_period:
            delivery = Delivery.objects.create(recipient_id=recipient_id, kind=kind, period=period)
        else:
            delivery, created = Delivery.objects.get_or_create(
                recipient_id=recipient_id, kind=kind, period=period
            )
            if not created:
                return 0  # today's digest exists; what came later waits for tomorrow's
        attached = waiting.objects.filter(recipient_id=recipient_id, delivery__isnull=True).update(
            delivery=delivery
        )
        if not attached:
            delivery.delete()
            return 0
    return 1


def sendable(now=None, rules=None):
    """Ids of deliveries to send now: pending, due, and not claimed (or claimed by the dead)."""
    now = now or timezone.now()
    rules = rules or ReminderSettings.load()
    stale = now - datetime.timedelta(seconds=rules.claim_timeout_seconds)
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("id")
        .values_list("id", flat=True)
    )


def tick(moment=None):
    """What beat runs every few minutes: in sending hours, sweep once a day, plan, and return
    the deliveries to send. Outside them (night, weekends, holidays) it does nothing, so a
    worker that comes back at night sends its backlog at the next send time, once."""
    moment = moment or clock.now()
    rules = ReminderSettings.load()
    calendar = WorkdayCalendar()
    if not is_sending_time(moment, rules, calendar):
        return []
    today = timezone.localdate(moment)
    if not ReminderSweep.objects.filter(date=today, finished_at__isnull=False).exists():
        try:
            sweep(today, rules, calendar)
        except (DatabaseError, *RULE_ERRORS):
            # The sweep isolates bad rows itself (faults.py); whatever still stops it must not
            # stop the e-mails already waiting. It stays unfinished and the next tick retries.
            log.exception("the reminder sweep of %s failed; sending what is waiting", today)
    plan_deliveries(moment, rules, calendar)
    return sendable(rules=rules)
