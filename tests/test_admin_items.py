"""The admin's item form goes through the same version check as the pages: a stale form is
refused with the conflict message and changes nothing; a fresh one saves only what it changed
and moves the item to the next version."""

import datetime

import pytest

from tests.webclient import FormParser
from tracker.models import Item
from tracker.tracking import actions, audit

pytestmark = pytest.mark.django_db


def change_form(client, item):
    """The admin change form of `item`, as the browser would post it untouched."""
    response = client.get(f"/admin/tracker/item/{item.pk}/change/")
    assert response.status_code == 200
    parser = FormParser()
    parser.feed(response.content.decode())
    [form] = [f for f in parser.forms if f.attrs.get("id") == "item_form"]
    return dict(form.fields)


def test_finding_09_a_stale_admin_form_is_a_conflict_and_changes_nothing(
    client, users, make_item, units
):
    item = make_item("原任务内容", lead=units["fgj"], due_date=datetime.date(2030, 5, 31))
    client.force_login(users["admin"])
    stale = change_form(client, item)
    assert stale["version"] == "1"
    # Meanwhile the unit signs and reports: version 3, 办理中, 60%.
    actions.do_sign(users["head"], item, 1)
    actions.do_report(users["head"], Item.objects.get(pk=item.pk), 2, 60, "已完成大半。")

    stale["text"] = "管理员改过的任务内容"
    response = client.post(f"/admin/tracker/item/{item.pk}/change/", stale)
    assert response.status_code == 200  # the form again, with the message
    assert "该事项已被他人更新（当前为第 3 版），您的修改未保存。" in response.content.decode()
    item.refresh_from_db()
    assert (item.text, item.status, item.percent, item.version) == (
        "原任务内容",
        Item.Status.IN_PROGRESS,
        60,
        3,
    )

    # A form loaded now saves: only the text changes, the version moves on.
    fresh = change_form(client, item)
    assert fresh["version"] == "3"
    fresh["text"] = "管理员改过的任务内容"
    response = client.post(f"/admin/tracker/item/{item.pk}/change/", fresh)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.text, item.status, item.percent, item.version) == (
        "管理员改过的任务内容",
        Item.Status.IN_PROGRESS,
        60,
        4,
    )
    last = item.history.first()
    assert last.history_user == users["admin"]
    assert audit.told(last.history_change_reason) == "在管理后台修改"
    # The version is not a field the admin can set.
    fresh = change_form(client, item)
    fresh["version"] = "1"
    assert (
        "您的修改未保存"
        in client.post(f"/admin/tracker/item/{item.pk}/change/", fresh).content.decode()
    )
    item.refresh_from_db()
    assert item.version == 4


def test_finding_09_the_admin_still_adds_items(client, users):
    client.force_login(users["admin"])
    response = client.get("/admin/tracker/item/add/")
    parser = FormParser()
    parser.feed(response.content.decode())
    [form] = [f for f in parser.forms if f.attrs.get("id") == "item_form"]
    data = dict(form.fields)
    data["text"] = "管理员新建的事项"
    response = client.post("/admin/tracker/item/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Item.objects.get(text="管理员新建的事项").version == 1
