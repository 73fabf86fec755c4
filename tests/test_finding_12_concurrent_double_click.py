"""Finding 12 for real: a double-clicked 催办 is two requests at the same moment, on PostgreSQL,
each with its own database connection. The second waits for the first on the claim's unique
index and then answers with the first one's outcome: one 催办, one e-mail per recipient."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from config.celery_app import app as celery_app
from tests.processes import wait_for
from tests.smtpsink import smtp_sink
from tests.test_finding_12_once_per_submission import token
from tests.test_import_concurrency import waiting_on_a_lock
from tests.test_reminder_delivery import use_sink
from tracker.models import Comment, Item, Message, Submission
from tracker.tracking import actions, once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's concurrent transactions (SQLite serializes every writer)",
    ),
]


@pytest.fixture
def sink(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with smtp_sink() as server:
        use_sink(settings, server)
        celery_app.conf.task_always_eager = True
        try:
            yield server
        finally:
            celery_app.conf.task_always_eager = False


def test_finding_12_two_simultaneous_posts_of_one_urge_urge_once(
    make_item, units, users, sink, monkeypatch
):
    item = make_item(
        "完成城区污水管网改造。",
        lead=units["fgj"],
        due_date=datetime.date(2030, 6, 30),
        status=Item.Status.IN_PROGRESS,
    )
    office = Client()
    office.force_login(users["supervisor"])
    url = reverse("item_urge", args=[item.pk])
    data = {"text": "请抓紧办理。", once.FIELD: token(office, item, url)}

    # The first click stops inside its transaction, right after storing the 催办.
    inside, release = threading.Event(), threading.Event()
    original = actions.do_urge

    def do_urge(*args, **kwargs):
        comment = original(*args, **kwargs)
        inside.set()
        release.wait(timeout=120)
        return comment

    monkeypatch.setattr(actions, "do_urge", do_urge)
    answers = []

    def click():
        browser = Client()  # each request its own session, the same user
        browser.force_login(users["supervisor"])
        try:
            answers.append(browser.post(url, data))
        except Exception as exc:  # the test client re-raises what would be a 500
            answers.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _n in range(2)]
    threads[0].start()
    assert inside.wait(timeout=120)
    threads[1].start()
    # The second click waits on the unique index of the key the first has claimed.
    assert wait_for(waiting_on_a_lock, timeout=60, interval=0.1)
    release.set()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(isinstance(a, Exception) for a in answers), answers
    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {reverse("item_detail", args=[item.pk])}
    assert Comment.objects.filter(kind=Comment.Kind.URGE).count() == 1
    assert Message.objects.filter(code=Message.Code.URGE).count() == 2
    assert Submission.objects.count() == 1
    assert sorted(r[0] for r, _m in sink.accepted) == [
        "head@example.gov.cn",
        "staff@example.gov.cn",
    ]
