"""``MFA_REQUIRED_FOR_STAFF``: a staff account without a second factor reaches only the MFA setup endpoints.

Enforced by ``bazary.accounts.authentication.JWTAuthentication`` on every
request it authenticates (so a project's own views under that class are
covered too), from the database rather than a token claim: turning the
setting on limits tokens already issued at once, and adding a factor lifts the
limit at once. A view opts in with ``mfa_setup_allowed = True`` (the MFA
views, logout). The Django admin, which signs in with its own session, is not
covered.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied

from ..conf import accounts_settings
from . import factors


def setup_required(user: Any) -> bool:
    return bool(accounts_settings.MFA_REQUIRED_FOR_STAFF and user.is_staff and not factors.has_mfa(user))


def enforce(request: Any, user: Any) -> None:
    """403 ``mfa_setup_required`` unless ``user`` may use the view ``request`` is for."""
    if not accounts_settings.MFA_REQUIRED_FOR_STAFF or not user.is_staff:
        return
    view = (getattr(request, "parser_context", None) or {}).get("view")
    if getattr(view, "mfa_setup_allowed", False) or factors.has_mfa(user):
        return
    raise PermissionDenied(
        {
            "detail": _("Staff accounts must set up a second factor first (auth/mfa/)."),
            "code": "mfa_setup_required",
        }
    )
