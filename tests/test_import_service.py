"""The import service: checks, extraction, preview, one-transaction confirm, aliases, re-import."""

import datetime
import re
import uuid

import pytest
from django.utils import timezone

from tests import import_files
from tests.processes import celery_worker, wait_for
from tracker.imports import checks, confirm, jobs, planning, preview
from tracker.models import (
    Comment,
    Deadline,
    ImportJob,
    Item,
    ItemOwner,
    ItemPerson,
    ProgressReport,
    SourceDocument,
    SourceFile,
    Unit,
    UnitAlias,
    User,
)
from tracker.tasks import parse_import

pytestmark = pytest.mark.django_db


def parse(user, name, data):
    """Upload and parse in this process, as the worker would."""
    return jobs.run_import_job(jobs.create_job(user, name, data).pk)


def items_by_ref(job):
    return {item["ref"]: item for doc in job.preview["documents"] for item in doc["items"]}


def nothing_tracked():
    return not (
        SourceFile.objects.exists()
        or SourceDocument.objects.exists()
        or Item.objects.exists()
        or Deadline.objects.exists()
    )


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("公报.doc", b"\xd0\xcf\x11\xe0 old word", "不是有效的Word 97-2003 / WPS 文档"),
        ("公报.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("公报.txt", b"", "是空的"),
        ("公报.txt", b"  \n\r\n \t ", "是空的"),
        ("公报.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "扩展名是 .txt，内容却是图片"),
        ("公报.txt", b"\x00\x01\x02binary" * 20, "二进制文件"),
        ("公报.txt", "示范区公报".encode() + b"\x80\xff\x80\xff" * 10, "无法识别文件"),
        ("公报.docx", b"this is not a zip file", "不是有效的Word 文档"),
        ("坏文档.docx", b"PK\x03\x04" + b"\x00broken" * 50, "不是有效的Word 文档"),
        ("公报.pdf", b"plain text, no pdf header", "不是有效的PDF 文档"),
    ],
)
def test_bad_uploads_are_rejected_at_once_and_store_nothing(users, name, data, message):
    with pytest.raises(checks.ImportRejected, match=message):
        jobs.create_job(users["supervisor"], name, data)
    assert not ImportJob.objects.exists()
    assert nothing_tracked()


def test_a_file_over_the_size_limit_is_rejected(users, settings):
    settings.DUBAN_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(checks.ImportRejected, match="过大.*上限为"):
        jobs.create_job(users["supervisor"], "big.txt", import_files.sample_bytes())
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    "name, make, message",
    [
        (
            "无事项.txt",
            lambda: "这是一段没有文号也没有任务的文字。\n第二行。".encode(),
            "没有找到督办事项",
        ),
        ("扫描件.pdf", import_files.blank_pdf, "没有文字层|经 OCR 识别后没有文字"),
        ("坏文件.pdf", lambda: b"%PDF-1.4\n" + b"garbage " * 100, "无法读取PDF|没有文字层"),
    ],
)
def test_files_that_fail_in_the_worker_end_as_a_failed_job_and_track_nothing(
    users, name, make, message
):
    job = parse(users["supervisor"], name, make())
    assert job.status == ImportJob.Status.FAILED
    assert job.error and re.search(message, job.error), job.error
    assert nothing_tracked()
    with pytest.raises(checks.ImportRejected):
        confirm.confirm_import(job, users["supervisor"])
    assert nothing_tracked()


# --- reading the three file types ----------------------------------------------------------


