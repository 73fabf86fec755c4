"""The preview's choices are saved on the job as the office works: versions, conflicts, bad
changes, a reload or another person, and a confirm (web or command) that applies them."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests import import_files
from tracker.imports import confirm, decisions, jobs
from tracker.models import ImportJob, Item, ItemOwner

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(users):
    return jobs.run_import_job(
        jobs.create_job(users["supervisor"], "sample_gazette.txt", import_files.sample_bytes()).pk
    )


@pytest.fixture
def office(client, users):
    client.force_login(users["supervisor"])
    return client


def key_of(job, ref):
    return next(
        confirm.item_key(d, i)
        for d, doc in enumerate(job.preview["documents"])
        for i, item in enumerate(doc["items"])
        if item["ref"] == ref
    )


def post(client, job, version, changes):
    return client.post(
        reverse("import_decisions", args=[job.pk]),
        json.dumps({"version": version, "changes": changes}),
        content_type="application/json",
    )


def test_each_change_is_saved_with_a_new_version(office, job):
    charging = key_of(job, "二.(一).2")
    response = post(office, job, 0, {"items": {charging: {"include": False}}})
    assert response.status_code == 200 and response.json() == {"version": 1}
    response = post(
        office,
        job,
        1,
        {"items": {charging: {"due": "2025-10-31", "lead": ["区财政局", " 区财政局 "]}}},
    )
    assert response.json() == {"version": 2}
    job.refresh_from_db()
    assert job.decisions["items"][charging] == {
        "include": False,
        "due": "2025-10-31",
        "lead": ["区财政局"],
    }
    post(office, job, 2, {"unset": [[charging, "lead"]]})
    job.refresh_from_db()
    assert job.decisions["items"][charging] == {"include": False, "due": "2025-10-31"}


def test_a_change_made_on_an_older_version_is_refused_with_the_current_state(office, job):
    charging = key_of(job, "二.(一).2")
    assert (
        post(office, job, 0, {"items": {charging: {"text": "第一位同事的修改"}}}).status_code == 200
    )
    # A second person, whose page still shows version 0, drops the item.
    response = post(office, job, 0, {"items": {charging: {"include": False}}})
    assert response.status_code == 409
    assert response.json() == {
        "version": 1,
        "decisions": {
            "items": {charging: {"text": "第一位同事的修改"}},
            "units": {},
            "create_units": False,
            "documents": {},
            "links": [],
        },
    }
    job.refresh_from_db()
    assert job.decisions_version == 1 and "include" not in job.decisions["items"][charging]
    # The page takes the current state and sends its change again: both are kept.
    assert post(office, job, 1, {"items": {charging: {"include": False}}}).status_code == 200
    job.refresh_from_db()
    assert job.decisions["items"][charging] == {"text": "第一位同事的修改", "include": False}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"items": {"9-9": {"include": False}}}, "事项不存在"),
        ({"items": {"0-0": {"due": "2025-02-30"}}}, "不是有效日期"),
        ({"items": {"0-0": {"due": "0025-06-30"}}}, "0025"),
        ({"items": {"0-0": {"owner": "区财政局"}}}, "格式有误"),
        ({"items": {"0-0": {"lead": "区财政局"}}}, "格式有误"),
        ({"items": {"0-0": {"merge": {"text": "both"}}}}, "格式有误"),
        ({"units": {"不在预览中的名称": "new"}}, "所选单位不存在"),
        ({"documents": {"7": {"default_due": "none"}}}, "格式有误"),
    ],
)
def test_a_change_that_cannot_be_stored_is_refused_and_stores_nothing(
    office, job, changes, message
):
    response = post(office, job, 0, changes)
    assert response.status_code == 400 and message in response.json()["error"]
    job.refresh_from_db()
    assert job.decisions == {} and job.decisions_version == 0


def test_a_body_that_is_not_json_is_refused(office, job):
    response = office.post(
        reverse("import_decisions", args=[job.pk]), "{", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"] == "修改内容格式有误。"


def test_a_confirmed_job_takes_no_more_changes(office, job, users):
    confirm.confirm_import(job, users["supervisor"])
    response = post(office, job, 0, {"items": {"0-0": {"include": False}}})
    assert response.status_code == 400 and "已经确认过" in response.json()["error"]


def test_the_confirm_button_applies_what_was_saved(office, job, units):
    charging, skipped = key_of(job, "二.(一).2"), key_of(job, "¶1")
    post(
        office,
        job,
        0,
        {
            "items": {
                charging: {"due": "2025-10-31", "co": ["区教育局"]},
                skipped: {"include": False},
            },
            "create_units": True,
        },
    )
    page = office.get(reverse("import_preview", args=[job.pk])).content.decode()
    assert 'id="create-units" checked' in page  # a reload shows the saved choice
    response = office.post(
        reverse("import_preview", args=[job.pk]),
        {"posted": "1", "version": "1", "create_units": "on"},
    )
    assert response.status_code == 302
    item = Item.objects.get(ref="二.(一).2")
    assert item.due_date == datetime.date(2025, 10, 31)
    assert list(item.owners.filter(role="co").values_list("name", flat=True)) == ["区教育局"]
    assert not Item.objects.filter(ref="¶1").exists()
    assert not ItemOwner.objects.filter(unit=None, group=None).exists()


def test_a_confirm_posted_on_an_older_version_asks_to_check_first(office, job):
    post(office, job, 0, {"items": {key_of(job, "¶1"): {"include": False}}})
    response = office.post(
        reverse("import_preview", args=[job.pk]), {"posted": "1", "version": "0"}
    )
    assert response.status_code == 409 and "其他人刚修改了" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and not Item.objects.exists()


def test_the_command_saves_and_confirms_the_decisions_the_page_would(users, tmp_path, job, office):
    """The command's choices are stored on its job exactly as the page stores the same ones."""
    office.post(
        reverse("import_preview", args=[job.pk]),
        {
            "posted": "1",
            "version": "0",
            "create_units": "on",
            "default_due-0": "period",
            "default_due-1": "period",
        },
    )
    job.refresh_from_db()
    path = tmp_path / "sample_gazette.txt"
    path.write_bytes(import_files.sample_bytes())
    out = StringIO()
    call_command(
        "import_file",
        str(path),
        "--user",
        users["supervisor"].username,
        "--json",
        "--create-units",
        "--default-due",
        "period",
        stdout=out,
    )
    other = ImportJob.objects.get(pk=json.loads(out.getvalue())["job"])
    page_docs = {
        d: {k: v for k, v in c.items() if k == "default_due"}
        for d, c in job.decisions["documents"].items()
    }
    command_docs = {
        d: {k: v for k, v in c.items() if k == "default_due"}
        for d, c in other.decisions["documents"].items()
    }
    assert page_docs == command_docs and other.decisions["create_units"] is True
    assert decisions.load(other).create_units
