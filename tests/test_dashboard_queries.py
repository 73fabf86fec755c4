"""Dashboard numbers against counts computed independently from the items (plain ORM counts)."""

import datetime
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards import key_projects, queries
from dashboards.demo_data import Sizes, generate
from tracker.models import (
    Deadline,
    Item,
    ItemOwner,
    ItemPerson,
    Light,
    PaceSettings,
    SourceDocument,
    SourceFile,
    Tag,
    Unit,
    UnitGroup,
    pace_of,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PAGES = ["", "units/", "leaders/", "documents/", "calendar/", "projects/", "lights/"]


def days(n):
    return TODAY + datetime.timedelta(days=n)


def at(date):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(10)))


@pytest.fixture
def scene(units, users, make_item):
    """Items of two units in every state, with leaders, a document, a tag and grades."""
    source = SourceFile.objects.create(name="g.txt", sha256="0" * 64, size=1, text="x")
    doc = SourceDocument.objects.create(
        source_file=source,
        sha256="1" * 64,
        title="任务分工",
        doc_number="城政办发〔2024〕9号",
        line_start=1,
        line_end=2,
        text="x",
    )
    tag = Tag.objects.create(name="民生实事项目")
    fgj, jyj = units["fgj"], units["jyj"]
    done = Item.Status.COMPLETED
    items = {
        "fgj_on_time": make_item(
            lead=fgj,
            due_date=days(-10),
            status=done,
            completed_at=at(days(-12)),
            grade="A",
            document=doc,
        ),
        "fgj_overdue": make_item(lead=fgj, due_date=days(-3), document=doc),
        "fgj_at_risk": make_item(lead=fgj, due_date=days(3)),
        "fgj_on_track": make_item(lead=fgj, due_date=days(30)),
        "fgj_undated": make_item(lead=fgj),
        "jyj_late": make_item(
            lead=jyj,
            co=[fgj],
            due_date=days(-20),
            status=done,
            completed_at=at(days(-5)),
            grade="C",
        ),
        "jyj_overdue": make_item(lead=jyj, due_date=days(-1), document=doc),
        "jyj_later": make_item(lead=jyj, due_date=days(60)),
        "jyj_project": make_item(
            lead=jyj,
            kind=Item.Kind.PROJECT,
            due_date=days(90),
            section="一、产业转型 / (一)装备制造",
        ),
    }
    items["jyj_overdue"].tags.add(tag)
    Deadline.objects.create(
        item=items["jyj_project"], kind=Deadline.Kind.MILESTONE, date=days(20), what="开工建设"
    )
    for key, item in items.items():
        leader = "范永星" if key.startswith("fgj") else "郭晓晨"
        ItemPerson.objects.create(item=item, role=ItemPerson.Role.LEADER, name=leader)
    return {"items": items, "doc": doc, "tag": tag, "units": units, "users": users}


def unit_items(unit):
    return Item.objects.filter(pk__in=ItemOwner.objects.filter(unit=unit).values("item_id"))


def plain_counts(qs):
    """State counts from plain ORM filters, written out without with_state()."""
    open_ = qs.exclude(status=Item.Status.COMPLETED)
    return {
        Item.State.DONE: qs.filter(status=Item.Status.COMPLETED).count(),
        Item.State.UNDATED: open_.filter(due_date__isnull=True).count(),
        Item.State.OVERDUE: open_.filter(due_date__lt=TODAY).count(),
        Item.State.AT_RISK: open_.filter(due_date__gte=TODAY, due_date__lte=days(7)).count(),
        Item.State.ON_TRACK: open_.filter(due_date__gt=days(7)).count(),
    }


def test_key_figures_match_plain_counts(scene):
    figures = queries.key_figures(Item.objects.all(), TODAY)
    assert figures["total"] == Item.objects.count() == 9
    assert figures["states"] == plain_counts(Item.objects.all())
    assert figures["completion_rate"] == round(100 * 2 / 9, 1)


def lead_items(unit):
    return Item.objects.filter(
        owners__role=ItemOwner.Role.LEAD, owners__position=0, owners__unit=unit
    )


def test_states_by_unit_count_each_item_under_its_lead_unit_most_overdue_first(scene):
    rows = queries.states_by_unit(Item.objects.all(), TODAY)
    assert [r["unit_id"] for r in rows] == [scene["units"]["fgj"].pk, scene["units"]["jyj"].pk]
    for row in rows:
        unit = (
            scene["units"]["fgj"]
            if row["unit_id"] == scene["units"]["fgj"].pk
            else scene["units"]["jyj"]
        )
        assert row["total"] == lead_items(unit).count()
        assert row["states"] == plain_counts(lead_items(unit))
    # fgj co-operates on jyj's late item: it counts once, for jyj, which leads it.
    assert rows[0]["total"] == 5 and rows[1]["total"] == 4


