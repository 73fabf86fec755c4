"""Password-reset e-mails are throttled per e-mail address and per client address."""

import datetime

import pytest
from django.core import mail

from tests.tracking import fast_passwords

pytestmark = pytest.mark.django_db

URL = "/accounts/password_reset/"


@pytest.fixture(autouse=True)
def setup(settings):
    fast_passwords(settings)


def reset(client, email, address="10.30.0.1"):
    """A reset request from `address`, as nginx (127.0.0.1) passes it on."""
    return client.post(URL, {"email": email}, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=address)


def test_finding_13_reset_mails_to_one_account_are_throttled(client, users, settings):
    assert settings.PASSWORD_RESET_PER_ACCOUNT == 3
    statuses = [
        reset(client, "staff@example.gov.cn", f"10.30.0.{n}").status_code for n in range(15)
    ]
    assert statuses == [302] * 3 + [429] * 12
    assert len(mail.outbox) == 3
    assert all(m.to == ["staff@example.gov.cn"] for m in mail.outbox)
    refused = reset(client, "STAFF@example.gov.cn", "10.30.0.99")  # another spelling
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "这个邮箱地址的重置密码请求过于频繁，请在 60 分钟后再试。" in text
    assert len(mail.outbox) == 3
    # Once the first requests are an hour old, the address may ask again.
    from tracker.models import PasswordResetRequest

    PasswordResetRequest.objects.update(at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
    assert reset(client, "staff@example.gov.cn").status_code == 302
    assert len(mail.outbox) == 4
    # Rows older than a day were cleared on the way.
    assert PasswordResetRequest.objects.count() == 1


def test_finding_13_unknown_addresses_are_throttled_alike(client, users):
    """Whether an address has an account must not show in the answers."""
    statuses = [reset(client, "nobody@example.gov.cn").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert mail.outbox == []


def test_finding_13_one_client_address_is_throttled_across_accounts(client, users, settings):
    assert settings.PASSWORD_RESET_PER_ADDRESS == 10
    emails = [f"{name}@example.gov.cn" for name in users] + [
        f"someone{n}@example.gov.cn" for n in range(6)
    ]
    statuses = [reset(client, email, "10.40.0.1").status_code for email in emails]
    assert statuses == [302] * 10 + [429] * 2
    refused = reset(client, "leader@example.gov.cn", "10.40.0.1")
    assert "从您的网络地址发出的重置密码请求过于频繁" in refused.content.decode()
    # Another client is not held back by that one.
    assert reset(client, "someone9@example.gov.cn", "10.40.0.2").status_code == 302


def test_finding_13_the_refusal_in_english(client, users):
    client.cookies["django_language"] = "en"
    for _ in range(3):
        reset(client, "staff@example.gov.cn")
    text = reset(client, "staff@example.gov.cn").content.decode()
    assert "Too many password-reset requests for this e-mail address" in text
    assert "60 minutes" in text
