"""Every format the import reads: the same task text in each gives the same items.

The reference is tests/format_files.TASK_TEXT read as a .txt; each builder writes the same
lines as a real file of its format. Bad input of every format ends in a Chinese message
with nothing stored.
"""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook

from tests import format_files
from tests.tracking import fast_passwords
from tracker.imports import checks, confirm, jobs
from tracker.imports.extract import extract
from tracker.imports.formats import legacy
from tracker.models import ImportJob, Item, ItemOwner, ItemPerson, SourceFile

pytestmark = pytest.mark.django_db

needs_soffice = pytest.mark.skipif(
    format_files.soffice() is None,
    reason="LibreOffice (Debian: libreoffice-writer-nogui) is not installed: cannot write "
    "or read .doc/.wps here",
)
needs_calc = pytest.mark.skipif(
    not format_files.has_calc(),
    reason="LibreOffice Calc (Debian: libreoffice-calc-nogui) is not installed: cannot write "
    "the test's .xls here",
)


@pytest.fixture(autouse=True)
def setup(settings):
    fast_passwords(settings)


def parse(user, name, data):
    return jobs.run_import_job(jobs.create_job(user, name, data).pk)


def found(job):
    """(text, lead, co, responsible, due) of every item of a parsed job."""
    assert job.status == ImportJob.Status.READY, job.error
    rows = []
    for document in job.preview["documents"]:
        for item in document["items"]:
            owners = {
                role: [o["name"] for o in item["owners"] if o["role"] == role]
                for role in ("lead", "co", "responsible")
            }
            rows.append(
                (item["text"], owners["lead"], owners["co"], owners["responsible"], item["due"])
            )
    return rows


@pytest.fixture
def reference(users):
    rows = found(parse(users["supervisor"], "任务.txt", format_files.TASK_TEXT.encode()))
    assert len(rows) == 10 and all(row[1] or row[3] for row in rows) and all(r[4] for r in rows)
    ImportJob.objects.all().delete()
    return rows


# --- the same items from every format ------------------------------------------------------


@pytest.mark.parametrize(
    "name, make",
    [
        ("任务.docx", format_files.docx_bytes),
        ("任务.xlsx", format_files.xlsx_bytes),
        pytest.param("任务.doc", format_files.doc_bytes, marks=needs_soffice),
        pytest.param("任务.wps", format_files.doc_bytes, marks=needs_soffice),
    ],
)
def test_each_format_with_a_text_layer_gives_the_items_of_the_txt(users, reference, name, make):
    assert found(parse(users["supervisor"], name, make())) == reference


def test_the_reader_is_chosen_by_content_not_by_name(users, reference):
    assert (
        found(parse(users["supervisor"], "改名的工作簿.docx", format_files.xlsx_bytes()))
        == reference
    )
    assert (
        found(parse(users["supervisor"], "改名的文档.xlsx", format_files.docx_bytes())) == reference
    )


@needs_soffice
def test_a_doc_renamed_docx_is_read_as_word_97(users, reference):
    assert found(parse(users["supervisor"], "改名.docx", format_files.doc_bytes())) == reference


@pytest.mark.parametrize(
    "make, real",
    [
        (format_files.docx_bytes, "Word 文档"),
        (format_files.xlsx_bytes, "Excel 工作簿"),
    ],
)
def test_a_txt_that_is_really_another_format_is_refused_saying_what_it_is(users, make, real):
    with pytest.raises(checks.ImportRejected, match=f"扩展名是 .txt，内容却是{real}"):
        jobs.create_job(users["supervisor"], "任务.txt", make())
    assert not ImportJob.objects.exists()


# --- Excel ---------------------------------------------------------------------------------


