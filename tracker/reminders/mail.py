"""Reminder e-mails: build one message per Delivery from three templates, claim it, send it.

Templates under tracker/templates/tracker/email/: <name>_subject.txt, <name>.txt, <name>.html
for `reminders` (immediate mails and daily digests) and `weekly` (the leaders' and the
supervision office's weekly digest). They render in the recipient's language.

Exactly once (healthchecks' way): a sender claims a Delivery with a conditional UPDATE
(pending, due, and unclaimed or claimed longer ago than the claim timeout) and sends only when
that UPDATE changed one row. A sender that dies after claiming leaves a stale claim the next
run takes over; one that dies after the SMTP server accepted the message but before recording
it would send it again — the only window left, as long as one SMTP transaction.
"""

import datetime
import logging
import uuid
from collections import defaultdict

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tracker.inbox.deliver import KINDS as NOTICE_KINDS
from tracker.inbox.deliver import notice_context
from tracker.lib import clock
from tracker.models import (
    Delivery,
    Item,
    ItemPerson,
    Notice,
    PaceSettings,
    Reminder,
    ReminderSettings,
    User,
    pace_of,
)
from tracker.reminders.sweep import still_due

log = logging.getLogger(__name__)

# Most urgent first, in an e-mail listing several reasons for one item.
URGENCY = {Reminder.Rule.ESCALATION: 0, Reminder.Rule.OVERDUE: 1, Reminder.Rule.DUE: 2,
           Reminder.Rule.BEFORE: 3, Reminder.Rule.REPORT: 4}
WEEKLY_LIST_LIMIT = 30
# What tracker/email/reminders.* and _reason.txt show of a notice (loading no more is faster).
EMAIL_FIELDS = ("reminder__rule", "reminder__offset", "reminder__due_on", "reminder__date",
                "reminder__item__ref", "reminder__item__text", "reminder__item__status",
                "reminder__item__percent", "reminder__item__due_date", "reminder__deadline__kind",
                "reminder__deadline__what", "reminder__deadline__expr")


def item_url(pk):
    return settings.SITE_URL + reverse("item_detail", args=[pk])


def render_email(name, context, language):
    """(subject, text, html) of template `name` in `language`."""
    with translation.override(language):
        subject = render_to_string(f"tracker/email/{name}_subject.txt", context)
        text = render_to_string(f"tracker/email/{name}.txt", context)
        html = render_to_string(f"tracker/email/{name}.html", context)
    return " ".join(subject.split()), text, html


def reminder_context(delivery):
    """The recipient's items with every reason to write about them; None if none is left."""
    notices = (Notice.objects.filter(delivery=delivery)
               .select_related("reminder__item", "reminder__deadline")
               .only(*EMAIL_FIELDS)
               .order_by("reminder__item_id", "reminder__date"))
    by_item = defaultdict(list)
    items = {}
    for notice in notices:
        reminder = notice.reminder
        if not still_due(reminder.item.status, reminder.rule):
            continue  # completed, or completion requested, since the reminder was due
        items[reminder.item_id] = reminder.item
        by_item[reminder.item_id].append(reminder)
    entries = []
    for item_id, reminders in by_item.items():
        reminders.sort(key=lambda r: (URGENCY[r.rule], -r.date.toordinal()))
        entries.append({"item": items[item_id], "url": item_url(item_id),
                        "reminders": reminders, "urgency": URGENCY[reminders[0].rule]})
    if not entries:
        return None
    _add_pace(entries)
    entries.sort(key=lambda e: (e["urgency"], e["item"].due_date or datetime.date.max))
    escalations = sum(1 for e in entries if e["urgency"] == 0)
    return {"recipient": delivery.recipient, "delivery": delivery, "entries": entries,
            "escalations": escalations, "site_url": settings.SITE_URL,
            "my_url": settings.SITE_URL + reverse("my_reminders")}


def _add_pace(entries):
    """Each entry's 序时进度 (entry["pace"]) by the one rule: two queries for any number."""
    today = clock.today()
    thresholds = PaceSettings.load()
    loaded = {e["item"].pk: e["item"] for e in entries}
    for pk, state, next_due, created_at in (
            Item.objects.filter(pk__in=list(loaded)).with_state(today)
            .values_list("pk", "state", "next_due", "created_at")):
        item = loaded[pk]
        item.state, item.next_due, item.created_at = state, next_due, created_at
    for entry in entries:
        entry["pace"] = pace_of(entry["item"], today, thresholds)