def test_the_sample_gazette_is_previewed_with_owners_dates_and_warnings(users, units):
    job = parse(users["supervisor"], "sample_gazette.txt", import_files.sample_bytes())
    assert job.status == ImportJob.Status.READY, job.error
    preview = job.preview
    assert preview["counts"]["documents"] == 2 and preview["counts"]["items"] == 11
    assert [d["doc_number"] for d in preview["documents"]] == [
        "示政办发〔2025〕3号",
        "示政办发〔2025〕5号",
    ]
    items = items_by_ref(job)
    charging = items["二.(一).2"]
    assert [(o["name"], o["unit"]) for o in charging["owners"]] == [
        ("区发展和改革局", units["fgj"].pk)
    ]
    assert charging["due"] == "2025-12-31"
    # 秋季开学前: dated by the parser (the day before 1 September of the document's year)
    assert items["三.(一).1"]["due"] == "2025-08-31"
    assert "no_date" not in items["三.(一).1"]["warnings"]
    unknown = {u["name"] for u in preview["unknown_units"]}
    assert {"区市场监管局", "区住房和城乡建设局"} <= unknown
    assert "unknown_unit" in items["一.(二)"]["warnings"]


def test_warnings_name_missing_owner_missing_date_and_past_dates():
    entry = {
        "owners": [],
        "deadlines": [{"date": "2025-03-31", "recurrence": "", "ongoing": False}],
    }
    assert preview.item_warnings(entry, datetime.date(2025, 4, 1)) == ["no_owner", "past_date"]
    assert preview.item_warnings(entry, datetime.date(2025, 3, 1)) == ["no_owner"]
    ongoing = {
        "owners": [{"name": "区财政局", "unit": 1}],
        "deadlines": [{"date": None, "recurrence": "", "ongoing": True}],
    }
    assert preview.item_warnings(ongoing, datetime.date(2025, 1, 1)) == []
    undated = {"owners": [{"name": "某某局", "unit": None}], "deadlines": []}
    assert preview.item_warnings(undated, datetime.date(2025, 1, 1)) == ["unknown_unit", "no_date"]


def test_a_gb18030_text_file_reads_like_its_utf8_twin(users):
    utf8 = parse(users["supervisor"], "utf8.txt", import_files.sample_bytes())
    gbk = parse(users["supervisor"], "gbk.txt", import_files.sample_text().encode("gb18030"))
    assert gbk.status == ImportJob.Status.READY, gbk.error
    assert gbk.text == utf8.text
    assert items_by_ref(gbk).keys() == items_by_ref(utf8).keys()


def test_a_docx_gives_paragraphs_and_table_rows(users):
    paragraphs = import_files.sample_text().split("\n")[:40]
    rows = [
        ("序号", "工作任务", "完成时限", "责任单位"),
        ("1", "建成城市书房5个。", "2025年10月底前", "区文化和旅游局"),
        ("2", "改造老旧小区12个。", "2025年11月底前", "区住房和城乡建设局"),
    ]
    job = parse(users["supervisor"], "任务分工.docx", import_files.docx_bytes(paragraphs, rows))
    assert job.status == ImportJob.Status.READY, job.error
    assert "1\t建成城市书房5个。\t2025年10月底前\t区文化和旅游局" in job.text
    texts = {item["text"]: item for item in items_by_ref(job).values()}
    assert texts["建成城市书房5个。"]["due"] == "2025-10-31"
    assert [o["name"] for o in texts["改造老旧小区12个。"]["owners"]] == ["区住房和城乡建设局"]
    assert (
        "新建公共充电桩500个，12月底前全部投入使用。（分管领导：王志刚；责任科室：能源股；责任人：赵雪）"
        in texts
    )


def test_a_pdf_with_a_text_layer_is_read_by_position(users):
    data = import_files.pdf_bytes(import_files.sample_text().split("\n"))
    if data is None:
        pytest.skip("fpdf2 or a CJK font (fonts-noto-cjk) is missing: cannot write a test PDF")
    job = parse(users["supervisor"], "公报.pdf", data)
    assert job.status == ImportJob.Status.READY, job.error
    assert [d["doc_number"] for d in job.preview["documents"]] == [
        "示政办发〔2025〕3号",
        "示政办发〔2025〕5号",
    ]
    assert job.preview["counts"]["items"] == 11  # lines wrapped by the PDF are joined again