def test_unit_rows_group_rows_and_unlinked_add_up_to_the_overview(scene, make_item):
    group = UnitGroup.objects.create(name="各镇(街道)", member_kind=Unit.Kind.TOWN)
    collective = make_item(due_date=days(-2))
    ItemOwner.objects.create(
        item=collective, role=ItemOwner.Role.LEAD, name=group.name, group=group
    )
    unlinked = make_item(due_date=days(-4))  # a lead named in the text, linked to nothing
    ItemOwner.objects.create(item=unlinked, role=ItemOwner.Role.LEAD, name="区审计局")
    make_item(due_date=days(-6))  # no owner at all
    # Only a 责任单位: it is the lead owner.
    responsible = make_item(due_date=days(-8))
    ItemOwner.objects.create(
        item=responsible,
        role=ItemOwner.Role.RESPONSIBLE,
        name=scene["units"]["jyj"].name,
        unit=scene["units"]["jyj"],
    )
    rows = queries.states_by_unit(Item.objects.all(), TODAY)
    overview = queries.key_figures(Item.objects.all(), TODAY)
    assert sum(r["total"] for r in rows) == overview["total"] == Item.objects.count()
    for state in overview["states"]:
        assert sum(r["states"][state] for r in rows) == overview["states"][state]
    [none] = [r for r in rows if r["unlinked"]]
    assert none["total"] == 2 and none["states"][Item.State.OVERDUE] == 2
    assert rows[-1] is none  # 未对应单位 is always the last row
    [by_group] = [r for r in rows if r["group_id"]]
    assert by_group["unit"] == "各镇(街道)" and by_group["total"] == 1
    jyj = next(r for r in rows if r["unit_id"] == scene["units"]["jyj"].pk)
    assert jyj["total"] == 5


def test_leader_portfolios_count_their_items_and_name_their_lead_units(scene):
    rows = {r["leader"]: r for r in queries.leader_portfolios(Item.objects.all(), TODAY)}
    for name in ("范永星", "郭晓晨"):
        mine = Item.objects.filter(people__role="leader", people__name=name)
        assert rows[name]["total"] == mine.count()
        assert rows[name]["states"] == plain_counts(mine)
    assert [u["unit"] for u in rows["范永星"]["units"]] == ["区发展和改革局"]
    assert rows["郭晓晨"]["units"][0]["n"] == 4


def test_states_by_document_count_the_document_items(scene):
    [row] = queries.states_by_document(Item.objects.all(), TODAY)
    assert row["document_id"] == scene["doc"].pk
    assert row["total"] == Item.objects.filter(document=scene["doc"]).count() == 3
    assert row["states"] == plain_counts(Item.objects.filter(document=scene["doc"]))


def test_calendar_counts_items_due_each_day_and_month_of_the_year(scene):
    items = Item.objects.all()
    in_year = Item.objects.filter(due_date__year=TODAY.year)
    by_day = queries.due_by_day(items, TODAY, TODAY.year)
    assert sum(d["n"] for d in by_day) == in_year.count()
    assert sum(d["overdue"] for d in by_day) == plain_counts(in_year)[Item.State.OVERDUE]
    for d in by_day:
        assert d["n"] == Item.objects.filter(due_date=d["date"]).count()
    by_month = queries.due_by_month(items, TODAY, TODAY.year)
    for m in by_month:
        month = in_year.filter(due_date__month=m["month"].month)
        assert m["total"] == month.count() and m["states"] == plain_counts(month)


def test_coming_due_lists_the_items_due_in_the_next_30_days(scene):
    coming = queries.coming_due(Item.objects.all(), TODAY)
    expected = Item.objects.filter(due_date__gte=TODAY, due_date__lte=days(30))
    assert {i["id"] for i in coming["items"]} == set(expected.values_list("id", flat=True))
    assert sum(d["total"] for d in coming["days"]) == expected.count() == 2
    assert coming["items"][0]["lead_unit"] == "区发展和改革局"


def test_completion_trend_ends_at_the_totals_due_and_done(scene):
    points = queries.completion_trend(Item.objects.all(), TODAY, weekly=True)
    assert points[-1]["due"] == Item.objects.filter(due_date__isnull=False).count()
    assert points[-1]["done"] == Item.objects.filter(status=Item.Status.COMPLETED).count()
    dues = [p["due"] for p in points]
    assert dues == sorted(dues)


