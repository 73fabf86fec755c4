"""Import pages: who may use them, bad input, the preview form and its corrections."""

import datetime
import json
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.celery_app import app as celery_app
from tests import import_files
from tests.conftest import PASSWORD
from tracker.imports import confirm, jobs
from tracker.models import ImportJob, Item, ItemOwner, SourceDocument, SourceFile, Unit, UnitAlias

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    """Run the parse task inside the request (view tests only; a real worker is tested apart)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def office(client, users):
    client.force_login(users["supervisor"])
    return client


def upload(client, name, data, capture):
    with capture(execute=True):
        return client.post(reverse("import_upload"), {"file": SimpleUploadedFile(name, data)})


def uploaded(client, name, data, capture):
    response = upload(client, name, data, capture)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def form_data(client, job):
    """Every input of the confirm form as the browser would post it, untouched: the choices
    of the whole import (the items' choices are saved apart, as the office works)."""
    job.refresh_from_db()
    data = {"posted": "1", "version": str(job.decisions_version)}
    for index, _unknown in enumerate(job.preview["unknown_units"]):
        data[f"unit-{index}"] = ""
    return data


def save(client, job, changes, version=None):
    """What the page's script posts for one change: the changes and the version it saw."""
    job.refresh_from_db()
    body = {"version": job.decisions_version if version is None else version, "changes": changes}
    return client.post(
        reverse("import_decisions", args=[job.pk]),
        json.dumps(body),
        content_type="application/json",
    )


def page_state(body):
    """The rows and saved decisions the page hands its script (json_script)."""
    match = re.search(
        r'<script id="review-state" type="application/json">(.*?)</script>', body, re.S
    )
    return json.loads(match.group(1))


def key_of(job, ref):
    for d, doc in enumerate(job.preview["documents"]):
        for i, item in enumerate(doc["items"]):
            if item["ref"] == ref:
                return confirm.item_key(d, i)
    raise KeyError(ref)


def unit_index(job, name):
    return [u["name"] for u in job.preview["unknown_units"]].index(name)


# --- who may import -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        ("staff", 403),
        ("head", 403),
        ("other_staff", 403),
        ("leader", 403),
        ("supervisor", 200),
        ("admin", 200),
    ],
)
def test_only_the_supervision_office_and_admins_may_open_the_upload_page(
    client, users, role, status
):
    client.force_login(users[role])
    assert client.get(reverse("import_upload")).status_code == status


