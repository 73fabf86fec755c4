"""Notification channels per unit: the unit's mailbox and group robots (企业微信 / 钉钉 webhook:
a JSON POST of text or markdown), tested against a local HTTP server and the SMTP sink;
retried like e-mail; a failing channel never stops the others."""

import datetime
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from tests.smtpsink import Sink, smtp_sink
from tests.test_reminder_delivery import use_sink
from tracker.channels import send
from tracker.models import ChannelDelivery, Item, UnitChannel
from tracker.supervision import notices
from tracker.tasks import notices_mail
from tracker.tracking import actions

pytestmark = pytest.mark.django_db


@contextmanager
def robot(fail=0, status=200, answer=b'{"errcode":0,"errmsg":"ok"}'):
    """A group robot on localhost: records each JSON body; the first `fail` posts get 500."""
    received, state = [], {"fail": fail}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state["fail"] > 0:
                state["fail"] -= 1
                self.send_response(500)
                self.end_headers()
                return
            received.append(json.loads(body))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def item(make_item, units):
    return make_item(
        "完成城区污水管网改造。",
        lead=units["fgj"],
        status=Item.Status.IN_PROGRESS,
        due_date=datetime.date(2030, 6, 30),
    )


def test_an_urging_notice_reaches_every_channel_and_a_failing_one_stops_none(
    settings, item, units, users
):
    with robot() as (wecom_url, wecom), robot(fail=1) as (ding_url, ding), smtp_sink() as sink:
        use_sink(settings, sink)
        fgj = units["fgj"]
        UnitChannel.objects.create(
            unit=fgj,
            kind=UnitChannel.Kind.DINGTALK,
            address=ding_url,
            format=UnitChannel.Format.TEXT,
        )
        UnitChannel.objects.create(unit=fgj, kind=UnitChannel.Kind.WECOM, address=wecom_url)
        UnitChannel.objects.create(
            unit=fgj, kind=UnitChannel.Kind.EMAIL, address="fgj-office@example.gov.cn"
        )
        UnitChannel.objects.create(
            unit=units["jyj"], kind=UnitChannel.Kind.WECOM, address=wecom_url
        )  # another unit's: not told
        actions.do_urge(users["supervisor"], item, "请于本周内报送整改进展。")
        assert ChannelDelivery.objects.count() == 3
        result = notices_mail()
        assert result["channel_sent"] == 2 and result["channel_retry"] == 1
        (posted,) = wecom
        assert posted["msgtype"] == "markdown"
        assert "催办" in posted["markdown"]["content"]
        assert "请于本周内报送整改进展" in posted["markdown"]["content"]
        assert f"/items/{item.pk}/" in posted["markdown"]["content"]
        (mailed,) = sink.to("fgj-office@example.gov.cn")
        assert "催办" in mailed["Subject"] and "完成城区污水管网改造" in Sink.text(mailed)
        failed = ChannelDelivery.objects.get(channel__kind=UnitChannel.Kind.DINGTALK)
        assert failed.status == ChannelDelivery.Status.PENDING and "500" in failed.last_error
        # Not before its back-off; then it goes, once.
        assert send.send_pending() == {}
        later = timezone.now() + datetime.timedelta(hours=1)
        assert send.send_pending(now=later) == {"sent": 1}
        (text,) = ding
        assert text["msgtype"] == "text" and "请于本周内报送整改进展" in text["text"]["content"]
        assert send.send_pending(now=later) == {}
        assert len(wecom) == 1 and len(sink.to("fgj-office@example.gov.cn")) == 1


def test_a_robot_that_answers_an_error_code_is_retried_then_failed(settings, item, units, users):
    from tracker.models import ReminderSettings

    rules = ReminderSettings.load()
    rules.max_attempts = 2
    rules.save()
    with robot(answer=b'{"errcode":93000,"errmsg":"invalid webhook url"}') as (url, got):
        UnitChannel.objects.create(unit=units["fgj"], kind=UnitChannel.Kind.WECOM, address=url)
        actions.do_urge(users["supervisor"], item, "请抓紧。")
        assert send.send_pending() == {"retry": 1}
        later = timezone.now() + datetime.timedelta(days=1)
        assert send.send_pending(now=later) == {"failed": 1}
        delivery = ChannelDelivery.objects.get()
        assert delivery.status == ChannelDelivery.Status.FAILED
        assert "93000" in delivery.last_error and delivery.attempts == 2


def test_a_supervision_notice_reaches_the_units_robot_once(item, units, users):
    with robot() as (url, got):
        UnitChannel.objects.create(unit=units["fgj"], kind=UnitChannel.Kind.DINGTALK, address=url)
        for _twice in range(2):
            notices.issue(users["supervisor"], [item], "supervise", 3, "请限期整改。", "tok-1")
        assert send.send_pending() == {"sent": 1}
        (posted,) = got
        assert posted["msgtype"] == "markdown" and "督办单" in posted["markdown"]["text"]
        assert posted["markdown"]["title"].startswith("【督办台】")


def test_an_inactive_channel_gets_nothing(item, units, users):
    UnitChannel.objects.create(
        unit=units["fgj"],
        kind=UnitChannel.Kind.WECOM,
        address="http://127.0.0.1:9/none",
        active=False,
    )
    actions.do_urge(users["supervisor"], item, "请抓紧。")
    assert not ChannelDelivery.objects.exists() and send.send_pending() == {}
