"""End to end on PostgreSQL and Redis, every part a real process: gunicorn, a Celery worker,
Celery beat and an SMTP sink (aiosmtpd). The supervision office logs in over HTTP and imports
the sample gazette through the web pages; the clock is moved (DUBAN_FAKE_NOW, read by
tracker.lib.clock, given to the worker and beat) from a Sunday, when nothing may be sent, to the
Friday before the 一季度 deadline (2025-03-31), when reminders fall due; each e-mail must arrive
exactly once, also after more beat ticks; a leader then opens the dashboards in headless
Chromium with no console error and no Content Security Policy violation. All processes are
stopped at the end whatever happens."""

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop

from tests.browser import ARGS, ARTIFACTS, CHROMIUM  # noqa: E402
from tests.processes import ROOT, celery_worker, process_env, running, wait_for  # noqa: E402
from tests.smtpsink import Sink  # noqa: E402
from tests.webclient import WebClient  # noqa: E402

BROKER = os.environ.get("CELERY_BROKER_URL", "")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
        or not BROKER.startswith("redis://"),
        reason="end to end runs on PostgreSQL + Redis only: set DATABASE_URL=postgres://… "
        "and CELERY_BROKER_URL=redis://… (CI's second run does)",
    ),
]

WEB_PORT = int(os.environ.get("DUBAN_E2E_WEB_PORT", "8450"))
SMTP_PORT = int(os.environ.get("DUBAN_E2E_SMTP_PORT", "8452"))
BASE = f"http://127.0.0.1:{WEB_PORT}"
QUEUES = "celery,imports,reminders"
# A Sunday: not a working day, so no reminder may go out whatever is due.
SUNDAY = "2025-03-23T10:00:00+08:00"
# Friday 2025-03-28, 09:00: one working day before 一季度 (Monday 2025-03-31).
FRIDAY = "2025-03-28T09:00:00+08:00"
QUARTER_ITEM = "谋划储备重大项目60个"  # 一季度完成前期手续, lead 区发展和改革局
TICK = 4.0  # tests/settings_e2e.py: beat's reminders tick and heartbeat every 4 seconds


# --- the SMTP sink --------------------------------------------------------------------------


@contextmanager
def smtp_sink():
    """tests/smtpsink.py's sink, on this test's own port."""
    from aiosmtpd.controller import Controller

    sink = Sink()
    sink.port = SMTP_PORT
    controller = Controller(sink, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def received(sink):
    with sink.lock:
        return [(tuple(rcpts), message) for rcpts, message in sink.accepted]


# --- the processes --------------------------------------------------------------------------


def environment(tmp_path, now):
    env = process_env(
        DUBAN_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        DEBUG="false",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(SMTP_PORT),
        SITE_URL=BASE,
        DUBAN_FAKE_NOW=now,
        GUNICORN_BIND=f"127.0.0.1:{WEB_PORT}",
        GUNICORN_WORKERS="2",
        LOG_LEVEL="INFO",
    )
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings_e2e"
    env.pop("EMAIL_BACKEND", None)
    return env


def purge_broker():
    """Forget messages an earlier, interrupted run may have left on the test's Redis db."""
    import redis

    client = redis.Redis.from_url(BROKER)
    client.delete(*QUEUES.split(","), "unacked", "unacked_index", "unacked_mutex")


def start_worker_and_beat(stack, tmp_path, now, phase):
    env = environment(tmp_path, now)
    worker = stack.enter_context(celery_worker(QUEUES, tmp_path / f"worker-{phase}.log", env=env))
    beat = stack.enter_context(
        running(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(tmp_path / f"beat-schedule-{phase}"),
            ],
            tmp_path / f"beat-{phase}.log",
            env,
        )
    )
    return worker, beat


def logs(tmp_path):
    parts = []
    for path in sorted(tmp_path.glob("*.log")):
        parts.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-3000:])
    return "\n".join(parts)


