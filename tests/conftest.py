"""Shared setup, once for every test: personas (a few named units and one user per role, as in
the demo), fast password hashing, uploads in a temporary folder and the default language
restored after each test. The parser's tests need none of it and run without Django:
`pytest -p no:django tests/gazette`."""

import pytest

# Django models are imported inside the fixtures so that tests which need no database
# (the parser's) can also run with the Django plugin off: `pytest -p no:django tests/gazette`.
PASSWORD = "test-pass-2025"


@pytest.fixture
def units(db):
    from tracker.models import Unit

    return {
        "fgj": Unit.objects.create(
            name="区发展和改革局", short_name="区发改局", kind=Unit.Kind.CITY_DEPARTMENT
        ),
        "jyj": Unit.objects.create(name="区教育局", kind=Unit.Kind.CITY_DEPARTMENT),
        "dcs": Unit.objects.create(name="区政府督查室", kind=Unit.Kind.OTHER),
    }


def make_user(username, role, unit=None, **extra):
    from tracker.models import User

    user = User(
        username=username,
        role=role,
        unit=unit,
        email=f"{username}@example.gov.cn",
        display_name=username,
        **extra,
    )
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
            ItemOwner.objects.create(
                item=item, role=ItemOwner.Role.CO, name=unit.name, unit=unit, position=position
            )
        return item

    return factory


@pytest.fixture(autouse=True)
def async_unsafe_only_in_browser_tests(request, monkeypatch):
    """Browser test modules set DJANGO_ALLOW_ASYNC_UNSAFE when imported (Playwright's sync API
    runs an event loop); other tests must not inherit it (`check --deploy` refuses it)."""
    if request.node.get_closest_marker("browser") is None:
        monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)


def _django(request):
    return request.config.pluginmanager.has_plugin("django")


@pytest.fixture(autouse=True)
def default_language_after_each_test(request):
    """A test that switches the interface to English must not leave it on for the next one."""
    yield
    if not _django(request):
        return
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache(request):
    """Each test starts with an empty cache: figures the dashboards kept (dashboards/cache.py)
    for another test's rows never answer this one."""
    if not _django(request):
        return
    from django.core.cache import cache

    cache.clear()


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_passwords_and_private_uploads(request, tmp_path):
    """Cheap password hashing (the `users` fixture hashes six passwords per test) and uploads
    stored under the test's own temporary folder. Tests that start real processes (marked
    slow) keep the real hashers: those processes must verify the passwords made here."""
    if not _django(request):
        return
    settings = request.getfixturevalue("settings")
    if request.node.get_closest_marker("slow") is None:
        settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads"), "base_url": None},
        },
    }
