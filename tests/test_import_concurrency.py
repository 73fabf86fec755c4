"""Two previews of the same file confirmed at the same moment, on PostgreSQL for real: two
requests in two threads, each with its own database connection. The first imports; the second
gets the prepared message, never a 500."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from config.celery_app import app as celery_app
from tests import import_files
from tests.processes import wait_for
from tests.test_import_views import form_data, uploaded
from tracker.imports import confirm
from tracker.models import ImportJob, SourceDocument, SourceFile

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks (SQLite serializes every writer)",
    ),
]


@pytest.fixture(autouse=True)
def setup(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def waiting_on_a_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_finding_10_two_previews_of_one_file_confirmed_at_once(
    users, django_capture_on_commit_callbacks, monkeypatch
):
    office = Client()
    office.force_login(users["supervisor"])
    first = uploaded(
        office,
        "sample_gazette.txt",
        import_files.sample_bytes(),
        django_capture_on_commit_callbacks,
    )
    second = uploaded(
        office,
        "sample_gazette.txt",
        import_files.sample_bytes(),
        django_capture_on_commit_callbacks,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == ImportJob.Status.READY

    # The first confirmation stops inside its transaction, right after writing the file.
    inside, release = threading.Event(), threading.Event()
    original = confirm._Importer.get_source_file

    def get_source_file(importer):
        source = original(importer)
        if importer.job.pk == first.pk:
            inside.set()
            release.wait(timeout=120)
        return source

    monkeypatch.setattr(confirm._Importer, "get_source_file", get_source_file)
    answers = {}

    def confirm_in_a_thread(job):
        client = Client()
        client.force_login(users["supervisor"])
        try:
            answers[job.pk] = client.post(
                reverse("import_preview", args=[job.pk]), form_data(client, job)
            )
        except Exception as exc:  # the test client re-raises what would be a 500
            answers[job.pk] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm_in_a_thread, args=(job,)) for job in (first, second)]
    threads[0].start()
    assert inside.wait(timeout=120)
    threads[1].start()
    # The second confirmation waits for the first: on its lock, or (before the fix) on the
    # unique index of the file the first has written and not yet committed.
    assert wait_for(waiting_on_a_lock, timeout=60, interval=0.1)
    release.set()
    for thread in threads:
        thread.join(timeout=120)

    assert answers[first.pk].status_code == 302
    assert not isinstance(answers[second.pk], Exception), repr(answers[second.pk])
    assert answers[second.pk].status_code == 400
    # The message prepared for a preview made stale by another import, naming the document.
    title = first.preview["documents"][0]["title"]
    assert (
        f"文档“{title}”在预览之后已被他人导入或修改，请重新上传解析。"
        in answers[second.pk].content.decode()
    )
    assert SourceFile.objects.count() == 1
    assert SourceDocument.objects.count() == len(first.preview["documents"])
    second.refresh_from_db()
    assert second.status == ImportJob.Status.READY  # nothing of the second was kept
