"""The Excel 台账 of the current filter."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.tracking import fast_passwords
from tracker.models import ItemPerson
from tracker.tracking import actions

pytestmark = pytest.mark.django_db

HEADER = ["序号", "工作任务", "牵头单位", "配合单位", "责任领导", "完成时限", "最新进展", "状态"]


@pytest.fixture(autouse=True)
def setup(settings):
    fast_passwords(settings)


def export(client, **params):
    response = client.get(reverse("item_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content)).active


def test_the_ledger_has_a_title_a_header_and_one_line_per_item(client, users, units, make_item):
    item = make_item("加快建设区人民医院新院区。", lead=units["fgj"], co=[units["jyj"]],
                     due_date=datetime.date(2030, 5, 31), ref="3")
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
    assert first == [1, "3 加快建设区人民医院新院区。", "区发展和改革局", "区教育局", "王副区长",
                     "2030年5月31日", "主体结构已封顶。（60%）", "办理中（正常推进）"]
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