def test_pace_lights_count_each_unit_and_leader_items_by_the_one_rule(scene):
    """Independent count: each item's light in Python (pace_of) per unit and leader."""
    thresholds = PaceSettings.load()
    result = queries.pace_lights(Item.objects.all(), TODAY, thresholds)

    def python_lights(items):
        counts = dict.fromkeys(Light.values, 0)
        for item in items.prefetch_related("deadlines"):
            counts[pace_of(item, TODAY, thresholds).light] += 1
        return counts

    assert result["total"]["lights"] == python_lights(Item.objects.all())
    units = {u["unit_id"]: u for u in result["units"]}
    for unit in scene["units"].values():
        counts = python_lights(unit_items(unit).distinct())
        if not any(counts.values()):
            assert unit.pk not in units
            continue
        assert units[unit.pk]["lights"] == counts
        worst = next(c for c in ("red", "yellow", "green", "none") if counts[c])
        assert units[unit.pk]["light"] == worst
    leaders = {r["leader"]: r for r in result["leaders"]}
    for name in ItemPerson.objects.filter(role="leader").values_list("name", flat=True):
        counts = python_lights(Item.objects.filter(people__role="leader", people__name=name))
        assert leaders[name]["lights"] == counts
    reds = [u["lights"]["red"] for u in result["units"]]
    assert reds == sorted(reds, reverse=True)


def test_grades_by_unit_count_each_grade(scene):
    rows = {r["unit_id"]: r for r in queries.grades_by_unit(Item.objects.all())}
    for unit in scene["units"].values():
        graded = unit_items(unit).exclude(grade="")
        if not graded.exists():
            continue
        for grade in "ABCD":
            assert rows[unit.pk]["grades"][grade] == graded.filter(grade=grade).count()
    assert rows[scene["units"]["fgj"].pk]["grades"] == {"A": 1, "B": 0, "C": 1, "D": 0}


def test_project_timeline_carries_projects_with_their_milestones(scene):
    timeline = key_projects.project_timeline(Item.objects.all(), TODAY)
    assert timeline["total"] == Item.objects.filter(kind=Item.Kind.PROJECT).count() == 1
    [project] = timeline["projects"]
    assert project["category"] == "一、产业转型"
    assert [m["what"] for m in project["milestones"]] == ["开工建设"]
    [category] = key_projects.projects_by_category(Item.objects.all(), TODAY)
    assert category["total"] == 1 and category["states"][Item.State.ON_TRACK] == 1


# ---- pages: scoping, filters, drill-down, queries ------------------------------------------


def total_on_overview(client, user, **params):
    client.force_login(user)
    response = client.get("/dashboards/", params)
    assert response.status_code == 200
    return response.context["key"]["total"]


def test_staff_see_their_unit_view_and_leaders_see_everything(scene, client):
    users = scene["users"]
    assert total_on_overview(client, users["staff"]) == unit_items(scene["units"]["fgj"]).count()
    assert (
        total_on_overview(client, users["other_staff"]) == unit_items(scene["units"]["jyj"]).count()
    )
    for name in ("leader", "supervisor", "admin"):
        assert total_on_overview(client, users[name]) == Item.objects.count()


def test_staff_cannot_widen_their_view_with_a_filter(scene, client):
    jyj = scene["units"]["jyj"]
    only_jyj = unit_items(jyj).exclude(pk__in=unit_items(scene["units"]["fgj"]))
    assert only_jyj.exists()
    total = total_on_overview(client, scene["users"]["staff"], unit=jyj.pk)
    assert total == (unit_items(jyj) & unit_items(scene["units"]["fgj"])).count()


def test_filters_change_the_numbers(scene, client):
    leader = scene["users"]["leader"]
    jyj = scene["units"]["jyj"]
    assert total_on_overview(client, leader, unit=jyj.pk) == unit_items(jyj).count() == 4
    assert total_on_overview(client, leader, tag="民生实事项目") == 1
    assert total_on_overview(client, leader, leader="范永星") == 5
    assert total_on_overview(client, leader, document=scene["doc"].pk) == 3
    assert (
        total_on_overview(client, leader, year=TODAY.year)
        == Item.objects.filter(due_date__year=TODAY.year).count()
    )