# --- confirming ---------------------------------------------------------------------------


def test_confirm_creates_documents_items_owners_people_deadlines_and_tags(users, units):
    user = users["supervisor"]
    leader = User.objects.create(username="chen", role=User.Role.LEADER, display_name="陈立新")
    job = parse(user, "sample_gazette.txt", import_files.sample_bytes())
    result = confirm.confirm_import(job, user)
    assert result["documents_created"] == 2 and result["items_created"] == 11
    source = SourceFile.objects.get()
    assert source.sha256 == job.sha256 and source.text == job.text
    assert source.gazette_title == "示范区人民政府公报"
    assert source.gazette_issue == "2025年第2期（总第18期）"
    document = SourceDocument.objects.get(doc_number_key="示政办发[2025]3号")
    assert document.signed_on == datetime.date(2025, 2, 20)
    assert document.text.startswith("示范区人民政府办公室")
    charging = Item.objects.get(ref="二.(一).2", document=document)
    assert charging.due_date == datetime.date(2025, 12, 31)
    assert charging.line_start == 39 and source.text.split("\n")[38].startswith("2.新建公共充电桩")
    lead = charging.owners.get()
    assert (lead.role, lead.unit) == (ItemOwner.Role.LEAD, units["fgj"])
    assert set(
        charging.people.filter(role=ItemPerson.Role.LEADER).values_list("name", flat=True)
    ) == {"周海涛", "陈立新", "王志刚"}
    assert charging.people.get(role=ItemPerson.Role.PERSON).name == "赵雪"
    assert charging.people.get(name="陈立新").user == leader  # the one user of that name
    assert charging.people.get(name="王志刚").user is None
    kindergarten = Item.objects.get(ref="三.(一).1")
    assert list(kindergarten.tags.values_list("name", flat=True)) == ["民生实事项目"]
    report = Deadline.objects.get(recurrence="monthly:25", item__ref="¶1")
    assert report.kind == Deadline.Kind.REPORT and report.item.kind == Item.Kind.REPORT
    assert Deadline.objects.filter(ongoing=True, date__isnull=True).exists()  # 持续推进
    assert Deadline.history.count() == Deadline.objects.count()  # the audit trail has them
    assert job.status == ImportJob.Status.CONFIRMED and job.source_file == source
    assert bytes(job.data) == b""


def test_a_failure_midway_through_confirm_leaves_nothing(users, monkeypatch):
    user = users["supervisor"]
    job = parse(user, "sample_gazette.txt", import_files.sample_bytes())
    calls = []
    original = confirm._Importer.set_deadlines

    def fail_on_the_fifth_item(self, *args):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("disk full")
        return original(self, *args)

    monkeypatch.setattr(confirm._Importer, "set_deadlines", fail_on_the_fifth_item)
    decisions = confirm.Decisions(units={"区市场监管局": "new"})
    with pytest.raises(RuntimeError):
        confirm.confirm_import(job, user, decisions)
    assert nothing_tracked()
    assert not Unit.objects.filter(name="区市场监管局").exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY  # the user can simply confirm again
    monkeypatch.undo()
    assert confirm.confirm_import(job, user, decisions)["items_created"] == 11


def test_confirm_twice_is_refused(users):
    user = users["supervisor"]
    job = parse(user, "sample_gazette.txt", import_files.sample_bytes())
    confirm.confirm_import(job, user)
    with pytest.raises(checks.ImportRejected, match="已经确认过"):
        confirm.confirm_import(job, user)
    assert Item.objects.count() == 11


