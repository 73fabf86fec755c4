# ruff: noqa: F811
"""The 通报 page in headless Chromium: chosen period and scope, the A4 print view;
screenshots at 1366 px and 375 px in Chinese and English (test-artifacts/)."""

import datetime
import os
from zoneinfo import ZoneInfo

import pytest

from tests.browser import ARTIFACTS, browser, logged_in_page  # noqa: F401
from tracker.models import Item, User

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module", autouse=True)
def allow_database_calls_beside_playwrights_event_loop():
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if old is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"bulletin-{name}.png"), full_page=True)


def test_the_bulletin_page_and_its_print_view(live_server, logged_in_page, make_item, units, users):
    D = datetime.date
    make_item(
        "新建城东幼儿园一所，新增学位360个。",
        lead=units["fgj"],
        due_date=D(2026, 11, 10),
        status=Item.Status.COMPLETED,
        percent=100,
        grade="A",
        completed_at=datetime.datetime(2026, 11, 9, 10, tzinfo=SH),
    )
    make_item(
        "完成老旧小区改造12个，惠及居民3200户。",
        lead=units["fgj"],
        due_date=D(2026, 11, 20),
        status=Item.Status.IN_PROGRESS,
    )
    make_item(
        "推进校园安全设施改造。",
        lead=units["jyj"],
        due_date=D(2026, 11, 25),
        status=Item.Status.COMPLETED,
        percent=100,
        grade="B",
        completed_at=datetime.datetime(2026, 11, 28, 10, tzinfo=SH),
    )
    page = logged_in_page(users["supervisor"], width=1366)
    page.goto(f"{live_server.url}/")
    page.click("nav >> text=通报")
    page.fill("input[name=start]", "2026-11-01")
    page.fill("input[name=end]", "2026-11-30")
    page.click("#bulletin-form button[type=submit]")
    page.wait_for_selector("#bulletin")
    text = page.inner_text("#bulletin")
    assert "区发展和改革局" in text and "区教育局" in text and "完成老旧小区改造" in text
    assert not page.errors
    query = "?start=2026-11-01&end=2026-11-30"
    for language in ("zh-hans", "en"):
        User.objects.filter(pk=users["leader"].pk).update(language=language)
        for width in (1366, 375):
            view = logged_in_page(users["leader"], width=width, height=900)
            view.goto(f"{live_server.url}/bulletin/{query}")
            view.wait_for_selector("#bulletin")
            shot(view, f"{language}-{width}")
            scroll = view.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width + 1, f"{language} {width}: scrolls sideways ({scroll}px)"
            view.goto(f"{live_server.url}/bulletin/print/{query}")
            shot(view, f"print-{language}-{width}")
            assert not view.errors
