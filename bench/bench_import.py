"""Import the five seed gazettes one after another through the web preview, and time it.

    .venv/bin/python bench/bench_import.py          (or `make bench`)

Each seed is uploaded, parsed (the Celery task runs eagerly in this process, so the parse
time is the worker's), its preview page rendered, and the untouched preview form posted
back to confirm — as the supervision office would. Printed per seed: documents, items
created, and the time of each step. Then the first seed is imported again to time a
re-import (recognised as an update).

Data goes into a throwaway database: Django's test database for DATABASE_URL when it is
PostgreSQL (test_<name>, dropped at the end), else SQLite in a temporary folder. Seeds are
read from ../shared/seeds (BENCH_SEEDS to override); without them the script says so and
exits 0.
"""

import os
import platform
import time
from pathlib import Path

from machine import cpu_model, database_version, setup_django

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("BENCH_SEEDS", ROOT.parent / "shared" / "seeds"))


def configure():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        os.environ.pop("DATABASE_URL", None)
    setup_django("duban-bench-import-", ALLOWED_HOSTS="testserver", AXES_ENABLED="false")


def machine_info(connection):
    print(
        f"cpu: {cpu_model()}; cores: {os.cpu_count()}; python {platform.python_version()}; "
        f"database: {database_version(connection)}"
    )


def form_data(job):
    """The confirm form as a browser posts it when the user changes nothing (the items'
    choices are saved apart, as the office works: here there are none)."""
    data = {"posted": "1", "version": str(job.decisions_version)}
    for index, _unknown in enumerate(job.preview["unknown_units"]):
        data[f"unit-{index}"] = ""
    return data


def import_through_the_web(client, path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tracker.models import ImportJob

    times = {}
    started = time.perf_counter()
    response = client.post(
        reverse("import_upload"), {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    assert response.status_code == 302, response.content[:500]
    job = ImportJob.objects.latest("pk")
    times["upload+parse"] = time.perf_counter() - started
    started = time.perf_counter()
    page = client.get(reverse("import_preview", args=[job.pk]))
    assert page.status_code == 200, (path.name, job.status, job.error)
    times["preview page"] = time.perf_counter() - started
    job.refresh_from_db()
    data = form_data(job)
    started = time.perf_counter()
    response = client.post(reverse("import_preview", args=[job.pk]), data)
    assert response.status_code == 302, response.content[:500]
    times["confirm"] = time.perf_counter() - started
    job.refresh_from_db()
    return job, times, len(path.read_bytes())


def main():
    configure()
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.exists() else []
    if not seeds:
        print(f"bench_import: no seeds at {SEEDS}; nothing to measure")
        return
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from config.celery_app import app as celery_app
    from tracker.models import Item, User

    setup_test_environment()
    celery_app.conf.task_always_eager = True
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        machine_info(connection)
        office = User.objects.create(username="bench", role=User.Role.SUPERVISOR)
        client = Client()
        client.force_login(office)
        print(
            f"{'seed':<34}{'KB':>6}{'docs':>6}{'items':>7}{'upd':>5}"
            f"{'parse s':>9}{'preview s':>11}{'confirm s':>11}{'total s':>9}"
        )
        runs = [(path, path.name) for path in seeds] + [(seeds[0], f"{seeds[0].name} (again)")]
        for path, label in runs:
            job, times, size = import_through_the_web(client, path)
            result = job.result
            print(
                f"{label:<34}{size // 1024:>6}{job.preview['counts']['documents']:>6}"
                f"{result['items_created']:>7}{result['items_updated']:>5}"
                f"{times['upload+parse']:>9.2f}{times['preview page']:>11.2f}"
                f"{times['confirm']:>11.2f}{sum(times.values()):>9.2f}"
            )
        print(f"items in the database: {Item.objects.count()}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
