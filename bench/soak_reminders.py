"""A month of reminders on the seeds, through the real send path, with faults; a table at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban_soak .venv/bin/python bench/soak_reminders.py
    (or `make soak`; not part of `make bench`: about 25 minutes on 2 cores)

What it does, on a throwaway database (test_<name> of DATABASE_URL; PostgreSQL only):
1. imports the five seed gazettes (../shared/seeds/*.txt, BENCH_SEEDS to change) through the
   import service with the default choices, except that unknown units are created and each
   document's items without a written date get a default due date inside the month (spread over
   it), so that there is something to remind; the written dates are kept as parsed. Each unit
   gets a staff member (immediate e-mails) and a unit head (daily digest); two office accounts
   and two leaders read the weekly digest and the escalations.
2. steps a fake clock (time-machine) through every 5-minute tick from 08:00 to 20:25 of each day
   from 2024-09-18 to 2024-10-18 (国庆 1-7 October; 调休 working Sunday 29 September and
   Saturday 12 October), calling the beat's task `reminders_tick` itself: sweep, plan, claim,
   render and send over SMTP to a sink in this process (aiosmtpd);
3. injects faults: a 451 storm (every message refused for 45 minutes), 2 % of all messages
   refused with 451 at random, lines dropped after DATA with the message stored (no 250: "sent
   but not recorded"), a line dropped before storing, and workers killed (SIGKILL) after the
   server accepted a message: those ticks run in a child process the sink kills;
4. prints, for the month: e-mails expected (every Delivery record with something to say: the
   Reminder / Notice records grouped into e-mails), received, duplicated, lost, outside sending
   hours, marked 可能重复发送; and the date reminders the records hold against an independent
   computation of the documented rules (chinese_calendar directly, day by day).
"""

import argparse
import collections
import datetime
import os
import platform
import random
import signal
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

from machine import cpu_model, database_version, setup_django

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("BENCH_SEEDS", ROOT.parent / "shared" / "seeds"))
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date
FIRST, LAST = D(2024, 9, 18), D(2024, 10, 18)
if os.environ.get("SOAK_DAYS"):  # a shorter run while changing this script
    LAST = FIRST + datetime.timedelta(days=int(os.environ["SOAK_DAYS"]) - 1)
TICK = datetime.timedelta(minutes=5)
ONE_YEAR = datetime.timedelta(days=366)
SEND_FROM, QUIET = datetime.time(8, 30), datetime.time(20, 0)

# The faults, by the fake clock.
STORM = (
    datetime.datetime(2024, 9, 19, 8, 30, tzinfo=SHANGHAI),
    datetime.datetime(2024, 9, 19, 9, 15, tzinfo=SHANGHAI),
)
RANDOM_451 = 0.02
DROP_AFTER_STORE = [datetime.datetime(2024, 9, d, 8, 30, tzinfo=SHANGHAI) for d in (23, 27)] + [
    datetime.datetime(2024, 10, 10, 8, 30, tzinfo=SHANGHAI)
]
DROP_BEFORE_STORE = [datetime.datetime(2024, 9, 25, 8, 30, tzinfo=SHANGHAI)]
KILLED_TICKS = [
    datetime.datetime(2024, 9, 24, 8, 30, tzinfo=SHANGHAI),
    datetime.datetime(2024, 9, 30, 8, 30, tzinfo=SHANGHAI),
    datetime.datetime(2024, 10, 14, 8, 30, tzinfo=SHANGHAI),
]
KILL_AFTER = 3  # the child is killed when the server has stored its 3rd message


def now_local():
    return datetime.datetime.now(SHANGHAI)  # the fake clock while time-machine travels


