"""Finding 12: a double-clicked 催办 was stored and e-mailed twice.

Every state-changing form carries a one-time token (tracker/tracking/once.py); the same
submission sent twice is processed once and the second answer shows the first one's outcome.
"""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from tests.smtpsink import smtp_sink
from tests.test_reminder_delivery import use_sink
from tracker.models import Comment, Item, Message, ProgressReport, Request, Submission
from tracker.tracking import actions, once

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(make_item, units):
    return make_item(
        "完成城区污水管网改造。",
        lead=units["fgj"],
        due_date=datetime.date(2030, 6, 30),
        status=Item.Status.IN_PROGRESS,
    )


@pytest.fixture
def sink(settings):
    from config.celery_app import app as celery_app

    with smtp_sink() as server:
        use_sink(settings, server)
        celery_app.conf.task_always_eager = True
        try:
            yield server
        finally:
            celery_app.conf.task_always_eager = False


def forms_of(html, page=""):
    """{action: the form's HTML} of every POST form of a page (no action: the page itself)."""
    found = {}
    for form in re.finditer(r"<form\b([^>]*)>.*?</form>", html, re.S):
        if 'method="post"' not in form.group(1):
            continue
        action = re.search(r'action="([^"]*)"', form.group(1))
        found[unescape(action.group(1)) if action else page] = form.group(0)
    return found


def token(client, item, action_url):
    """The token of the form posting to `action_url`, as the item page renders it now."""
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    form = forms_of(page)[action_url]
    return re.search(r'name="submission" value="([^"]+)"', form).group(1)


def twice(client, url, data, capture):
    """The same submission sent twice (a double click); both answers."""
    answers = []
    for _n in range(2):
        with capture(execute=True):
            answers.append(client.post(url, data))
    return answers


def test_finding_12_a_double_clicked_urge_is_stored_and_mailed_once(
    client, item, users, sink, django_capture_on_commit_callbacks
):
    client.force_login(users["supervisor"])
    url = reverse("item_urge", args=[item.pk])
    data = {"text": "请抓紧办理。", once.FIELD: token(client, item, url)}
    first, second = twice(client, url, data, django_capture_on_commit_callbacks)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == reverse("item_detail", args=[item.pk])
    assert Comment.objects.filter(kind=Comment.Kind.URGE).count() == 1
    assert Message.objects.filter(code=Message.Code.URGE).count() == 2  # staff and head
    assert sorted(r[0] for r, _m in sink.accepted) == [
        "head@example.gov.cn",
        "staff@example.gov.cn",
    ]
    page = client.get(second["Location"]).content.decode()
    assert "本次重复提交未再执行" in page

    # A fresh form is a new submission.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"text": "再次催办。", once.FIELD: token(client, item, url)})
    assert again.status_code == 302
    assert Comment.objects.filter(kind=Comment.Kind.URGE).count() == 2
    assert len(sink.accepted) == 4


def test_finding_12_a_report_and_a_comment_sent_twice_are_stored_once(
    client, item, users, django_capture_on_commit_callbacks
):
    client.force_login(users["staff"])
    report_url = reverse("item_report", args=[item.pk])
    data = {
        "version": item.version,
        "percent": 40,
        "narrative": "管网铺设过半。",
        once.FIELD: token(client, item, report_url),
    }
    first, second = twice(client, report_url, data, django_capture_on_commit_callbacks)
    # Without the token the second would be a version conflict (409); with it, the outcome.
    assert first.status_code == second.status_code == 302
    assert ProgressReport.objects.filter(item=item).count() == 1

    comment_url = reverse("item_comment", args=[item.pk])
    data = {"text": "已协调施工单位。", once.FIELD: token(client, item, comment_url)}
    first, second = twice(client, comment_url, data, django_capture_on_commit_callbacks)
    assert first.status_code == second.status_code == 302
    assert Comment.objects.filter(item=item, text="已协调施工单位。").count() == 1


