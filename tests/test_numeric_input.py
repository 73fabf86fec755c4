"""Ids posted by a browser: digits that are not ASCII digits are no ids, never a 500."""

import pytest
from django.urls import reverse

from tests.tracking import fast_passwords
from tracker.lib.numbers import parse_id, parse_ids

pytestmark = pytest.mark.django_db

NOT_IDS = ["²", "①", "١٢", "５", "", " ", "-1", "0", "1.5", "1e3", "0x10", "9" * 30, None, 7]


@pytest.fixture(autouse=True)
def setup(settings):
    fast_passwords(settings)


@pytest.mark.parametrize("value", NOT_IDS)
def test_finding_11_only_ascii_digits_make_an_id(value):
    assert parse_id(value) is None


def test_finding_11_ids_parse_and_invalid_ones_are_left_out():
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7
    assert parse_id(str(2**63 - 1)) == 2**63 - 1 and parse_id(str(2**63)) is None
    assert parse_ids(["3", "²", "x", "12"]) == [3, 12]


def test_finding_11_failed_mail_retry_with_a_superscript_digit(client, users):
    client.force_login(users["supervisor"])
    response = client.post(reverse("reminder_retry"), {"delivery": ["²"]}, follow=True)
    assert response.status_code == 200
    assert "请先勾选要重新发送的邮件。" in response.content.decode()


def test_finding_11_marking_inbox_messages_read_with_a_superscript_digit(client, users, make_item):
    from tracker.models import Message
    from tracker.tracking import actions

    actions.do_urge(users["supervisor"], make_item(lead=users["staff"].unit), "请抓紧。")
    message = Message.objects.get(recipient=users["staff"])
    client.force_login(users["staff"])
    response = client.post(reverse("inbox_read"), {"message": ["²", "٣"]})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.read_at is None  # no id chosen: nothing marked read
