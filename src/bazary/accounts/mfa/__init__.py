"""Two-factor sign-in for bazary.accounts: TOTP, recovery codes and passkeys (docs/accounts.md, MFA).

One module per concept: ``totp``, ``recovery``, ``passkeys``, ``tickets``
(short-lived single-use signed tokens), ``login`` (the second step of a
login), ``staff`` (``MFA_REQUIRED_FOR_STAFF``), ``factors`` (what an account
has, and :func:`reset`), ``options`` (the settings), and the API in
``serializers``, ``views`` and ``urls``.

The functions here import the models late, so importing the package is safe
before the app registry is ready.
"""

from __future__ import annotations

from typing import Any


def has_mfa(user: Any) -> bool:
    """Whether ``user`` has a second factor (a confirmed TOTP device or a passkey)."""
    from .factors import has_mfa as _has_mfa

    return _has_mfa(user)


def methods(user: Any) -> list[str]:
    """The second factors ``user`` can sign in with: ``"passkey"``, ``"totp"``, ``"recovery_code"``."""
    from .factors import methods as _methods

    return _methods(user)


def reset(user: Any) -> dict[str, int]:
    """Remove every second factor of ``user``; counts of what was removed (see ``factors.reset``)."""
    from .factors import reset as _reset

    return _reset(user)
