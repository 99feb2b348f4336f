"""The payments' per-endpoint throttles (rates in ``BAZARY_PAYMENTS["THROTTLE_RATES"]``)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from bazary.core.throttling import ScopedRateThrottle

from .conf import payments_settings


class RefundRateThrottle(ScopedRateThrottle):
    """Refunds per staff user (a stolen staff token cannot drain the shop
    faster by changing IP); per client IP for a request without a user."""

    app_settings = payments_settings
    scope = "refund"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return super().get_cache_key(request, view)
        return self.cache_format % {"scope": self.scope, "ident": f"user:{user.pk}"}