def workbook_bytes(build) -> bytes:
    book = Workbook()
    build(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEAD = [
    "示范区人民政府办公室",
    "关于印发重点工作任务分工的通知",
    "示政办发〔2025〕20号",
    "各有关单位：",
    "现将重点工作任务分工印发给你们。",
    "示范区人民政府办公室",
    "2025年2月10日",
]


def test_every_sheet_merged_cells_carried_down_and_stacked_header_rows(users):
    def build(book):
        first = book.active
        first.title = "说明"
        for line in HEAD:
            first.append([line])
        tasks = book.create_sheet("任务分工")
        tasks.append(["2025年重点工作任务分工表"])  # a title above the header
        tasks.append(["序号", "工作任务", "责任单位", None, "责任领导", "完成时限", "备注"])
        tasks.append([None, None, "牵头单位", "配合单位", None, None, None])
        tasks.append(
            ["1", "建设城市智慧停车平台", "区交通运输局", "区公安分局", "刘明", "2025年9月底前", ""]
        )
        tasks.append(
            ["2", "新增公共停车泊位2000个", None, "区自然资源局", None, "2025年12月底前", ""]
        )
        tasks.append(["3", "整治背街小巷30条", "区城市管理局", None, "周强", "2025年10月底前", ""])
        tasks.merge_cells("C2:D2")  # 责任单位 over 牵头单位 | 配合单位
        for column in "ABEFG":
            tasks.merge_cells(f"{column}2:{column}3")
        tasks.merge_cells("C4:C5")  # one 牵头单位 for tasks 1 and 2
        tasks.merge_cells("E4:E5")

    job = parse(users["supervisor"], "分工表.xlsx", workbook_bytes(build))
    rows = {row[0]: row for row in found(job)}
    assert [text.split("〔")[0] for text in rows] == [
        "建设城市智慧停车平台",
        "新增公共停车泊位2000个",
        "整治背街小巷30条",
    ]
    parking, spaces, lanes = rows.values()
    assert parking[1:] == (["区交通运输局"], ["区公安分局"], [], "2025-09-30")
    assert spaces[1:] == (["区交通运输局"], ["区自然资源局"], [], "2025-12-31")  # carried down
    assert lanes[1:] == (["区城市管理局"], [], [], "2025-10-31")
    items = [i for d in job.preview["documents"] for i in d["items"]]
    assert job.preview["documents"][0]["doc_number"] == "示政办发〔2025〕20号"
    assert [p["name"] for p in items[1]["people"] if p["role"] == "leader"] == ["刘明"]


def test_duban_s_own_ledger_imports_back_as_the_same_items(client, users):
    """Gazette -> items -> 台账 export -> import: the same texts, owners, leaders, dates.

    A 台账 carries no signing date, so the tasks' own dates are written with their year here
    (a bare 6月底前 in a 台账 is read in the current year).
    """
    user = users["supervisor"]
    text = format_files.TASK_TEXT
    for month in "456789":
        text = text.replace(f"，{month}月底前", f"，2025年{month}月底前")
    text = text.replace("年底前", "2025年底前").replace(
        "〔责任单位：区政务服务中心〕", "〔责任单位：区政务服务中心；责任领导：陈立〕"
    )
    job = parse(user, "任务.txt", text.encode())
    confirm.confirm_import(job, user)
    before = []
    for item in Item.objects.order_by("pk"):
        owners = list(item.owners.all())
        before.append(
            (
                item.text,
                sorted(o.name for o in owners if o.role != ItemOwner.Role.CO),
                sorted(o.name for o in owners if o.role == ItemOwner.Role.CO),
                sorted(p.name for p in item.people.filter(role=ItemPerson.Role.LEADER)),
                item.due_date.isoformat(),
            )
        )
    client.force_login(user)
    response = client.get(reverse("item_export"))
    assert response.status_code == 200
    ledger = parse(user, "台账.xlsx", response.content)
    after = []
    for document in ledger.preview["documents"]:
        for item in document["items"]:
            owners = item["owners"]
            text, _annotation = item["text"].rsplit("〔牵头单位：", 1)  # the columns, written back
            after.append(
                (
                    text,
                    sorted(o["name"] for o in owners if o["role"] != "co"),
                    sorted(o["name"] for o in owners if o["role"] == "co"),
                    sorted(p["name"] for p in item["people"] if p["role"] == "leader"),
                    item["due"],
                )
            )
    assert len(before) == 10 and any(row[3] for row in before)
    assert sorted(after) == sorted(before)


@needs_calc
def test_an_xls_reads_like_its_xlsx(users, reference):
    xls = format_files.converted(format_files.xlsx_bytes(), ".xlsx", "xls:MS Excel 97")
    assert xls.startswith(b"\xd0\xcf\x11\xe0")
    assert found(parse(users["supervisor"], "任务.xls", xls)) == reference


# --- .doc / .wps ---------------------------------------------------------------------------


def test_without_libreoffice_a_doc_fails_naming_the_package_to_install(users, monkeypatch):
    monkeypatch.setattr(legacy, "soffice", lambda: None)
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    job_data = format_files.doc_bytes() if format_files.soffice() else None
    if job_data is None:
        pytest.skip("no .doc to hand without LibreOffice")
    assert job_data.startswith(data)
    job = parse(users["supervisor"], "任务.doc", job_data)
    assert job.status == ImportJob.Status.FAILED
    assert "libreoffice-writer-nogui" in job.error and "soffice" in job.error
    assert bytes(job.data) == b"" and not SourceFile.objects.exists()


@needs_soffice
def test_a_password_protected_doc_is_refused(users, tmp_path):
    import olefile

    path = tmp_path / "加密.doc"
    path.write_bytes(format_files.doc_bytes())
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = bytearray(ole.openstream("WordDocument").read())
        stream[11] |= 0x01  # FIB: fEncrypted
        ole.write_stream("WordDocument", bytes(stream))
    job = parse(users["supervisor"], "加密.doc", path.read_bytes())
    assert job.status == ImportJob.Status.FAILED and "设置了密码" in job.error


# --- bad input -----------------------------------------------------------------------------


def repacked(data: bytes, change) -> bytes:
    """A copy of the zip package ``data`` with ``change(name, content) -> content``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info)))
    return out.getvalue()


def encrypted_flag(data: bytes) -> bytes:
    """The package with the 'encrypted' bit set on every member, as a password zip has."""
    raw = bytearray(data)
    for signature, offset in ((b"PK\x01\x02", 8), (b"PK\x03\x04", 6)):
        at = raw.find(signature)
        while at >= 0:
            raw[at + offset] |= 0x01
            at = raw.find(signature, at + 4)
    return bytes(raw)


def entity_bomb(name, content):
    if name.endswith(("sheet1.xml", "document.xml")):
        body = content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content
        return (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + body
        )
    return content


@pytest.mark.parametrize(
    "name, make, setting, message",
    [
        ("空白.xlsx", lambda: workbook_bytes(lambda book: None), {}, "没有文字"),
        ("损坏.xlsx", lambda: format_files.xlsx_bytes()[:1500], {}, "不是有效的Excel 工作簿"),
        ("加密.xlsx", lambda: encrypted_flag(format_files.xlsx_bytes()), {}, "设置了密码"),
        ("加密.docx", lambda: encrypted_flag(format_files.docx_bytes()), {}, "设置了密码"),
        ("实体.xlsx", lambda: repacked(format_files.xlsx_bytes(), entity_bomb), {}, "XML 实体"),
        ("实体.docx", lambda: repacked(format_files.docx_bytes(), entity_bomb), {}, "XML 实体"),
        (
            "炸弹.xlsx",
            lambda: repacked(
                format_files.xlsx_bytes(),
                lambda n, c: c + b" " * 3_000_000 if n.endswith("sheet1.xml") else c,
            ),
            {"DUBAN_IMPORT_MAX_UNZIPPED_BYTES": 2_000_000},
            "解压后过大",
        ),
        (
            "多成员.docx",
            lambda: format_files.docx_bytes(),
            {"DUBAN_IMPORT_MAX_ZIP_MEMBERS": 5},
            "解压后过大",
        ),
        (
            "大表.xlsx",
            lambda: format_files.xlsx_bytes(),
            {"DUBAN_IMPORT_MAX_CELLS": 20},
            "单元格超过 20 个",
        ),
        (
            "超时.xlsx",
            lambda: format_files.xlsx_bytes(),
            {"DUBAN_IMPORT_TIME_LIMIT": 0},
            "超过了 0 秒的时限",
        ),
    ],
)
def test_bad_files_fail_with_a_chinese_message_and_store_nothing(
    users, settings, name, make, setting, message
):
    data = make()
    for key, value in setting.items():
        setattr(settings, key, value)
    try:
        job = parse(users["supervisor"], name, data)
    except checks.ImportRejected as exc:  # refused before a job is stored
        assert message in str(exc)
        assert not ImportJob.objects.exists()
    else:
        assert job.status == ImportJob.Status.FAILED
        assert message in job.error, job.error
        assert bytes(job.data) == b""
    assert not SourceFile.objects.exists() and not Item.objects.exists()


def test_parse_gazette_reads_every_format_as_the_import_does(tmp_path, capsys):
    from django.core.management import call_command

    (tmp_path / "任务.docx").write_bytes(format_files.docx_bytes())
    (tmp_path / "任务.xlsx").write_bytes(format_files.xlsx_bytes())
    call_command("parse_gazette", str(tmp_path / "任务.docx"), str(tmp_path / "任务.xlsx"))
    out = capsys.readouterr().out
    assert out.count("1 documents, 10 items") == 2, out


def test_the_extracted_text_of_an_xlsx_is_the_txt(users):
    assert (
        extract("任务.xlsx", format_files.xlsx_bytes()).text.strip()
        == format_files.TASK_TEXT.strip()
    )


# --- scans (OCR) ---------------------------------------------------------------------------

needs_ocr = pytest.mark.skipif(
    not (format_files.has_tesseract() and format_files.pdf_bytes("x") is not None),
    reason="tesseract with chi_sim (Debian: tesseract-ocr tesseract-ocr-chi-sim) or a CJK font "
    "(fonts-noto-cjk) is not installed",
)
PARAGRAPHS = format_files.TASK_TEXT.split("二、项目清单")[0]


def same_item(ocr, want):
    """An OCR'd item matches when its owners and date are the same and its text nearly so."""
    import difflib

    def bare(text):
        return "".join(ch for ch in text if ch.isalnum())

    return (
        ocr[1:] == want[1:]
        and difflib.SequenceMatcher(None, bare(ocr[0]), bare(want[0])).ratio() >= 0.9
    )


@needs_ocr
@pytest.mark.parametrize(
    "name, make",
    [
        ("扫描件.pdf", lambda pdf: format_files.scan_pdf_bytes(pdf)),
        ("扫描件.png", lambda pdf: format_files.png_bytes(pdf)),
    ],
)
def test_a_scan_is_read_by_ocr_and_its_items_are_marked_for_review(users, name, make, client):
    """The whole task text: paragraphs, and the ruled table read row by row, cell by cell."""
    user = users["supervisor"]
    want = found(parse(user, "任务.txt", format_files.TASK_TEXT.encode()))
    job = jobs.create_job(user, name, make(format_files.pdf_bytes()))
    ImportJob.objects.filter(pk=job.pk).update(stage="")
    job = jobs.run_import_job(job.pk)
    got = found(job)
    matched = sum(1 for w in want if any(same_item(g, w) for g in got))
    assert len(want) == 10 and matched / len(want) >= 0.9, got
    assert sum(1 for w in want[6:] if any(same_item(g, w) for g in got)) >= 3  # the table
    assert job.preview["ocr"] and all(
        item["ocr"] for d in job.preview["documents"] for item in d["items"]
    )
    client.force_login(user)
    response = client.get(reverse("import_preview", args=[job.pk]))
    assert 'id="ocr-note"' in response.content.decode()
    # Each row's badge is drawn by import_review.js from the rows the page embeds.
    rows = rows_of(response.content.decode())
    assert len(rows) == len(got) and all(row["ocr"] for row in rows)


@needs_ocr
def test_a_scan_over_the_page_limit_is_refused_with_the_limit(users, settings):
    settings.DUBAN_IMPORT_MAX_OCR_PAGES = 1
    pdf = format_files.pdf_bytes(PARAGRAPHS)
    two = format_files.scan_pdf_bytes(pdf, pages=2, dpi=50)
    job = parse(users["supervisor"], "两页扫描件.pdf", two)
    assert job.status == ImportJob.Status.FAILED
    assert "有 2 页需要 OCR 识别，超过上限 1 页" in job.error
    assert bytes(job.data) == b"" and not SourceFile.objects.exists()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("坏图.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "无法读取图片"),
        ("坏图.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200, "无法读取图片"),
    ],
)
def test_a_damaged_image_fails_with_a_message(users, name, data, message):
    job = parse(users["supervisor"], name, data)
    assert job.status == ImportJob.Status.FAILED and message in job.error


def rows_of(page):
    """The preview rows the page hands to its script (json_script "review-state")."""
    import html
    import json
    import re

    data = re.search(
        r'<script id="review-state" type="application/json">(.*?)</script>', page, re.S
    )
    state = json.loads(html.unescape(data.group(1)))
    return state["rows"]
