"""The workbench (工作台): what waits for this user, their inbox, the items to sign."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from tracker import access as perms
from tracker.inbox import views as inbox_views
from tracker.models import (
    Item,
    ProgressReport,
    Request,
    SupervisionNotice,
)
from tracker.tracking import instructions
from tracker.tracking.listing import _list_queryset, with_pace

INBOX_ON_HOME = 8
SIGN_ON_HOME = 50


# ---- workbench ------------------------------------------------------------------------------


@login_required
def home(request):
    """The workbench: how the user's items stand today and what waits for this user."""
    user = request.user
    visible = perms.visible_items(user)
    counts = dict(
        visible.with_state()
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    states = [(state, label, counts.get(state, 0)) for state, label in Item.State.choices]
    attention = _list_queryset(
        with_pace(visible).filter(state__in=[Item.State.OVERDUE, Item.State.AT_RISK])
    ).order_by("next_due", "id")[:10]
    context = {
        "states": states,
        "total": sum(counts.values()),
        "attention": attention,
        "to_sign": visible.filter(status=Item.Status.NEW).count() if user.is_unit_member else 0,
        "inbox_messages": inbox_views.my_messages(user)[:INBOX_ON_HOME],
        "unread": inbox_views.my_messages(user).filter(read_at__isnull=True).count(),
        "open_notices": (
            perms.notices_visible_to(user)
            .filter(status=SupervisionNotice.Status.ISSUED)
            .select_related("unit")
            .order_by("reply_due", "pk")[:10]
        ),
    }
    if user.manages_items:
        context["pending_requests"] = (
            Request.objects.filter(decision=Request.Decision.PENDING, awaits_unit=False)
            .select_related("item", "requested_by")
            .order_by("requested_at")[:20]
        )
    if user.role == user.Role.LEADER:
        context["my_instructions"] = instructions.waiting_for(user, visible)[:20]
    if user.role == user.Role.UNIT_HEAD:
        context["unconfirmed"] = (
            ProgressReport.objects.filter(
                item__in=visible,
                confirmed_at__isnull=True,
                returned_at__isnull=True,
                author__unit_id=user.unit_id,
            )
            .select_related("item", "author")
            .order_by("created_at")[:20]
        )
        context["unit_requests"] = (
            Request.objects.filter(
                item__in=visible,
                awaits_unit=True,
                decision=Request.Decision.PENDING,
                requested_by__unit_id=user.unit_id,
            )
            .select_related("item", "requested_by")
            .order_by("requested_at")[:20]
        )
    if user.is_unit_member:
        context["sign_list"] = visible.filter(status=Item.Status.NEW).order_by("due_date", "id")[
            :SIGN_ON_HOME
        ]
    return render(request, "tracker/home.html", context)
