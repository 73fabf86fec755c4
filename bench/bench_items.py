"""Time the item list, the item page and the 台账 export on a large demo data set, on PostgreSQL.

    .venv/bin/python bench/bench_items.py          (or `make bench`)

Same throwaway database and data generator as bench/bench_dashboards.py (its helpers are
reused). For each size (BENCH_ITEM_SIZES, default 5000,50000 items across 300 units) each URL is
requested as a leader (who sees everything) and as a department staff member (whose list is
scoped by visible_to): one warm-up, then BENCH_RUNS runs (default 5); the median time and the
number of SQL queries are printed. The target: list and item pages under 300 ms with the same
query count at every size; the export is reported, it grows with the rows it writes.
BENCH_EXPLAIN=1 also prints EXPLAIN ANALYZE of the list's text search (does it use the pg_trgm
indexes of migration 0006?).
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboards import configure, machine_info, time_pages  # noqa: E402

TARGET_MS = 300


def main():
    configure()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from dashboards.demo_data import Sizes, generate
    from tracker.models import Item, ItemOwner, ItemPerson, User

    sizes = [int(n) for n in os.environ.get("BENCH_ITEM_SIZES", "5000,50000").split(",")]
    runs = int(os.environ.get("BENCH_RUNS", "5"))
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    rows = []
    try:
        print("\n".join(machine_info(connection)))
        print(f"throwaway database: {test_name}; {runs} runs per URL, median shown")
        for size in sizes:
            call_command("flush", interactive=False, verbosity=0)
            started = time.perf_counter()
            generate(Sizes(items=size, units=300, leaders=40))
            print(
                f"data: {Item.objects.count()} items, {ItemOwner.objects.count()} owners "
                f"(generated in {time.perf_counter() - started:.1f} s)"
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            busiest = (
                ItemOwner.objects.exclude(unit=None)
                .values("unit")
                .annotate(n=Count("id"))
                .order_by("-n")
                .first()
            )
            unit_items = busiest["n"]
            leader_name = (
                ItemPerson.objects.filter(role="leader").values_list("name", flat=True).first()
            )
            leader = User.objects.create(username=f"bl{size}", role=User.Role.LEADER)
            staff = User.objects.create(
                username=f"bs{size}", role=User.Role.STAFF, unit_id=busiest["unit"]
            )
            item = Item.objects.filter(owners__unit_id=busiest["unit"]).first()
            unit = busiest["unit"]
            urls = [
                ("list", reverse("item_list")),
                ("list unit+state", f"{reverse('item_list')}?unit={unit}&state=overdue"),
                ("list leader+due", f"{reverse('item_list')}?leader={leader_name}&due=30&sort=due"),
                ("list search", f"{reverse('item_list')}?q=改造"),
                ("list search 5 chars", f"{reverse('item_list')}?q=智慧停车场"),
                ("list search no match", f"{reverse('item_list')}?q=不存在的事项"),
                ("list page 50", f"{reverse('item_list')}?page=50"),
                ("item page", reverse("item_detail", args=[item.pk])),
                (f"export unit ({unit_items})", f"{reverse('item_export')}?unit={unit}"),
            ]
            if os.environ.get("BENCH_EXPLAIN"):
                explain_search(leader, ["改造", "智慧停车场", "不存在的事项"])
            for who, user in [("leader", leader), ("staff", staff)]:
                client = Client()
                client.force_login(user)
                for name, (ms, queries) in time_pages(client, urls, runs).items():
                    rows.append((size, who, name, ms, queries))
        print(f"{'items':>7} {'user':<7} {'url':<22}{'ms':>9}{'queries':>9}")
        for size, who, name, ms, queries in rows:
            print(f"{size:>7} {who:<7} {name:<22}{ms:>9.1f}{queries:>9}")
        pages = [r for r in rows if not r[2].startswith("export")]
        worst = max(r[3] for r in pages)
        print(
            f"slowest list or item page: {worst:.1f} ms (target < {TARGET_MS} ms: "
            f"{'met' if worst < TARGET_MS else 'NOT met'})"
        )
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def explain_search(user, words):
    """EXPLAIN ANALYZE of the list's text search (BENCH_EXPLAIN=1): does it use an index?"""
    from django.http import QueryDict

    from tracker.models import Item
    from tracker.tracking.filters import ItemFilter

    visible = Item.objects.visible_to(user)
    for word in words:
        queryset = ItemFilter(
            QueryDict(f"q={word}"), user=user, queryset=visible.with_state()
        ).sorted()
        print(f"EXPLAIN ANALYZE list search q={word}:")
        print(queryset[:30].explain(analyze=True))


if __name__ == "__main__":
    main()
