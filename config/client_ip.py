"""The client's address, as seen by the proxy in front of Django.

Behind the nginx site (deploy/nginx/duban.conf) every request reaches gunicorn from nginx, so
REMOTE_ADDR is the proxy's address for every client. nginx puts the client's address in the
`X-Real-IP` header, replacing whatever the client sent under that name. That header is
believed only when the request comes from an address in TRUSTED_PROXIES; from anywhere else
REMOTE_ADDR is the client and the header is ignored (a client talking to gunicorn directly
could write anything there).

django-axes counts login failures per address through this function (AXES_CLIENT_IP_CALLABLE,
the hook its documentation gives for proxies), and so does the password-reset throttle.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

HEADER = "HTTP_X_REAL_IP"


@lru_cache(maxsize=16)
def _trusted_networks(entries):
    networks = []
    for entry in entries:
        if entry == "*":
            return None  # every sender is a trusted proxy (a private container network)
        networks.append(ipaddress.ip_network(entry, strict=False))
    return tuple(networks)


def _parse(value):
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def is_trusted_proxy(address):
    parsed = _parse(address)
    if parsed is None:
        return False
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if networks is None:
        return True
    if parsed.version == 6 and parsed.ipv4_mapped:
        parsed = parsed.ipv4_mapped
    return any(parsed.version == net.version and parsed in net for net in networks)


def client_ip_address(request):
    """The client's address: the proxy's X-Real-IP from a trusted proxy, else REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    if is_trusted_proxy(remote):
        forwarded = _parse(request.META.get(HEADER))
        if forwarded is not None:
            return str(forwarded)
    return remote or None