def test_the_users_corrections_are_applied(users, units):
    user = users["supervisor"]
    job = parse(user, "sample_gazette.txt", import_files.sample_bytes())
    keys = {
        item["ref"]: confirm.item_key(d, i)
        for d, doc in enumerate(job.preview["documents"])
        for i, item in enumerate(doc["items"])
    }
    decisions = confirm.Decisions(
        items={
            keys["¶1"]: {"include": False},
            keys["二.(一).2"]: {
                "include": True,
                "text": "新建公共充电桩600个。",
                "co": ["区财政局", "区教育局"],
                "due": datetime.date(2025, 11, 30),
            },
            keys["三.(一).1"]: {"include": True, "due": datetime.date(2025, 9, 1)},
            keys["一.(一).1"]: {"include": True, "due": None},
        }
    )
    confirm.confirm_import(job, user, decisions)
    assert Item.objects.count() == 10
    charging = Item.objects.get(ref="二.(一).2")
    assert charging.text == "新建公共充电桩600个。"
    assert [(o.role, o.unit) for o in charging.owners.order_by("role", "position")] == [
        (ItemOwner.Role.CO, None),
        (ItemOwner.Role.CO, units["jyj"]),
        (ItemOwner.Role.LEAD, units["fgj"]),
    ]
    assert charging.due_date == datetime.date(2025, 11, 30)
    assert charging.deadlines.get().expr == "12月底前"  # the wording stays, the date is the user's
    kindergarten = Item.objects.get(ref="三.(一).1")
    assert kindergarten.due_date == datetime.date(2025, 9, 1)
    assert Item.objects.get(ref="一.(一).1").due_date is None


def test_an_edited_due_date_rewrites_later_dates_and_clearing_it_keeps_recurrences():
    entry = {
        "due": "2025-06-30",
        "deadlines": [
            {
                "expr": "一季度",
                "date": "2025-03-31",
                "recurrence": "",
                "what": "",
                "ongoing": False,
            },
            {
                "expr": "上半年",
                "date": "2025-06-30",
                "recurrence": "",
                "what": "",
                "ongoing": False,
            },
            {
                "expr": "每月25日前",
                "date": None,
                "recurrence": "monthly:25",
                "what": "",
                "ongoing": False,
            },
        ],
    }
    earlier = planning.planned_deadlines(entry, {"due": datetime.date(2025, 5, 1)})
    assert [(d["expr"], d["date"]) for d in earlier] == [
        ("一季度", datetime.date(2025, 3, 31)),
        ("上半年", datetime.date(2025, 5, 1)),
        ("每月25日前", None),
    ]
    later = planning.planned_deadlines(entry, {"due": datetime.date(2025, 9, 30)})
    assert max(d["date"] for d in later if d["date"]) == datetime.date(2025, 9, 30)
    cleared = planning.planned_deadlines(entry, {"due": None})
    assert [d["expr"] for d in cleared] == ["每月25日前"]
    assert len(planning.planned_deadlines(entry, {})) == 3


# --- units ----------------------------------------------------------------------------------


def test_a_mapped_unit_name_is_remembered_as_an_alias_for_the_next_import(users, units):
    user = users["supervisor"]
    market = Unit.objects.create(name="区市场监督管理局")
    job = parse(user, "sample_gazette.txt", import_files.sample_bytes())
    decisions = confirm.Decisions(units={"区市场监管局": str(market.pk), "区农业农村局": "new"})
    result = confirm.confirm_import(job, user, decisions)
    assert result["aliases_created"] == 1 and result["units_created"] == 1
    assert UnitAlias.objects.get(key="区市场监管局").unit == market
    assert ItemOwner.objects.get(name="区市场监管局").unit == market
    created = Unit.objects.get(name="区农业农村局")
    assert created.kind == Unit.Kind.CITY_DEPARTMENT
    assert ItemOwner.objects.get(name="区农业农村局").unit == created

    later = import_files.gazette(
        3, doc_number="示政办发〔2025〕20号", unit="区市场监管局、区农业农村局"
    )
    job = parse(user, "later.txt", later.encode())
    assert not any("unknown_unit" in item["warnings"] for item in items_by_ref(job).values())
    assert [u["name"] for u in job.preview["unknown_units"]] == []
    confirm.confirm_import(job, user)
    assert set(
        ItemOwner.objects.filter(item__document__doc_number="示政办发〔2025〕20号").values_list(
            "unit", flat=True
        )
    ) == {market.pk, created.pk}


