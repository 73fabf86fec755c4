"""The reminders' pages: 我的提醒 with the delivery choice, and the item page's reminder card."""

import datetime

import pytest
from django.urls import reverse

from tracker.models import Deadline, ItemOwner, Notice, ReminderSettings, ReminderSweep, User
from tracker.reminders import sweep

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def reminded(make_item, units, users):
    """An item of 区发改局 reminded on 2024-10-09, one day before it is due."""
    ReminderSettings.load()
    ReminderSweep.objects.create(
        date=D(2024, 10, 8), finished_at=datetime.datetime(2024, 10, 8, 1, tzinfo=datetime.UTC)
    )
    item = make_item(text="推进示范项目建设。", lead=units["fgj"], due_date=D(2024, 10, 10))
    Deadline.objects.create(item=item, expr="10月10日前", date=item.due_date)
    sweep.sweep(D(2024, 10, 9))
    return item


def test_my_reminders_lists_what_the_user_was_sent(client, users, reminded):
    client.force_login(users["staff"])
    page = client.get(reverse("my_reminders")).content.decode()
    assert "推进示范项目建设" in page
    assert "还有 1 个工作日到期（2024年10月10日）" in page
    assert reverse("item_detail", args=[reminded.pk]) in page


def test_my_reminders_hides_items_the_user_may_no_longer_see(client, users, units, reminded):
    assert Notice.objects.filter(recipient=users["staff"]).exists()
    ItemOwner.objects.filter(item=reminded).update(unit=units["jyj"])
    client.force_login(users["staff"])
    assert "推进示范项目建设" not in client.get(reverse("my_reminders")).content.decode()


def test_a_user_chooses_the_daily_digest(client, users):
    client.force_login(users["staff"])
    response = client.post(reverse("my_reminders"), {"delivery": "digest"})
    assert response.status_code == 302
    users["staff"].refresh_from_db()
    assert users["staff"].delivery == User.Timing.DIGEST


def test_a_bad_choice_is_refused_with_a_message(client, users):
    client.force_login(users["staff"])
    response = client.post(reverse("my_reminders"), {"delivery": "hourly"})
    assert response.status_code == 400
    assert "请检查" in response.content.decode()
    users["staff"].refresh_from_db()
    assert users["staff"].delivery == User.Timing.IMMEDIATE


def test_the_item_page_lists_the_reminders_and_their_recipients(client, users, reminded):
    client.force_login(users["supervisor"])
    page = client.get(reverse("item_detail", args=[reminded.pk])).content.decode()
    assert 'id="reminders"' in page
    assert "2024年10月9日" in page and "待发送" in page
    assert "head" in page and "staff" in page


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert client.get(reverse("my_reminders")).status_code == 302
    assert client.get(reverse("reminder_failures")).status_code == 302