class Sink:
    """The mail server: stores what it accepts with the (fake) time, refuses and drops on cue."""

    def __init__(self, seed=18):
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.received = []  # (Message-ID, recipient, fake time)
        self.pending_drops = {"after": list(DROP_AFTER_STORE), "before": list(DROP_BEFORE_STORE)}
        self.counts = collections.Counter()
        self.child = None  # the process to kill once it has had KILL_AFTER messages stored
        self.child_stored = 0

    def _due(self, kind, moment):
        cues = self.pending_drops[kind]
        if cues and moment >= cues[0]:
            cues.pop(0)
            return True
        return False

    async def handle_DATA(self, server, session, envelope):
        moment = now_local()
        with self.lock:
            self.counts["DATA"] += 1
            if STORM[0] <= moment < STORM[1]:
                self.counts["451 (storm)"] += 1
                return "451 4.3.0 Storm: try again later"
            if self.random.random() < RANDOM_451:
                self.counts["451 (random)"] += 1
                return "451 4.7.1 Greylisted, try again later"
            if self._due("before", moment):
                self.counts["dropped before storing"] += 1
                server.transport.abort()
                return "421 4.4.2 dropped"
            message = message_from_bytes(envelope.content, policy=policy.default)
            for rcpt in envelope.rcpt_tos:
                self.received.append((message["Message-ID"], rcpt, moment))
            if self.child is not None:
                self.child_stored += 1
                if self.child_stored >= KILL_AFTER:
                    os.kill(self.child.pid, signal.SIGKILL)
                    self.child.wait()
                    self.child = None
                    self.counts["worker killed after storing"] += 1
                    server.transport.abort()
                    return "421 4.4.2 gone"
            if self._due("after", moment):
                self.counts["dropped after storing"] += 1
                server.transport.abort()
                return "421 4.4.2 dropped"
        return "250 2.0.0 OK"


def start_sink():
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = int(os.environ.get("SOAK_SMTP_PORT", "8439"))
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return sink, controller, port


# --- the child: one tick in its own process (the worker the sink kills) ----------------------


def child_tick(moment):
    setup_django("duban-soak-child-", DEBUG="false")
    import time_machine

    from tracker.tasks import reminders_tick

    with time_machine.travel(datetime.datetime.fromisoformat(moment), tick=True):
        print(reminders_tick(), flush=True)


# --- the parent -----------------------------------------------------------------------------


def import_seeds(office, seeds):
    from tracker.imports.confirm import Decisions
    from tracker.imports.jobs import import_now

    span = (LAST - FIRST).days
    sizes = []
    for n, path in enumerate(seeds):
        documents = {
            str(d): {
                "default_due": (
                    FIRST + datetime.timedelta(days=(7 * n + 11 * d) % span)
                ).isoformat()
            }
            for d in range(300)
        }
        job = import_now(
            office, path.name, path.read_bytes(), Decisions(create_units=True, documents=documents)
        )
        sizes.append((path.name, job.preview["counts"]["documents"], job.result["items_created"]))
    return sizes


def make_people():
    from tracker.models import Unit, User

    def user(username, role, unit=None, delivery=User.Timing.IMMEDIATE):
        return User.objects.create(
            username=username,
            role=role,
            unit=unit,
            delivery=delivery,
            email=f"{username}@soak.example.gov.cn",
            display_name=username,
        )

    for n in (1, 2):
        user(f"office{n}", User.Role.SUPERVISOR)
        user(f"leader{n}", User.Role.LEADER)
    for unit in Unit.objects.order_by("pk"):
        user(f"staff{unit.pk}", User.Role.STAFF, unit)
        user(f"head{unit.pk}", User.Role.UNIT_HEAD, unit, User.Timing.DIGEST)


def ticks():
    day = FIRST
    while day <= LAST:
        moment = datetime.datetime.combine(day, datetime.time(8, 0), SHANGHAI)
        end = datetime.datetime.combine(day, datetime.time(20, 25), SHANGHAI)
        while moment <= end:
            yield moment
            moment += TICK
        day += datetime.timedelta(days=1)


