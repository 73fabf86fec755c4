"""One periodic report per unit: every open item on one page, each filled row counts as that
item's progress report (the unit head's confirmation included); reminders for a unit's items
come in one e-mail per person per day."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.test_reminder_delivery import D, at, due_item, run, swept_until
from tests.test_reminder_delivery import rules as rules  # noqa: F401 (fixture)
from tests.test_reminder_delivery import sink as sink  # noqa: F401 (fixture)
from tests.tracking import pdf_upload
from tracker.models import Delivery, Evidence, Item, ProgressReport
from tracker.tracking import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_items(make_item, units):
    due = datetime.date(2030, 6, 30)
    mine = [
        make_item(
            f"本单位在办任务{n}", lead=units["fgj"], due_date=due, status=Item.Status.IN_PROGRESS
        )
        for n in range(3)
    ]
    co = make_item(
        "配合办理的任务",
        lead=units["jyj"],
        co=[units["fgj"]],
        due_date=due,
        status=Item.Status.IN_PROGRESS,
    )
    other = make_item(
        "别的单位的任务", lead=units["jyj"], due_date=due, status=Item.Status.IN_PROGRESS
    )
    new = make_item("尚未签收的任务", lead=units["fgj"], due_date=due)
    done = make_item(
        "已办结的任务",
        lead=units["fgj"],
        status=Item.Status.COMPLETED,
        completed_at=timezone.now(),
        percent=100,
    )
    return {"mine": mine, "co": co, "other": other, "new": new, "done": done}


def row(item, percent, narrative, files=None):
    data = {
        f"i{item.pk}-version": item.version,
        f"i{item.pk}-percent": percent,
        f"i{item.pk}-narrative": narrative,
    }
    if files:
        data[f"i{item.pk}-evidence"] = files
    return data


def test_the_page_lists_every_open_item_of_the_unit_and_nothing_else(client, users, open_items):
    client.force_login(users["staff"])
    page = client.get(reverse("periodic_report")).content.decode()
    for item in [*open_items["mine"], open_items["co"]]:
        assert item.text in page
    for key in ("other", "new", "done"):
        assert open_items[key].text not in page
    assert "本期尚有 4 项未报送" in page
    assert "另有 1 项待签收" in page
    assert "须经本单位部门负责人确认" in page


def test_one_submission_reports_every_filled_row_through_the_report_action(
    client, users, open_items
):
    client.force_login(users["head"])  # a unit head's report needs no confirmation
    a, b, c = open_items["mine"]
    data = {
        **row(a, 40, "完成选址", [pdf_upload()]),
        **row(b, 75, "主体完工"),
        **row(c, "", ""),
        **row(open_items["co"], 10, "配合调研"),
    }
    response = client.post(reverse("periodic_report"), data)
    assert response.status_code == 302
    reports = {r.item_id: r for r in ProgressReport.objects.all()}
    assert set(reports) == {a.pk, b.pk, open_items["co"].pk}  # the empty row is not reported
    assert [Item.objects.get(pk=i.pk).percent for i in (a, b, c)] == [40, 75, 0]
    assert all(r.author == users["head"] and r.confirmed_at for r in reports.values())
    assert Evidence.objects.get().report == reports[a.pk]
    # Each is an ordinary report of its item: the audit row says so, the page counts it.
    assert (
        a.history.order_by("-history_id")
        .first()
        .history_change_reason.startswith('{"code":"report"')
    )
    page = client.get(reverse("periodic_report")).content.decode()
    assert "本期尚有 1 项未报送" in page


def test_a_staff_members_periodic_report_waits_for_the_unit_head(client, users, open_items):
    client.force_login(users["staff"])
    a, b, _c = open_items["mine"]
    client.post(reverse("periodic_report"), {**row(a, 50, "推进中"), **row(b, 20, "启动")})
    assert ProgressReport.objects.filter(confirmed_at__isnull=True).count() == 2
    assert Item.objects.get(pk=a.pk).percent == 0
    report = ProgressReport.objects.get(item=a)
    assert actions.do_confirm_report(users["head"], report)
    assert Item.objects.get(pk=a.pk).percent == 50


def test_an_empty_submission_and_a_half_filled_row_are_refused(client, users, open_items):
    client.force_login(users["staff"])
    a, b, _c = open_items["mine"]
    response = client.post(reverse("periodic_report"), {**row(a, "", ""), **row(b, "", "")})
    assert response.status_code == 400
    assert "请至少填写一项" in response.content.decode()
    response = client.post(
        reverse("periodic_report"), {**row(a, "", "只写了情况"), **row(b, 30, "完整")}
    )
    assert response.status_code == 400
    assert "请填写完成进度" in response.content.decode()
    assert "只写了情况" in response.content.decode()  # what was typed stays
    assert not ProgressReport.objects.exists()


def test_a_row_changed_meanwhile_stops_the_whole_submission(client, users, open_items):
    client.force_login(users["staff"])
    a, b, _c = open_items["mine"]
    data = {**row(a, 50, "推进中"), **row(b, 20, "启动")}
    actions.do_grade(users["supervisor"], b, b.version, "B")  # someone saved b meanwhile
    response = client.post(reverse("periodic_report"), data)
    assert response.status_code == 409
    assert not ProgressReport.objects.exists()
    page = response.content.decode()
    assert "本次报送未保存" in page and "推进中" in page
    b.refresh_from_db()
    assert f'value="{b.version}"' in page  # the page now carries the newer version


def test_a_forged_row_for_another_units_item_is_ignored(client, users, open_items):
    client.force_login(users["staff"])
    a = open_items["mine"][0]
    client.post(
        reverse("periodic_report"), {**row(a, 30, "推进中"), **row(open_items["other"], 90, "冒报")}
    )
    assert list(ProgressReport.objects.values_list("item_id", flat=True)) == [a.pk]


@pytest.mark.parametrize("role", ["staff", "head", "leader", "supervisor", "admin"])
def test_only_unit_members_have_a_periodic_report(client, users, open_items, role):
    client.force_login(users[role])
    assert client.get(reverse("periodic_report")).status_code == (
        200 if role in {"staff", "head"} else 403
    )


def test_a_units_reminders_come_in_one_email_per_person_per_day(
    make_item, units, users, rules, sink
):  # noqa: F811
    items = [due_item(make_item, units["fgj"], D(2024, 10, 9)) for _ in range(4)]
    items += [due_item(make_item, units["fgj"], D(2024, 10, 10)) for _ in range(3)]
    swept_until(D(2024, 10, 8))
    assert run(at(D(2024, 10, 9))) == {"sent": 2}  # staff and head: one e-mail each
    for ticks in range(1, 6):  # the rest of the day's ticks send nothing more
        assert run(at(D(2024, 10, 9), 9 + ticks)) == {}
    mails = {rcpt[0] for rcpt, _m in sink.accepted}
    assert mails == {"staff@example.gov.cn", "head@example.gov.cn"}
    assert len(sink.accepted) == 2
    body = sink.to("staff@example.gov.cn")[0]
    assert "7 项督办事项" in body["Subject"]
    assert Delivery.objects.filter(recipient=users["staff"]).count() == 1


def test_a_bad_evidence_file_is_refused_on_its_row(client, users, open_items):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["head"])
    a = open_items["mine"][0]
    bad = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(reverse("periodic_report"), row(a, 30, "推进中", [bad]))
    assert response.status_code == 400
    assert "文件类型不允许" in response.content.decode()
    assert not ProgressReport.objects.exists()
