"""Laid-out pages (PDF text layers, OFD) read in order: ruled tables, columns, wrapped lines.

Every file here is written by the test (tests/format_files.py) from text whose .txt import
is the reference: the laid-out file must give the same items, owners and dates.
"""

import pytest

from tests import format_files
from tests.tracking import fast_passwords
from tracker.imports import jobs
from tracker.imports.extract import extract
from tracker.imports.formats import layout
from tracker.imports.formats.grid import Rule
from tracker.models import ImportJob, SourceFile

pytestmark = pytest.mark.django_db

needs_font = pytest.mark.skipif(
    format_files.cjk_font() is None,
    reason="no CJK font (Debian: fonts-noto-cjk): cannot write a Chinese test PDF",
)

OWNER_TABLE = """示范区人民政府办公室
关于印发2025年优化营商环境工作任务的通知
示政办发〔2025〕31号
各有关单位：
现将任务清单印发给你们，请抓好落实。
示范区人民政府办公室
2025年4月2日
序号\t工作任务\t牵头单位\t配合单位\t完成时限
1\t建成全区统一的涉企信用信息共享平台，实现部门数据实时归集和跨部门共享调用\t区发展和改革局\t区市场监管局、区大数据中心\t2025年9月底前
2\t推行工程建设项目审批告知承诺制\t区住房和城乡建设局\t区自然资源局\t2025年6月底前
3\t开展政务服务好差评专项整改\t区政务服务中心\t\t2025年12月底前
4\t落实小微企业首贷续贷奖补政策，全年新增首贷户200户以上\t区金融服务中心\t区财政局、区税务局、人行示范区支行\t2025年11月底前
"""


@pytest.fixture(autouse=True)
def setup(settings):
    fast_passwords(settings)


def parse(user, name, data):
    return jobs.run_import_job(jobs.create_job(user, name, data).pk)


def found(job):
    assert job.status == ImportJob.Status.READY, job.error
    rows = []
    for document in job.preview["documents"]:
        for item in document["items"]:
            owners = sorted((o["role"], o["name"]) for o in item["owners"])
            rows.append((item["text"], owners, item["due"]))
    return rows


def reference(user, text):
    rows = found(parse(user, "任务.txt", text.encode()))
    ImportJob.objects.all().delete()
    return rows


# --- PDF ------------------------------------------------------------------------------------


@needs_font
def test_a_ruled_pdf_table_gives_the_items_of_the_same_table_as_text(users):
    user = users["supervisor"]
    want = reference(user, OWNER_TABLE)
    assert len(want) == 4 and all(row[1] and row[2] for row in want)
    assert any(len(row[1]) >= 3 for row in want)  # a lead and several co-operating units
    pdf = format_files.pdf_bytes(OWNER_TABLE, font_size=10)
    text = extract("任务.pdf", pdf).text
    assert "1\t建成全区统一的涉企信用信息共享平台，实现部门数据实时归集和跨部门共享调用\t" in text
    assert found(parse(user, "任务.pdf", pdf)) == want


@needs_font
def test_the_task_text_as_a_pdf_gives_the_items_of_the_txt(users):
    """Paragraphs wrapped by the page are joined back; the table is read cell by cell."""
    user = users["supervisor"]
    want = reference(user, format_files.TASK_TEXT)
    assert len(want) == 10
    pdf = format_files.pdf_bytes(font_size=12)  # larger: more lines wrap
    assert found(parse(user, "任务.pdf", pdf)) == want


@needs_font
def test_a_table_without_rules_is_read_by_the_gaps_between_its_cells(users):
    """Cells of one line each: a gap of several characters separates them."""
    user = users["supervisor"]
    want = reference(user, format_files.TASK_TEXT)
    pdf = format_files.pdf_bytes(ruled=False)
    assert "\n1\t改造提升产业园区道路8公里\t2025年10月底前\t区住房和城乡建设局\n" in (
        extract("任务.pdf", pdf).text
    )
    assert found(parse(user, "无框表.pdf", pdf)) == want


