"""Who is on the other end of a request, behind the reverse proxy."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind a trusted proxy (settings.TRUSTED_PROXIES) the last X-Forwarded-For hop that is
    not a trusted proxy (the hops before it are whatever the client wrote, so they are never believed)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted_proxy(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted_proxy(hop):
            return hop
    return remote


def _trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy.strip(), strict=False) for proxy in settings.TRUSTED_PROXIES)
