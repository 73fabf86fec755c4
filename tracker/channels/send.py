"""Send the channel deliveries that are due: claim each with a conditional UPDATE, render it in
Chinese (a unit's group reads the office's language), send, and record the outcome. A failure
is kept and retried after a doubling back-off, up to ReminderSettings.max_attempts; one
channel's failure (or crash) never stops the others."""

import datetime
import logging

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation

from tracker.channels.kinds import channel_for
from tracker.inbox.texts import headline, quoted
from tracker.models import ChannelDelivery, Message, ReminderSettings

log = logging.getLogger(__name__)
LANGUAGE = "zh-hans"


def render(delivery):
    """(subject, text, markdown) of a delivery."""
    message = Message(code=delivery.code, data=delivery.data, item=delivery.item)
    link = delivery.data.get("link") or (
        reverse("item_detail", args=[delivery.item_id]) if delivery.item_id else reverse("home")
    )
    url = settings.SITE_URL + link
    with translation.override(LANGUAGE):
        line = headline(message)
        words = quoted(message)
        brand = str(translation.gettext("督办台"))
        more = str(translation.gettext("查看详情"))
    text = "\n".join(part for part in (f"【{brand}】{line}", words, url) if part)
    markdown = f"**{brand}**\n> {line}\n\n" + (f"{words}\n\n" if words else "") + f"[{more}]({url})"
    return f"【{brand}】{line}", text, markdown


def send_pending(now=None, rules=None):
    """Send every due delivery; returns {"sent": n, "retry": n, "failed": n}."""
    now = now or timezone.now()
    rules = rules or ReminderSettings.load()
    stale = now - datetime.timedelta(seconds=rules.claim_timeout_seconds)
    due = list(
        ChannelDelivery.objects.filter(
            status=ChannelDelivery.Status.PENDING, next_attempt_at__lte=now, channel__active=True
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("id")
        .values_list("id", flat=True)
    )
    result = {"sent": 0, "retry": 0, "failed": 0}
    for delivery_id in due:
        outcome = _send_one(delivery_id, now, rules, stale)
        if outcome:
            result[outcome] += 1
    return {k: v for k, v in result.items() if v}


def _send_one(delivery_id, now, rules, stale):
    claimed = (
        ChannelDelivery.objects.filter(pk=delivery_id, status=ChannelDelivery.Status.PENDING)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    delivery = ChannelDelivery.objects.select_related("channel", "item").get(pk=delivery_id)
    try:
        subject, text, markdown = render(delivery)
        channel_for(delivery.channel).send(subject, text, markdown)
    except Exception as exc:  # noqa: BLE001 (any channel failure is kept and retried)
        log.warning("channel delivery %s failed: %s", delivery_id, exc)
        final = delivery.attempts >= rules.max_attempts
        wait = rules.retry_backoff_seconds * 2 ** max(delivery.attempts - 1, 0)
        ChannelDelivery.objects.filter(pk=delivery_id).update(
            claimed_at=None,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            status=ChannelDelivery.Status.FAILED if final else ChannelDelivery.Status.PENDING,
            next_attempt_at=now + datetime.timedelta(seconds=wait),
        )
        return "failed" if final else "retry"
    ChannelDelivery.objects.filter(pk=delivery_id).update(
        status=ChannelDelivery.Status.SENT, sent_at=timezone.now(), claimed_at=None, last_error=""
    )
    return "sent"
