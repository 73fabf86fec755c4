"""Every user's inbox: decisions, urging notices and 批示 reach the people they concern, on
their workbench and by e-mail in their language (immediately or in their digest), once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.smtpsink import Sink, smtp_sink
from tests.test_reminder_delivery import use_sink
from tracker.inbox import deliver
from tracker.models import Delivery, Item, Message, Request, User
from tracker.reminders import mail
from tracker.tasks import notices_mail
from tracker.tracking import actions, review

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings):
    with smtp_sink() as server:
        use_sink(settings, server)
        yield server


def send(moment=None):
    deliver.plan_notices(moment)
    return mail.send_deliveries(deliver.sendable())


@pytest.fixture
def item(make_item, units):
    return make_item(
        "完成城区污水管网改造。",
        lead=units["fgj"],
        due_date=datetime.date(2030, 6, 30),
        status=Item.Status.IN_PROGRESS,
    )


def test_an_approved_extension_reaches_its_requester_once_by_inbox_and_email(item, users, sink):
    request = actions.do_request_extension(
        users["staff"], item, item.version, datetime.date(2030, 9, 30), "汛期无法施工"
    )
    item.refresh_from_db()
    actions.do_decide_extension(users["supervisor"], request, item.version, True, "同意")

    (message,) = Message.objects.all()
    assert message.recipient == users["staff"] and message.code == Message.Code.EXTENSION_APPROVED
    assert message.data["date"] == "2030-09-30"
    assert send() == {"sent": 1}
    (mailed,) = sink.to("staff@example.gov.cn")
    text = Sink.text(mailed)
    assert "延期申请已同意" in mailed["Subject"]
    assert "完成城区污水管网改造" in text and "2030年9月30日" in text and "「同意」" in text
    assert reverse("inbox_open", args=[message.pk]) in text
    # Running again (the beat, a second worker) sends nothing more.
    assert send() == {} and len(sink.accepted) == 1
    assert notices_mail() == {} and len(sink.accepted) == 1


def test_a_returned_completion_request_reaches_its_author_in_english(item, users, sink):
    users["staff"].language = "en"
    users["staff"].save()
    request = actions.do_request_completion(users["staff"], item, item.version, "已完工")
    item.refresh_from_db()
    review.do_unit_confirm_completion(users["head"], request, item.version)  # on to the office
    item.refresh_from_db()
    actions.do_decide_completion(users["supervisor"], request, item.version, False, "缺少验收材料")
    assert send() == {"sent": 1}
    (mailed,) = sink.to("staff@example.gov.cn")
    text = Sink.text(mailed)
    assert "Completion request returned" in mailed["Subject"]
    assert "Completion request returned" in text and "缺少验收材料" in text
    assert "办结申请" not in text


def test_an_urging_notice_reaches_every_member_of_the_units_and_no_one_else(
    item, users, units, sink
):
    actions.do_urge(users["supervisor"], item, "请于本周内报送进展。")
    assert set(Message.objects.values_list("recipient__username", flat=True)) == {"staff", "head"}
    assert send() == {"sent": 2}
    assert sorted(r[0] for r, _m in sink.accepted) == [
        "head@example.gov.cn",
        "staff@example.gov.cn",
    ]
    assert "请于本周内报送进展。" in Sink.text(sink.to("head@example.gov.cn")[0])


def test_a_leaders_instruction_reaches_the_units_and_a_note_does_not(item, users, sink):
    actions.do_comment(users["supervisor"], item, "备注一条")
    assert not Message.objects.exists()
    actions.do_comment(users["leader"], item, "要加快进度，确保汛前完工。")
    assert Message.objects.filter(code=Message.Code.INSTRUCTION).count() == 2
    assert send() == {"sent": 2}
    assert "批示" in Sink.text(sink.to("staff@example.gov.cn")[0])


def test_digest_readers_get_their_messages_once_a_day_after_the_digest_time(item, users, sink):
    User.objects.filter(pk=users["staff"].pk).update(delivery=User.Timing.DIGEST)
    actions.do_urge(users["supervisor"], item, "请抓紧。")
    morning = datetime.datetime(2030, 3, 5, 10, 0, tzinfo=SHANGHAI)
    assert send(morning) == {"sent": 1}  # the head, at once
    assert not sink.to("staff@example.gov.cn")
    evening = datetime.datetime(2030, 3, 5, 17, 30, tzinfo=SHANGHAI)
    assert send(evening) == {"sent": 1}
    (digest,) = sink.to("staff@example.gov.cn")
    assert Delivery.objects.get(recipient=users["staff"]).kind == Delivery.Kind.NOTICE_DAILY
    assert "请抓紧。" in Sink.text(digest)


def test_a_failing_mail_server_is_retried_and_the_message_sent_once(item, users, settings):
    actions.do_urge(users["supervisor"], item, "请抓紧。")
    with smtp_sink(refuse=2) as server:
        use_sink(settings, server)
        assert send() == {"retry": 2}
        Delivery.objects.update(next_attempt_at=datetime.datetime(2000, 1, 1, tzinfo=SHANGHAI))
        assert send() == {"sent": 2}
        assert len(server.accepted) == 2


def test_the_workbench_shows_unread_messages_and_marks_them_read(client, item, users):
    actions.do_urge(users["supervisor"], item, "请于本周内报送进展。")
    client.force_login(users["staff"])
    page = client.get(reverse("home")).content.decode()
    assert "我的消息" in page and "1 条未读" in page and "请于本周内报送进展。" in page
    message = Message.objects.get(recipient=users["staff"])
    assert client.get(reverse("inbox_open", args=[message.pk])).url == reverse(
        "item_detail", args=[item.pk]
    )
    message.refresh_from_db()
    assert message.read_at is not None
    assert "未读" not in client.get(reverse("home")).content.decode().split('id="inbox"')[1][:400]
    # The head's copy is still unread; marking all read is theirs alone.
    client.force_login(users["head"])
    client.post(reverse("inbox_read"))
    assert not Message.objects.filter(read_at__isnull=True).exists()


def test_another_users_message_is_not_found(client, item, users):
    actions.do_urge(users["supervisor"], item, "请抓紧。")
    message = Message.objects.get(recipient=users["staff"])
    client.force_login(users["other_staff"])
    assert client.get(reverse("inbox_open", args=[message.pk])).status_code == 404
    client.post(reverse("inbox_read"), {"message": [message.pk]})
    message.refresh_from_db()
    assert message.read_at is None


def test_the_urge_view_mails_at_once_after_commit(
    client, item, users, sink, settings, django_capture_on_commit_callbacks
):
    from config.celery_app import app as celery_app

    celery_app.conf.task_always_eager = True
    try:
        client.force_login(users["supervisor"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("item_urge", args=[item.pk]), {"text": "请抓紧办理。"})
        assert response.status_code == 302
    finally:
        celery_app.conf.task_always_eager = False
    assert sorted(r[0] for r, _m in sink.accepted) == [
        "head@example.gov.cn",
        "staff@example.gov.cn",
    ]
    assert Request.objects.count() == 0


@pytest.mark.parametrize(
    "target",
    ["/\\evil.example/", "//evil.example/", "https://evil.example/", "javascript:alert(1)"],
)
def test_mark_read_never_redirects_off_site(client, users, target):
    client.force_login(users["staff"])
    response = client.post(reverse("inbox_read"), {"next": target})
    assert response.status_code == 302 and response["Location"] == reverse("inbox")


def test_mark_read_returns_to_a_page_of_the_site(client, users):
    client.force_login(users["staff"])
    response = client.post(reverse("inbox_read"), {"next": "/items/?page=2"})
    assert response["Location"] == "/items/?page=2"
