"""In headless Chromium: the office reviews a preview of 1,000 items. It filters, drops a
whole section at once, sets a document's default date, has every unknown name created and
confirms; a reload on the way (and a second person's page) shows every saved choice.

Prints the time to first paint and to confirm (figures, not assertions) and leaves
screenshots at 1366 and 375 px, in Chinese and in English, in test-artifacts/."""

# ruff: noqa: F811
import datetime
import os
import re
import time

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop

from tests import import_files  # noqa: E402
from tests.browser import ARTIFACTS, browser, logged_in_page  # noqa: E402,F401 (fixtures)
from tests.conftest import make_user  # noqa: E402
from tracker.imports import jobs  # noqa: E402
from tracker.models import ImportJob, Item, ItemOwner, Unit, User  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DROPPED_SECTION = "促改革"


def first_paint(page):
    return page.evaluate("""() => {
        const paint = performance.getEntriesByName("first-contentful-paint")[0];
        const rows = performance.getEntriesByName("review-rendered")[0];
        return [paint ? paint.startTime : null, rows ? rows.startTime : null];
    }""")


def wait_saved(page):
    page.wait_for_function(
        "() => ['已保存', 'Saved'].includes(document.getElementById('review-status').textContent)"
    )


def shown_count(page):
    label = page.locator("#page-label").inner_text()
    return int(re.findall(r"\d+", label)[-1])


def test_a_preview_of_1000_items_is_reviewed_in_bulk_and_confirmed(
    browser, live_server, logged_in_page, capsys
):
    office = make_user("duchashi", User.Role.SUPERVISOR)
    data = import_files.review_gazette().encode()
    job = jobs.run_import_job(jobs.create_job(office, "千项任务.txt", data).pk)
    assert job.status == ImportJob.Status.READY and job.preview["counts"]["items"] == 1000
    url = f"{live_server.url}/import/{job.pk}/preview/"
    ARTIFACTS.mkdir(exist_ok=True)

    page = logged_in_page(office, width=1366, height=900)
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("#review-rows tr[data-key]")
    loaded = time.perf_counter() - started
    paint, rows_painted = first_paint(page)
    # Uncertain items come first; the project fields show on the rows.
    assert "uncertain" in page.locator("#review-rows tr").first.get_attribute("class")
    assert shown_count(page) == 1000

    # Filters: a document, a section, an owner, the uncertain items, a search.
    page.select_option("#f-uncertain", "uncertain")
    assert shown_count(page) == 18
    page.select_option("#f-uncertain", "")
    page.fill("#f-search", "第12号示范道路")
    page.wait_for_function(
        "() => document.getElementById('page-label').textContent.includes('共 1 项')"
    )
    project = page.locator("#review-rows tr[data-key]").first
    assert "建设地点：东区" in project.inner_text() and "层级：市级" in project.inner_text()
    page.fill("#f-search", "")
    page.select_option("#f-owner", "第5测试局")
    assert shown_count(page) == 26  # 23 tasks and 3 projects
    page.select_option("#f-owner", "")

    # Bulk: every item of one section left out.
    page.select_option("#f-doc", "0")
    page.select_option("#f-section", DROPPED_SECTION)
    assert shown_count(page) == 180
    page.click("#select-filtered")
    page.click("#bulk-drop")
    wait_saved(page)
    page.select_option("#f-section", "")
    page.select_option("#f-doc", "")
    page.screenshot(path=str(ARTIFACTS / "import_review_1366_zh.png"))

    # A default date for the first document, every unknown name created.
    page.check("#default-due-0 input[value=date]")
    page.fill("#default-due-0 input[type=date]", "2025-11-30")
    page.dispatch_event("#default-due-0 input[type=date]", "change")
    wait_saved(page)
    page.check("#create-units")
    wait_saved(page)
    job.refresh_from_db()
    assert job.decisions["documents"]["0"]["default_due"] == "2025-11-30"
    assert job.decisions["create_units"] is True
    assert sum(1 for c in job.decisions["items"].values() if c == {"include": False}) == 180

    # A second person (or a reload) sees all of it.
    other = logged_in_page(make_user("duchashi2", User.Role.SUPERVISOR), width=375, height=800)
    started = time.perf_counter()
    other.goto(url)
    other.wait_for_selector("#review-rows tr[data-key]")
    again = time.perf_counter() - started
    paint_again, rows_again = first_paint(other)
    assert other.locator("#create-units").is_checked()
    assert other.locator("#default-due-0 input[type=date]").input_value() == "2025-11-30"
    other.select_option("#f-warning", "excluded")
    assert shown_count(other) == 180
    other.select_option("#f-warning", "")
    other.screenshot(path=str(ARTIFACTS / "import_review_375_zh.png"))
    other.screenshot(path=str(ARTIFACTS / "import_review_375_zh_full.png"), full_page=True)
    assert not other.errors, other.errors

    # The same page in English, at both widths (nothing saved from here).
    for width, height in ((1366, 900), (375, 800)):
        english = logged_in_page(office, width=width, height=height)
        english.context.add_cookies(
            [{"name": "django_language", "value": "en", "url": live_server.url}]
        )
        english.goto(url)
        english.wait_for_selector("#review-rows tr[data-key]")
        assert "Confirm import" in english.content() or "确认导入" not in english.content()
        english.screenshot(path=str(ARTIFACTS / f"import_review_{width}_en.png"))
        assert not english.errors, english.errors

    started = time.perf_counter()
    page.click("#confirm-import")
    page.wait_for_url(re.compile(r"/import/\d+/result/$"), timeout=300_000)
    confirmed = time.perf_counter() - started
    assert not page.errors, page.errors
    with capsys.disabled():
        print(
            f"\n  1,000-item preview, first opening: first contentful paint {paint:.0f} ms, "
            f"rows painted {rows_painted:.0f} ms, loaded in {loaded:.2f} s; second opening "
            f"(375 px): {paint_again:.0f} ms, {rows_again:.0f} ms, {again:.2f} s; confirm "
            f"took {confirmed:.2f} s"
        )

    assert Item.objects.count() == 820
    assert not Item.objects.filter(section__contains=DROPPED_SECTION).exists()
    defaults = Item.objects.filter(document__doc_number="示政办发〔2025〕21号", due_is_default=True)
    assert defaults.count() > 200
    assert set(defaults.values_list("due_date", flat=True)) == {datetime.date(2025, 11, 30)}
    assert Unit.objects.filter(name__endswith="测试局").count() >= 40
    assert not ItemOwner.objects.filter(unit=None, group=None).exists()