def weekly_context(delivery):
    """A leader's items (those naming them, else all) or, for the office, all items."""
    user = delivery.recipient
    monday = delivery.period
    week_ago = monday - datetime.timedelta(days=7)
    items = Item.objects.visible_to(user)
    if user.role == User.Role.LEADER:
        own = items.filter(people__user=user, people__role=ItemPerson.Role.LEADER).distinct()
        if own.exists():
            items = own
    items = items.with_state(today=monday)
    counts = dict(items.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    states = [(label, counts.get(state, 0)) for state, label in Item.State.choices]
    newly_overdue = list(items.filter(due_date__gte=week_ago, due_date__lt=monday)
                         .exclude(status=Item.Status.COMPLETED)
                         .order_by("due_date", "id")[:WEEKLY_LIST_LIMIT + 1])
    since = timezone.make_aware(datetime.datetime.combine(week_ago, datetime.time()))
    until = timezone.make_aware(datetime.datetime.combine(monday, datetime.time()))
    completed = list(items.filter(completed_at__gte=since, completed_at__lt=until)
                     .order_by("-completed_at", "id")[:WEEKLY_LIST_LIMIT + 1])
    return {
        "recipient": user, "delivery": delivery, "monday": monday, "week_ago": week_ago,
        "sunday": monday - datetime.timedelta(days=1),
        "states": states, "total": sum(counts.values()),
        "newly_overdue": [(i, item_url(i.pk)) for i in newly_overdue[:WEEKLY_LIST_LIMIT]],
        "more_overdue": len(newly_overdue) > WEEKLY_LIST_LIMIT,
        "completed": [(i, item_url(i.pk)) for i in completed[:WEEKLY_LIST_LIMIT]],
        "more_completed": len(completed) > WEEKLY_LIST_LIMIT,
        "site_url": settings.SITE_URL, "list_url": settings.SITE_URL + reverse("item_list"),
    }


def build_message(delivery, connection=None):
    """The e-mail for a Delivery, or None when there is nothing left to say."""
    if delivery.kind == Delivery.Kind.WEEKLY:
        name, context = "weekly", weekly_context(delivery)
    elif delivery.kind in NOTICE_KINDS:  # inbox messages (tracker/inbox/)
        name, context = "notices", notice_context(delivery)
    else:
        name, context = "reminders", reminder_context(delivery)
    if context is None:
        return None
    user = delivery.recipient
    subject, text, html = render_email(name, context, user.language or settings.LANGUAGE_CODE)
    message = EmailMultiAlternatives(subject, text, to=[user.email], connection=connection)
    message.attach_alternative(html, "text/html")
    return message


def claim(delivery_id, now, rules):
    """Take a delivery with a conditional UPDATE; the token if this caller won, else None."""
    token = uuid.uuid4().hex
    stale = now - datetime.timedelta(seconds=rules.claim_timeout_seconds)
    won = (Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING,
                                   next_attempt_at__lte=now)
           .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
           .update(claimed_at=now, claim_token=token, attempts=F("attempts") + 1))
    return token if won else None


def send_delivery(delivery_id, rules=None, connection=None):
    """Claim and send one delivery: 'sent', 'skipped', 'retry', 'failed' or 'busy' (not ours)."""
    rules = rules or ReminderSettings.load()
    now = timezone.now()  # real time: claims and back-off must move even under a fake clock
    token = claim(delivery_id, now, rules)
    if token is None:
        return "busy"
    mine = Delivery.objects.filter(pk=delivery_id, claim_token=token)
    delivery = Delivery.objects.select_related("recipient").get(pk=delivery_id)
    try:
        message = build_message(delivery, connection)
        if message is None:
            mine.update(status=Delivery.Status.SKIPPED, claimed_at=None)
            return "skipped"
        message.send()
    except SoftTimeLimitExceeded:
        raise  # the task is out of time: the claim goes stale and the next tick sends it
    except Exception as exc:  # SMTP refusals, refused connections, timeouts, template errors
        if connection is not None:
            connection.close()  # a refused or broken session is not reused; the next reopens
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if delivery.attempts >= rules.max_attempts:
            mine.update(status=Delivery.Status.FAILED, claimed_at=None, last_error=error)
            log.error("delivery %s failed for good: %s", delivery_id, error)
            return "failed"
        delay = rules.retry_backoff_seconds * 2 ** (delivery.attempts - 1)
        mine.update(claimed_at=None, last_error=error,
                    next_attempt_at=now + datetime.timedelta(seconds=delay))
        log.warning("delivery %s attempt %s failed, retry in %ss: %s", delivery_id,
                    delivery.attempts, delay, error)
        return "retry"
    mine.update(status=Delivery.Status.SENT, sent_at=timezone.now(), claimed_at=None,
                subject=message.subject[:300], address=delivery.recipient.email)
    return "sent"


def send_deliveries(ids, rules=None):
    """Send these deliveries over one SMTP connection; {outcome: count}."""
    rules = rules or ReminderSettings.load()
    outcomes = defaultdict(int)
    if not ids:
        return dict(outcomes)
    connection = get_connection()
    try:
        connection.open()
    except Exception:  # the server is down: each send below fails and records why
        log.warning("cannot connect to the mail server", exc_info=True)
    try:
        for delivery_id in ids:
            try:
                outcomes[send_delivery(delivery_id, rules, connection)] += 1
            except SoftTimeLimitExceeded:
                raise
            except Exception:  # one delivery's trouble (its claim goes stale) stops no other
                log.exception("delivery %s could not be handled; the others go on", delivery_id)
                outcomes["error"] += 1
    finally:
        try:
            connection.close()
        except Exception:  # a server that dropped the line cannot be told goodbye
            log.debug("closing the SMTP connection failed", exc_info=True)
    return dict(outcomes)


def retry_failed(delivery_ids, now=None):
    """The supervision office sends failed deliveries again (attempts start over)."""
    return Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING, attempts=0, claimed_at=None,
        next_attempt_at=now or clock.now(),
    )
