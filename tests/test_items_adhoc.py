"""Ad hoc assignments (交办事项) get the "13710" milestones in working days."""

import datetime

import pytest
from django.urls import reverse

from tracker.lib.workdays import WorkdayCalendar
from tracker.models import Deadline, Holiday, Item, ItemOwner
from tracker.tracking import adhoc

pytestmark = pytest.mark.django_db
D = datetime.date


def milestones(item):
    return [(d.what, d.date) for d in item.deadlines.order_by("id")]


def test_the_office_creates_an_assignment_over_the_national_day_holiday(client, users, units):
    client.force_login(users["supervisor"])
    response = client.post(
        reverse("adhoc_create"),
        {
            "text": "核查群众反映的小区供暖问题",
            "lead": units["fgj"].pk,
            "co_units": [units["jyj"].pk],
            "received_on": "2024-09-30",
            "complexity": "simple",
        },
    )
    item = Item.objects.get()
    assert response["Location"] == reverse("item_detail", args=[item.pk])
    assert (item.kind, item.status) == (Item.Kind.ADHOC, Item.Status.NEW)
    assert list(item.owners.values_list("role", "unit")) == [
        (ItemOwner.Role.CO, units["jyj"].pk),
        (ItemOwner.Role.LEAD, units["fgj"].pk),
    ]
    # 10月1日-7日 放假; 10月12日 (Saturday) is an adjusted working day (调休).
    assert milestones(item) == [
        ("接收任务", D(2024, 9, 30)),
        ("研究部署", D(2024, 10, 8)),
        ("实地核查", D(2024, 10, 9)),
        ("沟通反馈", D(2024, 10, 12)),
        ("申请办结", None),
    ]
    assert set(item.deadlines.values_list("kind", flat=True)) == {Deadline.Kind.MILESTONE}
    assert item.due_date == D(2024, 10, 12)
    page = client.get(response["Location"]).content.decode()
    assert "2024年10月12日" in page and "3-5个工作日内" in page


def test_complex_items_feed_back_within_seven_working_days_and_keep_a_due_date(users, units):
    item = adhoc.do_create_adhoc(
        users["supervisor"],
        "复杂问题",
        units["fgj"],
        received_on=D(2024, 9, 30),
        complex_item=True,
        due_date=D(2024, 11, 30),
    )
    assert milestones(item)[3] == ("沟通反馈", D(2024, 10, 15))
    assert milestones(item)[4] == ("申请办结", D(2024, 11, 30))
    assert item.due_date == D(2024, 11, 30)
    assert item.history.get().history_user == users["supervisor"]


def test_holidays_entered_by_an_administrator_count_in_unknown_years(users, units):
    Holiday.objects.create(date=D(2035, 3, 6), name="地方假日")
    item = adhoc.do_create_adhoc(
        users["supervisor"],
        "事项",
        units["fgj"],
        received_on=D(2035, 3, 5),
        calendar=WorkdayCalendar(),
    )
    assert milestones(item)[1:4] == [
        ("研究部署", D(2035, 3, 7)),
        ("实地核查", D(2035, 3, 8)),
        ("沟通反馈", D(2035, 3, 13)),
    ]


def test_bad_input_is_explained_and_kept(client, users, units):
    client.force_login(users["supervisor"])
    response = client.post(
        reverse("adhoc_create"),
        {
            "text": "保留我的文字",
            "lead": units["fgj"].pk,
            "received_on": "2024-09-30",
            "complexity": "simple",
            "due_date": "2024-09-01",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "办结时限不能早于接收日期" in page and "保留我的文字" in page
    assert not Item.objects.exists()
