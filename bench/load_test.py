"""Load test: 50 concurrent users against gunicorn on loopback, bounded in time.

    make load                          # or: .venv/bin/python bench/load_test.py --duration 60
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban make load

It never touches the database DATABASE_URL names: it creates a fresh one next to it
(<name>_load on PostgreSQL, a file under a temporary folder on SQLite), migrates it, writes a
data set (dashboards.demo_data: --items items across --units units), gives USERS virtual
users accounts (staff of distinct units, each with items in progress, and a few leaders),
collects static files and starts gunicorn with deploy/gunicorn.conf.py and production
settings (DEBUG off, manifest static files; plain HTTP on loopback, so no TLS redirect).

Each virtual user logs in, then until the time is up browses the item list (filters, pages),
item pages and dashboards, and submits progress reports through the item page's form (CSRF
and the optimistic-locking version included), pausing --think seconds between requests.
Printed: machine, sizes, requests, throughput, latency percentiles per kind, errors; then every
progress report the server acknowledged is looked up in the database (no lost reports, none
twice). Exit status 1 on any error or lost report.
"""

import argparse
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from machine import cpu_model  # noqa: E402

from tests.webclient import WebClient  # noqa: E402

PASSWORD = "load-test-Pass-2025"
REPORT_MARK = "压测进展"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--leaders", type=int, default=5, help="of the users, how many leaders")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause between a user's requests, seconds"
    )
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", "8451")))
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


# --- the database and the server -------------------------------------------------------------


