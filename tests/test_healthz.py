"""/healthz: database, broker and heartbeat ages for monitoring; 200 when all ok, else 503."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery_app import app as celery_app
from tracker.models import Heartbeat

pytestmark = pytest.mark.django_db


def beat(name, seconds_ago):
    Heartbeat.objects.update_or_create(
        name=name, defaults={"at": timezone.now() - datetime.timedelta(seconds=seconds_ago)}
    )


def test_healthz_is_ok_when_database_broker_and_fresh_heartbeats_answer(client):
    beat("worker", 5)
    beat("beat", 30)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    checks = body["checks"]
    assert checks["database"] == {"ok": True}
    assert checks["broker"]["ok"] is True
    assert checks["broker"]["transport"] in {"redis", "filesystem"}
    assert 5 <= checks["worker"]["age_seconds"] <= 15
    assert 30 <= checks["beat"]["age_seconds"] <= 40
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_when_beat_never_ran(client):
    beat("worker", 5)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["beat"]["ok"] is False
    assert body["checks"]["beat"]["age_seconds"] is None
    assert body["checks"]["worker"]["ok"] is True


def test_healthz_is_503_when_the_worker_heartbeat_is_stale(client):
    beat("worker", settings.HEALTHZ_MAX_HEARTBEAT_AGE + 60)
    beat("beat", 10)
    body = client.get("/healthz").json()
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["age_seconds"] >= settings.HEALTHZ_MAX_HEARTBEAT_AGE + 60


def test_healthz_is_503_when_the_broker_cannot_be_reached(client, monkeypatch):
    beat("worker", 1)
    beat("beat", 1)
    # A Redis address where nothing listens: a real refused connection, not a mock. (Celery
    # reads CELERY_BROKER_URL from the environment before its own configuration.)
    unreachable = "redis://:s3cret-pass@127.0.0.1:1/0"
    # Patch the configuration before the environment: Celery's broker_url reads the
    # environment first, so the other order would record the unreachable URL as the value to
    # restore and leave it behind for every later test.
    monkeypatch.setattr(celery_app.conf, "broker_url", unreachable)
    monkeypatch.setenv("CELERY_BROKER_URL", unreachable)
    assert celery_app.conf.broker_url == unreachable
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["database"]["ok"] is True
    assert "s3cret" not in response.content.decode()


def test_the_broker_is_reachable_again_after_the_unreachable_case():
    # Guards the restoration above: the tests after it enqueue on the real broker.
    assert "127.0.0.1:1/" not in celery_app.conf.broker_url


def test_healthz_needs_no_login_and_shows_no_secrets(client):
    response = client.get("/healthz")
    assert response.status_code in {200, 503}
    text = response.content.decode()
    assert settings.SECRET_KEY not in text
    assert settings.CELERY_BROKER_URL not in text
    assert str(settings.DATABASES["default"]["NAME"]) not in text


def test_healthz_answers_only_get(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_plain_http_when_everything_else_redirects_to_https(settings):
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # a new client builds the middleware with the changed setting
    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/healthz").status_code in {200, 503}
