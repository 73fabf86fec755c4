"""Template helpers of the reminders feature (the item page's "提醒记录" card, the e-mails)."""

import functools
from types import SimpleNamespace

from django import template
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe

from tracker.models import Reminder

register = template.Library()

ITEM_PAGE_LIMIT = 30


@register.simple_tag
def item_reminders(item):
    """The latest reminders of an item with their recipients and e-mails (4 queries)."""
    reminders = list(
        Reminder.objects.filter(item=item)
        .select_related("deadline")
        .prefetch_related("notices__recipient", "notices__delivery")
        .order_by("-date", "-id")[:ITEM_PAGE_LIMIT]
    )
    for reminder in reminders:
        leaders_reached(reminder)  # an escalation names the leaders it reached
    return reminders


@register.filter(needs_autoescape=True)
def reason(reminder, autoescape=True):
    """Why a reminder was sent, as tracker/email/_reason.txt words it, in the active language.

    The e-mails list hundreds of reminders and most share their wording (rule, days, date due,
    milestone name), so each distinct wording is rendered once per language and escaping.
    """
    deadline = reminder.deadline
    return _reason(
        reminder.rule,
        reminder.offset,
        reminder.due_on,
        None if deadline is None else (deadline.kind, deadline.what, deadline.expr),
        translation.get_language(),
        autoescape,
        leaders_reached(reminder),
    )


def leaders_reached(reminder):
    """The leaders an escalation was sent to, by name ("" for none or another rule); set by the
    e-mail (tracker.reminders.mail) or read from the reminder's notices."""
    if reminder.rule != Reminder.Rule.ESCALATION:
        return ""
    if not hasattr(reminder, "leaders"):
        reminder.leaders = "、".join(
            str(n.recipient) for n in reminder.notices.all() if n.recipient.role == "leader"
        )
    return reminder.leaders


@functools.lru_cache(maxsize=4096)
def _reason(rule, offset, due_on, deadline, language, autoescape, leaders=""):
    if deadline is not None:
        deadline = SimpleNamespace(kind=deadline[0], what=deadline[1], expr=deadline[2])
    reminder = SimpleNamespace(
        rule=rule,
        offset=offset,
        days=abs(offset),
        due_on=due_on,
        deadline=deadline,
        leaders=leaders,
    )
    words = get_template("tracker/email/_reason.txt").template.render(
        Context({"reminder": reminder}, autoescape=autoescape)
    )
    return mark_safe(words)  # the template escaped what it had to when autoescape is on
