"""From inbox messages to e-mails, through the reminders' Delivery rows and senders.

Users who chose immediate mail get one e-mail (Delivery kind notice) per run with all their
waiting messages, at once; digest readers one a day (notice_daily) from the digest time on.
A message is attached to one Delivery by a conditional UPDATE (`delivery IS NULL`) inside the
transaction that creates it; tracker.reminders.mail claims and sends it (retries, failures).
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tracker.lib import clock
from tracker.models import Delivery, Item, Message, ReminderSettings, User
from tracker.reminders.plan import open_delivery

KINDS = (Delivery.Kind.NOTICE, Delivery.Kind.NOTICE_DAILY)


def plan_notices(moment=None, rules=None):
    """Open the e-mails for waiting messages; returns how many were opened."""
    moment = moment or clock.now()
    rules = rules or ReminderSettings.load()
    local = timezone.localtime(moment)
    waiting = (
        Message.objects.filter(delivery__isnull=True, recipient__is_active=True)
        .exclude(recipient__email="")
        .order_by()
        .values_list("recipient_id", "recipient__delivery")
        .distinct()
    )
    opened = 0
    for recipient_id, preference in list(waiting):
        if preference == User.Timing.DIGEST:
            if local.time() >= rules.digest_time:
                opened += open_delivery(
                    recipient_id,
                    Delivery.Kind.NOTICE_DAILY,
                    local.date(),
                    Message,
                    one_per_period=True,
                )
        else:
            opened += open_delivery(
                recipient_id, Delivery.Kind.NOTICE, local.date(), Message, one_per_period=False
            )
    return opened


def sendable(now=None, rules=None):
    """Ids of notice e-mails to send now (pending, due, unclaimed or claimed by the dead)."""
    now = now or timezone.now()
    rules = rules or ReminderSettings.load()
    stale = now - datetime.timedelta(seconds=rules.claim_timeout_seconds)
    return list(
        Delivery.objects.filter(
            kind__in=KINDS, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("id")
        .values_list("id", flat=True)
    )


def notice_context(delivery):
    """The messages an e-mail carries, newest last; None if there are none (or all were about
    items the recipient may no longer see)."""
    user = delivery.recipient
    messages = list(
        Message.objects.filter(delivery=delivery)
        .filter(Q(item__isnull=True) | Q(item__in=Item.objects.visible_to(user)))
        .select_related("actor", "item")
        .order_by("created_at", "id")
    )
    if not messages:
        return None
    site = settings.SITE_URL
    entries = [{"message": m, "url": site + reverse("inbox_open", args=[m.pk])} for m in messages]
    return {
        "recipient": user,
        "delivery": delivery,
        "entries": entries,
        "site_url": site,
        "inbox_url": site + reverse("inbox"),
        "my_url": site + reverse("my_reminders"),
    }