def healthy(client):
    try:
        response = client.get("/healthz")
    except OSError:  # gunicorn not listening yet
        return None
    return response if response.status == 200 else None


# --- the steps ------------------------------------------------------------------------------


def import_sample_gazette(client):
    upload = client.get("/import/")
    assert upload.status == 200, upload.text[:500]
    content = (ROOT / "fixtures" / "sample_gazette.txt").read_bytes()
    started = client.submit(upload, "file", files={"file": ("sample_gazette.txt", content)})
    match = re.search(r"/import/(\d+)/", started.url)
    assert match, f"upload did not start an import: HTTP {started.status} {started.url}"
    job = int(match.group(1))

    def parsed():
        status = client.get(f"/import/{job}/status/").json()
        assert status["status"] != "failed", status
        return status if status["next"] else None

    status = wait_for(parsed, timeout=120, interval=1)
    assert status, "the worker did not parse the upload"
    preview = client.get(status["next"])
    state = re.search(
        r'<script id="review-state" type="application/json">(.*?)</script>', preview.text, re.S
    )
    included = [row["key"] for row in json.loads(state.group(1))["rows"]]
    result = client.submit(preview, "preview-form")
    assert result.status == 200 and f"/import/{job}/result/" in result.url, result.text[:2000]
    return included


def wait_until_sent(sink):
    from tracker.models import Delivery

    def settled():
        deliveries = list(Delivery.objects.values_list("status", flat=True))
        sent = deliveries.count(Delivery.Status.SENT)
        return (
            deliveries
            and all(s == Delivery.Status.SENT for s in deliveries)
            and len(received(sink)) >= sent
        )

    return wait_for(settled, timeout=120, interval=1)


DASHBOARDS = [
    "/dashboards/",
    "/dashboards/units/",
    "/dashboards/leaders/",
    "/dashboards/documents/",
    "/dashboards/calendar/",
    "/dashboards/projects/",
    "/dashboards/lights/",
]


def open_pages(session_cookie, item_id):
    """Every dashboard (charts drawn), the item list and an item page, under the real CSP."""
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    problems, shots = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie, "url": BASE}]
            )
            context.add_init_script(
                "document.addEventListener('securitypolicyviolation', e => console.error("
                "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
            )
            page = context.new_page()
            page.on(
                "console",
                lambda m: (
                    m.type == "error"
                    and problems.append(f"{page.url}: {m.text} ({m.location.get('url', '')})")
                ),
            )
            page.on(
                "response",
                lambda r: (
                    r.status >= 400 and problems.append(f"{page.url}: HTTP {r.status} {r.url}")
                ),
            )
            page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
            for path in DASHBOARDS:
                response = page.goto(BASE + path)
                assert response.status == 200, path
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
                page.mouse.move(400, 450)  # a hover label is drawn with inline styles
                page.wait_for_timeout(300)
                if path in ("/dashboards/", "/dashboards/units/"):
                    ARTIFACTS.mkdir(exist_ok=True)
                    shot = ARTIFACTS / f"e2e{path.replace('/', '-').rstrip('-')}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    shots.append(shot)
            for path in ("/items/", f"/items/{item_id}/"):
                assert page.goto(BASE + path).status == 200, path
                page.wait_for_timeout(300)
        finally:
            browser.close()
    return [p for p in problems if "favicon.ico" not in p], shots


