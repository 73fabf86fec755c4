"""The Excel 台账 of the current filter."""

import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tracker.models import ItemPerson
from tracker.tracking import actions

pytestmark = pytest.mark.django_db

HEADER = ["序号", "工作任务", "牵头单位", "配合单位", "责任领导", "完成时限", "最新进展", "状态"]


def export(client, **params):
    response = client.get(reverse("item_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content)).active


def test_the_ledger_has_a_title_a_header_and_one_line_per_item(client, users, units, make_item):
    item = make_item(
        "加快建设区人民医院新院区。",
        lead=units["fgj"],
        co=[units["jyj"]],
        due_date=datetime.date(2030, 5, 31),
        ref="3",
    )
    ItemPerson.objects.create(item=item, role=ItemPerson.Role.LEADER, name="王副区长")
    actions.do_sign(users["staff"], item, item.version)
    report = actions.do_report(users["staff"], item, item.version, 60, "主体结构已封顶。")
    actions.do_confirm_report(users["head"], report)  # only a confirmed report goes up
    make_item("长期坚持的工作", lead=units["jyj"])
    client.force_login(users["supervisor"])
    sheet = export(client, sort="due")
    assert sheet["A1"].value == "督办事项台账"
    assert [c.value for c in sheet[3]] == HEADER
    first = [c.value for c in sheet[4]]
    assert first == [
        1,
        "3 加快建设区人民医院新院区。",
        "区发展和改革局",
        "区教育局",
        "王副区长",
        "2030年5月31日",
        "主体结构已封顶。（60%）",
        "办理中（正常推进）",
    ]
    assert [c.value for c in sheet[5]][5] == "长期推进"
    assert sheet.max_row == 5
    assert sheet.column_dimensions["B"].width >= 40
    assert sheet["B4"].alignment.wrap_text
    assert sheet["A3"].font.bold
    assert sheet.freeze_panes == "A4"


def test_the_ledger_follows_the_filter(client, users, units, make_item):
    make_item("发改局的任务", lead=units["fgj"])
    make_item("教育局的任务", lead=units["jyj"])
    client.force_login(users["leader"])
    sheet = export(client, unit=units["jyj"].pk)
    assert [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)] == ["教育局的任务"]


# --- finding 5: no formula from the data -----------------------------------------------------

HOSTILE = {
    "text": '=HYPERLINK("https://evil.example/","点击查看")',
    "lead": "+区发改局+cmd|' /C calc'!A0",
    "co": "-1+2",
    "leader": "@SUM(1,2)",
    "narrative": "\t=1+1",
}


def test_finding_05_every_text_cell_is_text_never_a_formula(client, users, units, make_item):
    fgj, jyj = units["fgj"], units["jyj"]
    fgj.name = HOSTILE["lead"]
    fgj.save()
    jyj.name = HOSTILE["co"]
    jyj.save()
    item = make_item(HOSTILE["text"], lead=fgj, co=[jyj], due_date=datetime.date(2030, 5, 31))
    ItemPerson.objects.create(item=item, role=ItemPerson.Role.LEADER, name=HOSTILE["leader"])
    actions.do_sign(users["staff"], item, item.version)
    report = actions.do_report(users["staff"], item, item.version, 10, HOSTILE["narrative"])
    actions.do_confirm_report(users["head"], report)
    make_item("\r=2+2", lead=fgj)
    client.force_login(users["supervisor"])
    response = client.get(reverse("item_export"), {"sort": "due"})
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere
    sheet = load_workbook(io.BytesIO(response.content)).active
    first, second = ([c for c in row] for row in sheet.iter_rows(min_row=4, max_row=5))
    # The values are kept exactly as written, as text cells marked as literal text.
    assert first[1].value == HOSTILE["text"]
    assert first[2].value == HOSTILE["lead"]
    assert first[3].value == HOSTILE["co"]
    assert first[4].value == HOSTILE["leader"]
    assert first[6].value.startswith(HOSTILE["narrative"])
    assert second[1].value.strip() == "=2+2"
    for cell in [*first[1:5], first[6], second[1]]:
        assert cell.data_type == "s", cell.coordinate
        assert cell.quotePrefix, cell.coordinate
        assert cell.number_format == "@", cell.coordinate
    assert first[0].data_type == "n" and first[0].value == 1  # numbers stay numbers
