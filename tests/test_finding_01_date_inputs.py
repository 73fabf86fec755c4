"""Finding 1 (inputs): every date a user or a document sets is bounded to the plausible range
(tracker/lib/plausible.py), with a Chinese message: import preview and confirm, workflow forms,
the admin."""

import datetime

import pytest
from django.urls import reverse

from config.celery_app import app as celery_app
from tests import import_files
from tests.test_import_views import form_data, key_of, save, uploaded
from tracker.imports import checks, confirm
from tracker.models import Deadline, ImportJob, Item, Request
from tracker.tracking import actions

D = datetime.date
pytestmark = pytest.mark.django_db
MESSAGE = "超出合理范围"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eager():
    """Run the parse task inside the request, as tests/test_import_views.py does."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def office(client, users):
    client.force_login(users["supervisor"])
    return client


def far_gazette():
    text = import_files.gazette(2).replace("推进第1批工作，2月底前完成", "2099年12月31日前完成")
    return text.encode()


def test_finding_01_a_parsed_date_outside_the_range_is_a_warning_not_a_date(
    office, units, eager, django_capture_on_commit_callbacks
):
    job = uploaded(office, "far.txt", far_gazette(), django_capture_on_commit_callbacks)
    job.refresh_from_db()
    first = job.preview["documents"][0]["items"][0]
    assert first["deadlines"][0]["expr"] == "2099年12月31日前"
    assert first["deadlines"][0]["date"] is None and first["due"] is None
    assert "implausible_date" in first["warnings"]
    page = office.get(reverse("import_preview", args=[job.pk])).content.decode()
    assert str(checks.WARNINGS["implausible_date"]) in page

    response = office.post(reverse("import_preview", args=[job.pk]), form_data(office, job))
    assert response.status_code == 302
    assert not Deadline.objects.filter(date__year=2099).exists()
    assert not Item.objects.filter(due_date__year=2099).exists()


@pytest.mark.parametrize("typed", ["0001-01-01", "0025-06-30", "9999-12-31"])
def test_finding_01_the_preview_refuses_a_typed_due_date_outside_the_range(
    office, units, eager, django_capture_on_commit_callbacks, typed
):
    job = uploaded(
        office,
        "sample_gazette.txt",
        import_files.sample_bytes(),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    # The page saves each typed date at once: one outside the range is refused there.
    response = save(office, job, {"items": {key_of(job, "二.(一).2"): {"due": typed}}})
    assert response.status_code == 400
    assert MESSAGE in response.json()["error"] and "2000-01-01" in response.json()["error"]
    job.refresh_from_db()
    assert job.decisions == {}
    assert not Item.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY


def test_finding_01_confirming_through_the_service_refuses_it_too(
    office, users, units, eager, django_capture_on_commit_callbacks
):
    job = uploaded(
        office,
        "sample_gazette.txt",
        import_files.sample_bytes(),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    decisions = confirm.Decisions(items={key_of(job, "二.(一).2"): {"due": D(9999, 12, 31)}})
    with pytest.raises(checks.ImportRejected, match=MESSAGE):
        confirm.confirm_import(job, users["supervisor"], decisions)
    assert not Item.objects.exists()


@pytest.mark.parametrize("typed", ["0025-06-30", "9999-12-31"])
def test_finding_01_an_extension_request_outside_the_range_is_refused(
    client, users, units, make_item, typed
):
    item = make_item(lead=units["fgj"], status=Item.Status.IN_PROGRESS, due_date=D(2025, 6, 30))
    client.force_login(users["staff"])
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert 'name="new_date"' in page and 'min="2000-01-01"' in page
    response = client.post(
        reverse("item_extension", args=[item.pk]),
        {"version": item.version, "new_date": typed, "reason": "受天气影响"},
    )
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not Request.objects.exists()


def test_finding_01_an_absurd_extension_asked_for_earlier_cannot_be_approved(
    users, units, make_item
):
    item = make_item(lead=units["fgj"], status=Item.Status.IN_PROGRESS, due_date=D(2025, 6, 30))
    request = Request.objects.create(
        item=item,
        kind=Request.Kind.EXTENSION,
        reason="x",
        requested_by=users["staff"],
        new_date=D(9999, 12, 31),
    )
    with pytest.raises(actions.ActionError, match=MESSAGE):
        actions.do_decide_extension(users["supervisor"], request, item.version, True)
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.due_date == D(2025, 6, 30) and request.decision == Request.Decision.PENDING


@pytest.mark.parametrize(
    "field, value", [("received_on", "0001-01-01"), ("due_date", "9999-12-31")]
)
def test_finding_01_an_assignment_with_a_date_outside_the_range_is_refused(
    client, users, units, field, value
):
    client.force_login(users["supervisor"])
    data = {
        "text": "核查群众反映的小区供暖问题",
        "lead": units["fgj"].pk,
        "received_on": "2024-09-30",
        "complexity": "simple",
        field: value,
    }
    response = client.post(reverse("adhoc_create"), data)
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not Item.objects.exists()


def test_finding_01_the_admin_refuses_a_date_outside_the_range(client, users, units, make_item):
    item = make_item(lead=units["fgj"])
    client.force_login(users["admin"])
    response = client.post(
        reverse("admin:tracker_deadline_add"),
        {
            "item": item.pk,
            "kind": "deadline",
            "expr": "",
            "date": "9999-12-31",
            "recurrence": "",
            "what": "",
        },
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not Deadline.objects.exists()
    response = client.post(
        reverse("admin:tracker_deadline_add"),
        {
            "item": item.pk,
            "kind": "deadline",
            "expr": "",
            "date": "2025-06-30",
            "recurrence": "",
            "what": "",
        },
    )
    assert response.status_code == 302 and Deadline.objects.get().date == D(2025, 6, 30)