@pytest.mark.parametrize(
    "url_name", ["import_job", "import_status", "import_preview", "import_result"]
)
def test_other_roles_cannot_reach_a_job_by_its_url(client, users, url_name):
    job = jobs.create_job(users["supervisor"], "a.txt", import_files.sample_bytes())
    for role in ("staff", "head", "leader"):
        client.force_login(users[role])
        assert client.get(reverse(url_name, args=[job.pk])).status_code == 403
        assert (
            client.post(reverse("import_preview", args=[job.pk]), {"posted": "1"}).status_code
            == 403
        )
    assert not Item.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("import_upload"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_cannot_upload_either(client, users, django_capture_on_commit_callbacks):
    client.force_login(users["staff"])
    response = upload(
        client, "sample.txt", import_files.sample_bytes(), django_capture_on_commit_callbacks
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_the_nav_shows_import_to_the_office_only(client, users):
    client.force_login(users["supervisor"])
    assert reverse("import_upload") in client.get(reverse("home")).content.decode()
    client.force_login(users["staff"])
    assert reverse("import_upload") not in client.get(reverse("home")).content.decode()


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("公报.xlsx", b"PK\x03\x04 a spreadsheet", "不是有效的Excel 工作簿"),
        ("公报.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("公报.txt", b"", "是空的"),
        ("公报.txt", b"\x00\x01\x02binary\x00" * 100, "二进制文件"),
        ("公报.txt", b"\xff\x80" * 50, "无法识别文件"),
    ],
)
def test_bad_uploads_show_the_message_on_the_upload_page_and_store_nothing(
    office, name, data, message, django_capture_on_commit_callbacks
):
    response = upload(office, name, data, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists() and not SourceFile.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    office, settings, django_capture_on_commit_callbacks
):
    settings.DUBAN_MAX_UPLOAD_BYTES = 2048
    response = upload(
        office, "big.txt", import_files.sample_bytes(), django_capture_on_commit_callbacks
    )
    assert response.status_code == 400
    assert "过大" in response.content.decode() and "上限为" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_posting_without_a_file_asks_for_one(office):
    response = office.post(reverse("import_upload"), {})
    assert response.status_code == 400 and "请选择要上传的文件" in response.content.decode()


def test_a_file_without_items_ends_on_a_page_that_says_so(
    office, eager, django_capture_on_commit_callbacks
):
    job = uploaded(
        office,
        "通知.txt",
        "一段没有文号和任务的文字。".encode(),
        django_capture_on_commit_callbacks,
    )
    page = office.get(reverse("import_job", args=[job.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "没有找到督办事项" in body and "没有生成任何督办事项" in body
    assert office.get(reverse("import_preview", args=[job.pk])).status_code == 302
    assert not SourceFile.objects.exists() and not Item.objects.exists()


# --- progress -------------------------------------------------------------------------------


def test_a_pending_job_shows_progress_and_its_status_as_json(
    office, django_capture_on_commit_callbacks
):
    job = uploaded(
        office, "sample.txt", import_files.sample_bytes(), django_capture_on_commit_callbacks
    )  # no eager: nothing runs the task
    page = office.get(reverse("import_job", args=[job.pk])).content.decode()
    assert 'id="import-bar"' in page and "import.js" in page
    status = office.get(reverse("import_status", args=[job.pk])).json()
    assert status == {
        "status": "pending",
        "progress": 0,
        "stage": "等待解析",
        "error": "",
        "next": None,
    }
    jobs.run_import_job(job.pk)
    status = office.get(reverse("import_status", args=[job.pk])).json()
    assert status["status"] == "ready" and status["next"] == reverse(
        "import_preview", args=[job.pk]
    )
    assert office.get(reverse("import_job", args=[job.pk]))["Location"] == status["next"]


# --- preview and confirm --------------------------------------------------------------------


def test_upload_preview_and_confirm_with_corrections(
    office, units, eager, django_capture_on_commit_callbacks
):
    market = Unit.objects.create(name="区市场监督管理局")
    job = uploaded(
        office,
        "sample_gazette.txt",
        import_files.sample_bytes(),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    page = office.get(reverse("import_job", args=[job.pk]), follow=True)
    body = page.content.decode()
    assert "示政办发〔2025〕3号" in body and "区市场监管局" in body
    # every item of the sample has a date the parser reads (秋季开学前 included)
    rows = page_state(body)["rows"]
    assert "责任单位未匹配到系统中的单位" in body and not any(
        "no_date" in r["warnings"] for r in rows
    )
    assert len(rows) == 11

    charging = key_of(job, "二.(一).2")
    response = save(
        office,
        job,
        {
            "items": {
                key_of(job, "¶1"): {"include": False},
                charging: {
                    "text": "新建公共充电桩600个，12月底前全部投入使用。",
                    "due": "2025-11-30",
                    "co": ["区财政局", "区教育局"],
                },
            }
        },
    )
    assert response.status_code == 200 and response.json() == {"version": 1}
    data = form_data(office, job)
    data[f"unit-{unit_index(job, '区市场监管局')}"] = str(market.pk)
    data[f"unit-{unit_index(job, '区农业农村局')}"] = "new"
    response = office.post(reverse("import_preview", args=[job.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse(
        "import_result", args=[job.pk]
    )
    result = office.get(response["Location"]).content.decode()
    assert "新建事项" in result and "<b>10</b>" in result
    item = Item.objects.get(ref="二.(一).2")
    assert reverse("item_detail", kwargs={"pk": item.pk}) in result
    assert f"{reverse('item_list')}?document={item.document_id}" in result
    assert item.text.startswith("新建公共充电桩600个")
    assert item.due_date == datetime.date(2025, 11, 30)
    assert set(item.owners.filter(role=ItemOwner.Role.CO).values_list("name", flat=True)) == {
        "区财政局",
        "区教育局",
    }
    assert UnitAlias.objects.get(key="区市场监管局").unit == market
    assert Unit.objects.filter(name="区农业农村局").exists()
    assert not Item.objects.filter(ref="¶1").exists()
    assert office.get(reverse("import_preview", args=[job.pk]))["Location"] == reverse(
        "import_job", args=[job.pk]
    )


def test_a_bad_date_keeps_every_choice_and_creates_nothing(
    office, units, eager, django_capture_on_commit_callbacks
):
    market = Unit.objects.create(name="区市场监督管理局")
    job = uploaded(
        office,
        "sample_gazette.txt",
        import_files.sample_bytes(),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    charging = key_of(job, "二.(一).2")
    skipped = key_of(job, "¶1")
    assert (
        save(
            office,
            job,
            {"items": {skipped: {"include": False}, charging: {"text": "我改过的任务内容"}}},
        ).status_code
        == 200
    )
    response = save(office, job, {"items": {charging: {"due": "2025-02-30"}}})
    assert response.status_code == 400 and "不是有效日期" in response.json()["error"]
    data = form_data(office, job)
    data[f"unit-{unit_index(job, '区市场监管局')}"] = str(market.pk)
    data["default_due-0"] = "date"
    data["default_due_date-0"] = "2025-02-30"
    response = office.post(reverse("import_preview", args=[job.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "不是有效日期" in body
    # Every choice saved so far is still there, on the page and for whoever opens it next.
    body = office.get(reverse("import_preview", args=[job.pk])).content.decode()
    state = page_state(body)
    assert state["decisions"]["items"][charging] == {"text": "我改过的任务内容"}
    assert state["decisions"]["items"][skipped] == {"include": False}
    assert f'<option value="{market.pk}" selected>' in body
    assert not SourceDocument.objects.exists() and not Item.objects.exists()
    assert not UnitAlias.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY


def test_an_empty_task_text_or_nothing_selected_is_refused(
    office, eager, django_capture_on_commit_callbacks
):
    job = uploaded(
        office,
        "sample_gazette.txt",
        import_files.sample_bytes(),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    charging = key_of(job, "二.(一).2")
    save(office, job, {"items": {charging: {"text": "   "}}})
    response = office.post(reverse("import_preview", args=[job.pk]), form_data(office, job))
    assert response.status_code == 400
    assert "任务内容不能为空" in page_state(response.content.decode())["errors"][charging]
    all_keys = [
        confirm.item_key(d, i)
        for d, doc in enumerate(job.preview["documents"])
        for i in range(len(doc["items"]))
    ]
    save(office, job, {"items": {key: {"include": False} for key in all_keys}})
    response = office.post(reverse("import_preview", args=[job.pk]), form_data(office, job))
    assert response.status_code == 400 and "没有勾选任何事项" in response.content.decode()
    assert not Item.objects.exists()


def test_a_preview_of_200_items_renders_and_confirms(
    office, eager, django_capture_on_commit_callbacks
):
    job = uploaded(
        office, "长清单.txt", import_files.gazette(200).encode(), django_capture_on_commit_callbacks
    )
    page = office.get(reverse("import_preview", args=[job.pk]))
    assert len(page_state(page.content.decode())["rows"]) == 200
    job.refresh_from_db()
    response = office.post(reverse("import_preview", args=[job.pk]), form_data(office, job))
    assert response.status_code == 302, re.findall(
        r"id=\"preview-error\">(.*?)<", response.content.decode()
    )
    assert Item.objects.count() == 200


def test_reimporting_the_same_file_is_offered_as_an_update(
    office, users, eager, django_capture_on_commit_callbacks
):
    jobs.import_now(users["supervisor"], "sample_gazette.txt", import_files.sample_bytes())
    item = Item.objects.get(ref="二.(一).2")
    item.percent = 50
    item.save()
    job = uploaded(
        office,
        "sample_gazette.txt",
        import_files.sample_bytes(),
        django_capture_on_commit_callbacks,
    )
    body = office.get(reverse("import_preview", args=[job.pk])).content.decode()
    assert "这个文件此前已导入过" in body
    row = next(r for r in page_state(body)["rows"] if r["ref"] == "二.(一).2")
    assert row["match"]["percent"] == 50 and row["differences"] == []
    job.refresh_from_db()
    response = office.post(reverse("import_preview", args=[job.pk]), form_data(office, job))
    assert response.status_code == 302
    assert Item.objects.count() == 11
    item.refresh_from_db()
    assert item.percent == 50


def test_the_upload_page_lists_recent_jobs(office, users):
    jobs.create_job(users["supervisor"], "最近的公报.txt", import_files.sample_bytes())
    body = office.get(reverse("import_upload")).content.decode()
    assert "最近的公报.txt" in body and "排队中" in body


def test_the_office_logs_in_and_finds_the_upload_form(client, users):
    response = client.post("/accounts/login/", {"username": "supervisor", "password": PASSWORD})
    assert response.status_code == 302
    assert "上传并解析" in client.get(reverse("import_upload")).content.decode()


def test_all_five_seeds_import_one_after_another_through_the_web_preview(
    office, eager, capsys, django_capture_on_commit_callbacks
):
    seeds = sorted(import_files.SEEDS.glob("*.txt")) if import_files.SEEDS.exists() else []
    if not seeds:
        pytest.skip(f"seeds not found at {import_files.SEEDS}")
    total = 0
    for path in seeds:
        started = time.perf_counter()
        job = uploaded(office, path.name, path.read_bytes(), django_capture_on_commit_callbacks)
        preview = office.get(reverse("import_job", args=[job.pk]), follow=True)
        assert preview.status_code == 200, path.name
        job.refresh_from_db()
        assert job.status == ImportJob.Status.READY, (path.name, job.error)
        response = office.post(reverse("import_preview", args=[job.pk]), form_data(office, job))
        assert response.status_code == 302, (path.name, response.content.decode()[:1000])
        job.refresh_from_db()
        created = job.result["items_created"] + job.result["items_updated"]
        assert created == job.preview["counts"]["items"] > 0
        total += job.result["items_created"]
        with capsys.disabled():
            print(
                f"\n  {path.name}: {job.preview['counts']['documents']} documents, "
                f"{job.result['items_created']} items created, "
                f"{job.result['items_updated']} updated, {time.perf_counter() - started:.2f}s"
            )
    assert Item.objects.count() == total


@pytest.mark.parametrize("value", ["²", "١٢", "-3", "3.0", "99999999999999999999999"])
def test_finding_11_a_unit_mapping_that_is_not_an_id_is_refused_with_a_message(
    office, units, eager, django_capture_on_commit_callbacks, value
):
    job = uploaded(
        office,
        "sample_gazette.txt",
        import_files.sample_bytes(),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    data = form_data(office, job)
    data[f"unit-{unit_index(job, '区市场监管局')}"] = value
    response = office.post(reverse("import_preview", args=[job.pk]), data)
    assert response.status_code == 400
    assert "所选单位不存在，请重新选择。" in response.content.decode()
    assert not Item.objects.exists() and not UnitAlias.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY


def test_finding_10_a_collision_with_a_concurrent_change_is_refused_with_a_message(
    office, eager, django_capture_on_commit_callbacks, monkeypatch
):
    """Whatever else was written meanwhile and collides with the import on a unique index."""
    from django.db import IntegrityError

    job = uploaded(
        office,
        "sample_gazette.txt",
        import_files.sample_bytes(),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()

    def collide(importer):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(confirm._Importer, "run", collide)
    response = office.post(reverse("import_preview", args=[job.pk]), form_data(office, job))
    assert response.status_code == 400
    assert "导入的内容在预览之后已被他人导入或修改，请重新上传解析。" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
