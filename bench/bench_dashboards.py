"""Time each dashboard page's server side on a large demo data set, on PostgreSQL.

    .venv/bin/python bench/bench_dashboards.py          (or `make bench`)

The data goes into a throwaway database: Django's test database for DATABASE_URL (a
postgres:// URL from the environment, else postgres://postgres@127.0.0.1:5432/duban_bench),
i.e. test_<name>, created here and dropped at the end. The embedded SQLite file under var/ is
never opened: DUBAN_VAR_DIR points at a temporary folder.

Each page is requested with Django's test client as a leader (who sees everything): one warm-up,
then BENCH_RUNS runs (default 5); the median time and the number of SQL queries are printed for
each data size (BENCH_DASHBOARD_SIZES, default 5000,50000 items across 300 units and 40
leaders). The target: every page under 300 ms, and the same query count at every size.

BENCH_REUSE=1 works in the DATABASE_URL database itself (migrated, kept afterwards, the data
generated only when its item count differs): for profiling again and again. BENCH_EXPLAIN=N
prints, per page, its N slowest queries with their EXPLAIN ANALYZE plans.
"""

import os
import platform
import statistics
import time

from machine import cpu_model, database_version, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/duban_bench"
TARGET_MS = 300


def configure():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        if url:
            print(f"DATABASE_URL is not PostgreSQL ({url.split(':')[0]}); using {DEFAULT_URL}")
        url = DEFAULT_URL
    setup_django("duban-bench-", DATABASE_URL=url, ALLOWED_HOSTS="testserver", AXES_ENABLED="false")


def machine_info(connection):
    cpu = cpu_model()
    database = database_version(connection)
    import django
    import plotly

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"cpu: {cpu}",
        f"cores: {os.cpu_count()}, load average {load} (shared machine)",
        f"python: {platform.python_version()}, django {django.get_version()}, "
        f"plotly {plotly.__version__}",
        f"database: {database}",
    ]


def time_pages(client, pages, runs, explain=0):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {}
    for name, url in pages:
        assert client.get(url).status_code == 200, url  # warm-up (templates, caches)
        timings, warm = [], []
        for _run in range(runs):
            cache.clear()  # cold: every figure computed by the database
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        for _run in range(runs):  # warm: the figures kept by dashboards/cache.py
            with CaptureQueriesContext(connection) as kept:
                started = time.perf_counter()
                assert client.get(url).status_code == 200, url
                warm.append((time.perf_counter() - started) * 1000)
        results[name] = (
            statistics.median(timings),
            len(captured.captured_queries),
            len(response.content),
            statistics.median(warm),
            len(kept.captured_queries),
        )
        if explain:
            print_plans(name, captured.captured_queries, explain)
    return results


def print_plans(name, queries, count):
    """The page's slowest queries (as last run) with their EXPLAIN ANALYZE plans."""
    from django.db import connection

    slowest = sorted(queries, key=lambda q: -float(q["time"]))[:count]
    total = sum(float(q["time"]) for q in queries) * 1000
    print(f"== {name}: {len(queries)} queries, {total:.0f} ms in the database")
    for query in slowest:
        print(f"-- {float(query['time']) * 1000:.0f} ms: {query['sql'][:600]}")
        if query["sql"].lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + query["sql"])
                print("\n".join("   " + row[0] for row in cursor.fetchall()))


def main():
    configure()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from dashboards.demo_data import Sizes, generate
    from dashboards.views import PAGES
    from tracker.models import Item, ItemOwner, ProgressReport, Unit, User

    sizes = [int(n) for n in os.environ.get("BENCH_DASHBOARD_SIZES", "5000,50000").split(",")]
    runs = int(os.environ.get("BENCH_RUNS", "5"))
    explain = int(os.environ.get("BENCH_EXPLAIN", "0"))
    reuse = os.environ.get("BENCH_REUSE") == "1"
    pages = [(name.split(":")[1], reverse(name)) for name, _label in PAGES]
    pages.append(("items", reverse("item_list")))
    old_name = connection.settings_dict["NAME"]
    if reuse:
        call_command("migrate", verbosity=0)
        test_name = old_name
    else:
        test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print("\n".join(machine_info(connection)))
        print(f"throwaway database: {test_name}; {runs} runs per page, median shown")
        table = {}
        for size in sizes:
            started = time.perf_counter()
            if not reuse or Item.objects.count() != size:
                call_command("flush", interactive=False, verbosity=0)
                generate(Sizes(items=size, units=300, leaders=40))
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            generated = time.perf_counter() - started
            print(
                f"data: {Item.objects.count()} items, {Unit.objects.count()} units, "
                f"{ItemOwner.objects.count()} owners, "
                f"{ProgressReport.objects.count()} progress reports "
                f"(generated in {generated:.1f} s)"
            )
            leader, _new = User.objects.get_or_create(
                username=f"bench_leader_{size}", role=User.Role.LEADER
            )
            client = Client()
            client.force_login(leader)
            table[size] = time_pages(client, pages, runs, explain)
        print_table(pages, sizes, table)
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if not reuse:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def print_table(pages, sizes, table):
    header = f"{'page':<10}" + "".join(
        f"{f'{n} items: ms':>18}{'queries':>9}{'KB':>7}{'kept: ms':>10}{'queries':>9}"
        for n in sizes
    )
    print(header)
    print("-" * len(header))
    for name, _url in pages:
        cells = "".join(
            f"{table[n][name][0]:>18.1f}{table[n][name][1]:>9}"
            f"{table[n][name][2] / 1024:>7.0f}{table[n][name][3]:>10.1f}"
            f"{table[n][name][4]:>9}"
            for n in sizes
        )
        print(f"{name:<10}{cells}")
    worst = max(table[n][name][0] for n in sizes for name, _url in pages)
    same = all(len({table[n][name][1] for n in sizes}) == 1 for name, _url in pages)
    kept = max(table[n][name][3] for n in sizes for name, _url in pages)
    print(
        f"figures computed (cache cleared before each run) and kept (dashboards/cache.py, "
        f"Redis with CACHE_URL): slowest kept page {kept:.1f} ms"
    )
    print(
        f"slowest page: {worst:.1f} ms (target < {TARGET_MS} ms: "
        f"{'met' if worst < TARGET_MS else 'NOT met'}); query counts "
        f"{'identical at every size' if same else 'DIFFER between sizes'}"
    )


if __name__ == "__main__":
    main()
