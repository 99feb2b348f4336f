"""The per-endpoint throttles of bazary.accounts (rates in ``BAZARY_ACCOUNTS["THROTTLE_RATES"]``).

The IP-keyed ones take the client address from :func:`bazary.core.network.client_ip`,
so sending ``X-Forwarded-For`` does not help a client dodge them. The
email-keyed ones stop one address being flooded with mail from many IPs.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rest_framework.request import Request

from bazary.core.throttling import ScopedRateThrottle

from .conf import accounts_settings


class AccountsScopedRateThrottle(ScopedRateThrottle):
    app_settings = accounts_settings


class LoginRateThrottle(AccountsScopedRateThrottle):
    scope = "login"


class RegisterRateThrottle(AccountsScopedRateThrottle):
    scope = "register"


class PasswordResetRateThrottle(AccountsScopedRateThrottle):
    scope = "password_reset"


class VerifyEmailResendRateThrottle(AccountsScopedRateThrottle):
    scope = "verify_email_resend"


class EmailScopedRateThrottle(AccountsScopedRateThrottle):
    """Keyed by the normalised ``email`` of the request body; no email, no throttling."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        data = request.data
        email = data.get("email") if hasattr(data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        ident = hashlib.sha256(email.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PasswordResetEmailRateThrottle(EmailScopedRateThrottle):
    scope = "password_reset_email"


class VerifyEmailResendEmailRateThrottle(EmailScopedRateThrottle):
    scope = "verify_email_resend_email"
