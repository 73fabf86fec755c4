# ruff: noqa: F811
"""The office's item pages in headless Chromium: edit an item through its form, split it,
withdraw it; screenshots at 1366 px and 375 px in Chinese and English (test-artifacts/)."""

import datetime
import os

import pytest

from tests.browser import ARTIFACTS, browser, logged_in_page  # noqa: F401
from tracker.models import Deadline, Item, ItemPerson, UnitGroup, User

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def allow_database_calls_beside_playwrights_event_loop():
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if old is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


@pytest.fixture
def item(make_item, units):
    UnitGroup.objects.create(name="各镇(街道)")
    item = make_item(
        "推进城区三所学校建设，年内完成主体工程。",
        lead=units["jyj"],
        co=[units["fgj"]],
        due_date=datetime.date(2030, 12, 31),
        ref="三.(二).1",
    )
    Deadline.objects.create(
        item=item,
        kind=Deadline.Kind.MILESTONE,
        what="主体封顶",
        expr="9月底前",
        date=datetime.date(2030, 9, 30),
    )
    ItemPerson.objects.create(item=item, role=ItemPerson.Role.LEADER, name="王副区长")
    return item


def shoot(page, url, name):
    for language in ("zh", "en"):
        for width in (1366, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            page.screenshot(
                path=str(ARTIFACTS / f"item-{name}-{language}-{width}.png"), full_page=True
            )
        if language == "zh":
            page.evaluate("document.cookie = 'django_language=en; path=/'")


@pytest.mark.parametrize("language", ["zh-hans"])
def test_the_office_edits_splits_and_withdraws_in_a_browser(
    logged_in_page, live_server, users, units, item, language
):
    ARTIFACTS.mkdir(exist_ok=True)
    page = logged_in_page(users["supervisor"], width=1366)
    page.goto(f"{live_server.url}/items/{item.pk}/")
    page.click("text=修改")
    page.fill("textarea[name=text]", "推进城区三所学校建设，年内完成主体工程和室外配套。")
    page.fill("input[name=due_date]", "2030-11-30")
    page.click("button:has-text('保存修改')")
    page.wait_for_url(f"{live_server.url}/items/{item.pk}/")
    assert "督查室修改" in page.content()
    item.refresh_from_db()
    assert item.due_date == datetime.date(2030, 11, 30) and "室外配套" in item.text
    page.click("a.button:has-text('分解')")
    page.fill("textarea[name=part-0-text]", "第一小学教学楼主体工程。")
    page.select_option("select[name=part-0-lead]", f"u{units['jyj'].pk}")
    page.fill("input[name=part-0-due_date]", "2030-08-31")
    page.fill("textarea[name=part-1-text]", "第二小学室外配套工程。")
    page.select_option("select[name=part-1-lead]", f"u{units['fgj'].pk}")
    page.click("button:has-text('分解')")
    page.wait_for_url(f"{live_server.url}/items/{item.pk}/")
    assert Item.objects.filter(parent=item).count() == 2
    assert "分解的子任务" in page.content()
    assert page.errors == []
    User.objects.filter(pk=users["supervisor"].pk).update(language="zh-hans")
    shoot(page, f"{live_server.url}/items/{item.pk}/edit/", "edit")
    page.evaluate("document.cookie = 'django_language=zh-hans; path=/'")
    shoot(page, f"{live_server.url}/items/{item.pk}/", "detail-split")
    page.evaluate("document.cookie = 'django_language=zh-hans; path=/'")
    child = Item.objects.filter(parent=item).first()
    shoot(page, f"{live_server.url}/items/{child.pk}/split/", "split-refused")
    page.evaluate("document.cookie = 'django_language=zh-hans; path=/'")
    other = Item.objects.create(text="另一项任务。")
    shoot(page, f"{live_server.url}/items/{other.pk}/split/", "split")
    page.evaluate("document.cookie = 'django_language=zh-hans; path=/'")
    page.goto(f"{live_server.url}/items/{item.pk}/withdraw/")
    page.fill("textarea[name=reason]", "任务已并入年度重点项目。")
    page.click("button:has-text('撤销')")
    page.wait_for_url(f"{live_server.url}/items/{item.pk}/")
    assert Item.objects.get(pk=item.pk).withdrawn_at is not None
    assert Item.objects.filter(parent=item, withdrawn_at__isnull=True).count() == 0
    shoot(page, f"{live_server.url}/items/{item.pk}/", "withdrawn")
    page.evaluate("document.cookie = 'django_language=zh-hans; path=/'")
    shoot(page, f"{live_server.url}/items/{item.pk}/withdraw/", "restore")
    assert page.errors == []


def test_the_unit_groups_page_in_a_browser(logged_in_page, live_server, users, units):
    ARTIFACTS.mkdir(exist_ok=True)
    UnitGroup.objects.create(name="各镇(街道)", member_kind="town")
    page = logged_in_page(users["supervisor"], width=1366)
    page.goto(f"{live_server.url}/units/groups/new/")
    page.fill("input[name=name]", "区直有关部门")
    page.check(f"input[name=members][value='{units['fgj'].pk}']")
    page.click("button:has-text('保存')")
    page.wait_for_url(f"{live_server.url}/units/groups/")
    group = UnitGroup.objects.get(name="区直有关部门")
    assert list(group.members.all()) == [units["fgj"]]
    shoot(page, f"{live_server.url}/units/groups/", "unit-groups")
    page.evaluate("document.cookie = 'django_language=zh-hans; path=/'")
    shoot(page, f"{live_server.url}/units/groups/{group.pk}/", "unit-group")
    assert page.errors == []