def test_unit_names_match_by_name_short_name_and_alias_whatever_the_brackets(units):
    UnitAlias.objects.create(unit=units["jyj"], name="区教体局")
    resolver = preview.UnitResolver.load()
    assert resolver.resolve("区发展和改革局") == units["fgj"].pk
    assert resolver.resolve("区 发改局") == units["fgj"].pk
    assert resolver.resolve("区教体局") == units["jyj"].pk
    assert resolver.resolve("区审计局") is None


def test_a_mapping_to_a_unit_that_no_longer_exists_is_refused(users):
    user = users["supervisor"]
    job = parse(user, "sample_gazette.txt", import_files.sample_bytes())
    with pytest.raises(checks.ImportRejected, match="所选单位不存在"):
        confirm.confirm_import(job, user, confirm.Decisions(units={"区市场监管局": "999999"}))
    assert nothing_tracked()


# --- re-import ------------------------------------------------------------------------------


def _report_progress(item, user, percent=40):
    ProgressReport.objects.create(item=item, author=user, percent=percent, narrative="已完成设计。")
    item.percent = percent
    item.status = Item.Status.IN_PROGRESS
    item.save()


def test_reimporting_the_same_file_updates_in_place_and_keeps_progress(users):
    user = users["supervisor"]
    confirm.confirm_import(parse(user, "sample_gazette.txt", import_files.sample_bytes()), user)
    item = Item.objects.get(ref="二.(一).2")
    _report_progress(item, users["staff"])
    ids = set(Item.objects.values_list("pk", flat=True))

    again = parse(user, "sample_gazette (1).txt", import_files.sample_bytes())
    assert again.preview["same_file"]["id"] == SourceFile.objects.get().pk
    assert again.preview["counts"]["documents_updated"] == 2
    assert again.preview["counts"]["items_matched"] == 11
    match = items_by_ref(again)["二.(一).2"]["match"]
    assert (match["id"], match["percent"], match["reports"]) == (item.pk, 40, 1)
    result = confirm.confirm_import(again, user)
    assert result["items_updated"] == 11 and result["items_created"] == 0
    assert set(Item.objects.values_list("pk", flat=True)) == ids
    assert SourceFile.objects.count() == 1 and SourceDocument.objects.count() == 2
    item.refresh_from_db()
    assert (item.percent, item.status, item.reports.count()) == (40, Item.Status.IN_PROGRESS, 1)
    assert item.version == 2


def test_a_new_version_with_the_same_doc_number_updates_adds_and_reports_gone_items(users):
    user = users["supervisor"]
    confirm.confirm_import(parse(user, "sample_gazette.txt", import_files.sample_bytes()), user)
    charging = Item.objects.get(ref="二.(一).2")
    budget = Item.objects.get(ref="二.(二).1")
    _report_progress(charging, users["staff"], 60)
    _report_progress(budget, users["staff"], 20)

    text = (
        import_files.sample_text()
        .replace("示政办发〔2025〕3号", "示政办发[2025]3号")
        .replace(
            "新建公共充电桩500个，12月底前全部投入使用。",
            "新建公共充电桩520个，11月底前全部投入使用。",
        )
        .replace(
            "1.完成预算绩效评价全覆盖，9月底前形成评价报告。（分管领导：郭永红；责任科室：绩效股；责任人：马丽）",
            "1.开展财政资金直达监控，6月底前建成监控平台。（分管领导：郭永红；责任科室：国库股；责任人：马丽）",
        )
    )
    again = parse(user, "修订版.txt", text.encode())
    assert again.preview["same_file"] is None
    first = again.preview["documents"][0]
    assert first["existing"]["doc_number"] == "示政办发〔2025〕3号"
    assert [g["ref"] for g in first["gone"]] == ["二.(二).1"]
    assert first["gone"][0]["percent"] == 20
    updated = items_by_ref(again)
    assert updated["二.(一).2"]["match"]["id"] == charging.pk
    assert updated["二.(二).1"]["match"] is None

    result = confirm.confirm_import(again, user)
    assert (result["items_updated"], result["items_created"], result["items_gone"]) == (10, 1, 1)
    charging.refresh_from_db()
    assert charging.text.startswith("新建公共充电桩520个")
    assert charging.due_date == datetime.date(2025, 11, 30)
    assert (charging.percent, charging.reports.count()) == (60, 1)
    assert charging.document.source_file.name == "修订版.txt"
    budget.refresh_from_db()  # not deleted, its progress intact, and a note says why
    assert (budget.percent, budget.reports.count()) == (20, 1)
    assert "没有找到这一事项" in Comment.objects.get(item=budget).text
    assert SourceDocument.objects.count() == 2


