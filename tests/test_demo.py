from io import StringIO

import pytest
from django.core.management import call_command

from tracker import demo
from tracker.models import User

pytestmark = pytest.mark.django_db


def test_demo_has_one_user_per_role_and_loads_twice_without_change(client):
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert set(User.objects.values_list("role", flat=True)) == set(User.Role.values)
    assert User.objects.count() == len(demo.USERS)


@pytest.mark.parametrize("username", [u[0] for u in demo.USERS])
def test_demo_users_can_log_in(client, username):
    call_command("load_demo", stdout=StringIO())
    response = client.post(
        "/accounts/login/", {"username": username, "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "工作台" in home.content.decode()


def test_the_home_page_asks_anonymous_users_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "登录督办台" in client.get(response["Location"]).content.decode()