def test_import_remind_and_dashboard_on_real_processes(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from tracker import demo
    from tracker.models import Deadline, Delivery, Item, Notice, User

    demo.load_units_and_users()
    purge_broker()
    env = environment(tmp_path, SUNDAY)
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collect.returncode == 0, collect.stderr

    with smtp_sink() as sink, ExitStack() as web:
        web.enter_context(
            running(
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
                tmp_path / "gunicorn.log",
                env,
            )
        )
        client = WebClient(BASE)

        # 1. Sunday: import over HTTP; beat ticks, but nothing may be sent on a rest day.
        with ExitStack() as sunday:
            start_worker_and_beat(sunday, tmp_path, SUNDAY, "sunday")
            assert wait_for(lambda: healthy(client), timeout=90, interval=1), logs(tmp_path)
            client.login("duchashi", demo.DEMO_PASSWORD)
            included = import_sample_gazette(client)
            assert Item.objects.count() == len(included) > 0
            quarter = Item.objects.get(text__contains=QUARTER_ITEM)
            assert Deadline.objects.filter(item=quarter, date="2025-03-31").exists()
            time.sleep(3 * TICK + 1)
            assert received(sink) == [], "a reminder went out on a Sunday"
            assert not Delivery.objects.exists()

        # 2. The clock moves to Friday: worker and beat restart with the new time.
        with ExitStack() as friday:
            start_worker_and_beat(friday, tmp_path, FRIDAY, "friday")
            assert wait_until_sent(sink), logs(tmp_path)
            first = received(sink)
            health = wait_for(lambda: healthy(client), timeout=30, interval=1)
            assert health, logs(tmp_path)
            # More ticks of beat (and a sweep re-run by each) send nothing again.
            time.sleep(3 * TICK + 1)
            assert len(received(sink)) == len(first), "an e-mail was sent twice"

        recipients = Counter(rcpt for rcpts, _message in first for rcpt in rcpts)
        assert set(recipients.values()) == {1}, f"not exactly once: {recipients}"
        # The expected e-mails, worked out by hand from the gazette and the documented rules:
        # 二.(一).1 (一季度 → 2025-03-31) reminds its lead unit's members (not the named
        # leader 周海涛: leaders read digests) with the one most urgent reason, 1 working day
        # ahead; the report due 3月20日 is 5 working days overdue on 3-27 and escalates to the
        # supervision office (no leader account reached: the line says so).
        expected = {
            "fgj_staff": ("【督办台】1 项", [QUARTER_ITEM, "还有 1 个工作日到期"]),
            "fgj_head": ("【督办台】1 项", [QUARTER_ITEM, "还有 1 个工作日到期"]),
            "duchashi": ("【督办台·升级】1 项", ["3月20日前上报工作方案", "逾期已满 5 个工作日"]),
        }
        addresses = dict(User.objects.values_list("username", "email"))
        assert set(recipients) == {addresses[name] for name in expected}
        messages = {rcpts[0]: message for rcpts, message in first}
        for username, (subject, phrases) in expected.items():
            message = messages[addresses[username]]
            assert message["Subject"].strip().startswith(subject), message["Subject"]
            body = message.get_body(("plain",)).get_content()
            for phrase in phrases:
                assert phrase in body, (username, phrase, body)
        staff_mail = messages[addresses["fgj_staff"]]
        assert f"{BASE}/items/{quarter.pk}/" in staff_mail.get_body(("plain",)).get_content()
        assert f"{BASE}/items/{quarter.pk}/" in staff_mail.get_body(("html",)).get_content()
        # The database agrees: one sent Delivery per e-mail, no notice left behind.
        sent = Delivery.objects.filter(status=Delivery.Status.SENT)
        assert sorted(sent.values_list("recipient__email", flat=True)) == sorted(recipients)
        assert not Notice.objects.filter(delivery__isnull=True).exists()
        assert health.json()["checks"]["beat"]["age_seconds"] <= 60

        # 3. A leader opens the dashboards, the list and an item in headless Chromium.
        leader = WebClient(BASE)
        leader.login("lingdao", demo.DEMO_PASSWORD)
        problems, shots = open_pages(leader.cookie("sessionid"), quarter.pk)
        assert not problems, problems
        assert all(shot.stat().st_size > 10_000 for shot in shots)

    # Everything is stopped: nothing listens on the web port any more.
    assert not port_open(WEB_PORT)


def port_open(port):
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
