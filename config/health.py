"""/healthz for monitoring: database, broker, and how long ago the worker and beat ran.

No login, no secrets: each check says ok or not and, on failure, only the exception's class.
HTTP 200 when everything is ok, 503 otherwise, so a load balancer or Nagios can use it as is.
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from config.celery_app import app as celery_app
from tracker.models import Heartbeat

BROKER_TIMEOUT_SECONDS = 3


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_broker():
    """Connect to the broker and do one cheap operation (PING on Redis)."""
    options = dict(celery_app.conf.broker_transport_options or {})
    if celery_app.conf.broker_url.startswith("redis"):
        options.update(
            socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
        )
    with Connection(
        celery_app.conf.broker_url,
        transport_options=options,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        channel = conn.default_channel
        client = getattr(channel, "client", None)
        if client is not None and hasattr(client, "ping"):
            client.ping()
        else:
            # The file broker: a queue declaration touches its folders.
            channel.queue_declare(queue=celery_app.conf.task_default_queue, passive=False)
        return {"transport": conn.transport.driver_type}


def heartbeat_ages(now=None):
    now = now or timezone.now()
    seen = dict(Heartbeat.objects.filter(name__in=["worker", "beat"]).values_list("name", "at"))
    limit = settings.HEALTHZ_MAX_HEARTBEAT_AGE
    result = {}
    for name in ("worker", "beat"):
        at = seen.get(name)
        age = round((now - at).total_seconds()) if at else None
        result[name] = {
            "ok": age is not None and age <= limit,
            "age_seconds": age,
            "max_age_seconds": limit,
        }
    return result


def _run(check):
    try:
        return {"ok": True, **check()}
    except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
        return {"ok": False, "error": type(exc).__name__}


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _run(check_database), "broker": _run(check_broker)}
    if checks["database"]["ok"]:
        checks.update(heartbeat_ages())
    else:
        checks.update({name: {"ok": False, "age_seconds": None} for name in ("worker", "beat")})
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503
    )
