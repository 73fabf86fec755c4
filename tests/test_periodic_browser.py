# ruff: noqa: F811
"""The unit's periodic report in headless Chromium: every open item on one page, one submit
reports them all; screenshots at 1366 px and 375 px in Chinese and English (test-artifacts/)."""

import datetime
import os

import pytest

from tests.browser import ARTIFACTS, browser, logged_in_page  # noqa: F401
from tests.tracking import PDF
from tracker.models import Evidence, Item, ProgressReport, User

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


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads")},
        },
    }


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"periodic-{name}.png"), full_page=True)


def test_a_unit_reports_all_its_open_items_at_once(
    live_server, logged_in_page, make_item, units, users, tmp_path
):
    texts = [
        "新建城东幼儿园一所，新增学位360个，9月底前投入使用。",
        "完成老旧小区改造12个，惠及居民3200户。",
        "推进城区污水管网改造，年底前完成主干管铺设。",
    ]
    items = [
        make_item(
            text,
            lead=units["fgj"],
            due_date=datetime.date(2030, 9 + n, 30),
            status=Item.Status.IN_PROGRESS,
        )
        for n, text in enumerate(texts)
    ]
    make_item("待签收的新任务", lead=units["fgj"], due_date=datetime.date(2030, 12, 31))
    page = logged_in_page(users["head"], width=1366)
    page.goto(f"{live_server.url}/")
    page.click("nav >> text=定期报送")
    page.wait_for_selector("#periodic-report")
    assert "本期尚有 3 项未报送" in page.inner_text("main")
    first, second, _third = items
    page.fill(f"input[name=i{first.pk}-percent]", "60")
    page.fill(f"textarea[name=i{first.pk}-narrative]", "主体结构封顶，正在室内装修。")
    evidence = tmp_path / "现场照片.pdf"
    evidence.write_bytes(PDF)
    page.set_input_files(f"input[name=i{first.pk}-evidence]", str(evidence))
    page.fill(f"input[name=i{second.pk}-percent]", "35")
    page.fill(f"textarea[name=i{second.pk}-narrative]", "已完成4个小区的改造。")
    shot(page, "filled-zh-1366")
    page.click("#periodic-report button[type=submit]")
    page.wait_for_selector("text=已报送 2 项事项的进展")
    assert "本期尚有 1 项未报送" in page.inner_text("main")
    assert ProgressReport.objects.count() == 2
    assert [Item.objects.get(pk=i.pk).percent for i in items] == [60, 35, 0]
    assert Evidence.objects.get().original_name == "现场照片.pdf"
    assert not page.errors

    for language in ("zh-hans", "en"):
        User.objects.filter(pk=users["staff"].pk).update(language=language)
        for width in (1366, 375):
            view = logged_in_page(users["staff"], width=width, height=900)
            view.goto(f"{live_server.url}/report/")
            view.wait_for_selector("#periodic-report")
            shot(view, f"{language}-{width}")
            scroll = view.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width + 1, f"{language} {width}: scrolls sideways ({scroll}px)"
            assert not view.errors
