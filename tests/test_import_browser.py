"""In headless Chromium: the office logs in, uploads the sample gazette, waits while a real
worker parses it, maps an unknown unit, confirms and opens an imported item."""

import os
import re

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop

from tests import import_files  # noqa: E402
from tests.browser import ARTIFACTS, browser  # noqa: E402,F401 (fixture)
from tests.conftest import PASSWORD, make_user  # noqa: E402
from tests.processes import celery_worker  # noqa: E402
from tracker.models import Item, ItemOwner, Unit, UnitAlias, User  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_office_uploads_previews_maps_a_unit_and_confirms(
    browser,  # noqa: F811
    live_server,
    settings,
    tmp_path,
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    office = make_user("duchashi", User.Role.SUPERVISOR)
    Unit.objects.create(name="区发展和改革局", short_name="区发改局")
    market = Unit.objects.create(name="区市场监督管理局")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        # The worker serves the queue production routes parses to (CELERY_TASK_ROUTES).
        with celery_worker("imports", tmp_path / "worker.log"):
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", office.username)
            page.fill("input[name=password]", PASSWORD)
            page.click("main button[type=submit]")
            page.click("nav.mainnav >> text=导入")
            assert page.url.endswith("/import/")

            page.set_input_files("#id_file", str(import_files.SAMPLE))
            page.click("text=上传并解析")
            # The progress page polls the job until the worker has parsed it.
            page.wait_for_url(re.compile(r"/import/\d+/preview/$"), timeout=120_000)
        assert "示政办发〔2025〕3号" in page.content()
        assert page.locator("tr.warn").count() > 0
        page.select_option('select[data-unit-name="区市场监管局"]', value=str(market.pk))
        page.click("#confirm-import")
        page.wait_for_url(re.compile(r"/import/\d+/result/$"))
        assert "导入完成" in page.content()
        assert page.locator("#import-result").inner_text().count("11") == 1

        page.click("text=新建公共充电桩500个")
        assert re.search(r"/items/\d+/$", page.url)
        assert "新建公共充电桩500个" in page.content()
        assert not errors, errors
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "import_browser.png"), full_page=True)
        raise
    finally:
        context.close()
    assert UnitAlias.objects.get(key="区市场监管局").unit == market
    assert ItemOwner.objects.get(name="区市场监管局").unit == market
    assert Item.objects.count() == 11
