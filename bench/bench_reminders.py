"""Time the reminder sweep over many items and show its query count does not grow with them.

    .venv/bin/python bench/bench_reminders.py          (or `make bench`)

The data goes into a throwaway database made by Django's test-database machinery: test_<name>
of DATABASE_URL when that is set (PostgreSQL), else a SQLite file in a temporary folder
(DUBAN_VAR_DIR points there, so var/duban.sqlite3 is never opened). E-mail uses the locmem
backend: no SMTP is involved in any figure.

Sizes (BENCH_REMINDER_SIZES, default "10000:1000,100000:1000,100000:10000", items:needing):
each line is one sweep of a day (a Wednesday, 2024-06-12) over that many open items, of which
`needing` have a deadline that fires that day (7/3/1 working days before, on the day, overdue,
escalation) and the rest are due months later. 50 units with a staff member and a unit head each.
After the sweep the e-mails are planned, built and sent (locmem) to show the whole run
("deliver s", mostly the claims' and plans' committed writes); "build ms" / "max ms" then time
building each sent e-mail once more on its own (mean and slowest: its query and templates).
"""

import datetime
import os
import platform
import time

from machine import cpu_model, database_version, setup_django

TODAY = datetime.date(2024, 6, 12)
UNITS = 50


def configure():
    os.environ.pop("EMAIL_HOST", None)
    setup_django(
        "duban-bench-reminders-",
        DEBUG="false",  # no query log outside the measured blocks
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )


def machine_info(connection):
    cpu = cpu_model()
    database = database_version(connection)
    import django

    print(
        f"machine:  {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Django {django.get_version()}"
    )
    print(f"database: {database} ({connection.settings_dict['NAME']})")


def sizes():
    spec = os.environ.get("BENCH_REMINDER_SIZES", "10000:1000,100000:1000,100000:10000")
    return [tuple(int(n) for n in part.split(":")) for part in spec.split(",")]


class Data:
    """Grows the synthetic data in place: more items, then more of them needing reminders."""

    def __init__(self):
        from tracker.lib.workdays import WorkdayCalendar
        from tracker.models import ReminderSettings, Unit, User

        self.calendar = WorkdayCalendar()
        self.units = Unit.objects.bulk_create(
            [Unit(name=f"区测试局{n:02d}", kind=Unit.Kind.CITY_DEPARTMENT) for n in range(UNITS)]
        )
        users = []
        for unit in self.units:
            for role in (User.Role.STAFF, User.Role.UNIT_HEAD):
                users.append(
                    User(
                        username=f"{role}-{unit.pk}",
                        role=role,
                        unit=unit,
                        email=f"{role}-{unit.pk}@example.gov.cn",
                        password="!",
                    )
                )
        users.append(
            User(
                username="office", role=User.Role.SUPERVISOR, email="o@example.gov.cn", password="!"
            )
        )
        User.objects.bulk_create(users)
        ReminderSettings.load()
        cal, day = self.calendar, TODAY
        # Dates due that fire on TODAY, and one that does not (due months later).
        self.firing = [
            cal.add_workdays(day, 7),
            cal.add_workdays(day, 3),
            cal.add_workdays(day, 1),
            day,
            cal.add_workdays(day, -1),
            cal.add_workdays(day, -2),
            cal.add_workdays(day, -3),
            cal.add_workdays(day, -5),
            cal.add_workdays(day, -8),
        ]
        self.quiet = [day + datetime.timedelta(days=60 + n) for n in range(200)]
        self.items = 0
        self.needing = 0

    def grow(self, items, needing):
        from tracker.models import Deadline, Item, ItemOwner

        created = datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC)
        batch = 5000
        while self.items < items:
            n = min(batch, items - self.items)
            rows = Item.objects.bulk_create(
                [
                    Item(
                        text=f"示范任务{self.items + i}",
                        status=Item.Status.IN_PROGRESS,
                        due_date=self.quiet[(self.items + i) % len(self.quiet)],
                        created_at=created,
                    )
                    for i in range(n)
                ]
            )
            ItemOwner.objects.bulk_create(
                [
                    ItemOwner(
                        item=item,
                        role=ItemOwner.Role.LEAD,
                        name="lead",
                        unit=self.units[item.pk % UNITS],
                    )
                    for item in rows
                ]
            )
            Deadline.objects.bulk_create(
                [Deadline(item=item, expr="年内", date=item.due_date) for item in rows]
            )
            self.items += n
        if needing > self.needing:
            ids = list(
                Item.objects.order_by("id").values_list("id", flat=True)[self.needing : needing]
            )
            for k, date in enumerate(self.firing):
                chosen = ids[k :: len(self.firing)]
                Item.objects.filter(id__in=chosen).update(due_date=date)
                Deadline.objects.filter(item_id__in=chosen).update(date=date)
            self.needing = needing


def clear_reminders():
    from tracker.models import Delivery, Notice, Reminder, ReminderSweep

    for model in (Notice, Delivery, Reminder, ReminderSweep):
        model.objects.all()._raw_delete(model.objects.db)
    previous = TODAY - datetime.timedelta(days=1)
    ReminderSweep.objects.create(
        date=previous,
        finished_at=datetime.datetime(
            previous.year, previous.month, previous.day, 9, tzinfo=datetime.UTC
        ),
    )


def measure(data, items, needing):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.models import Delivery
    from tracker.reminders import mail, plan, sweep

    data.grow(items, needing)
    clear_reminders()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = sweep.sweep(TODAY)
        sweep_s = time.perf_counter() - start
    moment = datetime.datetime.combine(
        TODAY, datetime.time(9, 0), tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    start = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
    plan.plan_deliveries(moment)
    outcome = mail.send_deliveries(plan.sendable(), moment=moment)
    deliver_s = time.perf_counter() - start
    if os.environ.get("BENCH_PROFILE"):
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    sent = list(Delivery.objects.filter(status=Delivery.Status.SENT).select_related("recipient"))
    builds = []  # building each message again (query + templates, no sending, no claims)
    for delivery in sent:
        start = time.perf_counter()
        mail.build_message(delivery)
        builds.append((time.perf_counter() - start) * 1000)
    print(
        f"{items:>8} {needing:>8} {result['reminders']:>10} {result['notices']:>8} "
        f"{sweep_s:>8.2f} {len(queries):>8} {len(sent):>6} {deliver_s:>9.2f} "
        f"{sum(builds) / len(builds):>9.1f} {max(builds):>9.1f}  {dict(outcome)}"
    )


def main():
    configure()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        machine_info(connection)
        print(
            f"day swept: {TODAY} (window: that day), units: {UNITS}, "
            f"recipients per unit: 2, e-mail: locmem (no SMTP)"
        )
        print(
            f"{'items':>8} {'needing':>8} {'reminders':>10} {'notices':>8} {'sweep s':>8} "
            f"{'queries':>8} {'mails':>6} {'deliver s':>9} {'build ms':>9} {'max ms':>9}"
        )
        data = Data()
        for items, needing in sizes():
            measure(data, items, needing)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
