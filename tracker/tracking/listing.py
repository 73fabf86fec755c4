"""The item list's rows: who sees which items, filtered and sorted, with what a list row or a
台账 line needs; shared by the list page, the export and the background export job."""

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from tracker import access as perms
from tracker.models import ItemOwner, ItemPerson, PaceSettings, ProgressReport, annotate_pace
from tracker.tracking.filters import ItemFilter


def _list_queryset(queryset):
    """What a list row or a 台账 line needs, in a fixed number of queries.

    最新进展 is the newest confirmed report: one waiting for the unit head has not gone up.
    """
    latest = ProgressReport.objects.filter(
        item=OuterRef("pk"), confirmed_at__isnull=False
    ).order_by("-created_at", "-id")
    return (
        queryset.select_related("document")
        .prefetch_related(
            Prefetch("owners", queryset=ItemOwner.objects.select_related("unit")),
            Prefetch("people", queryset=ItemPerson.objects.all()),
            "tags",
        )
        .annotate(latest_narrative=Subquery(latest.values("narrative")[:1]))
    )


def with_pace(items, today=None):
    """State and 序时进度 light of each item, by the one rule (tracker.models.pace)."""
    today = today or timezone.localdate()
    return annotate_pace(items.with_state(today), today, PaceSettings.load())


def filtered(user, query):
    """(the filter form, the items) for `query` (a QueryDict) as `user` sees them."""
    visible = perms.visible_items(user, withdrawn=query.get("withdrawn") == "1")
    filterset = ItemFilter(query, user=user, queryset=with_pace(visible))
    return filterset.form, _list_queryset(filterset.sorted())
