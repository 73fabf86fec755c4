"""The item list: filters by the public parameter names, sorting, pagination, few queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.tracking import make_document
from tracker.models import Item, ItemPerson, Tag

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def listed(make_item, units):
    document = make_document("一、任务\n1. 建设学校。\n2. 修路。")
    overdue = make_item("逾期的道路工程", lead=units["fgj"], due_date=days(-3), ref="1")
    soon = make_item(
        "临期的学校建设",
        lead=units["jyj"],
        co=[units["fgj"]],
        due_date=days(5),
        document=document,
        ref="2",
    )
    later = make_item("远期的公园改造", lead=units["jyj"], due_date=days(90), ref="3")
    done = make_item(
        "已办结的路灯",
        lead=units["fgj"],
        due_date=days(-10),
        ref="4",
        status=Item.Status.COMPLETED,
        completed_at=timezone.now(),
        percent=100,
    )
    ItemPerson.objects.create(item=soon, role=ItemPerson.Role.LEADER, name="王副区长")
    ItemPerson.objects.create(item=later, role=ItemPerson.Role.LEADER, name="王副区长助理")
    tag = Tag.objects.create(name="民生实事项目")
    later.tags.add(tag)
    return {"overdue": overdue, "soon": soon, "later": later, "done": done, "document": document}


def texts(response):
    return [item.text for item in response.context["page"].object_list]


@pytest.fixture
def office(client, users):
    client.force_login(users["supervisor"])
    return client


def get(client, **params):
    response = client.get(reverse("item_list"), params)
    assert response.status_code == 200
    return response


def test_the_dashboards_drill_down_by_unit_and_state(office, units, listed):
    response = get(office, unit=units["fgj"].pk, state="overdue")
    assert texts(response) == ["逾期的道路工程"]
    assert set(texts(get(office, unit=units["fgj"].pk))) == {
        "逾期的道路工程",
        "临期的学校建设",
        "已办结的路灯",
    }
    assert texts(get(office, state="at_risk")) == ["临期的学校建设"]
    assert texts(get(office, state="done")) == ["已办结的路灯"]


def test_filters_by_leader_document_and_tag(office, listed):
    assert texts(get(office, leader="王副区长")) == ["临期的学校建设"]
    assert texts(get(office, document=listed["document"].pk)) == ["临期的学校建设"]
    assert texts(get(office, tag="民生实事项目")) == ["远期的公园改造"]


def test_filters_by_status_due_within_overdue_and_text(office, listed):
    assert texts(get(office, status="completed")) == ["已办结的路灯"]
    assert texts(get(office, due=7)) == ["临期的学校建设"]
    assert texts(get(office, overdue="on")) == ["逾期的道路工程"]
    assert texts(get(office, q="公园")) == ["远期的公园改造"]
    assert set(texts(get(office, q="区教育局"))) == {"临期的学校建设", "远期的公园改造"}


def test_sorting_by_due_date_puts_undated_items_last(office, listed, make_item, units):
    make_item("长期坚持的工作", lead=units["fgj"])
    assert texts(get(office, sort="due")) == [
        "已办结的路灯",
        "逾期的道路工程",
        "临期的学校建设",
        "远期的公园改造",
        "长期坚持的工作",
    ]
    assert texts(get(office, sort="-due"))[0] == "远期的公园改造"


def test_a_bad_filter_value_is_reported_and_the_others_still_apply(office, listed):
    response = get(office, due="soon", state="overdue")
    assert texts(response) == ["逾期的道路工程"]
    assert "due" in response.context["form"].errors


def test_pages_of_thirty_keep_the_filter_in_their_links(office, make_item, units):
    for n in range(65):
        make_item(f"批量任务{n:02d}", lead=units["fgj"], due_date=days(n))
    response = get(office, unit=units["fgj"].pk, sort="due")
    assert len(texts(response)) == 30
    assert f"unit={units['fgj'].pk}&amp;sort=due&amp;page=2" in response.content.decode()
    third = get(office, unit=units["fgj"].pk, sort="due", page=3)
    assert texts(third) == [f"批量任务{n:02d}" for n in range(60, 65)]


def test_the_list_costs_the_same_queries_for_ten_or_thirty_items(
    office, make_item, units, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            item = make_item(f"任务{n}", lead=units["fgj"], co=[units["jyj"]], due_date=days(n))
            ItemPerson.objects.create(item=item, role=ItemPerson.Role.LEADER, name="李区长")

    add(10)
    with django_assert_max_num_queries(16) as few:
        get(office)
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        get(office)


def test_dates_are_shown_in_chinese(office, make_item, units):
    make_item("任务", lead=units["fgj"], due_date=datetime.date(2031, 5, 31))
    assert "2031年5月31日" in get(office).content.decode()


def test_staff_are_offered_only_the_leaders_of_their_own_items(client, users, listed):
    client.force_login(users["other_staff"])  # 区教育局: leads 临期 and 远期
    assert leader_choices(get(client)) == ["王副区长", "王副区长助理"]
    client.force_login(users["staff"])  # 区发改局: co-operates on 临期 only
    assert leader_choices(get(client)) == ["王副区长"]


def leader_choices(response):
    return [value for value, _label in response.context["form"].fields["leader"].choices if value]
