"""The tracking workflow in headless Chromium, on a desktop and a phone-sized screen.

Staff log in, sign, report progress with an evidence file and request completion; the
supervision office approves (办结销号) and grades; staff of another unit get a 404 for the item.
"""

import datetime
import os

import pytest

from tests.browser import ARTIFACTS, browser, logged_in_page  # noqa: F401
from tests.conftest import PASSWORD
from tests.tracking import PDF, make_document
from tracker.models import Item, ItemPerson, Request

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SOURCE = "\n".join(
    [
        "二、扎实推进民生改善",
        "(一)教育优先发展(责任领导:王副区长)",
        "1. 新建城东幼儿园一所，新增学位360个，",
        "9月底前投入使用。(民生实事项目)",
        "2. 推进义务教育优质均衡发展。",
    ]
)


@pytest.fixture(scope="module", autouse=True)
def allow_database_calls_beside_playwrights_event_loop():
    # Playwright's sync API runs an event loop in this thread. Set only while this module runs:
    # set at import time it would leak into `manage.py check --deploy` run by other tests.
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if old is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


@pytest.fixture
def item(make_item, units):
    document = make_document(SOURCE, line_start=40, title="2030年政府工作报告任务分工")
    item = make_item(
        "新建城东幼儿园一所，新增学位360个，9月底前投入使用。",
        lead=units["fgj"],
        co=[units["jyj"]],
        document=document,
        line_start=42,
        line_end=43,
        ref="二.(一).1",
        due_date=datetime.date(2030, 9, 30),
        section="二、扎实推进民生改善 (一)教育优先发展",
    )
    ItemPerson.objects.create(item=item, role=ItemPerson.Role.LEADER, name="王副区长")
    return item


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"tracking-{name}.png"), full_page=True)


def evidence(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(PDF)
    return str(path)


def test_staff_report_and_request_completion_the_head_confirms_the_office_approves(
    users,
    item,
    live_server,
    browser,  # noqa: F811
    logged_in_page,  # noqa: F811
    tmp_path,
):
    # Staff log in through the login form.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/items/{item.pk}/")
    page.fill("input[name=username]", "staff")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/items/{item.pk}/")
    assert page.locator(".source .hit").count() == 2

    page.click("#sign button[type=submit]")
    page.wait_for_selector(".messages >> text=已签收")
    page.fill("#report input[name=percent]", "60")
    page.fill("#report textarea[name=narrative]", "主体工程已完工，正在室内装修。")
    page.set_input_files("#report input[type=file]", evidence(tmp_path, "施工照片说明.pdf"))
    page.click("#report button[type=submit]")
    page.wait_for_selector(".messages >> text=进展已报送")
    assert page.locator("#reports a", has_text="施工照片说明.pdf").count() == 1
    # The unit head has not confirmed it yet: marked 待审核, the item's percent unchanged.
    assert page.locator("#reports .report-pending").inner_text() == "待审核"
    assert Item.objects.get(pk=item.pk).percent == 0

    page.click("#completion summary")
    page.fill("#completion textarea[name=reason]", "幼儿园已投入使用，申请办结。")
    page.set_input_files("#completion input[type=file]", evidence(tmp_path, "验收报告.pdf"))
    page.click("#completion button[type=submit]")
    page.wait_for_selector(".messages >> text=办结申请已提交")
    shot(page, "staff-requested-completion")
    assert Item.objects.get(pk=item.pk).status == Item.Status.COMPLETION_REQUESTED
    context.close()

    # The unit head confirms the request: it goes on to the office.
    head = logged_in_page(users["head"])
    head.goto(f"{live_server.url}/items/{item.pk}/")
    head.check("form.unit-review input[value=confirm]")
    head.click("form.unit-review button[type=submit]")
    head.wait_for_selector(".messages >> text=已确认，办结申请已报督查室审核")
    assert head.errors == []

    # The supervision office approves (办结销号) and grades.
    office = logged_in_page(users["supervisor"])
    office.goto(f"{live_server.url}/items/{item.pk}/")
    office.check("form.decide input[value=approve]")
    office.fill("form.decide textarea[name=note]", "材料齐全，同意办结。")
    office.click("form.decide button[type=submit]")
    office.wait_for_selector(".messages >> text=审核意见已保存")
    office.check("#grade input[value=A]")
    office.click("#grade button[type=submit]")
    office.wait_for_selector(".messages >> text=已评定等次")
    assert office.locator(".badge.status-completed").inner_text() == "已办结"
    shot(office, "office-approved-and-graded")
    done = Item.objects.get(pk=item.pk)
    assert (done.status, done.percent, done.grade) == (Item.Status.COMPLETED, 100, "A")
    assert Request.objects.get(kind=Request.Kind.COMPLETION).decision == "approved"
    assert office.errors == []


def test_staff_of_another_unit_cannot_open_the_item_by_its_url(
    users,
    make_item,
    units,
    live_server,
    logged_in_page,  # noqa: F811
):
    other = make_item("区教育局的任务", lead=units["jyj"])
    page = logged_in_page(users["staff"])
    response = page.goto(f"{live_server.url}/items/{other.pk}/")
    assert response.status == 404
    assert "区教育局的任务" not in page.content()
    page.goto(f"{live_server.url}/items/?q=区教育局")
    assert "区教育局的任务" not in page.content()


def test_the_pages_fit_a_phone_screen(users, item, live_server, logged_in_page):  # noqa: F811
    page = logged_in_page(users["staff"], width=375, height=812)
    for name, path in [
        ("phone-home", "/"),
        ("phone-list", "/items/"),
        ("phone-item", f"/items/{item.pk}/"),
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 375 + 1, f"{path} is {overflow}px wide"
        shot(page, name)
    assert page.errors == []


def test_a_second_save_of_the_same_version_shows_the_conflict_and_keeps_the_input(
    users,
    item,
    live_server,
    logged_in_page,  # noqa: F811
):
    from tracker.tracking import actions

    actions.do_sign(users["staff"], item, item.version)
    first = logged_in_page(users["head"])  # the head's own report goes up at once
    second = logged_in_page(users["staff"])
    for page in (first, second):
        page.goto(f"{live_server.url}/items/{item.pk}/")
        page.fill("#report input[name=percent]", "")
    first.fill("#report input[name=percent]", "50")
    first.fill("#report textarea[name=narrative]", "第一人：完成招标。")
    first.click("#report button[type=submit]")
    first.wait_for_selector(".messages >> text=进展已报送")
    second.fill("#report input[name=percent]", "80")
    second.fill("#report textarea[name=narrative]", "第二人：完成施工。")
    second.click("#report button[type=submit]")
    banner = second.wait_for_selector(".conflict")
    assert "已被他人更新" in banner.inner_text()
    assert second.input_value("#report textarea[name=narrative]") == "第二人：完成施工。"
    assert "第一人：完成招标。" in second.content()
    shot(second, "conflict")
    assert Item.objects.get(pk=item.pk).percent == 50
