"""Two-level review: the unit head first (confirm, or return with a reason the author is told),
then the office; another extension date than the one asked, with a reason; 签收 in bulk."""

import datetime

import pytest
from django.urls import reverse

from tests.smtpsink import Sink, smtp_sink
from tests.test_reminder_delivery import use_sink
from tests.tracking import pdf_upload
from tracker.inbox import deliver
from tracker.models import Deadline, Item, Message, ProgressReport, Request
from tracker.reminders import mail
from tracker.tracking import actions, review
from tracker.tracking.audit import told

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings):
    with smtp_sink() as server:
        use_sink(settings, server)
        yield server


def send():
    deliver.plan_notices()
    return mail.send_deliveries(deliver.sendable())


@pytest.fixture
def item(make_item, units):
    return make_item(
        "完成城区污水管网改造。",
        lead=units["fgj"],
        due_date=datetime.date(2030, 6, 30),
        status=Item.Status.IN_PROGRESS,
    )


def fresh(item):
    item.refresh_from_db()
    return item


def test_a_returned_report_reaches_its_author_and_never_goes_up(client, users, item, sink):
    report = actions.do_report(users["staff"], item, item.version, 60, "完成管网铺设")
    client.force_login(users["head"])
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert reverse("report_return", args=[item.pk, report.pk]) in page
    url = reverse("report_return", args=[item.pk, report.pk])
    assert client.post(url, {"note": ""}).status_code == 400  # a reason is required
    assert ProgressReport.objects.get(pk=report.pk).returned_at is None
    assert client.post(url, {"note": "进度数据与现场不符"}).status_code == 302
    report.refresh_from_db()
    assert (report.returned_by, report.return_note) == (users["head"], "进度数据与现场不符")
    assert report.confirmed_at is None and fresh(item).percent == 0
    assert told(item.history.order_by("-history_id").first().history_change_reason) == (
        "退回进展报告 60%（staff）"
    )
    # Returned once: a second return or a confirmation changes nothing.
    assert not review.do_return_report(users["head"], report, "再次退回")
    assert client.post(reverse("report_confirm", args=[item.pk, report.pk])).status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).confirmed_at is None
    (message,) = Message.objects.filter(recipient=users["staff"])
    assert message.code == Message.Code.REPORT_RETURNED
    assert send() == {"sent": 1}
    (mailed,) = sink.to("staff@example.gov.cn")
    text = Sink.text(mailed)
    assert "您报送的进展（60%）被退回" in text and "进度数据与现场不符" in text
    assert not sink.to("head@example.gov.cn")
    # The author's workbench shows it; the head's list of reports to confirm no longer does.
    client.force_login(users["staff"])
    assert "被退回" in client.get(reverse("home")).content.decode()
    client.force_login(users["head"])
    home = client.get(reverse("home")).content.decode()
    assert "暂无待确认的报告" in home