def test_finding_12_a_decision_sent_twice_is_taken_once(
    client, item, users, django_capture_on_commit_callbacks
):
    req = actions.do_request_extension(
        users["head"], item, item.version, datetime.date(2030, 9, 30), "汛期无法施工"
    )
    assert not req.awaits_unit
    item.refresh_from_db()
    client.force_login(users["supervisor"])
    url = reverse("request_decide", args=[item.pk, req.pk])
    data = {
        "version": item.version,
        "decision": "approve",
        "note": "同意",
        once.FIELD: token(client, item, url),
    }
    first, second = twice(client, url, data, django_capture_on_commit_callbacks)
    assert first.status_code == second.status_code == 302
    item.refresh_from_db()
    assert item.version == data["version"] + 1
    assert item.due_date == datetime.date(2030, 9, 30)
    assert Request.objects.get(pk=req.pk).decision == Request.Decision.APPROVED
    assert Message.objects.filter(recipient=users["head"]).count() == 1


def test_finding_12_another_users_token_is_refused(client, item, users):
    client.force_login(users["staff"])
    url = reverse("item_comment", args=[item.pk])
    staff_token = token(client, item, url)
    client.force_login(users["head"])
    response = client.post(url, {"text": "借用他人的表单。", once.FIELD: staff_token})
    assert response.status_code == 403
    assert "其他用户" in response.content.decode()
    altered = client.post(url, {"text": "篡改的表单。", once.FIELD: staff_token + "x"})
    assert altered.status_code == 403
    assert not Comment.objects.exists() and not Submission.objects.exists()


def test_finding_12_a_refused_input_can_be_corrected_and_sent_with_the_same_token(
    client, item, users
):
    client.force_login(users["staff"])
    url = reverse("item_comment", args=[item.pk])
    data = {"text": "", once.FIELD: token(client, item, url)}
    assert client.post(url, data).status_code == 400
    assert not Submission.objects.exists()  # the failed attempt claimed nothing
    data["text"] = "补充说明。"
    assert client.post(url, data).status_code == 302
    assert Comment.objects.filter(text="补充说明。").count() == 1


def test_finding_12_every_form_of_the_item_page_carries_a_fresh_token(
    client, make_item, units, users
):
    item = make_item("新交办的事项。", lead=units["fgj"], due_date=datetime.date(2030, 6, 30))
    actions.do_sign(users["staff"], item, item.version)
    item.refresh_from_db()
    actions.do_report(users["staff"], item, item.version, 10, "已启动。")
    seen, checked = set(), set()
    for who in ("staff", "head", "supervisor"):
        client.force_login(users[who])
        for url in (
            reverse("item_detail", args=[item.pk]),
            reverse("home"),
            reverse("item_list"),
            reverse("adhoc_create"),
        ):
            response = client.get(url)
            if response.status_code != 200:
                continue
            for action, form in forms_of(response.content.decode(), url).items():
                if action in (reverse("logout"), reverse("set_language"), reverse("inbox_read")):
                    continue
                found = re.findall(r'name="submission" value="([^"]+)"', form)
                assert len(found) == 1, (who, url, action)
                assert found[0] not in seen
                seen.add(found[0])
                checked.add(action)
    assert {
        reverse("item_comment", args=[item.pk]),
        reverse("item_urge", args=[item.pk]),
        reverse("report_confirm", args=[item.pk, item.reports.get().pk]),
        reverse("adhoc_create"),
    } <= checked


def test_finding_12_a_double_clicked_upload_makes_one_import_job(
    client, users, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tracker.models import ImportJob

    client.force_login(users["supervisor"])
    url = reverse("import_upload")
    form = forms_of(client.get(url).content.decode(), url)[url]
    submission = re.search(r'name="submission" value="([^"]+)"', form).group(1)
    text = "关于印发年度重点工作任务的通知\n一、完成城区污水管网改造。\n".encode()
    answers = [
        client.post(url, {"file": SimpleUploadedFile("任务.txt", text), once.FIELD: submission})
        for _n in range(2)
    ]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert ImportJob.objects.count() == 1
