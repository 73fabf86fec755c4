"""The inbox pages: a user's own messages only (another user's message is 404)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tracker.lib.numbers import parse_ids
from tracker.models import Item, Message

PAGE_LIMIT = 200


def my_messages(user):
    """The user's messages about items they may still see (or about no item)."""
    return (
        Message.objects.filter(recipient=user)
        .filter(Q(item__isnull=True) | Q(item__in=Item.objects.visible_to(user)))
        .select_related("actor", "item")
    )


@login_required
def inbox(request):
    messages = my_messages(request.user)
    return render(
        request,
        "tracker/inbox.html",
        {
            "inbox_messages": messages[:PAGE_LIMIT],
            "unread": messages.filter(read_at__isnull=True).count(),
            "limit": PAGE_LIMIT,
        },
    )


@login_required
def inbox_open(request, pk):
    """Mark one message read and go to what it is about."""
    message = get_object_or_404(my_messages(request.user), pk=pk)
    if message.read_at is None:
        Message.objects.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
    target = message.data.get("link") if message.data else None
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    if message.item_id:
        return redirect("item_detail", pk=message.item_id)
    return redirect("inbox")


@login_required
@require_POST
def inbox_read(request):
    """Mark the chosen messages (or, without a choice, all) read."""
    posted = request.POST.getlist("message")
    unread = Message.objects.filter(recipient=request.user, read_at__isnull=True)
    if posted:  # a choice that holds no id marks nothing read
        unread = unread.filter(pk__in=parse_ids(posted))
    unread.update(read_at=timezone.now())
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(back if safe and back.startswith("/") else "inbox")
