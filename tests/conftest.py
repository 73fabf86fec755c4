"""Shared fixtures: a few named units and one user per role, as in the demo."""

import pytest

# Django models are imported inside the fixtures so that tests which need no database
# (the parser's) can also run with the Django plugin off: `pytest -p no:django tests/gazette`.
PASSWORD = "test-pass-2025"


@pytest.fixture
def units(db):
    from tracker.models import Unit

    return {
        "fgj": Unit.objects.create(name="区发展和改革局", short_name="区发改局",
                                   kind=Unit.Kind.CITY_DEPARTMENT),
        "jyj": Unit.objects.create(name="区教育局", kind=Unit.Kind.CITY_DEPARTMENT),
        "dcs": Unit.objects.create(name="区政府督查室", kind=Unit.Kind.OTHER),
    }


def make_user(username, role, unit=None, **extra):
    from tracker.models import User

    user = User(username=username, role=role, unit=unit, email=f"{username}@example.gov.cn",
                display_name=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def users(units):
    from tracker.models import User

    return {
        "staff": make_user("staff", User.Role.STAFF, units["fgj"]),
        "head": make_user("head", User.Role.UNIT_HEAD, units["fgj"]),
        "other_staff": make_user("other_staff", User.Role.STAFF, units["jyj"]),
        "supervisor": make_user("supervisor", User.Role.SUPERVISOR, units["dcs"]),
        "leader": make_user("leader", User.Role.LEADER),
        "admin": make_user("admin", User.Role.ADMIN, is_staff=True, is_superuser=True),
    }


@pytest.fixture
def make_item(db):
    from tracker.models import Item, ItemOwner

    def factory(text="完成示范任务。", lead=None, co=(), **fields):
        item = Item.objects.create(text=text, **fields)
        if lead is not None:
            ItemOwner.objects.create(item=item, role=ItemOwner.Role.LEAD, name=lead.name, unit=lead)
        for position, unit in enumerate(co):
            ItemOwner.objects.create(item=item, role=ItemOwner.Role.CO, name=unit.name,
                                     unit=unit, position=position)
        return item

    return factory


@pytest.fixture(autouse=True)
def async_unsafe_only_in_browser_tests(request, monkeypatch):
    """Browser test modules set DJANGO_ALLOW_ASYNC_UNSAFE when imported (Playwright's sync API
    runs an event loop); other tests must not inherit it (`check --deploy` refuses it)."""
    if request.node.get_closest_marker("browser") is None:
        monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A test that switches the interface to English must not leave it on for the next one."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
