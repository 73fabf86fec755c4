"""The page django-axes shows when a username is locked out at an address (HTTP 429).

It says, in the reader's language, why the login was refused and when to try again. Every
refused attempt during a lockout restarts the cool-off (django-axes'
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the lockout ends one cool-off after now.
"""

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
        "until": timezone.localtime(timezone.now() + cool_off) if cool_off else None,
    }
    return render(
        request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
