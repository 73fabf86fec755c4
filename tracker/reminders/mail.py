"""Reminder e-mails: build one message per Delivery from three templates, claim it, send it.

Templates under tracker/templates/tracker/email/: <name>_subject.txt, <name>.txt, <name>.html
for `reminders` (immediate mails and daily digests) and `weekly` (the leaders' and the
supervision office's weekly digest). They render in the recipient's language.

Exactly once (healthchecks' way): a sender claims a Delivery with a conditional UPDATE
(pending, due, and unclaimed or claimed longer ago than the claim timeout) and sends only when
that UPDATE changed one row. A sender that dies after claiming leaves a stale claim the next
run takes over. The one window SMTP cannot close — the server stored the message, then the
sender died or the line dropped before the 250 answer was recorded — is made harmless and
visible: the claim records `sending_at` before the SMTP conversation; a claim taken over in
that state is resent (only after `claim_timeout_seconds`), marked `possibly_duplicate` for the
failures page, and carries the same Message-ID (fixed by the delivery), so mail clients show
one message.

Sending hours are checked before every e-mail: what is left at the quiet time waits for the
next sending window. A permanent refusal (an SMTP 5xx answer) fails at once with the server's
reason; temporary ones (4xx) and network errors are retried with a doubling back-off.
"""

import datetime
import logging
import smtplib
import socket
import uuid
from collections import defaultdict
from email.utils import parseaddr

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Case, Count, F, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tracker.inbox.deliver import KINDS as NOTICE_KINDS
from tracker.inbox.deliver import notice_context
from tracker.lib import clock
from tracker.lib.workdays import WorkdayCalendar
from tracker.models import (
    Delivery,
    Item,
    ItemOwner,
    ItemPerson,
    Notice,
    PaceSettings,
    ProgressReport,
    Reminder,
    ReminderSettings,
    User,
    pace_of,
)
from tracker.reminders.rules import is_sending_time
from tracker.reminders.sweep import DATE_RULES, still_due

log = logging.getLogger(__name__)

# Most urgent first, in an e-mail listing several reasons for one item.
URGENCY = {
    Reminder.Rule.ESCALATION: 0,
    Reminder.Rule.OVERDUE: 1,
    Reminder.Rule.DUE: 2,
    Reminder.Rule.BEFORE: 3,
    Reminder.Rule.REPORT: 4,
}
WEEKLY_LIST_LIMIT = 30
# What tracker/email/reminders.* and _reason.txt show of a notice (loading no more is faster).
EMAIL_FIELDS = (
    "reminder__rule",
    "reminder__offset",
    "reminder__due_on",
    "reminder__date",
    "reminder__item__ref",
    "reminder__item__text",
    "reminder__item__status",
    "reminder__item__percent",
    "reminder__item__due_date",
    "reminder__deadline__kind",
    "reminder__deadline__what",
    "reminder__deadline__expr",
    "reminder__deadline__done_at",
    "reminder__deadline__superseded_at",
    "reminder__created_at",
)


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
    # Never an item the recipient cannot open (a namesake linked by mistake, a moved account).
    visible = Item.objects.visible_to(delivery.recipient).active()  # not withdrawn
    notices = (
        Notice.objects.filter(delivery=delivery, reminder__item__in=visible)
        .select_related("reminder__item", "reminder__deadline")
        .only(*EMAIL_FIELDS)
        .order_by("reminder__item_id", "reminder__date")
    )
    notices = list(notices)
    reported = _reported_since(notices)
    by_item = defaultdict(list)
    items = {}
    for notice in notices:
        reminder = notice.reminder
        if not still_due(reminder.item.status, reminder.rule):
            continue  # completed, or completion requested, since the reminder was due
        if not _still_open(reminder, reported):
            continue  # its date was done or moved, or the report came in, since
        items[reminder.item_id] = reminder.item
        by_item[reminder.item_id].append(reminder)
    entries = []
    for item_id, reminders in by_item.items():
        # Each item once, with the one most urgent reason: the most urgent rule, then the
        # longest overdue or nearest date, then its newest firing (after a catch-up the same
        # date fired several times; the newest says how things stand now).
        reminders.sort(key=lambda r: (URGENCY[r.rule], r.due_on, -r.date.toordinal()))
        entries.append(
            {
                "item": items[item_id],
                "url": item_url(item_id),
                "reason": reminders[0],
                "urgency": URGENCY[reminders[0].rule],
            }
        )
    if not entries:
        return None
    _add_pace(entries)
    _add_units(entries)
    _add_leaders_reached(entries)
    entries.sort(key=lambda e: (e["urgency"], e["item"].due_date or datetime.date.max))
    escalations = sum(1 for e in entries if e["urgency"] == 0)
    return {
        "recipient": delivery.recipient,
        "delivery": delivery,
        "entries": entries,
        "escalations": escalations,
        "site_url": settings.SITE_URL,
        "my_url": settings.SITE_URL + reverse("my_reminders"),
    }


