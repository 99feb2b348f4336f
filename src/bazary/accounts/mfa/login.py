"""The second step of a login: the ``mfa_token`` a correct password earns, and its exchange for tokens.

Throttle and lockout accounting (why an attacker learns nothing faster than without MFA):

- ``auth/token/`` answers a wrong password with 401 and a right one with the
  MFA challenge. Without MFA a right password answers tokens, so telling
  right from wrong is no easier than before; both answers go through the same
  ``login`` throttle and the same lockout checks, in the same order.
- A right password with MFA pending does **not** clear the client's failed
  logins (without MFA a successful login does): only the second step does.
  Otherwise a client could alternate wrong codes with the right password and
  guess codes without ever being locked.
- A wrong code (TOTP, recovery code or passkey assertion) is a failed login of
  that account and client: it counts toward ``LOCKOUT_THRESHOLD``, locks and
  slows down exactly as a wrong password does, and mails the unlock link.
- ``auth/token/mfa/`` is in the ``login`` throttle scope, so its requests
  share the per-IP budget of ``auth/token/``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .. import lockout, sessions
from ..conf import accounts_settings, get_adapter
from . import factors, staff, tickets

PURPOSE = "login"


def pending(user: Any) -> bool:
    """Whether a correct password of ``user`` still needs a second factor."""
    return factors.has_mfa(user)


def start(user: Any) -> dict[str, Any]:
    """The answer to a correct password of an MFA account: no tokens, an ``mfa_token``."""
    token = tickets.issue(PURPOSE, {"u": str(user.pk), "p": tickets.password_digest(user)})
    return {"mfa_required": True, "mfa_token": token, "methods": factors.methods(user)}


def read_token(raw: str) -> tuple[Any, dict[str, Any]]:
    """``(user, data)`` of a live, unused ``mfa_token``; :class:`~.tickets.InvalidTicket` otherwise.

    Bound to the user and to their password: a password change or reset ends it.
    """
    data = tickets.read(PURPOSE, raw, accounts_settings.MFA_TOKEN_MAX_AGE)
    adapter = get_adapter()
    try:
        user = adapter.user_model._default_manager.get(pk=data.get("u"))
    except (adapter.user_model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise tickets.InvalidTicket from exc
    if data.get("p") != tickets.password_digest(user) or not adapter.can_login(user):
        raise tickets.InvalidTicket
    return user, data


def spend_token(data: dict[str, Any]) -> None:
    tickets.spend(PURPOSE, data, accounts_settings.MFA_TOKEN_MAX_AGE)


def subject(user: Any) -> str:
    """What the lockout counts a wrong code against: the account, as for a wrong password."""
    return lockout.subject(get_adapter().get_email(user), user)


def complete(user: Any, request: HttpRequest | None, *, method: str | None = None) -> dict[str, Any]:
    """Tokens for a completed login (:func:`bazary.accounts.sessions.sign_in`), with
    ``mfa_setup_required`` when ``MFA_REQUIRED_FOR_STAFF`` limits them to the MFA setup endpoints."""
    pair: dict[str, Any] = sessions.sign_in(user, request, method=method)
    if staff.setup_required(user):
        pair["mfa_setup_required"] = True
    return pair
