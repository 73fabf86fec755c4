"""Template helpers of the reminders feature (the item page's "提醒记录" card)."""

from django import template

from tracker.models import Reminder

register = template.Library()

ITEM_PAGE_LIMIT = 30


@register.simple_tag
def item_reminders(item):
    """The latest reminders of an item with their recipients and e-mails (4 queries)."""
    return list(Reminder.objects.filter(item=item).select_related("deadline")
                .prefetch_related("notices__recipient", "notices__delivery")
                .order_by("-date", "-id")[:ITEM_PAGE_LIMIT])