def run_child(sink, moment, port):
    from django.db import connection

    db = connection.settings_dict
    env = dict(
        os.environ,
        DATABASE_URL=(
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        DUBAN_FAKE_NOW="",
    )
    with sink.lock:
        sink.child_stored = 0
        sink.child = subprocess.Popen(
            [sys.executable, __file__, "--tick", moment.isoformat()],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        child = sink.child
    child.wait(timeout=300)
    return child.returncode


def is_sending_time(moment):
    import chinese_calendar

    local = moment.astimezone(SHANGHAI)
    return chinese_calendar.is_workday(local.date()) and SEND_FROM <= local.time() < QUIET


def independent_reminders(first, last):
    """The date reminders (before / due / overdue / escalation) the documented rules give for
    the open dates in the database, day by day over the sending days (chinese_calendar
    directly): 7, 3, 1 working days before and on the day (a holiday counts from the working
    day before it); overdue on the first 3 working days, then every 5; escalated once, on the
    first swept day that finds the date 5 or more working days late."""
    import chinese_calendar

    from tracker.models import Deadline, Item

    def workday(day):
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the package does not know
            return day.weekday() < 5

    dates = list(
        Deadline.objects.filter(
            date__isnull=False, done_at__isnull=True, superseded_at__isnull=True
        ).values_list("item_id", "id", "date")
    )
    undated = Item.objects.exclude(deadlines__date__isnull=False).exclude(due_date=None)
    dates += [(item_id, None, due) for item_id, due in undated.values_list("id", "due_date")]
    dates = [(i, dl, due) for i, dl, due in dates if D(2000, 1, 1) <= due <= last + ONE_YEAR]
    start = min([due for _i, _dl, due in dates] + [first]) - datetime.timedelta(days=30)
    rank, count, day = {}, 0, start
    while day <= last + ONE_YEAR:  # working days from `start` up to and including the day
        count += workday(day)
        rank[day] = count
        day += datetime.timedelta(days=1)

    def between(a, b):  # working days after a up to and including b
        return rank[b] - rank[a]

    days = [first + datetime.timedelta(days=k) for k in range((last - first).days + 1)]
    days = [day for day in days if workday(day)]
    expected = set()
    for item_id, deadline_id, due in dates:
        base = due
        while not workday(base):
            base -= datetime.timedelta(days=1)
        escalated = False
        for day in days:
            if due >= day:
                ahead = between(day, base) if base >= day else -1
                if ahead == 0:
                    expected.add((item_id, deadline_id, "due", 0, day))
                elif ahead in (7, 3, 1):
                    expected.add((item_id, deadline_id, "before", ahead, day))
                continue
            late = between(due, day)
            if 1 <= late <= 3 or (late > 3 and (late - 3) % 5 == 0):
                expected.add((item_id, deadline_id, "overdue", -late, day))
            if late >= 5 and not escalated:
                escalated = True
                expected.add((item_id, deadline_id, "escalation", -late, day))
    return expected


def report(sink, started, sizes, kills):
    from tracker.models import Deadline, Delivery, Item, Notice, Reminder, Unit, User
    from tracker.reminders.mail import message_id

    deliveries = list(Delivery.objects.select_related("recipient"))
    expected = {message_id(d): d for d in deliveries if d.status != Delivery.Status.SKIPPED}
    got = collections.Counter(mid for mid, _rcpt, _at in sink.received)
    received = [mid for mid in got if mid in expected]
    duplicated = sum(n - 1 for mid, n in got.items() if mid in expected)
    lost = [d for mid, d in expected.items() if mid not in got]
    strangers = [mid for mid in got if mid not in expected]
    outside = [(mid, at) for mid, _rcpt, at in sink.received if not is_sending_time(at)]
    marked = {message_id(d) for d in deliveries if d.possibly_duplicate}
    dup_ids = {mid for mid, n in got.items() if n > 1}
    by_kind = collections.Counter(d.kind for d in expected.values())
    by_status = collections.Counter(d.status for d in deliveries)

    mine = set(
        Reminder.objects.exclude(rule=Reminder.Rule.REPORT).values_list(
            "item_id", "deadline_id", "rule", "offset", "date"
        )
    )
    rules = independent_reminders(FIRST, LAST)

    print()
    print(
        f"soak_reminders: {FIRST} to {LAST}, ticks every 5 min 08:00-20:25, "
        f"{time.perf_counter() - started:.0f} s"
    )
    print("seeds: " + "; ".join(f"{name} {docs} docs {items} items" for name, docs, items in sizes))
    print(
        f"sizes: {Item.objects.count()} items, "
        f"{Deadline.objects.filter(date__isnull=False).count()} dated deadlines, "
        f"{Deadline.objects.filter(date__isnull=True).exclude(recurrence='').count()} "
        f"recurring, {Unit.objects.count()} units, {User.objects.count()} users, "
        f"{Reminder.objects.count()} reminders, {Notice.objects.count()} notices"
    )
    print(
        "faults: "
        + ", ".join(f"{k} {v}" for k, v in sorted(sink.counts.items()) if k != "DATA")
        + f"; child ticks run {len(kills)}"
    )
    print()
    rows = [
        ("e-mails expected (Delivery records not skipped)", len(expected)),
        (
            "  of which immediate / daily digest / weekly",
            f"{by_kind['immediate']} / {by_kind['daily']} / {by_kind['weekly']}",
        ),
        ("received (distinct Message-IDs)", len(received)),
        ("duplicated (extra copies received)", duplicated),
        ("  duplicates all marked 可能重复发送", "yes" if dup_ids <= marked else "NO"),
        ("lost (expected, never received)", len(lost)),
        (
            "  of those still pending / failed",
            f"{sum(d.status == 'pending' for d in lost)} / {sum(d.status == 'failed' for d in lost)}",
        ),
        ("received but not expected", len(strangers)),
        ("received outside sending hours", len(outside)),
        ("marked 可能重复发送 (possibly sent twice)", len(marked)),
        ("SMTP DATA commands (attempts seen by the server)", sink.counts["DATA"]),
        ("delivery attempts recorded", sum(d.attempts for d in deliveries)),
        ("deliveries skipped (nothing left to say)", by_status["skipped"]),
        ("date reminders by the rules (independent)", len(rules)),
        ("date reminders recorded", len(mine)),
        ("  missing / extra against the rules", f"{len(rules - mine)} / {len(mine - rules)}"),
    ]
    width = max(len(label) for label, _v in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value:>12}")
    for item in sorted(rules - mine)[:5]:
        print("  missing:", item)
    for item in sorted(mine - rules)[:5]:
        print("  extra:  ", item)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tick", help="(internal) run one tick at this ISO moment and exit")
    args = parser.parse_args()
    if args.tick:
        child_tick(args.tick)
        return
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print(
            "soak_reminders: set DATABASE_URL=postgres://… (the soak kills workers mid-"
            "transaction and needs PostgreSQL)"
        )
        sys.exit(2)
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.exists() else []
    if not seeds:
        print(f"soak_reminders: no seeds at {SEEDS}")
        sys.exit(2)
    sink, controller, port = start_sink()
    os.environ.pop("DUBAN_FAKE_NOW", None)
    setup_django(
        "duban-soak-",
        DEBUG="false",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_TIMEOUT="10",
    )
    logging_quiet()
    import time_machine
    from django.db import connection
    from django.test.utils import setup_test_environment

    from config.celery_app import app as celery_app
    from tracker.models import ReminderSweep, User
    from tracker.tasks import reminders_tick

    setup_test_environment()
    celery_app.conf.task_always_eager = True
    # The mail server is ours: send to it over SMTP, not to Django's test outbox.
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    started = time.perf_counter()
    try:
        import django

        print(
            f"machine:  {cpu_model()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, Django {django.get_version()}"
        )
        print(f"database: {database_version(connection)} ({connection.settings_dict['NAME']})")
        with time_machine.travel(datetime.datetime(2024, 9, 10, 10, tzinfo=SHANGHAI)):
            office = User.objects.create(username="importer", role=User.Role.ADMIN)
            sizes = import_seeds(office, seeds)
            make_people()
            # The system ran before the month: its first day is an ordinary day, not a catch-up.
            ReminderSweep.objects.create(
                date=FIRST - datetime.timedelta(days=1),
                finished_at=datetime.datetime(2024, 9, 17, 9, tzinfo=SHANGHAI),
            )
        kills = []
        for moment in ticks():
            with time_machine.travel(moment, tick=True):
                if moment in KILLED_TICKS:
                    kills.append(run_child(sink, moment, port))
                    connection.close()
                else:
                    reminders_tick()
            if moment.time() == datetime.time(20, 25):
                sys.stdout.write(f"\r{moment:%Y-%m-%d} e-mails received {len(sink.received)}")
                sys.stdout.flush()
        report(sink, started, sizes, kills)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        controller.stop()


def logging_quiet():
    import logging

    logging.getLogger("mail.log").setLevel(logging.ERROR)
    logging.getLogger("tracker").setLevel(logging.CRITICAL)
    logging.getLogger("tracker.reminders").setLevel(logging.CRITICAL)


if __name__ == "__main__":
    main()
