"""Login security: django-axes locks a username at an address out after AXES_FAILURE_LIMIT (5)
bad passwords; the password validators refuse weak passwords."""

from datetime import timedelta

import pytest
from django.conf import settings

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_five_bad_passwords_lock_the_account_out_even_for_the_right_password(client, users):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = [attempt(client, "staff", f"wrong-{n}").status_code for n in range(5)]
    # Four failures show the form again; the fifth reaches the limit and is refused.
    assert statuses == [200, 200, 200, 200, 429]
    sixth = attempt(client, "staff", PASSWORD)
    assert sixth.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_a_locked_out_username_does_not_lock_out_another_user(client, users):
    for n in range(5):
        attempt(client, "staff", f"wrong-{n}")
    other = attempt(client, "head", PASSWORD)
    assert other.status_code == 302
    assert client.get("/").status_code == 200


def test_fewer_failures_than_the_limit_still_allow_the_right_password(client, users):
    for n in range(4):
        attempt(client, "staff", f"wrong-{n}")
    assert attempt(client, "staff", PASSWORD).status_code == 302


@pytest.mark.parametrize("password", ["12345678", "password", "staff2025", "abc"])
def test_weak_passwords_are_refused_by_the_validators(users, password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password(password, users["staff"])


def test_a_strong_password_passes_the_validators(users):
    from django.contrib.auth.password_validation import validate_password

    assert validate_password("Zhong-Guo-Du-Ban-2025!", users["staff"]) is None


# --- finding 4: the client's address behind the proxy --------------------------------------


def attempt_from(client, username, password, remote, real_ip=None):
    extra = {"REMOTE_ADDR": remote}
    if real_ip is not None:
        extra["HTTP_X_REAL_IP"] = real_ip
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_finding_04_lockout_counts_the_address_the_trusted_proxy_reports(client, users):
    """Every request comes from nginx (127.0.0.1); X-Real-IP tells the clients apart."""
    statuses = [
        attempt_from(client, "staff", f"wrong-{n}", "127.0.0.1", "10.20.0.7").status_code
        for n in range(5)
    ]
    assert statuses[-1] == 429
    assert attempt_from(client, "staff", PASSWORD, "127.0.0.1", "10.20.0.7").status_code == 429
    colleague = attempt_from(client, "staff", PASSWORD, "127.0.0.1", "10.20.0.8")
    assert colleague.status_code == 302
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.20.0.7"}


def test_finding_04_the_header_is_ignored_from_an_untrusted_sender(client, users):
    """A client reaching Django directly cannot pick a fresh address per attempt."""
    statuses = [
        attempt_from(client, "staff", f"wrong-{n}", "192.0.2.9", f"10.0.0.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    assert attempt_from(client, "staff", PASSWORD, "192.0.2.9", "10.0.0.99").status_code == 429


def test_finding_04_client_address_rules(rf, settings):
    from config.client_ip import client_ip_address

    def address(remote, header=None):
        extra = {"REMOTE_ADDR": remote}
        if header is not None:
            extra["HTTP_X_REAL_IP"] = header
        return client_ip_address(rf.get("/", **extra))

    assert settings.TRUSTED_PROXIES == ["127.0.0.1", "::1"]
    assert address("127.0.0.1", "10.1.2.3") == "10.1.2.3"
    assert address("::1", "2001:db8::5") == "2001:db8::5"
    assert address("127.0.0.1") == "127.0.0.1"  # no header: the sender itself
    assert address("127.0.0.1", "not an address") == "127.0.0.1"
    assert address("10.9.9.9", "10.1.2.3") == "10.9.9.9"  # not a trusted proxy
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]
    assert address("172.18.0.5", "10.1.2.3") == "10.1.2.3"
    assert address("127.0.0.1", "10.1.2.3") == "127.0.0.1"
    settings.TRUSTED_PROXIES = ["*"]
    assert address("203.0.113.1", "10.1.2.3") == "10.1.2.3"


def test_finding_04_a_malformed_trusted_proxy_stops_the_start(tmp_path):
    from tests.test_settings import run_python

    result = run_python(
        ["-c", "import django; django.setup()"], tmp_path, TRUSTED_PROXIES="127.0.0.1,nginx"
    )
    assert result.returncode != 0 and "TRUSTED_PROXIES" in result.stderr


# --- finding 15: the lockout page --------------------------------------------------------


def lock_out(client):
    for n in range(5):
        response = attempt(client, "staff", f"wrong-{n}")
    assert response.status_code == 429
    return response


def test_finding_15_the_lockout_page_is_chinese_and_says_when_to_try_again(client, users):
    from django.utils import timezone

    before = timezone.localtime()
    response = lock_out(client)
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "登录已暂停" in text and "密码连续输错 5 次" in text
    # When the cool-off (15 minutes from the refused attempt) ends, in local time.
    ends = [before + timedelta(minutes=15 + extra) for extra in (0, 1)]
    assert any(f"{end:%H:%M}" in text for end in ends), text
    assert "约 15 分钟后" in text
    assert "Account locked" not in text


def test_finding_15_the_lockout_page_in_english(client, users):
    client.cookies["django_language"] = "en"
    text = lock_out(client).content.decode()
    assert "in about 15 minutes" in text
    assert "登录已暂停" not in text
