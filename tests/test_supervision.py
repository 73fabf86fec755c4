"""督办单 end to end: issued once however often the form is sent, reaches the unit and its
分管领导 by e-mail (real SMTP sink) and on the workbench, is answered with evidence, escalates one
level when the reply is late, and prints (A4 HTML, PDF)."""

import datetime

import pytest
from django.urls import reverse

from tests.smtpsink import Sink, smtp_sink
from tests.test_reminder_delivery import use_sink
from tests.tracking import fast_passwords, pdf_upload
from tracker.inbox import deliver
from tracker.lib.workdays import WorkdayCalendar
from tracker.models import Evidence, Item, Message, SupervisionNotice
from tracker.reminders import mail
from tracker.supervision import notices

D = datetime.date
N = SupervisionNotice
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    fast_passwords(settings)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def sink(settings):
    with smtp_sink() as server:
        use_sink(settings, server)
        yield server


@pytest.fixture
def items(make_item, units, users):
    units["fgj"].leader = users["leader"]
    units["fgj"].save()
    return [
        make_item(
            f"推进第{n}批老旧小区改造。",
            lead=units["fgj"],
            due_date=D(2030, 6, 30),
            status=Item.Status.IN_PROGRESS,
        )
        for n in (1, 2)
    ]


def send():
    deliver.plan_notices()
    return mail.send_deliveries(deliver.sendable())


def test_issuing_twice_with_one_token_makes_one_numbered_notice_told_once(items, users, sink):
    first = notices.issue(
        users["supervisor"], items, N.Level.URGE, 3, "请加快进度。", "tok1", today=D(2030, 3, 4)
    )
    again = notices.issue(
        users["supervisor"], items, N.Level.URGE, 3, "请加快进度。", "tok1", today=D(2030, 3, 4)
    )
    ((notice, created),), ((same, created_again),) = first, again
    assert created and not created_again and same.pk == notice.pk
    assert N.objects.count() == 1 and notice.number == "督〔2030〕1号"
    # 3 working days after Monday 4 March 2030.
    assert notice.reply_due == WorkdayCalendar().add_workdays(D(2030, 3, 4), 3)
    assert set(notice.items.all()) == set(items)
    assert list(notice.copied.all()) == [users["leader"]]
    assert set(Message.objects.values_list("recipient__username", flat=True)) == {
        "staff",
        "head",
        "leader",
    }
    assert send() == {"sent": 3}
    assert send() == {}
    assert sorted(r[0] for r, _m in sink.accepted) == [
        "head@example.gov.cn",
        "leader@example.gov.cn",
        "staff@example.gov.cn",
    ]
    text = Sink.text(sink.to("staff@example.gov.cn")[0])
    assert "催办单 督〔2030〕1号" in text and "请加快进度。" in text
    # A second notice of the year takes the next number.
    ((second, _c),) = notices.issue(
        users["supervisor"], items[:1], N.Level.REMIND, 2, "提醒", "tok2", today=D(2030, 3, 5)
    )
    assert second.number == "督〔2030〕2号"


def test_items_of_two_units_get_one_notice_each(make_item, units, users):
    own = make_item("甲单位任务", lead=units["fgj"], status=Item.Status.IN_PROGRESS)
    other = make_item("乙单位任务", lead=units["jyj"], status=Item.Status.IN_PROGRESS)
    results = notices.issue(users["supervisor"], [own, other], N.Level.REMIND, 2, "请反馈", "t")
    assert {n.unit for n, _c in results} == {units["fgj"], units["jyj"]}
    assert set(
        Message.objects.filter(recipient=users["other_staff"]).values_list(
            "data__number", flat=True
        )
    ) == {n.number for n, _c in results if n.unit == units["jyj"]}


def test_the_form_sent_twice_issues_once_and_the_unit_sees_it_on_its_workbench(
    client, items, users
):
    client.force_login(users["supervisor"])
    page = client.get(reverse("supervision_new") + f"?items={items[0].pk},{items[1].pk}")
    assert page.status_code == 200
    token = page.context["form"].initial["token"]
    data = {
        "items": [i.pk for i in items],
        "level": "supervise",
        "reply_days": 5,
        "text": "限期整改到位。",
        "token": token,
    }
    first = client.post(reverse("supervision_new"), data)
    second = client.post(reverse("supervision_new"), data)
    assert first.status_code == second.status_code == 302
    (notice,) = N.objects.all()
    assert Message.objects.filter(recipient=users["staff"]).count() == 1
    client.force_login(users["staff"])
    home = client.get(reverse("home")).content.decode()
    assert notice.number in home and "待反馈的督办单" in home
    assert reverse("supervision_detail", args=[notice.pk]) in home


