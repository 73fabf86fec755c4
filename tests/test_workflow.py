"""The workflow actions: sign, report, confirm, extension, completion, grade, urge, comment."""

import datetime
import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from tests.tracking import PDF, pdf_upload
from tracker.models import Comment, Deadline, Evidence, Item, ProgressReport, Request
from tracker.tracking import actions, review
from tracker.tracking.audit import told

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(make_item, units):
    return make_item(lead=units["fgj"], due_date=datetime.date(2030, 5, 31))


def login(client, user):
    client.force_login(user)
    return client


def signed(item, user):
    return actions.do_sign(user, item, item.version)


def test_signing_starts_the_work_and_records_who_and_when(client, users, item):
    login(client, users["staff"])
    response = client.post(reverse("item_sign", args=[item.pk]), {"version": item.version})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Item.Status.IN_PROGRESS
    assert item.received_at is not None
    assert item.version == 2
    last = item.history.order_by("-history_id").first()
    assert last.history_user == users["staff"]
    assert told(last.history_change_reason) == "签收"


def test_signing_twice_is_refused(users, item):
    signed(item, users["staff"])
    with pytest.raises(actions.ActionError):
        actions.do_sign(users["head"], item, item.version)


def test_a_progress_report_with_evidence_is_stored_and_waits_for_the_unit_head(client, users, item):
    signed(item, users["staff"])
    login(client, users["staff"])
    response = client.post(
        reverse("item_report", args=[item.pk]),
        {
            "version": item.version,
            "percent": 40,
            "narrative": "已完成方案制定。",
            "files": [pdf_upload()],
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.percent == 0  # 待审核: it goes up when the unit head confirms it
    report = ProgressReport.objects.get(item=item)
    assert (report.author, report.narrative) == (users["staff"], "已完成方案制定。")
    assert report.confirmed_at is None
    evidence = report.evidence.get()
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.original_name == "佐证材料.pdf"
    stored = Path(evidence.file.path)
    assert stored.read_bytes() == PDF
    # Outside the web root: not under the static files the server publishes.
    assert Path(settings.STATIC_ROOT) not in stored.parents
    download = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("病毒.exe", b"MZ\x90\x00", "文件类型不允许"),
        ("伪装.pdf", b"MZ\x90\x00not a pdf", "内容与扩展名不符"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_bad_evidence_is_refused_with_a_message_and_nothing_is_saved(
    client, users, item, name, content, message
):
    signed(item, users["staff"])
    login(client, users["staff"])
    response = client.post(
        reverse("item_report", args=[item.pk]),
        {
            "version": item.version,
            "percent": 40,
            "narrative": "我的进展说明",
            "files": [pdf_upload(name, content)],
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "我的进展说明" in response.content.decode()  # the user's text is kept
    item.refresh_from_db()
    assert item.percent == 0
    assert not ProgressReport.objects.exists()
    assert not Evidence.objects.exists()


def test_evidence_over_the_size_limit_is_refused(client, users, item, settings):
    settings.DUBAN_MAX_UPLOAD_BYTES = 100
    signed(item, users["staff"])
    login(client, users["staff"])
    response = client.post(
        reverse("item_report", args=[item.pk]),
        {
            "version": item.version,
            "percent": 10,
            "narrative": "x",
            "files": [pdf_upload(content=PDF + b"0" * 200)],
        },
    )
    assert response.status_code == 400
    assert "超过大小上限" in response.content.decode()
    assert not Evidence.objects.exists()


def test_the_unit_head_confirms_a_report_once(client, users, item):
    signed(item, users["staff"])
    report = actions.do_report(users["staff"], item, item.version, 20, "进展")
    login(client, users["head"])
    client.post(reverse("report_confirm", args=[item.pk, report.pk]))
    report.refresh_from_db()
    assert report.confirmed_by == users["head"]
    first = report.confirmed_at
    assert not actions.do_confirm_report(users["head"], report)
    response = client.post(reverse("report_confirm", args=[item.pk, report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.confirmed_by, report.confirmed_at) == (users["head"], first)


def latest_progress(client, item):
    """The 最新进展 cell of the item's 台账 line, and the percent column of the list."""
    sheet = load_workbook(io.BytesIO(client.get(reverse("item_export")).content)).active
    rows = {row[1]: row[6] for row in sheet.iter_rows(min_row=4, values_only=True)}
    return rows[item.text]


def test_a_staff_report_goes_up_only_when_the_unit_head_confirms_it(client, users, item):
    signed(item, users["staff"])
    item.refresh_from_db()
    report = actions.do_report(users["staff"], item, item.version, 40, "完成方案制定")
    item.refresh_from_db()
    assert (item.percent, item.version) == (0, 3)  # the version moves: no lost update
    login(client, users["supervisor"])
    assert latest_progress(client, item) is None
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert "待审核" in page and "尚未计入事项进度" in page
    assert reverse("report_confirm", args=[item.pk, report.pk]) not in page  # not the office's

    client.force_login(users["head"])
    home = client.get(reverse("home")).content.decode()
    assert "待确认的进展报告" in home and item.text[:10] in home
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert reverse("report_confirm", args=[item.pk, report.pk]) in page
    assert client.post(reverse("report_confirm", args=[item.pk, report.pk])).status_code == 302

    item.refresh_from_db()
    assert (item.percent, item.version) == (40, 4)
    assert latest_progress(client, item) == "完成方案制定（40%）"
    last = item.history.order_by("-history_id").first()
    assert last.history_user == users["head"]
    assert told(last.history_change_reason) == "确认进展报告 40%（staff）"
    assert "暂无待确认的报告" in client.get(reverse("home")).content.decode()


def test_a_unit_heads_own_report_goes_up_at_once(users, item):
    signed(item, users["head"])
    item.refresh_from_db()
    report = actions.do_report(users["head"], item, item.version, 70, "负责人报送")
    item.refresh_from_db()
    assert item.percent == 70
    assert (report.confirmed_by, report.confirmed_at is not None) == (users["head"], True)


def test_without_a_unit_head_account_a_staff_report_goes_up_at_once_and_the_page_says_so(
    client, users, item
):
    users["head"].is_active = False  # a unit head who left no longer confirms anything
    users["head"].save()
    signed(item, users["staff"])
    login(client, users["staff"])
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert "本单位未设部门负责人账号，报送后直接计入事项进度" in page
    item.refresh_from_db()
    client.post(
        reverse("item_report", args=[item.pk]),
        {"version": item.version, "percent": 30, "narrative": "直接生效"},
    )
    item.refresh_from_db()
    assert item.percent == 30
    report = ProgressReport.objects.get()
    assert report.confirmed_at is not None and report.confirmed_by is None
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert "本单位未设部门负责人账号，报送即生效" in page


def test_the_staff_report_form_says_the_unit_head_confirms_it(client, users, item):
    signed(item, users["staff"])
    login(client, users["staff"])
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert "报送后须经本单位部门负责人确认" in page


def test_confirming_an_older_report_after_a_newer_one_keeps_the_newer_percent(users, item):
    signed(item, users["staff"])
    item.refresh_from_db()
    older = actions.do_report(users["staff"], item, item.version, 30, "第一次")
    item.refresh_from_db()
    newer = actions.do_report(users["staff"], item, item.version, 60, "第二次")
    assert actions.do_confirm_report(users["head"], newer)
    assert actions.do_confirm_report(users["head"], older)
    item.refresh_from_db()
    assert item.percent == 60


def test_a_confirmation_makes_an_open_page_of_the_item_stale(users, item):
    signed(item, users["staff"])
    item.refresh_from_db()
    report = actions.do_report(users["staff"], item, item.version, 30, "进展")
    item.refresh_from_db()
    seen = item.version
    actions.do_confirm_report(users["head"], report)
    with pytest.raises(actions.Conflict):
        actions.do_request_completion(users["staff"], item, seen, "完成", [pdf_upload()])


def test_confirming_after_the_item_is_closed_keeps_it_at_100(users, item):
    signed(item, users["staff"])
    item.refresh_from_db()
    report = actions.do_report(users["staff"], item, item.version, 50, "进展")
    item.refresh_from_db()
    request = actions.do_request_completion(
        users["head"], item, item.version, "完成", [pdf_upload()]
    )
    item.refresh_from_db()
    actions.do_decide_completion(users["supervisor"], request, item.version, True)
    assert actions.do_confirm_report(users["head"], report)
    item.refresh_from_db()
    assert (item.status, item.percent) == (Item.Status.COMPLETED, 100)


def test_only_a_unit_head_of_the_authors_unit_confirms(client, users, make_item, units):
    from tests.conftest import make_user

    shared = make_item("两个单位共同承办", lead=units["fgj"], co=[units["jyj"]])
    make_user("other_head", "unit_head", units["jyj"])
    actions.do_sign(users["other_staff"], shared, shared.version)
    shared.refresh_from_db()
    report = actions.do_report(users["other_staff"], shared, shared.version, 20, "配合单位进展")
    login(client, users["head"])  # head of the lead unit, not of the author's unit
    response = client.post(reverse("report_confirm", args=[shared.pk, report.pk]))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.confirmed_at is None
    assert "配合单位进展" not in client.get(reverse("home")).content.decode()


def test_an_approved_extension_moves_the_due_date_and_records_a_deadline(client, users, item):
    login(client, users["staff"])
    client.post(
        reverse("item_extension", args=[item.pk]),
        {"version": item.version, "new_date": "2030-06-30", "reason": "受天气影响"},
    )
    request = Request.objects.get(item=item, kind=Request.Kind.EXTENSION)
    assert request.decision == Request.Decision.PENDING
    item.refresh_from_db()
    client.logout()
    login(client, users["supervisor"])
    response = client.post(
        reverse("request_decide", args=[item.pk, request.pk]),
        {"version": item.version, "decision": "approve", "note": ""},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.due_date == datetime.date(2030, 6, 30)
    assert (request.decision, request.decided_by) == (
        Request.Decision.APPROVED,
        users["supervisor"],
    )
    deadline = Deadline.objects.get(item=item)
    assert deadline.expr == "延期至2030年6月30日"
    assert deadline.date == datetime.date(2030, 6, 30)
    assert (
        "延期至2030年6月30日" in client.get(reverse("item_detail", args=[item.pk])).content.decode()
    )


def test_a_rejected_extension_keeps_the_due_date(users, item):
    request = actions.do_request_extension(
        users["staff"], item, item.version, datetime.date(2030, 7, 1), "理由"
    )
    actions.do_decide_extension(users["supervisor"], request, item.version, False, "不同意")
    item.refresh_from_db()
    assert item.due_date == datetime.date(2030, 5, 31)
    assert not Deadline.objects.filter(item=item).exists()
    request.refresh_from_db()
    assert (request.decision, request.decision_note) == (Request.Decision.REJECTED, "不同意")


def test_an_extension_must_move_the_date_later(client, users, item):
    login(client, users["staff"])
    response = client.post(
        reverse("item_extension", args=[item.pk]),
        {"version": item.version, "new_date": "2030-05-01", "reason": "想提前"},
    )
    assert response.status_code == 400
    assert "延期日期须晚于现有完成时限" in response.content.decode()
    assert not Request.objects.exists()


def test_completion_needs_evidence_then_approval_closes_the_item(client, users, item):
    signed(item, users["staff"])
    login(client, users["staff"])
    url = reverse("item_completion", args=[item.pk])
    response = client.post(url, {"version": item.version, "reason": "已完成"})
    assert response.status_code == 400
    assert not Request.objects.exists()
    client.post(url, {"version": item.version, "reason": "已完成", "files": [pdf_upload()]})
    item.refresh_from_db()
    assert item.status == Item.Status.COMPLETION_REQUESTED
    request = Request.objects.get(kind=Request.Kind.COMPLETION)
    assert request.evidence.count() == 1
    assert request.awaits_unit  # a staff member's request: the unit head first
    review.do_unit_confirm_completion(users["head"], request, item.version)
    item.refresh_from_db()
    actions.do_decide_completion(users["supervisor"], request, item.version, True)
    item.refresh_from_db()
    assert item.status == Item.Status.COMPLETED
    assert item.completed_at is not None
    assert item.percent == 100
    assert Item.objects.with_state().get(pk=item.pk).state == Item.State.DONE


def test_closing_an_item_marks_its_deadlines_done_with_an_audit_row(users, item):
    Deadline.objects.create(item=item, expr="5月底前", date=datetime.date(2030, 5, 31))
    Deadline.objects.create(item=item, expr="长期坚持", ongoing=True)
    signed(item, users["staff"])
    item.refresh_from_db()
    request = actions.do_request_completion(
        users["head"], item, item.version, "完成", [pdf_upload()]
    )
    item.refresh_from_db()
    actions.do_decide_completion(users["supervisor"], request, item.version, True)
    for deadline in Deadline.objects.filter(item=item):
        assert deadline.done_at is not None
        last = deadline.history.order_by("-history_id").first()
        assert (last.history_user, told(last.history_change_reason)) == (
            users["supervisor"],
            "办结销号",
        )
        assert last.done_at == deadline.done_at


def test_sending_completion_back_needs_a_reason_and_reopens_the_item(client, users, item):
    signed(item, users["staff"])
    request = actions.do_request_completion(
        users["head"], item, item.version, "完成了", [pdf_upload()]
    )
    item.refresh_from_db()
    login(client, users["supervisor"])
    url = reverse("request_decide", args=[item.pk, request.pk])
    response = client.post(url, {"version": item.version, "decision": "reject", "note": ""})
    assert response.status_code == 400
    assert "退回时请写明理由" in response.content.decode()
    client.post(url, {"version": item.version, "decision": "reject", "note": "材料不全"})
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.status == Item.Status.IN_PROGRESS
    assert (request.decision, request.decision_note) == (Request.Decision.REJECTED, "材料不全")


def test_one_grade_per_item_and_grading_again_replaces_it(users, item):
    actions.do_grade(users["supervisor"], item, item.version, "B")
    actions.do_grade(users["supervisor"], item, item.version, "A")
    item.refresh_from_db()
    assert item.grade == "A"
    reasons = [told(r) for r in item.history.values_list("history_change_reason", flat=True)]
    assert "评定为 A" in reasons and "评定为 B" in reasons


def test_urging_and_leaders_comments_are_kept_by_kind(client, users, item):
    login(client, users["supervisor"])
    client.post(reverse("item_urge", args=[item.pk]), {"text": "请于本周内反馈"})
    client.logout()
    login(client, users["leader"])
    client.post(reverse("item_comment", args=[item.pk]), {"text": "抓紧推进"})
    kinds = list(Comment.objects.order_by("id").values_list("kind", "author__username"))
    assert kinds == [(Comment.Kind.URGE, "supervisor"), (Comment.Kind.INSTRUCTION, "leader")]
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert "请于本周内反馈" in page and "抓紧推进" in page


def test_overdue_is_derived_never_stored(users, make_item, units):
    item = make_item(lead=units["fgj"], due_date=datetime.date(2000, 1, 1))
    assert Item.objects.with_state().get(pk=item.pk).state == Item.State.OVERDUE
    assert item.status == Item.Status.NEW
