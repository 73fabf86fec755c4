"""Finding 6: an import that parses too long stops at its time limit with a clear message, the
job marked failed (not left "parsing"), and the worker goes on with the next import."""

import datetime

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse
from django.utils import timezone

from tests import import_files
from tracker import tasks
from tracker.imports import jobs
from tracker.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_finding_06_the_parse_task_has_a_time_limit_of_its_own(settings):
    assert tasks.parse_import.soft_time_limit == settings.DUBAN_IMPORT_TIME_LIMIT == 300
    assert tasks.parse_import.time_limit == settings.DUBAN_IMPORT_HARD_TIME_LIMIT == 330


def test_finding_06_a_job_out_of_time_fails_with_a_message_and_the_next_one_parses(
    client, users, monkeypatch
):
    slow = jobs.create_job(users["supervisor"], "很大的公报.txt", import_files.sample_bytes())
    real_parse = jobs.parse_text

    def out_of_time(text, name):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(jobs, "parse_text", out_of_time)
    tasks.parse_import(slow.pk)
    slow.refresh_from_db()
    assert slow.status == ImportJob.Status.FAILED
    assert "超过 300 秒仍未完成" in slow.error and "很大的公报.txt" in slow.error
    client.force_login(users["supervisor"])
    page = client.get(reverse("import_job", args=[slow.pk])).content.decode()
    assert "超过 300 秒仍未完成" in page and "重新上传" in page

    monkeypatch.setattr(jobs, "parse_text", real_parse)
    other = jobs.create_job(users["supervisor"], "公报.txt", import_files.sample_bytes())
    tasks.parse_import(other.pk)
    other.refresh_from_db()
    assert other.status == ImportJob.Status.READY


def test_finding_06_a_job_whose_worker_was_killed_at_the_limit_is_shown_failed(client, users):
    job = jobs.create_job(users["supervisor"], "公报.txt", import_files.sample_bytes())
    long_ago = timezone.now() - datetime.timedelta(seconds=400)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PARSING, updated_at=long_ago)
    client.force_login(users["supervisor"])
    status = client.get(reverse("import_status", args=[job.pk])).json()
    assert status["status"] == "failed" and "超过 300 秒仍未完成" in status["error"]

    fresh = jobs.create_job(users["supervisor"], "公报.txt", import_files.sample_bytes())
    ImportJob.objects.filter(pk=fresh.pk).update(status=ImportJob.Status.PARSING)
    assert client.get(reverse("import_status", args=[fresh.pk])).json()["status"] == "parsing"
