"""Password-reset e-mails, throttled per e-mail address and per client address.

Django's reset view sends an e-mail for every request, so anyone could flood a colleague's
mailbox. Within PASSWORD_RESET_WINDOW_MINUTES, at most PASSWORD_RESET_PER_ACCOUNT requests
are accepted for one e-mail address (whether or not it belongs to an account, so the answer
tells nothing about which addresses exist) and at most PASSWORD_RESET_PER_ADDRESS from one
client address (config.client_ip: the address nginx reports). A refused request shows the
form again with a message saying when to try again, and sends nothing.
"""

import datetime

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils import timezone
from django.utils.translation import ngettext

from config.client_ip import client_ip_address
from tracker.models import PasswordResetRequest

KEEP = datetime.timedelta(days=1)


def _minutes_until_free(requests, limit, window, now):
    """Whole minutes until the request that reached `limit` leaves the window."""
    times = sorted(requests.values_list("at", flat=True), reverse=True)
    seconds = (times[limit - 1] + window - now).total_seconds()
    return max(1, -(-int(seconds) // 60))


def _refusal(kind, minutes):
    if kind == "account":
        text = ngettext(
            "这个邮箱地址的重置密码请求过于频繁，请在 %(minutes)s 分钟后再试。",
            "这个邮箱地址的重置密码请求过于频繁，请在 %(minutes)s 分钟后再试。",
            minutes,
        )
    else:
        text = ngettext(
            "从您的网络地址发出的重置密码请求过于频繁，请在 %(minutes)s 分钟后再试。",
            "从您的网络地址发出的重置密码请求过于频繁，请在 %(minutes)s 分钟后再试。",
            minutes,
        )
    return text % {"minutes": minutes}


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        now = timezone.now()
        window = datetime.timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES)
        email = form.cleaned_data["email"].strip().lower()
        address = client_ip_address(self.request)
        PasswordResetRequest.objects.filter(at__lt=now - KEEP).delete()
        recent = PasswordResetRequest.objects.filter(at__gte=now - window)
        checks = [
            ("account", recent.filter(email=email), settings.PASSWORD_RESET_PER_ACCOUNT),
            ("address", recent.filter(ip_address=address), settings.PASSWORD_RESET_PER_ADDRESS),
        ]
        for kind, requests, limit in checks:
            if limit > 0 and requests.count() >= limit:
                minutes = _minutes_until_free(requests, limit, window, now)
                form.add_error("email", _refusal(kind, minutes))
                response = self.form_invalid(form)
                response.status_code = 429
                return response
        PasswordResetRequest.objects.create(email=email, ip_address=address, at=now)
        return super().form_valid(form)
