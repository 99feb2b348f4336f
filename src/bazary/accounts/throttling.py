"""The per-endpoint throttles of bazary.accounts (rates in ``BAZARY_ACCOUNTS["THROTTLE_RATES"]``).

The IP-keyed ones take the client address from :func:`bazary.core.network.client_ip`,
so sending ``X-Forwarded-For`` does not help a client dodge them. The
email-keyed ones stop one address being flooded with mail from many IPs.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from rest_framework.request import Request

from bazary.core.throttling import ScopedRateThrottle

from . import lockout
from .conf import accounts_settings, get_adapter


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
    """Keyed by the ``field`` address of the request body; no address, no throttling.

    The key is the account the address belongs to when it has one (every spelling
    of an address shares it), else the address's comparison key
    (:meth:`~bazary.accounts.adapter.DefaultAccountAdapter.email_key`).
    """

    field = "email"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        data = request.data
        email = data.get(self.field) if hasattr(data, "get") else None
        if not isinstance(email, str) or not email.strip() or len(email) > 320:
            return None
        adapter = get_adapter()
        email = adapter.normalize_email(email)
        try:
            validate_email(email)  # only well-formed addresses reach the database
        except ValidationError:
            user = None
        else:
            user = adapter.get_user_by_email(email)
        digest = hashlib.sha256(lockout.subject(email, user).encode("utf-8", "surrogatepass")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


class PasswordResetEmailRateThrottle(EmailScopedRateThrottle):
    scope = "password_reset_email"


class VerifyEmailResendEmailRateThrottle(EmailScopedRateThrottle):
    scope = "verify_email_resend_email"


class RegisterEmailRateThrottle(EmailScopedRateThrottle):
    scope = "register_email"


class UserScopedRateThrottle(AccountsScopedRateThrottle):
    """Keyed by the authenticated user (a stolen access token cannot dodge it by changing IP)."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return super().get_cache_key(request, view)
        return self.cache_format % {"scope": self.scope, "ident": f"user:{user.pk}"}


class PasswordCheckRateThrottle(UserScopedRateThrottle):
    """Endpoints that check the current password: password change, email change, account deletion."""

    scope = "password_check"


class EmailChangeRateThrottle(UserScopedRateThrottle):
    scope = "email_change"


class EmailChangeEmailRateThrottle(EmailScopedRateThrottle):
    """Keyed by the new address: one address cannot be flooded with confirmation links from many accounts."""

    scope = "email_change_email"
    field = "new_email"


class ExportRateThrottle(UserScopedRateThrottle):
    """``GET auth/me/export/``: a whole account's data per call."""

    scope = "export"