def _add_pace(entries):
    """Each entry's 序时进度 (entry["pace"]) by the one rule: two queries for any number."""
    today = clock.today()
    thresholds = PaceSettings.load()
    loaded = {e["item"].pk: e["item"] for e in entries}
    for pk, state, next_due, created_at in (
        Item.objects.filter(pk__in=list(loaded))
        .with_state(today)
        .values_list("pk", "state", "next_due", "created_at")
    ):
        item = loaded[pk]
        item.state, item.next_due, item.created_at = state, next_due, created_at
    for entry in entries:
        entry["pace"] = pace_of(entry["item"], today, thresholds)


def _add_units(entries):
    """Each entry's units (entry["units"]): the lead or responsible units, else the co-operating
    ones, by name; one query for any number of items."""
    names = defaultdict(lambda: defaultdict(list))
    owners = (
        ItemOwner.objects.filter(item_id__in=[e["item"].pk for e in entries])
        .order_by("item_id", "position", "id")
        .values_list("item_id", "role", "name")
    )
    for item_id, role, name in owners:
        if name not in names[item_id][role]:
            names[item_id][role].append(name)
    for entry in entries:
        own = names[entry["item"].pk]
        entry["units"] = "、".join(
            own[ItemOwner.Role.LEAD] + own[ItemOwner.Role.RESPONSIBLE] or own[ItemOwner.Role.CO]
        )


def _add_leaders_reached(entries):
    """An escalation says whom it reached: the leaders (with accounts) it was sent to, by name
    (reason.leaders); none, and the e-mail says only the supervision office was told."""
    escalations = {
        e["reason"].pk: e["reason"] for e in entries if e["reason"].rule == Reminder.Rule.ESCALATION
    }
    reached = defaultdict(list)
    for reminder_id, user in (
        (n.reminder_id, n.recipient)
        for n in Notice.objects.filter(
            reminder_id__in=list(escalations), recipient__role=User.Role.LEADER
        )
        .select_related("recipient")
        .order_by("recipient__display_name", "recipient_id")
    ):
        reached[reminder_id].append(str(user))
    for pk, reminder in escalations.items():
        reminder.leaders = "、".join(reached[pk])


def _reported_since(notices):
    """{item_id: time of its latest progress report} for the items with report reminders."""
    item_ids = {n.reminder.item_id for n in notices if n.reminder.rule == Reminder.Rule.REPORT}
    latest = {}
    if item_ids:
        reports = ProgressReport.objects.filter(item_id__in=item_ids).values_list(
            "item_id", "created_at"
        )
        for item_id, created in reports:
            if item_id not in latest or latest[item_id] < created:
                latest[item_id] = created
    return latest


