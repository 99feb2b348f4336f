"""The security activity log: what happened to an account, when, and from where.

Every security-relevant step of ``bazary.accounts`` (and of apps built on it)
writes one :class:`~bazary.accounts.models.AccountEvent` through :func:`record`::

    from bazary.accounts import activity

    activity.record(activity.EventKind.MFA_ENABLED, request=request, user=request.user, method="totp")

Kinds are codes in a registry: the built-in ones are :class:`EventKind`; an app
adds its own with :func:`register_kind` (in ``AppConfig.ready()``), and
:func:`record` refuses a code nobody registered, so a typo never lands in the log.
The model's ``kind`` column has no ``choices``, so a new kind needs no migration.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from ipaddress import ip_address
from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bazary.core.network import client_ip, user_agent

__all__ = [
    "DATA_MAX_BYTES",
    "EventKind",
    "build",
    "client_of",
    "forget_user",
    "kinds",
    "label",
    "record",
    "record_many",
    "register_kind",
    "save",
]

#: The largest ``data`` :func:`record` stores, as JSON (UTF-8 bytes).
DATA_MAX_BYTES = 2048
USER_AGENT_MAX = 512


class EventKind(models.TextChoices):
    """The kinds bazary writes (codes are stable: clients filter on them)."""

    LOGIN_SUCCEEDED = "login_succeeded", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOCKED_OUT = "locked_out", _("A client was locked out after failed sign-ins")
    UNLOCKED = "unlocked", _("Account unlocked")
    LOGGED_OUT = "logged_out", _("Signed out")
    LOGGED_OUT_ALL = "logged_out_all", _("Signed out everywhere")
    SESSION_REVOKED = "session_revoked", _("Session revoked")
    SESSIONS_REVOKED = "sessions_revoked", _("Every session revoked")
    REFRESH_REUSED = "refresh_reused", _("A used refresh token was sent again; its session was ended")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    PASSWORD_RESET_COMPLETED = "password_reset_completed", _("Password reset")
    EMAIL_CHANGE_REQUESTED = "email_change_requested", _("Email change requested")
    EMAIL_CHANGE_CONFIRMED = "email_change_confirmed", _("Email address changed")
    EMAIL_VERIFIED = "email_verified", _("Email address verified")
    VERIFICATION_SENT = "verification_sent", _("Verification email sent")
    MFA_ENABLED = "mfa_enabled", _("Two-factor sign-in turned on")
    MFA_DISABLED = "mfa_disabled", _("Two-factor sign-in turned off")
    MFA_USED = "mfa_used", _("Second factor used")
    MFA_FAILED = "mfa_failed", _("Wrong second factor")
    MFA_RESET = "mfa_reset", _("Two-factor sign-in reset by staff")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", _("Recovery codes regenerated")
    PASSKEY_ADDED = "passkey_added", _("Passkey added")
    PASSKEY_REMOVED = "passkey_removed", _("Passkey removed")
    ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
    ACCOUNT_REACTIVATED = "account_reactivated", _("Account reactivated")
    ACCOUNT_DELETED = "account_deleted", _("Account deleted")
    ACCOUNT_UPDATED = "account_updated", _("Account changed by staff")


_kinds: dict[str, Any] = dict(EventKind.choices)


def register_kind(code: str, verbose_name: Any) -> None:
    """Add a kind (``"<app>_<event>"`` by convention, at most 64 characters); registering it again is harmless."""
    if not isinstance(code, str) or not code or len(code) > 64:
        raise ValueError(f"An event kind is a non-empty string of at most 64 characters, not {code!r}.")
    _kinds[code] = verbose_name


def kinds() -> dict[str, Any]:
    """Every registered kind: code → verbose name."""
    return dict(_kinds)


def label(code: str) -> str:
    """The verbose name of ``code`` (the code itself for a kind no longer registered)."""
    return str(_kinds.get(code, code))


def _valid_ip(value: Any) -> str | None:
    if not value:
        return None
    try:
        return str(ip_address(str(value)))
    except ValueError:
        return None


def client_of(request: HttpRequest | None) -> dict[str, Any]:
    """``{"ip", "user_agent"}`` of ``request``: what :func:`record` stores, as JSON (to hand to a task).

    The address is :func:`bazary.core.network.client_ip`'s, the one the throttles and the
    lockout use: ``X-Forwarded-For`` counts only behind ``BAZARY_CORE["NUM_PROXIES"]`` trusted proxies.
    """
    if request is None:
        return {"ip": None, "user_agent": ""}
    return {"ip": _valid_ip(client_ip(request)), "user_agent": user_agent(request, USER_AGENT_MAX)}


def _saved_user(user: Any) -> Any:
    """``user`` when it is a saved account (not ``AnonymousUser``, not None)."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return None
    return user


