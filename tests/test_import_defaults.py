"""Default due dates (默认期限) on import, and the import_file command over the seeds."""

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tracker.imports import confirm, jobs
from tracker.imports.preview import due_options
from tracker.models import Deadline, Item, ItemOwner

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def plan_gazette(title="关于印发示范区2023—2025年测试行动方案的通知"):
    lines = [
        "示范区人民政府办公室",
        "",
        title,
        "",
        "示政办发〔2024〕77号",
        "",
        "各镇人民政府、街道办事处，区直各有关单位：",
        "",
        "现将方案印发给你们，请认真贯彻落实。",
        "",
        "示范区人民政府办公室",
        "",
        "2024年3月5日",
        "",
        "一、重点任务",
        "",
        "1.完成农田灌溉设施改造，6月底前完成。〔责任单位：区水务局〕",
        "",
        "2.持续推进公共服务平台建设，长期坚持。〔责任单位：区数据局〕",
        "",
        "3.健全基层应急队伍，每季度报送进展。〔责任单位：区应急管理局〕",
        "",
    ]
    return "\n".join(lines).encode()


def test_due_options_read_the_year_and_the_stated_period():
    signed = datetime.date(2024, 3, 5)
    today = datetime.date(2025, 1, 1)
    assert due_options("关于2023—2025年行动方案", "", signed, today) == {
        "year_end": "2024-12-31",
        "period": "2025-12-31",
        "period_text": "2023—2025年",
    }
    assert due_options("关于做好安全生产工作的通知", "", signed, today)["period"] is None
    assert due_options("无日期", "", None, today)["year_end"] == "2025-12-31"
    assert due_options("", "实施期为2024年至2026年。", signed, today)["period"] == "2026-12-31"


@pytest.mark.parametrize(
    "choice, expected",
    [
        (None, datetime.date(2024, 12, 31)),
        ("year_end", datetime.date(2024, 12, 31)),
        ("period", datetime.date(2025, 12, 31)),
        ("2025-06-30", datetime.date(2025, 6, 30)),
    ],
)
def test_items_without_a_written_date_get_the_default_marked_as_such(users, choice, expected):
    job = jobs.run_import_job(jobs.create_job(users["supervisor"], "方案.txt", plan_gazette()).pk)
    documents = {"0": {"default_due": choice}} if choice else {}
    confirm.confirm_import(job, users["supervisor"], confirm.Decisions(documents=documents))
    written = Item.objects.get(text__startswith="完成农田灌溉")
    assert written.due_date.month == 6 and not written.due_is_default
    assert not written.deadlines.filter(is_default=True).exists()
    for start in ("持续推进公共服务", "健全基层应急队伍"):
        item = Item.objects.get(text__startswith=start)
        assert item.due_date == expected and item.due_is_default
        assert item.deadlines.get(is_default=True).date == expected


def test_no_default_leaves_undated_items_undated(users):
    job = jobs.run_import_job(jobs.create_job(users["supervisor"], "方案.txt", plan_gazette()).pk)
    confirm.confirm_import(
        job, users["supervisor"], confirm.Decisions(documents={"0": {"default_due": "none"}})
    )
    assert not Deadline.objects.filter(is_default=True).exists()
    assert Item.objects.get(text__startswith="持续推进公共服务").due_date is None


def test_a_default_date_shows_as_default_on_the_list_and_the_item(users, client):
    job = jobs.run_import_job(jobs.create_job(users["supervisor"], "方案.txt", plan_gazette()).pk)
    confirm.confirm_import(job, users["supervisor"], confirm.Decisions())
    item = Item.objects.get(text__startswith="持续推进公共服务")
    written = Item.objects.get(text__startswith="完成农田灌溉")
    client.force_login(users["supervisor"])
    assert "默认期限" in client.get(f"/items/{item.pk}/").content.decode()
    assert "默认期限" not in client.get(f"/items/{written.pk}/").content.decode()
    assert "默认期限" in client.get("/items/").content.decode()


def test_the_preview_page_posts_the_default_due_choice(users, client):
    job = jobs.run_import_job(jobs.create_job(users["supervisor"], "方案.txt", plan_gazette()).pk)
    client.force_login(users["supervisor"])
    page = client.get(f"/import/{job.pk}/preview/").content.decode()
    assert "2023—2025年" in page and 'name="default_due-0"' in page
    data = {
        "posted": "1",
        "version": "0",
        "default_due-0": "date",
        "default_due_date-0": "2025-03-31",
    }
    response = client.post(f"/import/{job.pk}/preview/", data)
    assert response.status_code == 302
    assert Item.objects.get(text__startswith="持续推进公共服务").due_date == datetime.date(
        2025, 3, 31
    )


def test_the_command_prints_figures_and_confirms_as_the_preview_would(users, tmp_path):
    path = tmp_path / "方案.txt"
    path.write_bytes(plan_gazette())
    out = StringIO()
    call_command(
        "import_file", str(path), "--user", users["supervisor"].username, "--json", stdout=out
    )
    report = json.loads(out.getvalue())
    assert report["figures"] == {
        "documents": 1,
        "items": 3,
        "unknown_names": 3,
        "items_without_written_date": 2,
        "items_without_date": 0,
        "warnings": 3,
    }
    assert not Item.objects.exists()
    out = StringIO()
    call_command(
        "import_file",
        str(path),
        "--user",
        users["supervisor"].username,
        "--confirm",
        "--create-units",
        "--default-due",
        "period",
        stdout=out,
    )
    assert "3 items created" in out.getvalue() and "3 units" in out.getvalue()
    assert (
        Item.objects.filter(due_is_default=True, due_date=datetime.date(2025, 12, 31)).count() == 2
    )
    assert not ItemOwner.objects.filter(unit__isnull=True, group__isnull=True).exists()


def lead_owner(item):
    owners = sorted(
        (o for o in item.owners.all() if o.role in ("lead", "responsible")),
        key=lambda o: (o.role, o.position),
    )
    return owners[0] if owners else None


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed gazettes not found at {SEEDS}")
def test_the_five_seeds_with_defaults_are_dated_and_owned(users):
    files = sorted(SEEDS.glob("*.txt"))
    assert len(files) == 5
    out = StringIO()
    call_command(
        "import_file",
        *map(str, files),
        "--user",
        users["supervisor"].username,
        "--confirm",
        "--create-units",
        "--json",
        stdout=out,
    )
    reports = [json.loads(line) for line in out.getvalue().splitlines()]
    assert all("result" in report for report in reports), reports
    open_items = Item.objects.exclude(status=Item.Status.COMPLETED).prefetch_related("owners")
    total = open_items.count()
    dated = open_items.exclude(due_date=None).count()
    linked = sum(1 for item in open_items if (lead := lead_owner(item)) and lead.linked)
    assert total > 900
    assert dated / total >= 0.99, (dated, total)
    assert linked / total >= 0.95, (linked, total)
    # Extracted and default dates stay apart: every default one is marked, none is both.
    assert Item.objects.filter(due_is_default=True).exists()
    assert Item.objects.filter(due_is_default=False, due_date__isnull=False).exists()
    for item in Item.objects.filter(due_is_default=True)[:50]:
        assert not item.deadlines.filter(date=item.due_date, is_default=False).exists()
