"""Throttles whose rates come from bazary settings, keyed by a trusted client IP.

DRF's throttles read ``REST_FRAMEWORK`` once at import and trust
``X-Forwarded-For`` per ``NUM_PROXIES``; these read a bazary settings dict on
every request (so ``override_settings`` works) and take the client address from
:func:`bazary.core.network.client_ip`. Counters live in the default Django cache
(Redis in production, so they hold across processes).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from rest_framework import throttling
from rest_framework.request import Request

from .conf import AppSettings, core_settings
from .network import client_ip


class BazaryThrottleMixin:
    """Take the rate for ``scope`` from ``rates_setting`` of an AppSettings."""

    app_settings: AppSettings = core_settings
    rates_setting = "THROTTLE_RATES"
    scope: str | None
    cache: Any

    def __init__(self) -> None:
        # Throttles are made per request: the cache is looked up then, so
        # override_settings(CACHES) works (DRF binds it at import).
        self.cache = caches["default"]
        super().__init__()  # type: ignore[call-arg]

    def get_rate(self) -> str | None:
        rates: dict[str, str | None] = getattr(self.app_settings, self.rates_setting)
        return rates.get(self.scope or "")

    def get_ident(self, request: Request) -> str:
        return client_ip(request)


class AnonRateThrottle(BazaryThrottleMixin, throttling.AnonRateThrottle):
    """The whole API's rate for anonymous clients (``BAZARY_CORE["THROTTLE_RATES"]["anon"]``)."""

    scope = "anon"


class UserRateThrottle(BazaryThrottleMixin, throttling.UserRateThrottle):
    """The whole API's rate per user, per IP when anonymous."""

    scope = "user"


class ScopedRateThrottle(BazaryThrottleMixin, throttling.SimpleRateThrottle):
    """A per-endpoint rate keyed by client IP (``scope`` set on the subclass)."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
