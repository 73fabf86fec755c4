"""Login security: django-axes locks a username at an address out after AXES_FAILURE_LIMIT (5)
bad passwords; the password validators refuse weak passwords."""

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
