# ruff: noqa: F811
"""督办单 in headless Chromium: the office issues one from an item page (a double click issues
once), the unit sees it on its workbench and replies with evidence, and the A4 print view;
screenshots at 1366 px and 375 px in Chinese and English (test-artifacts/)."""

import datetime
import os

import pytest

from tests.browser import ARTIFACTS, browser, logged_in_page  # noqa: F401
from tests.tracking import PDF
from tracker.models import Item, SupervisionNotice, User

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
    page.screenshot(path=str(ARTIFACTS / f"supervision-{name}.png"), full_page=True)


def test_issue_reply_and_print_a_supervision_notice(
    live_server, logged_in_page, make_item, units, users, tmp_path
):
    units["fgj"].leader = users["leader"]
    units["fgj"].save()
    item = make_item(
        "新建城东幼儿园一所，新增学位360个，9月底前投入使用。",
        lead=units["fgj"],
        due_date=datetime.date(2030, 9, 30),
        status=Item.Status.IN_PROGRESS,
    )
    office = logged_in_page(users["supervisor"], width=1366)
    office.goto(f"{live_server.url}/items/{item.pk}/")
    office.click("#urge summary")
    office.click("text=下发督办单（提醒/催办/督办）")
    office.check("input[name=level][value=supervise]")
    office.fill("textarea[name=text]", "该项目进度滞后，请于限期内说明原因并提出整改措施。")
    shot(office, "issue-zh-1366")
    office.dblclick("#issue-form button[type=submit]")
    office.wait_for_url("**/supervision/*/")
    (notice,) = SupervisionNotice.objects.all()
    assert notice.level == "supervise" and office.locator("h1").inner_text().startswith("督办单")
    assert not office.errors

    staff = logged_in_page(users["staff"], width=1366)
    staff.goto(f"{live_server.url}/")
    assert notice.number in staff.locator("#open-notices").inner_text()
    assert "督办单" in staff.locator("#inbox").inner_text()
    staff.click(f"#open-notices >> text={notice.number}")
    staff.fill("textarea[name=text]", "已召开专题会研究，10月15日前完成主体施工。")
    evidence = tmp_path / "整改方案.pdf"
    evidence.write_bytes(PDF)
    staff.set_input_files("input[name=attachments]", str(evidence))
    shot(staff, "reply-zh-1366")
    staff.click("#reply-form button[type=submit]")
    staff.wait_for_selector("text=反馈已提交")
    notice.refresh_from_db()
    assert notice.status == SupervisionNotice.Status.REPLIED
    assert "整改方案.pdf" in staff.locator("#replies").inner_text()
    assert not staff.errors

    for language in ("zh-hans", "en"):
        User.objects.filter(pk=users["staff"].pk).update(language=language)
        for width in (1366, 375):
            page = logged_in_page(users["staff"], width=width, height=900)
            page.goto(f"{live_server.url}/supervision/{notice.pk}/print/")
            assert notice.number in page.locator(".doc-number").inner_text()
            shot(page, f"print-{language}-{width}")
            page.goto(f"{live_server.url}/supervision/{notice.pk}/")
            shot(page, f"detail-{language}-{width}")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width + 1, f"{language} {width}: scrolls sideways ({scroll}px)"
            assert not page.errors