def test_a_preview_gone_stale_is_refused_at_confirm(users):
    user = users["supervisor"]
    first = parse(user, "a.txt", import_files.gazette(3).encode())
    second = parse(user, "b.txt", import_files.gazette(4).encode())
    confirm.confirm_import(first, user)
    with pytest.raises(checks.ImportRejected, match="已被他人导入"):
        confirm.confirm_import(second, user)
    assert Item.objects.count() == 3


def test_items_are_matched_by_text_and_by_number_one_to_one():
    old = [
        ("完成甲任务，5月底前完成。", "1"),
        ("完成乙任务，6月底前完成。", "2"),
        ("完成丙任务。", "3"),
    ]
    new_texts = ["完成乙任务，6月底前完成。", "完成甲任务，5月底前全部完成。", "全新的丁任务。"]
    assert preview.match_items(new_texts, ["1", "2", "3"], old) == {0: 1, 1: 0}


# --- real worker ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_parses_an_upload_into_its_preview(tmp_path):
    from tests.conftest import make_user
    from tracker.models import User

    user = make_user("worker_sup", User.Role.SUPERVISOR)
    queue = f"test-import-{uuid.uuid4().hex[:8]}"
    with celery_worker(queue, tmp_path / "worker.log") as proc:
        job = jobs.create_job(user, "sample_gazette.txt", import_files.sample_bytes())
        parse_import.apply_async(args=[job.pk], queue=queue)
        done = wait_for(
            lambda: (
                ImportJob.objects.get(pk=job.pk).status
                in {ImportJob.Status.READY, ImportJob.Status.FAILED}
            ),
            timeout=90,
        )
        log = (tmp_path / "worker.log").read_text(errors="replace")
        assert proc.poll() is None, log
    assert done, log
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY, job.error
    assert job.preview["counts"]["items"] == 11 and job.progress == 100
    assert "parse_import" in log
    # A second delivery of the same message finds the job claimed and does nothing.
    assert parse_import(job.pk) is None


def test_the_demo_imports_the_sample_gazette_once_through_the_service():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)
    assert "sample gazette sample_gazette.txt: imported" in out.getvalue()
    assert "already imported" in out.getvalue()
    assert SourceFile.objects.count() == 1 and ImportJob.objects.count() == 1
    assert Item.objects.count() == 11
    assert Item.objects.get(ref="二.(一).2").owners.get().unit.name == "区发展和改革局"


def test_a_job_abandoned_mid_parse_is_taken_over_but_a_live_one_is_not(users, settings):
    job = jobs.create_job(users["supervisor"], "sample_gazette.txt", import_files.sample_bytes())
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PARSING)
    assert jobs.run_import_job(job.pk) is None  # another worker is on it
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=long_ago)
    assert jobs.run_import_job(job.pk).status == ImportJob.Status.READY