def _event(
    kind: str, request: HttpRequest | None, user: Any, actor: Any, client: dict[str, Any] | None, data: dict[str, Any]
) -> Any:
    from ..models import AccountEvent

    if kind not in _kinds:
        raise ValueError(f"Unknown account event kind {kind!r}; register it with register_kind().")
    try:
        encoded = json.dumps(data)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"Account event data must be JSON-serializable: {exc}") from exc
    if len(encoded.encode("utf-8", "surrogatepass")) > DATA_MAX_BYTES:
        raise ValueError(f"Account event data is larger than {DATA_MAX_BYTES} bytes.")
    if client is None:
        client = client_of(request)
    return AccountEvent(
        kind=str(kind),
        user=_saved_user(user),
        actor=_saved_user(actor),
        ip=_valid_ip(client.get("ip")),
        user_agent=str(client.get("user_agent") or "")[:USER_AGENT_MAX],
        data=data,
    )


def record(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    actor: Any = None,
    client: dict[str, Any] | None = None,
    **data: Any,
) -> Any:
    """Write one event to the activity log (one ``INSERT``, no other query) and return it.

    - ``kind``: a registered code (:class:`EventKind` or :func:`register_kind`); another is a ValueError.
    - ``request``: where the client's address and user agent come from (:func:`client_of`);
      ``client`` (a :func:`client_of` dict) instead, when the request is gone (a task).
    - ``user``: the account the event is about; None (or an anonymous user) for an address that has none.
    - ``actor``: the staff member who did it, when it was not the user.
    - ``data``: a few JSON values shown with the event (at most :data:`DATA_MAX_BYTES`); never a secret.
    """
    event = _event(kind, request, user, actor, client, data)
    event.save(force_insert=True)
    return event


def build(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    actor: Any = None,
    client: dict[str, Any] | None = None,
    **data: Any,
) -> Any:
    """An unsaved event, checked as :func:`record` checks it; write several with :func:`save`."""
    return _event(kind, request, user, actor, client, data)


def save(*events: Any) -> list[Any]:
    """Write events made by :func:`build` with one ``INSERT`` (e.g. a failed login that also locks)."""
    from ..models import AccountEvent

    return AccountEvent.objects.bulk_create(events)


def record_many(
    kind: str,
    users: Iterable[Any],
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    client: dict[str, Any] | None = None,
    **data: Any,
) -> list[Any]:
    """:func:`record` for each of ``users``, with one bulk ``INSERT``."""
    from ..models import AccountEvent

    if client is None:
        client = client_of(request)
    events = [_event(kind, None, user, actor, client, data) for user in users]
    return AccountEvent.objects.bulk_create(events)


def forget_user(user: Any) -> int:
    """Anonymise ``user``'s events (account deletion): their address, user agent and data go; kind and time stay.

    The events stay linked to the (anonymised) account row; if that row is deleted
    later the link is cleared (``SET_NULL``), never the events.
    """
    from ..models import AccountEvent

    return AccountEvent.objects.filter(user=user).update(ip=None, user_agent="", data={})