@needs_font
def test_two_columns_are_read_one_after_the_other(users):
    user = users["supervisor"]
    lines = format_files.TASK_TEXT.split("\n")
    head, left, right = "\n".join(lines[:8]), "\n".join(lines[8:11]), "\n".join(lines[11:14])
    want = reference(user, "\n".join(lines[:14]))
    assert len(want) == 6
    pdf = format_files.two_column_pdf_bytes(head, left, right)
    assert found(parse(user, "两栏.pdf", pdf)) == want


@needs_font
def test_an_encrypted_pdf_is_refused_and_nothing_is_stored(users):
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(format_files.pdf_bytes())).pages:
        writer.add_page(page)
    writer.encrypt("密码123", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    job = parse(users["supervisor"], "加密.pdf", out.getvalue())
    assert job.status == ImportJob.Status.FAILED and "设置了密码" in job.error
    assert bytes(job.data) == b"" and not SourceFile.objects.exists()


# --- the layout rules on their own -----------------------------------------------------------


def word(x0, top, text, height=10.0, width=None):
    return layout.Word(x0, top, x0 + (width or 10.0 * len(text)), top + height, text)


def test_a_cell_merged_over_two_rows_is_carried_down_and_one_across_columns_written_once():
    # 3 columns x 3 rows; the unit cell spans rows 2-3 (no rule between them in column 3);
    # the title row spans all three columns (no vertical rules in row 1)
    rules = [Rule(0, y, 300, y) for y in (0, 20, 60)]
    rules.append(Rule(0, 40, 200, 40))  # row 2 / row 3 boundary, not under column 3
    rules += [Rule(x, 0, x, 60) for x in (0, 300)]
    rules += [Rule(x, 20, x, 60) for x in (40, 200)]
    words = [
        word(5, 5, "任务表"),
        word(5, 25, "1"),
        word(45, 25, "修路"),
        word(205, 35, "区交通局"),
        word(5, 45, "2"),
        word(45, 45, "架桥"),
    ]
    lines = layout.read_page(layout.Page(words, rules))
    assert [line.text for line in lines] == [
        "任务表\t\t",
        "1\t修路\t区交通局",
        "2\t架桥\t区交通局",
    ]


def test_a_short_paragraph_end_is_not_joined_to_the_next_numbered_paragraph():
    full = "一" * 30
    page = [
        layout.Line(full, 0, 300, 0, 10, 10),
        layout.Line("续完。", 0, 30, 12, 22, 10),
        layout.Line(full[:29] + "。", 0, 300, 24, 34, 10),
        layout.Line("2.下一项", 0, 50, 36, 46, 10),
    ]
    assert layout.document_lines([page]) == [full + "续完。", full[:29] + "。", "2.下一项"]


# --- OFD ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lines_per_page", [40, 6])
def test_an_ofd_gives_the_items_of_the_txt(users, lines_per_page):
    """Objects written bottom-up, over one page or several, the table as ruled cells."""
    user = users["supervisor"]
    want = reference(user, format_files.TASK_TEXT)
    data = format_files.ofd_bytes(lines_per_page=lines_per_page)
    assert extract("任务.ofd", data).text.strip() == format_files.TASK_TEXT.strip()
    assert found(parse(user, "任务.ofd", data)) == want


def test_an_ofd_table_with_owner_columns_and_an_empty_cell(users):
    user = users["supervisor"]
    want = reference(user, OWNER_TABLE)
    assert found(parse(user, "任务.ofd", format_files.ofd_bytes(OWNER_TABLE))) == want


def test_an_ofd_is_known_by_content_and_a_txt_that_is_one_is_refused(users):
    from tracker.imports import checks

    user = users["supervisor"]
    want = reference(user, format_files.TASK_TEXT)
    assert found(parse(user, "改名.docx", format_files.ofd_bytes())) == want
    with pytest.raises(checks.ImportRejected, match="扩展名是 .txt，内容却是OFD 文档"):
        jobs.create_job(user, "任务.txt", format_files.ofd_bytes())


def _bad_ofd(change):
    import io
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(format_files.ofd_bytes())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = change(info.filename, source.read(info))
            if content is not None:
                target.writestr(info.filename, content)
    return out.getvalue()


def _late_entity(name, content):
    """An entity declared after a long comment: past the first bytes of the member."""
    if name.endswith("Page_0/Content.xml"):
        body = content.split(b"?>", 1)[1]
        return (
            b'<?xml version="1.0"?><!--' + b"x" * 8000 + b'--><!DOCTYPE x [<!ENTITY a "aaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;">]>' + body
        )
    return content


@pytest.mark.parametrize(
    "make, setting, message",
    [
        (lambda: _bad_ofd(_late_entity), {}, "XML 实体"),
        (lambda: format_files.ofd_bytes(), {"DUBAN_IMPORT_MAX_UNZIPPED_BYTES": 2000}, "解压后过大"),
        (
            lambda: format_files.ofd_bytes(lines_per_page=6),
            {"DUBAN_IMPORT_MAX_PAGES": 1},
            "超过上限 1 页",
        ),
        (
            lambda: _bad_ofd(lambda n, c: None if n.endswith("Content.xml") else c),
            {},
            "无法读取OFD 文档",
        ),
        (lambda: _bad_ofd(lambda n, c: c[:60] if n.endswith("Content.xml") else c), {}, "无法读取"),
        (lambda: format_files.ofd_bytes()[:900], {}, "不是有效的OFD 文档"),
    ],
)
def test_a_bad_ofd_fails_with_a_chinese_message_and_stores_nothing(
    users, settings, make, setting, message
):
    from tracker.imports import checks

    data = make()
    for key, value in setting.items():
        setattr(settings, key, value)
    try:
        job = parse(users["supervisor"], "坏.ofd", data)
    except checks.ImportRejected as exc:
        assert message in str(exc)
        assert not ImportJob.objects.exists()
    else:
        assert job.status == ImportJob.Status.FAILED
        assert message in job.error, job.error
        assert bytes(job.data) == b""
    assert not SourceFile.objects.exists()


@needs_font
def test_parse_gazette_reads_pdf_and_ofd(tmp_path, capsys):
    from django.core.management import call_command

    (tmp_path / "任务.pdf").write_bytes(format_files.pdf_bytes())
    (tmp_path / "任务.ofd").write_bytes(format_files.ofd_bytes(lines_per_page=6))
    call_command("parse_gazette", str(tmp_path / "任务.pdf"), str(tmp_path / "任务.ofd"))
    assert capsys.readouterr().out.count("1 documents, 10 items") == 2


def test_rulings_are_found_in_an_image_and_character_strokes_are_not():
    from PIL import Image, ImageDraw

    from tracker.imports.formats import grid, raster

    image = Image.new("L", (2480, 3508), 255)  # A4 at 300 dpi
    draw = ImageDraw.Draw(image)
    for y in (1000, 1100, 1200):
        draw.line((200, y, 2200, y), fill=0, width=3)
    for x in (200, 400, 1500, 2200):
        draw.line((x, 1000, x, 1200), fill=0, width=3)
    draw.rectangle((300, 300, 390, 305), fill=0)  # the strokes of a 24 pt character
    draw.rectangle((300, 300, 305, 390), fill=0)
    found = raster.rules(image)
    assert all(1000 - 3 <= r.top <= 1200 + 3 for r in found)  # nothing from the character
    (table,) = grid.tables(found, unit=40)
    assert [round(x) for x in table.xs] == [200, 400, 1500, 2200]
    assert [round(y) for y in table.ys] == [1000, 1100, 1200]
    erased = raster.erase(image, found)
    assert erased.getpixel((800, 1100)) == 255 and erased.getpixel((302, 350)) == 0
