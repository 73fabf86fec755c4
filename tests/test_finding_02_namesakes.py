"""Finding 2: reminder e-mails leaked items to namesakes. A name in a document is linked to an
account only when the account may open the item (its unit is one of the item's units, or it
sees every item) or when the office confirms the link in the preview; and at send time an
e-mail never carries an item its recipient cannot open."""

import datetime

import pytest
from django.core import mail as outbox
from django.urls import reverse

from config.celery_app import app as celery_app
from tests import import_files
from tests.test_import_views import form_data, page_state, save, uploaded
from tracker.models import Deadline, Delivery, ItemPerson, ReminderSettings
from tracker.reminders import mail, plan

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def named_gazette():
    text = import_files.gazette(2, unit="区发展和改革局")
    return text.replace(
        "〔责任单位：区发展和改革局〕", "〔责任单位：区发展和改革局；责任人：王明〕", 1
    ).encode()


def import_with(client, users, capture, link=False):
    client.force_login(users["supervisor"])
    job = uploaded(client, "named.txt", named_gazette(), capture)
    job.refresh_from_db()
    page = client.get(reverse("import_preview", args=[job.pk])).content.decode()
    namesakes = [
        f"关联到同名账号 {n['account']}"
        for row in page_state(page)["rows"]
        for n in row["namesakes"]
    ]
    if link:
        assert namesakes and save(client, job, {"links": {"0-0|王明": True}}).status_code == 200
    response = client.post(reverse("import_preview", args=[job.pk]), form_data(client, job))
    assert response.status_code == 302, response.content.decode()[:3000]
    return ItemPerson.objects.get(name="王明"), " ".join(namesakes)


def test_finding_02_a_namesake_in_another_unit_is_not_linked(
    client, users, units, eager, django_capture_on_commit_callbacks
):
    users["other_staff"].display_name = "王明"  # 区教育局, the item is 区发展和改革局's
    users["other_staff"].save()
    person, page = import_with(client, users, django_capture_on_commit_callbacks)
    assert person.user is None
    assert "关联到同名账号 other_staff（区教育局）" in page


def test_finding_02_the_same_name_in_the_items_unit_is_linked(
    client, users, units, eager, django_capture_on_commit_callbacks
):
    users["staff"].display_name = "王明"
    users["staff"].save()
    person, page = import_with(client, users, django_capture_on_commit_callbacks)
    assert person.user == users["staff"]
    assert "关联到同名账号" not in page


def test_finding_02_the_office_may_confirm_a_link_in_the_preview(
    client, users, units, eager, django_capture_on_commit_callbacks
):
    users["other_staff"].display_name = "王明"
    users["other_staff"].save()
    person, _page = import_with(client, users, django_capture_on_commit_callbacks, link=True)
    assert person.user == users["other_staff"]


def test_finding_02_an_email_never_carries_an_item_its_recipient_cannot_open(
    make_item, units, users
):
    ReminderSettings.load()
    item = make_item(text="区发改局的保密任务。", lead=units["fgj"], due_date=D(2024, 10, 10))
    Deadline.objects.create(item=item, expr="10月10日前", date=D(2024, 10, 10))
    # A link made before the rule (or an account moved to another unit since).
    ItemPerson.objects.create(
        item=item, role=ItemPerson.Role.PERSON, name="王明", user=users["other_staff"]
    )
    moment = datetime.datetime(
        2024, 10, 9, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    outcome = mail.send_deliveries(plan.tick(moment))
    assert outcome == {"sent": 2, "skipped": 1}
    assert sorted(m.to[0] for m in outbox.outbox) == ["head@example.gov.cn", "staff@example.gov.cn"]
    assert all("保密任务" not in m.body for m in outbox.outbox if "other_staff" in m.to[0])
    skipped = Delivery.objects.get(recipient=users["other_staff"])
    assert skipped.status == Delivery.Status.SKIPPED