def _still_open(reminder, reported):
    """What the e-mail checks at send time besides the item's status: the date reminded of is
    still open (not done, not superseded by an approved extension, still the item's due date
    for an item without deadline rows), and no progress report came in since the day of a
    report reminder."""
    deadline = reminder.deadline
    if deadline is not None and (deadline.done_at or deadline.superseded_at):
        return False
    if (
        deadline is None
        and reminder.rule in DATE_RULES | {Reminder.Rule.ESCALATION}
        and reminder.due_on != reminder.item.due_date
    ):
        return False
    if reminder.rule == Reminder.Rule.REPORT and reminder.item_id in reported:
        day_began = timezone.make_aware(datetime.datetime.combine(reminder.date, datetime.time()))
        if reported[reminder.item_id] >= min(day_began, reminder.created_at):
            return False
    return True


def weekly_context(delivery):
    """A leader's items (those naming them, else all) or, for the office, all items."""
    user = delivery.recipient
    monday = delivery.period
    week_ago = monday - datetime.timedelta(days=7)
    items = Item.objects.visible_to(user).active()
    if user.role == User.Role.LEADER:
        own = items.filter(people__user=user, people__role=ItemPerson.Role.LEADER).distinct()
        if own.exists():
            items = own
    items = items.with_state(today=monday)
    counts = dict(items.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    states = [(label, counts.get(state, 0)) for state, label in Item.State.choices]
    newly_overdue = list(
        items.filter(due_date__gte=week_ago, due_date__lt=monday)
        .exclude(status=Item.Status.COMPLETED)
        .order_by("due_date", "id")[: WEEKLY_LIST_LIMIT + 1]
    )
    since = timezone.make_aware(datetime.datetime.combine(week_ago, datetime.time()))
    until = timezone.make_aware(datetime.datetime.combine(monday, datetime.time()))
    completed = list(
        items.filter(completed_at__gte=since, completed_at__lt=until).order_by(
            "-completed_at", "id"
        )[: WEEKLY_LIST_LIMIT + 1]
    )
    return {
        "recipient": user,
        "delivery": delivery,
        "monday": monday,
        "week_ago": week_ago,
        "sunday": monday - datetime.timedelta(days=1),
        "states": states,
        "total": sum(counts.values()),
        "newly_overdue": [(i, item_url(i.pk)) for i in newly_overdue[:WEEKLY_LIST_LIMIT]],
        "more_overdue": len(newly_overdue) > WEEKLY_LIST_LIMIT,
        "completed": [(i, item_url(i.pk)) for i in completed[:WEEKLY_LIST_LIMIT]],
        "more_completed": len(completed) > WEEKLY_LIST_LIMIT,
        "site_url": settings.SITE_URL,
        "list_url": settings.SITE_URL + reverse("item_list"),
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
    message = EmailMultiAlternatives(
        subject,
        text,
        to=[user.email],
        connection=connection,
        headers={"Message-ID": message_id(delivery)},
    )
    message.attach_alternative(html, "text/html")
    return message


def message_id(delivery):
    """The Message-ID of a delivery's e-mail: the same on every attempt, so that a resend after
    an uncertain attempt is folded into one message by mail clients."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "duban.localhost"
    return f"<duban.delivery.{delivery.pk}.{int(delivery.created_at.timestamp())}@{domain}>"


def claim(delivery_id, now, rules):
    """Take a delivery with a conditional UPDATE; the token if this caller won, else None.

    Taking over a claim whose sending had begun (sending_at set) marks the delivery as
    possibly sent twice: the first attempt may have reached the server."""
    token = uuid.uuid4().hex
    stale = now - datetime.timedelta(seconds=rules.claim_timeout_seconds)
    won = (
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(
            claimed_at=now,
            claim_token=token,
            attempts=F("attempts") + 1,
            possibly_duplicate=Case(
                When(sending_at__isnull=False, then=Value(True)), default=F("possibly_duplicate")
            ),
        )
    )
    return token if won else None


def smtp_reply(exc):
    """(code, reason) of the SMTP server's answer carried by `exc`, or None (no answer: a
    network error, a timeout, a dropped line)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = list(exc.recipients.values())
        if not answers:
            return None
        code = min(code for code, _text in answers)  # temporary if any refusal is temporary
        text = "; ".join(_decode(t) for _c, t in answers)
        return code, text
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code > 0:
        return exc.smtp_code, _decode(exc.smtp_error)
    return None


def _decode(text):
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


# Errors that prove the message never reached the server (nothing was possibly delivered).
NOT_CONNECTED = (ConnectionRefusedError, socket.gaierror, smtplib.SMTPConnectError)


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
            mine.update(status=Delivery.Status.SKIPPED, claimed_at=None, sending_at=None)
            return "skipped"
        # Recorded before the SMTP conversation: from here on a crash leaves a message the
        # server may have stored.
        mine.update(sending_at=timezone.now())
        message.send()
    except SoftTimeLimitExceeded:
        raise  # the task is out of time: the claim goes stale and the next tick sends it
    except Exception as exc:  # SMTP refusals, refused connections, timeouts, template errors
        if connection is not None:
            try:
                connection.close()  # a refused or broken session is not reused
            except Exception:
                log.debug("closing the SMTP connection failed", exc_info=True)
        reply = smtp_reply(exc)
        # An answer from the server (or no connection at all) means nothing was stored; a
        # dropped line or a timeout mid-conversation leaves that open (sending_at stays).
        certain = reply is not None or isinstance(exc, NOT_CONNECTED)
        done = {"sending_at": None} if certain else {}
        if reply:
            error = f"{reply[0]} {reply[1]}"[:2000]
        else:
            error = f"{type(exc).__name__}: {exc}"[:2000]
        if reply and reply[0] >= 500:
            mine.update(status=Delivery.Status.FAILED, claimed_at=None, last_error=error, **done)
            log.error("delivery %s refused for good by the mail server: %s", delivery_id, error)
            return "failed"
        if delivery.attempts >= rules.max_attempts:
            mine.update(status=Delivery.Status.FAILED, claimed_at=None, last_error=error, **done)
            log.error("delivery %s failed for good: %s", delivery_id, error)
            return "failed"
        delay = rules.retry_backoff_seconds * 2 ** (delivery.attempts - 1)
        mine.update(
            claimed_at=None,
            last_error=error,
            next_attempt_at=now + datetime.timedelta(seconds=delay),
            **done,
        )
        log.warning(
            "delivery %s attempt %s failed, retry in %ss: %s",
            delivery_id,
            delivery.attempts,
            delay,
            error,
        )
        return "retry"
    mine.update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        claimed_at=None,
        subject=message.subject[:300],
        address=delivery.recipient.email,
    )
    return "sent"


def send_deliveries(ids, rules=None, moment=None, calendar=None):
    """Send these deliveries over one SMTP connection; {outcome: count}.

    `moment`, for reminders, is when the run started by the reminders' clock (the tick's).
    Before each e-mail the sending hours are checked at that moment plus the time spent since;
    once they are over, the rest ('deferred') waits, unclaimed, for the next sending window.
    Without it (inbox notices, which go out at any hour) the hours are not checked.
    """
    rules = rules or ReminderSettings.load()
    calendar = calendar or WorkdayCalendar()
    started = timezone.now()
    outcomes = defaultdict(int)
    if not ids:
        return dict(outcomes)
    connection = get_connection()
    try:
        connection.open()
    except Exception:  # the server is down: each send below fails and records why
        log.warning("cannot connect to the mail server", exc_info=True)
    try:
        for position, delivery_id in enumerate(ids):
            if moment is not None and not is_sending_time(
                moment + (timezone.now() - started), rules, calendar
            ):
                outcomes["deferred"] += len(ids) - position
                break
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
        status=Delivery.Status.PENDING,
        attempts=0,
        claimed_at=None,
        next_attempt_at=now or clock.now(),
    )
