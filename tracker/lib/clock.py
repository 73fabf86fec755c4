"""The one source of "now" for date rules (reminders, overdue sweeps, digests).

Production reads the real clock. Tests that run real processes (the end-to-end test starts
gunicorn, a worker and beat) cannot patch those processes' clocks, so they set
DUBAN_FAKE_NOW (settings.DUBAN_FAKE_NOW, an ISO 8601 date-time such as
``2025-05-29T08:30:00+08:00``) in the processes' environment and the clock stands still at
that moment. Code that decides what is due calls ``clock.now()`` / ``clock.today()`` instead
of ``timezone.now()`` / ``timezone.localdate()``.
"""

import datetime

from django.conf import settings
from django.utils import timezone


def _fake_now():
    value = getattr(settings, "DUBAN_FAKE_NOW", "")
    if not value:
        return None
    moment = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def now():
    """The current moment, timezone-aware (the fake one when DUBAN_FAKE_NOW is set)."""
    return _fake_now() or timezone.now()


def today():
    """Today's date in the site's time zone (Asia/Shanghai by default)."""
    return timezone.localdate(now())
