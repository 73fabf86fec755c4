"""In headless Chromium: a re-import after hand edits shows each difference, old → new, with
its choice; the office takes one new value, keeps the other, and confirms."""

# ruff: noqa: F811
import os
import re

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop

from tests import import_files  # noqa: E402
from tests.browser import ARTIFACTS, browser, logged_in_page  # noqa: E402,F401 (fixtures)
from tracker.imports import jobs  # noqa: E402
from tracker.models import Item  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_differences_are_shown_and_chosen_on_the_preview(
    browser, live_server, logged_in_page, users, units
):
    data = import_files.gazette(3, unit="区发展和改革局").encode()
    jobs.import_now(users["supervisor"], "分工.txt", data)
    Item.objects.filter(text__startswith="完成第1项").update(text="完成第1项测试任务（改写）")
    Item.objects.filter(text__startswith="完成第2项").update(text="完成第2项测试任务（改写）")
    job = jobs.run_import_job(jobs.create_job(users["supervisor"], "分工2.txt", data).pk)

    page = logged_in_page(users["supervisor"], width=1366, height=900)
    page.goto(f"{live_server.url}/import/{job.pk}/preview/")
    page.select_option("#f-warning", "changed")
    rows = page.locator("#review-rows tr[data-key]")
    assert rows.count() == 2
    first = rows.filter(has_text="完成第1项测试任务（改写）")
    assert "已手工修改" in first.inner_text() and "→" in first.inner_text()
    assert first.locator("input.merge[value=keep]").is_checked()
    # The row shows the office's text while it is kept, the new one once it is taken.
    assert first.locator("textarea.text").input_value() == "完成第1项测试任务（改写）"
    first.locator("input.merge[value=new]").check()
    first = rows.filter(has_text="完成第1项测试任务，推进")
    assert first.locator("textarea.text").input_value().startswith("完成第1项测试任务，推进")
    page.wait_for_function(
        "() => document.getElementById('review-status').textContent === '已保存'"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import_reimport_1366_zh.png"))
    page.click("#confirm-import")
    page.wait_for_url(re.compile(r"/import/\d+/result/$"))
    assert not page.errors, page.errors
    assert Item.objects.filter(text__startswith="完成第1项测试任务，推进").exists()
    assert Item.objects.filter(text="完成第2项测试任务（改写）").exists()
