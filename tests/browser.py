"""Shared browser-test helpers: Playwright driving Debian's headless Chromium.

Use from a test module:

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"   # before any DB access
    from tests.browser import ARTIFACTS, browser, logged_in_page  # noqa: F401 (fixtures)
    # and "# ruff: noqa: F811" at the top: the fixtures come back as test parameters.

`logged_in_page(user)` returns a page whose console errors and uncaught exceptions are
collected in `page.errors`. Tests skip (with the reason) only when Chromium is absent.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = os.environ.get("DUBAN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def _record(errors, message):
    # The browser's own request for /favicon.ico is no page's error.
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        errors.append(f"{message.text} ({message.location.get('url', '')})")


# Guards against two registrations of this fixture being alive at once (a second
# sync_playwright() in one thread fails while the first one's loop runs).
_SHARED = {}


@pytest.fixture(scope="module")
def browser():
    # Per module, not per session: Playwright's sync API keeps an event loop running in this
    # thread, and the tests after a browser module must run without one (and without
    # DJANGO_ALLOW_ASYNC_UNSAFE, which conftest.py removes for tests not marked browser).
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    if "chromium" in _SHARED:
        yield _SHARED["chromium"]
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        _SHARED["chromium"] = chromium
        yield chromium
        _SHARED.pop("chromium", None)
        chromium.close()


@pytest.fixture
def logged_in_page(browser, live_server):
    """logged_in_page(user, width=1280, height=900) -> a Playwright page with a session."""
    contexts = []

    def open_page(user, width=1280, height=900):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("console", lambda msg: _record(page.errors, msg))
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    yield open_page
    for context in contexts:
        context.close()