def load_database_url():
    """A fresh database next to the configured one (never the configured one itself)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urllib.parse.urlsplit(url)
        name = parts.path.lstrip("/") + "_load"
        admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return urllib.parse.urlunsplit(parts._replace(path="/" + name))
    folder = tempfile.mkdtemp(prefix="duban-load-")
    return f"sqlite:///{folder}/load.sqlite3"


def server_environment(database_url, var_dir, port):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DUBAN_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        DUBAN_VAR_DIR=str(var_dir),
        STATIC_ROOT=str(var_dir / "static"),
        MEDIA_ROOT=str(var_dir / "uploads"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
    )
    env.pop("DUBAN_FAKE_NOW", None)
    return env


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def prepare_data(args):
    """Data set + accounts; returns ([(username, [item ids])] for staff, [leader usernames])."""
    from dashboards.demo_data import Sizes, generate
    from tracker.models import Item, ItemOwner, User

    generate(Sizes(items=args.items, units=args.units, seed=args.seed))
    rnd = random.Random(args.seed)
    staff = []
    liaisons = User.objects.filter(username__startswith="demo_unit").order_by("id")
    for user in liaisons:
        if len(staff) == args.users - args.leaders:
            break
        lead_items = list(
            ItemOwner.objects.filter(unit_id=user.unit_id, role=ItemOwner.Role.LEAD)
            .exclude(item__status=Item.Status.COMPLETED)
            .values_list("item_id", flat=True)[:20]
        )
        if len(lead_items) < 3:
            continue
        # Signed for (in progress), through save() so that each item has the audit row an
        # imported item has (demo_data writes items with bulk_create, without history).
        for item in Item.objects.filter(pk__in=lead_items):
            item.status = Item.Status.IN_PROGRESS
            item.save()
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        staff.append((user.username, lead_items))
    leaders = []
    for n in range(args.leaders):
        leader = User(
            username=f"load_leader{n}",
            role=User.Role.LEADER,
            display_name=f"压测领导{n}",
            email=f"load_leader{n}@example.gov.cn",
        )
        leader.set_password(PASSWORD)
        leader.save()
        leaders.append(leader.username)
    rnd.shuffle(staff)
    return staff, leaders


# --- the virtual users ---------------------------------------------------------------------

DASHBOARDS = [
    "/dashboards/",
    "/dashboards/units/",
    "/dashboards/leaders/",
    "/dashboards/documents/",
    "/dashboards/calendar/",
    "/dashboards/lights/",
]
LISTS = [
    "/items/",
    "/items/?page=2",
    "/items/?state=overdue",
    "/items/?due=30",
    "/items/?q=%E5%BB%BA%E8%AE%BE",
    "/items/?sort=due",
    "/items/?status=in_progress",
]


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = defaultdict(list)  # kind -> [seconds]
        self.errors = []
        self.reports = []  # (narrative, item id) acknowledged by the server

    def timed(self, kind, call):
        started = time.perf_counter()
        try:
            response = call()
        except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
            with self.lock:
                self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.samples[kind].append(elapsed)
            if response.status >= 400:
                self.errors.append(f"{kind}: HTTP {response.status} {response.url}")
        return response


class VirtualUser(threading.Thread):
    def __init__(self, base, username, items, recorder, stop_at, think, seed):
        super().__init__(daemon=True, name=username)
        self.client = WebClient(base, timeout=60)
        self.username, self.items = username, items
        self.recorder, self.stop_at, self.think = recorder, stop_at, think
        self.rnd = random.Random(seed)
        self.sent = 0

    def run(self):
        while time.monotonic() < self.stop_at:
            self.step()
            time.sleep(self.rnd.expovariate(1 / self.think) if self.think else 0)

    def step(self):
        rec, rnd = self.recorder, self.rnd
        roll = rnd.random()
        if not self.items:  # a leader: lists and dashboards
            if roll < 0.4:
                rec.timed("item list", lambda: self.client.get(rnd.choice(LISTS)))
            else:
                rec.timed("dashboard", lambda: self.client.get(rnd.choice(DASHBOARDS)))
            return
        if roll < 0.35:
            rec.timed("item list", lambda: self.client.get(rnd.choice(LISTS)))
        elif roll < 0.55:
            rec.timed("item page", lambda: self.client.get(f"/items/{rnd.choice(self.items)}/"))
        elif roll < 0.75:
            rec.timed("dashboard", lambda: self.client.get(rnd.choice(DASHBOARDS)))
        else:
            self.report(rnd.choice(self.items))

    def report(self, item_id):
        page = self.recorder.timed("item page", lambda: self.client.get(f"/items/{item_id}/"))
        if page is None or page.status != 200:
            return
        self.sent += 1
        narrative = f"{REPORT_MARK} {self.username} #{self.sent}：完成阶段任务，推进顺利。"
        percent = str(min(100, 5 * self.sent))
        response = self.recorder.timed(
            "report (POST)",
            lambda: self.client.submit(
                page, "narrative", changes={"percent": percent, "narrative": narrative}
            ),
        )
        if (
            response is not None
            and response.status == 200
            and response.url.rstrip("/").endswith(f"/items/{item_id}")
            and "进展已报送" in response.text
        ):
            with self.recorder.lock:
                self.recorder.reports.append((narrative, item_id))
        elif response is not None and response.status < 400:
            with self.recorder.lock:
                self.recorder.errors.append(f"report not acknowledged: {response.url}")


# --- report --------------------------------------------------------------------------------


def machine():
    return f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def print_results(recorder, elapsed, args):
    every = [s for samples in recorder.samples.values() for s in samples]
    print(f"\n{'kind':<16}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind in sorted(recorder.samples) + ["ALL"]:
        samples = every if kind == "ALL" else recorder.samples[kind]
        if not samples:
            continue
        print(
            f"{kind:<16}{len(samples):>9}{statistics.median(samples) * 1000:>9.0f}"
            f"{percentile(samples, 0.95) * 1000:>9.0f}{percentile(samples, 0.99) * 1000:>9.0f}"
            f"{max(samples) * 1000:>9.0f}"
        )
    print(
        f"\nthroughput: {len(every) / elapsed:.1f} requests/s over {elapsed:.1f} s "
        f"with {args.users} users (think time {args.think}s)"
    )
    print(f"errors: {len(recorder.errors)}")
    for error in recorder.errors[:20]:
        print(f"  {error}")


def check_reports(recorder):
    from django.db import close_old_connections

    from tracker.models import ProgressReport

    close_old_connections()
    stored = list(
        ProgressReport.objects.filter(narrative__startswith=REPORT_MARK).values_list(
            "narrative", "item_id"
        )
    )
    acknowledged = set(recorder.reports)
    lost = acknowledged - set(stored)
    twice = len(stored) - len(set(stored))
    print(
        f"progress reports: {len(acknowledged)} acknowledged, {len(stored)} in the database, "
        f"{len(lost)} lost, {twice} stored twice"
    )
    return not lost and not twice and len(stored) >= len(acknowledged)


def run_load(args, staff, leaders):
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(120):
        try:
            if WebClient(base, timeout=2).get("/accounts/login/").status == 200:
                break
        except OSError:
            time.sleep(0.5)
    workers = os.environ.get("GUNICORN_WORKERS") or str(os.cpu_count() * 2 + 1)
    print(
        f"gunicorn on {base}: {workers} workers, "
        f"{os.environ.get('GUNICORN_THREADS', '1')} thread(s) each"
    )
    recorder = Recorder()
    users = [(name, items) for name, items in staff] + [(name, []) for name in leaders]
    threads = [
        VirtualUser(base, name, items, recorder, 0, args.think, args.seed + i)
        for i, (name, items) in enumerate(users)
    ]
    for thread in threads:  # logging in is not part of the measured load
        recorder.timed("login", lambda t=thread: t.client.login(t.username, PASSWORD))
    print(f"{len(threads)} users logged in; load for {args.duration:.0f} s …", flush=True)
    begin = time.monotonic()
    for thread in threads:
        thread.stop_at = begin + args.duration
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + 120)
    elapsed = time.monotonic() - begin
    recorder.samples.pop("login", None)
    print_results(recorder, elapsed, args)
    return recorder


def main():
    args = parse_args()
    database_url = load_database_url()
    var_dir = Path(tempfile.mkdtemp(prefix="duban-load-var-"))
    env = server_environment(database_url, var_dir, args.port)
    os.environ.update(
        {k: env[k] for k in ("DATABASE_URL", "DUBAN_VAR_DIR", "STATIC_ROOT", "MEDIA_ROOT")}
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    print(f"machine: {machine()}")
    print("preparing: migrate, data set, accounts, collectstatic …", flush=True)
    started = time.perf_counter()
    manage(env, "migrate", "--noinput")
    import django

    django.setup()
    from django.db import connection

    from tracker.models import Item, ProgressReport, Unit, User

    staff, leaders = prepare_data(args)
    # Planner statistics, as autovacuum would gather them on a database that grew over time;
    # straight after a bulk load PostgreSQL guesses, and the item list's latest-report
    # subquery then scans the reports by date (280 ms instead of 1 ms on 20,000 items).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    manage(env, "collectstatic", "--noinput")
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']} "
        f"({'PostgreSQL ' + str(connection.pg_version) if connection.vendor == 'postgresql' else ''})"
    )
    print(
        f"sizes: {Item.objects.count()} items, {Unit.objects.count()} units, "
        f"{User.objects.count()} users, {ProgressReport.objects.count()} progress reports "
        f"(prepared in {time.perf_counter() - started:.0f} s)"
    )
    connection.close()

    with open(var_dir / "gunicorn.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            recorder = run_load(args, staff, leaders)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    ok = check_reports(recorder) and not recorder.errors
    print("RESULT:", "ok" if ok else "FAILED", f"(server log: {var_dir / 'gunicorn.log'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
