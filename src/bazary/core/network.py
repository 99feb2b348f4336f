"""The client's IP address, as far as it can be trusted."""

from __future__ import annotations

from ipaddress import ip_address

from django.http import HttpRequest

from .conf import core_settings


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent ``request``.

    ``X-Forwarded-For`` is only read when ``BAZARY_CORE["NUM_PROXIES"]`` says
    that many trusted proxies append to it; the address is then the one the
    outermost trusted proxy saw. Anything a client puts in the header itself is
    to the left of that and ignored, so it cannot dodge a throttle.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "") or ""
    num_proxies = core_settings.NUM_PROXIES
    if num_proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= num_proxies:
            candidate = forwarded[-num_proxies]
            if _is_ip(candidate):
                return candidate
    return remote_addr


def user_agent(request: HttpRequest, max_length: int = 512) -> str:
    """The ``User-Agent`` of ``request``, printable characters only (no NUL reaches the database), capped."""
    raw = request.META.get("HTTP_USER_AGENT", "") or ""
    return "".join(ch for ch in str(raw) if ch.isprintable())[:max_length]


def _is_ip(value: str) -> bool:
    try:
        ip_address(value)
    except ValueError:
        return False
    return True
