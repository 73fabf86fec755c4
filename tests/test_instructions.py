"""领导批示 with a deadline becomes a 批示件: a tracked sub-item with its own feedback, on the
leader's workbench until the unit answers it; the leader is told of the answer."""

import datetime

import pytest
from django.urls import reverse

from tracker.models import Comment, Item, Message
from tracker.tracking import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(make_item, units):
    return make_item(
        "完成城区污水管网改造。",
        lead=units["fgj"],
        co=[units["jyj"]],
        status=Item.Status.IN_PROGRESS,
        due_date=datetime.date(2030, 6, 30),
    )


def test_an_instruction_with_a_deadline_becomes_a_tracked_sub_item(client, users, item):
    client.force_login(users["leader"])
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert 'name="due_date"' in page
    response = client.post(
        reverse("item_comment", args=[item.pk]),
        {"text": "请抓紧推进，月底前报进展。", "due_date": "2030-03-31"},
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.kind == Comment.Kind.INSTRUCTION and comment.due_date.isoformat() == "2030-03-31"
    sub = Item.objects.get(instruction__item=item)
    assert (sub.kind, sub.status, sub.instruction) == (
        Item.Kind.INSTRUCTION,
        Item.Status.NEW,
        comment,
    )
    assert sub.due_date == datetime.date(2030, 3, 31)
    assert sorted(sub.owners.values_list("role", "unit__name")) == [
        ("co", "区教育局"),
        ("lead", "区发展和改革局"),
    ]
    assert sub.people.get().user == users["leader"]
    # The unit is told, pointing at the sub-item; the leader's workbench lists it.
    message = Message.objects.get(recipient=users["staff"])
    assert message.code == Message.Code.INSTRUCTION and message.item == sub
    home = client.get(reverse("home")).content.decode()
    assert reverse("item_detail", args=[sub.pk]) in home and "我的批示" in home
    parent_page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert reverse("item_detail", args=[sub.pk]) in parent_page

    # The unit signs and answers it (the head's report goes up at once): the leader is told
    # and the sub-item leaves the leader's list.
    actions.do_sign(users["staff"], sub, sub.version)
    sub.refresh_from_db()
    report = actions.do_report(users["staff"], sub, sub.version, 40, "已召开专题会部署。")
    home = client.get(reverse("home")).content.decode()
    assert reverse("item_detail", args=[sub.pk]) in home  # waits for the unit head
    actions.do_confirm_report(users["head"], report)
    told = Message.objects.get(recipient=users["leader"])
    assert told.code == Message.Code.INSTRUCTION_ANSWERED and told.item == sub
    assert "已召开专题会部署" in told.data["note"]
    home = client.get(reverse("home")).content.decode()
    assert reverse("item_detail", args=[sub.pk]) not in home
    assert "您的批示均已反馈" in home


def test_without_a_deadline_an_instruction_stays_a_remark(users, item):
    actions.do_comment(users["leader"], item, "同意。")
    assert not Item.objects.filter(instruction__item=item).exists()


def test_only_a_leaders_instruction_becomes_a_sub_item(client, users, item):
    client.force_login(users["supervisor"])
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert 'name="due_date"' not in page
    client.post(reverse("item_comment", args=[item.pk]), {"text": "备注", "due_date": "2030-03-31"})
    assert Comment.objects.get().due_date is None
    assert not Item.objects.filter(instruction__item=item).exists()


def test_a_past_deadline_is_refused(client, users, item):
    client.force_login(users["leader"])
    response = client.post(
        reverse("item_comment", args=[item.pk]), {"text": "请办理。", "due_date": "2020-01-01"}
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_the_sub_item_is_seen_only_by_its_units(client, users, item, units):
    actions.do_comment(users["leader"], item, "请报进展。", datetime.date(2030, 3, 31))
    sub = Item.objects.get(instruction__item=item)
    from tests.conftest import make_user

    outsider = make_user("outsider", "staff", units["dcs"])
    client.force_login(outsider)
    assert client.get(reverse("item_detail", args=[sub.pk])).status_code == 404
    client.force_login(users["other_staff"])  # 区教育局 co-operates: sees it
    assert client.get(reverse("item_detail", args=[sub.pk])).status_code == 200
