"""Finding 3: an absurd stored date breaks the dashboards.

A due date or a deadline stored outside the plausible range (written directly in the database,
past the bounds the forms and the import now check) must not give a 500 on any dashboard page
nor stretch a chart's axis over millennia: time charts span dashboards.queries.window(), the
plausible range, and every page stays small. The item list, the item page and the 台账 export
answer too.
"""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tracker.lib import plausible
from tracker.models import Deadline, Item, ItemPerson, SourceDocument, SourceFile

pytestmark = pytest.mark.django_db
D = datetime.date
# The worst dates the forms and the import accepted before they were bounded.
BAD_DATES = [D(1, 1, 1), D(25, 6, 30), D(9999, 12, 31)]
PAGES = ["overview", "units", "leaders", "documents", "calendar", "projects", "lights"]
# Every page of this small scene stays well under this (the calendar, the largest, is ~100 KB);
# before the fix an 8,000-year axis made every page about 350 KiB.
SIZE_BOUND = 200 * 1024
# A period (a week or a month) drawn at its end or its start may reach past the window's edge.
SLACK = datetime.timedelta(days=31)


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def scene(units, users, make_item):
    source = SourceFile.objects.create(name="f.txt", sha256="0" * 64, size=1, text="x")
    doc = SourceDocument.objects.create(
        source_file=source,
        sha256="1" * 64,
        title="年度重点任务",
        line_start=1,
        line_end=2,
        text="x",
    )
    fgj, jyj = units["fgj"], units["jyj"]
    items = []
    for n, (unit, due) in enumerate(
        [(fgj, days(-5)), (fgj, days(3)), (jyj, days(40)), (jyj, days(200))]
    ):
        item = make_item(
            text=f"正常推进的重点项目{n}。",
            lead=unit,
            kind=Item.Kind.PROJECT,
            due_date=due,
            document=doc,
            section="一、产业转型",
        )
        Deadline.objects.create(item=item, expr="年底前", date=due)
        Deadline.objects.create(
            item=item,
            kind=Deadline.Kind.MILESTONE,
            expr="节点",
            date=due - datetime.timedelta(days=20),
            what="开工建设",
        )
        items.append(item)
    done = make_item(
        text="已完成的任务。",
        lead=fgj,
        due_date=days(-30),
        document=doc,
        status=Item.Status.COMPLETED,
        completed_at=timezone.now(),
        grade="B",
    )
    items.append(done)
    for item in items:
        ItemPerson.objects.create(item=item, role=ItemPerson.Role.LEADER, name="范永星")
    return {"fgj": fgj, "doc": doc, "done": done}


def store_absurd(scene, make_item, bad):
    """A project of the staff's unit whose due date, final deadline and milestone hold `bad`,
    and a completed item due on `bad`: written past every check, as rows already stored."""
    item = make_item(
        text="日期录错的重点项目。",
        lead=scene["fgj"],
        kind=Item.Kind.PROJECT,
        due_date=days(10),
        document=scene["doc"],
        section="一、产业转型",
    )
    ItemPerson.objects.create(item=item, role=ItemPerson.Role.LEADER, name="范永星")
    Deadline.objects.create(item=item, expr="年底前", date=days(10))
    Deadline.objects.create(
        item=item, kind=Deadline.Kind.MILESTONE, expr="节点", date=days(5), what="完成招标"
    )
    Item.objects.filter(pk__in=[item.pk, scene["done"].pk]).update(due_date=bad)
    Deadline.objects.filter(item=item).update(date=bad)
    return item


def chart_dates(chart):
    """Every date a chart places on a time axis: x values, bar bases and bar ends."""
    for trace in json.loads(chart["json"])["data"]:
        xs = trace.get("x") or []
        if trace.get("type") == "heatmap" or trace.get("orientation") != "h":
            yield from (
                D.fromisoformat(x[:10])
                for x in xs
                if isinstance(x, str) and len(x) >= 10 and x[4] == "-"
            )
        for base, width in zip(trace.get("base") or [], xs, strict=False):
            start = D.fromisoformat(base[:10])
            yield start
            yield start + datetime.timedelta(milliseconds=width)


def page_charts(response):
    """Every chart a dashboard page draws (in its chart list or on its own, as the Gantt)."""
    context = response.context  # a ContextList: iterating it gives contexts, keys() the names
    for value in (context[key] for key in context.keys()):  # noqa: SIM118
        for chart in value if isinstance(value, list) else [value]:
            if isinstance(chart, dict) and "json" in chart and "id" in chart:
                yield chart


def check_page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert len(response.content) < SIZE_BOUND, (url, len(response.content))
    return response


@pytest.mark.parametrize("bad", BAD_DATES, ids=str)
@pytest.mark.parametrize("who", ["supervisor", "staff"])
def test_finding_03_dashboards_answer_with_absurd_dates_within_sensible_axes(
    scene, make_item, users, client, bad, who
):
    item = store_absurd(scene, make_item, bad)
    first, last = plausible.bounds(timezone.localdate())
    client.force_login(users[who])
    drawn = set()
    for name in PAGES:
        for query in ("", f"?year={timezone.localdate().year}"):
            response = check_page(client, reverse(f"dashboards:{name}") + query)
            for chart in page_charts(response):
                drawn.add(chart["id"])
                for day in chart_dates(chart):
                    assert first - SLACK <= day <= last + SLACK, (name, query, chart["id"], day)
    assert {"chart-trend", "chart-gantt", "chart-calendar"} <= drawn
    # The projects page still lists the project.
    projects = client.get(reverse("dashboards:projects"))
    assert item.text in projects.content.decode()
    for url in (
        reverse("item_list"),
        reverse("item_list") + "?sort=-due",
        reverse("item_list") + "?light=red",
        reverse("item_detail", args=[item.pk]),
        reverse("item_export"),
    ):
        check_page(client, url)