def test_a_bad_filter_value_is_explained_and_the_page_still_shows(scene, client):
    client.force_login(scene["users"]["leader"])
    response = client.get("/dashboards/units/", {"unit": "abc", "tag": "民生实事项目"})
    assert response.status_code == 200
    assert response.context["filterset"].errors["unit"]
    assert "民生实事项目" in response.context["filterset"].params(["tag"]).values()


def test_unit_bars_link_to_the_item_list_with_unit_and_state(scene, client):
    client.force_login(scene["users"]["leader"])
    response = client.get("/dashboards/units/", {"tag": "民生实事项目"})
    [chart] = response.context["charts"]
    figure = json.loads(chart["json"])  # JSON's \u0026 escapes decode to "&"
    overdue = figure["data"][0]
    assert overdue["name"] == "已逾期"
    [url] = overdue["customdata"]  # one unit has items tagged 民生实事项目
    assert url.startswith("/items/?")
    assert parse_qs(urlparse(url).query) == {
        "tag": ["民生实事项目"],
        "lead": [str(scene["units"]["jyj"].pk)],
        "state": ["overdue"],
    }


def test_every_page_renders_its_charts_and_tables(scene, client):
    client.force_login(scene["users"]["leader"])
    for path in PAGES:
        response = client.get(f"/dashboards/{path}")
        assert response.status_code == 200, path
        html = response.content.decode()
        assert 'class="chart"' in html and "<table>" in html, path
        assert "dashboards/vendor/plotly.min.js" in html


def test_dashboards_need_a_login(client):
    response = client.get("/dashboards/units/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_plotly_js_is_served_by_the_project_itself():
    path = finders.find("dashboards/vendor/plotly.min.js")
    assert path and path.endswith("plotly.min.js")
    listed = [p for finder in finders.get_finders() for p, _storage in finder.list([])]
    assert "plotly.min.js" in listed  # what collectstatic copies (under the finder's prefix)


def test_collectstatic_copies_plotly_js_for_production(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    copied = tmp_path / "dashboards" / "vendor" / "plotly.min.js"
    assert copied.stat().st_size > 1_000_000


def queries_per_page(client):
    counts = {}
    for path in PAGES:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/dashboards/{path}").status_code == 200
        counts[path] = len(captured.captured_queries)
    return counts


def test_the_number_of_queries_does_not_grow_with_the_number_of_items(users, client):
    client.force_login(users["leader"])
    generate(Sizes(items=60, units=6, leaders=3, seed=1))
    small = queries_per_page(client)
    # Ten times the items (a second set, the year before: its own documents and units).
    SourceFile.objects.filter(name="generate_demo_data").update(name="earlier")
    generate(Sizes(items=600, units=6, leaders=3, seed=2, year=TODAY.year - 1))
    large = queries_per_page(client)
    assert large == small
    assert Item.objects.count() == 660


# --- finding 7: markup in names stays text in the charts -----------------------------------

LINK = '<a href="https://evil.example/">点此</a>'
# The tags the figure templates themselves write; nothing else may reach plotly as a tag.
OWN_TAGS = re.compile(r"<br>|<extra>|</extra>")


def figure_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from figure_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from figure_strings(item)


def test_finding_07_markup_in_names_is_shown_as_text_in_every_chart(scene, client):
    fgj, jyj = scene["units"]["fgj"], scene["units"]["jyj"]
    fgj.name = f"区发改局{LINK}"
    fgj.save()
    ItemOwner.objects.filter(unit=fgj).update(name=fgj.name)
    ItemOwner.objects.filter(unit=jyj).update(name=f"{LINK}区教育局")
    ItemPerson.objects.filter(name="范永星").update(name=f"范永星{LINK}")
    scene["doc"].title = f"关于{LINK}的通知"
    scene["doc"].save()
    project = scene["items"]["jyj_project"]
    project.text = f"{LINK}建设项目"
    project.section = f"一、{LINK} / (一)装备制造"
    project.save()
    Deadline.objects.filter(item=project, kind=Deadline.Kind.MILESTONE).update(what=LINK)
    client.force_login(scene["users"]["leader"])
    escaped = 0
    for path in PAGES:
        response = client.get(f"/dashboards/{path}", {"year": TODAY.year})
        assert response.status_code == 200, path
        for chart in response.context["charts"]:
            figure = json.loads(chart["json"])
            for text in figure_strings(figure):
                assert "<" not in OWN_TAGS.sub("", text), (path, chart["id"], text)
                escaped += "&lt;a href=" in text
    # The names are there, escaped: in labels, hover texts and customdata shown on hover.
    assert escaped >= 8, escaped
