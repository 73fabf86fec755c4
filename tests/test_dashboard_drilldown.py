"""Every chart point drills down to an item list of exactly its count, and every figure on a
dashboard equals the sum of its parts on the other pages (counted independently)."""

import json
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from dashboards.demo_data import Sizes, generate
from tracker.models import Deadline, Item, ItemPerson, Light, PaceSettings, pace_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PAGES = ["", "units/", "leaders/", "documents/", "calendar/", "projects/", "lights/"]


@pytest.fixture
def data(users, client):
    generate(Sizes(items=300, units=6, leaders=4, seed=7))
    # A milestone past its date on an item otherwise on track: overdue everywhere.
    item = Item.objects.filter(status=Item.Status.IN_PROGRESS, due_date__gt=TODAY).first()
    Deadline.objects.create(
        item=item,
        kind=Deadline.Kind.MILESTONE,
        expr="一季度",
        date=TODAY.replace(day=1) - timezone.timedelta(days=1),
    )
    client.force_login(users["leader"])
    return item


def list_count(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert not response.context["form"].errors, (url, response.context["form"].errors)
    return response.context["page"].paginator.count


def points(figure):
    """(count, url) of every clickable point of a figure."""
    for trace in figure["data"]:
        links = trace.get("customdata")
        if not links:
            continue
        if trace["type"] == "pie":
            yield from zip(trace["values"], links, strict=True)
        elif trace["type"] == "heatmap":
            for z_row, url_row in zip(trace["z"], links, strict=True):
                yield from ((z, u) for z, u in zip(z_row, url_row, strict=True) if u)
        elif trace["type"] == "bar" and isinstance(links[0], list):  # Gantt: one item per bar
            yield from ((1, row[-1]) for row in links)
        elif trace["type"] == "scatter":
            yield from ((1, url) for url in links)
        else:
            values = trace["x"] if trace.get("orientation") == "h" else trace["y"]
            yield from ((v, u) for v, u in zip(values, links, strict=True) if u)


def sampled(pairs, per_trace=12):
    pairs = list(pairs)
    step = max(1, len(pairs) // (per_trace * 4))
    return pairs[::step]


def test_every_chart_point_drills_down_to_a_list_of_its_count(data, client):
    checked = {}
    for path in PAGES:
        response = client.get(f"/dashboards/{path}")
        gantt = response.context.get("gantt")  # the projects page draws it under its rows
        for chart in [*response.context["charts"], *([gantt] if gantt else [])]:
            figure = json.loads(chart["json"])
            # Every trace is checked; a sample of each trace's points keeps the test quick.
            for count, url in sampled(points(figure)):
                if url.startswith("/items/?") or url == "/items/":
                    assert list_count(client, url) == count, (chart["id"], url)
                else:  # a Gantt bar or milestone opens its project
                    assert urlparse(url).path.startswith("/items/")
                    assert client.get(url).status_code == 200
                checked[chart["id"]] = checked.get(chart["id"], 0) + 1
    assert {
        "chart-states",
        "chart-units",
        "chart-leaders",
        "chart-documents",
        "chart-calendar",
        "chart-months",
        "chart-categories",
        "chart-gantt",
        "chart-light-units",
        "chart-light-leaders",
        "chart-grades",
    } <= set(checked)


def test_drill_down_keeps_the_page_filters(data, client):
    year = TODAY.year
    response = client.get("/dashboards/units/", {"year": year})
    figure = json.loads(response.context["charts"][0]["json"])
    for count, url in list(points(figure))[:20]:
        assert f"year={year}" in url
        assert list_count(client, url) == count


def test_the_overview_figures_equal_their_parts_on_every_page(data, client):
    overview = client.get("/dashboards/").context
    key = overview["key"]
    total = Item.objects.count()
    assert key["total"] == total == sum(key["states"].values())
    # Independent counts: the state of each item by Item.state_on, its light by pace_of.
    thresholds = PaceSettings.load()
    states = dict.fromkeys(key["states"], 0)
    lights = dict.fromkeys(Light.values, 0)
    for item in Item.objects.prefetch_related("deadlines"):
        states[item.state_on(TODAY)] += 1
        lights[pace_of(item, TODAY, thresholds).light] += 1
    assert key["states"] == states
    assert states[Item.State.OVERDUE] >= 1 and data.state_on(TODAY) == Item.State.OVERDUE
    # Each state card opens a list of its count; the red list counts what the top table says.
    for state, _label, n, url in overview["cards"]:
        assert list_count(client, url) == n, state
    assert (
        overview["late"]["count"] == lights[Light.RED] == list_count(client, overview["late_link"])
    )
    shown = overview["late"]["items"]
    assert shown and shown[0]["state"] == Item.State.OVERDUE

    # 红绿灯: its totals are the overview's items, split by light.
    paced = client.get("/dashboards/lights/").context
    assert [n for _l, _label, n, _u, _c in paced["cards"]][0] == total
    assert {light: n for light, _label, n, _u, _c in paced["cards"][1:]} == lights
    # 按文档: the documents' totals and states add up to the overview (every item has one).
    documents = client.get("/dashboards/documents/").context
    rows = queries_rows(documents)
    assert sum(r["total"] for r in rows) == total
    for state in states:
        assert sum(r["states"][state] for r in rows) == states[state]
    # 重点项目: the categories add up to the projects.
    projects = client.get("/dashboards/projects/").context
    categories = queries_rows(projects)
    assert (
        sum(r["total"] for r in categories) == Item.objects.filter(kind=Item.Kind.PROJECT).count()
    )
    # 按领导: each leader's total is the number of items naming that leader.
    leaders = queries_rows(client.get("/dashboards/leaders/").context)
    for r in leaders:
        assert (
            r["total"]
            == ItemPerson.objects.filter(role=ItemPerson.Role.LEADER, name=r["leader"])
            .values("item")
            .distinct()
            .count()
        )


def queries_rows(context):
    """The rows a page's first chart was drawn from (kept by the view for its table)."""
    return context["rows"]


def test_key_projects_page_rows_with_milestones_filtered_by_level_and_county(data, client):
    projects = Item.objects.filter(kind=Item.Kind.PROJECT)
    response = client.get("/dashboards/projects/")
    listing = response.context["listing"]
    assert listing["page"].paginator.count == projects.count()
    assert len(listing["rows"]) == min(20, projects.count())
    assert any(r["milestones"] for r in listing["rows"])
    choices = {
        name: [v for v, _t in options]
        for name, _label, options, _current in response.context["project_filters"]
    }
    level, county = choices["level"][0], choices["county"][0]
    response = client.get("/dashboards/projects/", {"level": level, "county": county})
    expected = projects.filter(fields__层级=level, fields__建设地点=county).count()
    assert response.context["listing"]["page"].paginator.count == expected
    assert list_count(client, f"/items/?kind=project&level={level}&county={county}") == expected
    for row in response.context["listing"]["rows"]:
        assert (row["level"], row["county"]) == (level, county)
    # Page 2 of all projects holds the next rows, none of page 1's.
    first = {r["id"] for r in client.get("/dashboards/projects/").context["listing"]["rows"]}
    second = client.get("/dashboards/projects/", {"page": 2}).context["listing"]["rows"]
    assert second and not first & {r["id"] for r in second}
