"""Dashboards reuse their figures until the data changes (dashboards/cache.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tracker.models import Deadline, Item


@pytest.mark.django_db
def test_a_kept_figure_is_reused_then_renewed_by_a_deadline_write(client, users, units, make_item):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    item = make_item(lead=units["jyj"], due_date=today + datetime.timedelta(days=100))
    client.force_login(users["leader"])
    url = reverse("dashboards:overview")
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    assert len(second.captured_queries) < len(first.captured_queries)
    assert response.context["key"]["states"][Item.State.OVERDUE] == 0
    # A milestone already past, written without touching the item row.
    Deadline.objects.create(
        item=item, kind=Deadline.Kind.MILESTONE, date=today - datetime.timedelta(days=3)
    )
    response = client.get(url)
    assert response.context["key"]["states"][Item.State.OVERDUE] == 1


def test_long_tables_show_a_page_with_links_to_the_others():
    from django.http import QueryDict

    from dashboards.tables import page_of

    rows = list(range(120))
    shown, pager = page_of(rows, QueryDict("year=2026&chart-units-page=2"), "chart-units-page")
    assert shown == list(range(50, 100))
    assert (pager["first"], pager["last"], pager["total"], pager["pages"]) == (51, 100, 120, 3)
    assert pager["previous"] == "?year=2026&chart-units-page=1"
    assert pager["next"] == "?year=2026&chart-units-page=3"
    shown, pager = page_of(rows, QueryDict("chart-units-page=99"), "chart-units-page")
    assert shown == list(range(100, 120)) and pager["next"] == ""
    shown, pager = page_of(rows[:50], QueryDict(""), "chart-units-page")
    assert shown == rows[:50] and pager is None