def test_the_unit_replies_with_evidence_and_the_office_is_told(client, items, users, sink):
    ((notice, _c),) = notices.issue(users["supervisor"], items, N.Level.URGE, 3, "请反馈", "t")
    client.force_login(users["staff"])
    url = reverse("supervision_reply", args=[notice.pk])
    response = client.post(
        url,
        {"text": "已完成第一批改造，第二批进场施工。", "attachments": [pdf_upload("现场照片.pdf")]},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == N.Status.REPLIED and notice.replied_at
    (evidence,) = Evidence.objects.filter(reply__notice=notice)
    assert evidence.original_name == "现场照片.pdf"
    assert (
        Message.objects.filter(
            recipient=users["supervisor"], code=Message.Code.DUBAN_REPLIED
        ).count()
        == 1
    )
    # Answered once: a second reply is refused and stores nothing.
    assert client.post(url, {"text": "再次反馈"}).status_code == 403
    assert notice.replies.count() == 1
    send()
    assert "已反馈催办单" in Sink.text(sink.to("supervisor@example.gov.cn")[0])


def test_a_missed_reply_escalates_one_level_once_and_reaches_the_unit(items, users, sink):
    ((notice, _c),) = notices.issue(
        users["supervisor"], items, N.Level.REMIND, 1, "请反馈", "t", today=D(2030, 3, 4)
    )
    send()
    sink.accepted.clear()
    assert notices.escalate_overdue(today=notice.reply_due) == []  # the last day is in time
    (urged,) = notices.escalate_overdue(today=notice.reply_due + datetime.timedelta(days=1))
    assert notices.escalate_overdue(today=notice.reply_due + datetime.timedelta(days=1)) == []
    notice.refresh_from_db()
    assert notice.status == N.Status.ESCALATED and urged.previous == notice
    assert urged.level == N.Level.URGE and set(urged.items.all()) == set(items)
    assert send() == {"sent": 3}
    assert "已升级" in Sink.text(sink.to("head@example.gov.cn")[0])
    (supervised,) = notices.escalate_overdue(today=urged.reply_due + datetime.timedelta(days=1))
    assert supervised.level == N.Level.SUPERVISE
    # 督办 is the top level: a late reply stays on the list (red) and escalates no further.
    assert notices.escalate_overdue(today=supervised.reply_due + datetime.timedelta(days=9)) == []


def test_a_replied_notice_is_not_escalated(items, users):
    ((notice, _c),) = notices.issue(users["supervisor"], items, N.Level.REMIND, 1, "请反馈", "t")
    notices.reply(users["staff"], notice, "已办理")
    assert notices.escalate_overdue(today=notice.reply_due + datetime.timedelta(days=5)) == []


def test_the_print_view_and_the_pdf_carry_the_number_and_dates(client, items, users):
    ((notice, _c),) = notices.issue(
        users["supervisor"], items, N.Level.SUPERVISE, 3, "请整改", "t", today=D(2030, 3, 4)
    )
    client.force_login(users["staff"])
    page = client.get(reverse("supervision_print", args=[notice.pk])).content.decode()
    assert "督〔2030〕1号" in page and "督办单" in page and "2030年3月4日" in page
    assert f"{notice.reply_due.year}年{notice.reply_due.month}月{notice.reply_due.day}日" in page
    assert "抄送" in page and "leader" in page and "@page" not in page  # CSS is a static file
    response = client.get(reverse("supervision_pdf", args=[notice.pk]))
    if response.status_code == 302:
        pytest.skip("fonts-noto-cjk is not installed: the PDF falls back to the print page")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response).startswith(b"%PDF")


def test_who_may_see_issue_and_reply(client, items, users, make_item, units):
    ((notice, _c),) = notices.issue(users["supervisor"], items, N.Level.URGE, 3, "请反馈", "t")
    detail = reverse("supervision_detail", args=[notice.pk])
    reply = reverse("supervision_reply", args=[notice.pk])
    for name in ("staff", "head", "leader", "supervisor", "admin"):
        client.force_login(users[name])
        assert client.get(detail).status_code == 200
    client.force_login(users["other_staff"])
    assert client.get(detail).status_code == 404
    assert client.post(reply, {"text": "x"}).status_code == 404
    for name in ("leader", "supervisor"):
        client.force_login(users[name])
        assert client.post(reply, {"text": "x"}).status_code == 403
    for name in ("staff", "head", "leader"):
        client.force_login(users[name])
        assert client.get(reverse("supervision_new")).status_code == 403
    assert notice.replies.count() == 0