def test_a_staff_completion_request_goes_to_the_unit_head_then_the_office(client, users, item):
    client.force_login(users["staff"])
    client.post(
        reverse("item_completion", args=[item.pk]),
        {"version": item.version, "reason": "已完工", "files": [pdf_upload()]},
    )
    request = Request.objects.get(kind=Request.Kind.COMPLETION)
    assert request.awaits_unit and fresh(item).status == Item.Status.COMPLETION_REQUESTED
    # The office neither sees it among its pending requests nor can decide it yet.
    client.force_login(users["supervisor"])
    assert "已完工" not in client.get(reverse("home")).content.decode()
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert reverse("request_decide", args=[item.pk, request.pk]) not in page
    with pytest.raises(actions.ActionError):
        actions.do_decide_completion(users["supervisor"], request, item.version, True)
    # The head sees it on the workbench and confirms it.
    client.force_login(users["head"])
    assert "待确认的办结申请" in client.get(reverse("home")).content.decode()
    review_url = reverse("request_unit_review", args=[item.pk, request.pk])
    response = client.post(review_url, {"version": fresh(item).version, "decision": "confirm"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert not request.awaits_unit and request.unit_confirmed_by == users["head"]
    assert request.decision == Request.Decision.PENDING
    assert (
        client.post(review_url, {"version": fresh(item).version, "decision": "confirm"}).status_code
        == 403
    )
    client.force_login(users["supervisor"])
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert reverse("request_decide", args=[item.pk, request.pk]) in page
    actions.do_decide_completion(users["supervisor"], request, fresh(item).version, True)
    assert fresh(item).status == Item.Status.COMPLETED


def test_the_unit_head_returns_a_completion_request_with_a_reason(client, users, item, sink):
    request = actions.do_request_completion(
        users["staff"], item, item.version, "已完工", [pdf_upload()]
    )
    client.force_login(users["head"])
    url = reverse("request_unit_review", args=[item.pk, request.pk])
    response = client.post(url, {"version": fresh(item).version, "decision": "return"})
    assert response.status_code == 400
    assert "退回时请写明理由" in response.content.decode()
    response = client.post(
        url,
        {
            "version": fresh(item).version,
            "decision": "return",
            "note": "完成进度仅为0%，不能申请办结",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.decision, request.decided_by) == (Request.Decision.REJECTED, users["head"])
    assert fresh(item).status == Item.Status.IN_PROGRESS
    assert send() == {"sent": 1}
    (mailed,) = sink.to("staff@example.gov.cn")
    assert "不能申请办结" in Sink.text(mailed) and "办结申请被退回" in Sink.text(mailed)
    assert not sink.to("supervisor@example.gov.cn")


def test_without_a_unit_head_account_a_completion_request_goes_straight_to_the_office(users, item):
    users["head"].is_active = False
    users["head"].save()
    request = actions.do_request_completion(
        users["staff"], item, item.version, "已完工", [pdf_upload()]
    )
    assert not request.awaits_unit
    actions.do_decide_completion(users["supervisor"], request, fresh(item).version, True)
    assert fresh(item).status == Item.Status.COMPLETED


def test_the_office_grants_another_date_with_a_reason_and_the_requester_is_told(
    client, users, item, sink
):
    request = actions.do_request_extension(
        users["staff"], item, item.version, datetime.date(2030, 9, 30), "汛期无法施工"
    )
    client.force_login(users["supervisor"])
    url = reverse("request_decide", args=[item.pk, request.pk])
    response = client.post(
        url,
        {
            "version": fresh(item).version,
            "decision": "approve",
            "granted_date": "2030-08-31",
            "note": "",
        },
    )
    assert response.status_code == 400
    assert "请写明理由" in response.content.decode()
    assert fresh(item).due_date == datetime.date(2030, 6, 30)
    response = client.post(
        url,
        {
            "version": fresh(item).version,
            "decision": "approve",
            "granted_date": "2030-08-31",
            "note": "汛期至8月底结束",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.granted_date == datetime.date(2030, 8, 31)
    assert fresh(item).due_date == datetime.date(2030, 8, 31)
    assert Deadline.objects.get(item=item).date == datetime.date(2030, 8, 31)
    last = item.history.order_by("-history_id").first()
    assert told(last.history_change_reason) == "同意延期至2030年8月31日（申请延期至2030年9月30日）"
    assert send() == {"sent": 1}
    text = Sink.text(sink.to("staff@example.gov.cn")[0])
    assert "2030年8月31日" in text and "2030年9月30日" in text and "汛期至8月底结束" in text


def test_the_asked_date_needs_no_reason(users, item):
    request = actions.do_request_extension(
        users["staff"], item, item.version, datetime.date(2030, 9, 30), "理由"
    )
    actions.do_decide_extension(
        users["supervisor"], request, fresh(item).version, True, date=datetime.date(2030, 9, 30)
    )
    request.refresh_from_db()
    assert request.granted_date is None and fresh(item).due_date == datetime.date(2030, 9, 30)
    assert Message.objects.get().code == Message.Code.EXTENSION_APPROVED


def test_bulk_signing_from_the_workbench(client, users, make_item, units):
    new = [make_item(f"新任务{n}", lead=units["fgj"]) for n in range(19)]
    other = make_item("别的单位", lead=units["jyj"])
    client.force_login(users["staff"])
    home = client.get(reverse("home")).content.decode()
    assert reverse("items_sign") in home and 'name="item"' in home
    assert home.count('name="item" value=') == 19
    actions.do_sign(users["head"], new[0], new[0].version)  # a colleague was quicker
    response = client.post(
        reverse("items_sign"),
        {"item": [str(i.pk) for i in new] + [str(other.pk), "abc"], "next": reverse("home")},
        follow=True,
    )
    page = response.content.decode()
    assert "已签收 18 项" in page and "2 项未签收" in page
    assert (
        Item.objects.filter(pk__in=[i.pk for i in new], status=Item.Status.IN_PROGRESS).count()
        == 19
    )
    assert Item.objects.get(pk=other.pk).status == Item.Status.NEW
    signed_by = {
        h.history_user_id
        for i in new[1:]
        for h in i.history.filter(history_change_reason__contains='"sign"')
    }
    assert signed_by == {users["staff"].pk}


def test_bulk_signing_from_the_item_list(client, users, make_item, units):
    items = [make_item(f"清单任务{n}", lead=units["fgj"]) for n in range(3)]
    client.force_login(users["head"])
    page = client.get(reverse("item_list")).content.decode()
    assert 'form="bulk-sign"' in page
    client.post(reverse("items_sign"), {"item": [items[0].pk, items[2].pk]})
    statuses = [Item.objects.get(pk=i.pk).status for i in items]
    assert statuses == [Item.Status.IN_PROGRESS, Item.Status.NEW, Item.Status.IN_PROGRESS]
