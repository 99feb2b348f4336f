"""Short-lived, single-use signed tickets: the ``mfa_token`` of a password login, passkey challenges.

A ticket is signed (``django.core.signing``, salted per purpose), carries its
issue time (refused after ``max_age``), a random nonce and what it is bound to
(the user, a digest of the password hash, a WebAuthn challenge...). It is
spent with ``cache.add()`` of its nonce in the default cache (atomic on Redis
and memcached, shared by every process as the lockout's counters are), so a
second use is refused; the cache entry outlives the ticket's ``max_age``.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core import signing
from django.core.cache import caches
from django.utils.crypto import salted_hmac

PREFIX = "bazary:accounts:mfa:spent"
MAX_LENGTH = 4096


class InvalidTicket(Exception):
    """Forged, expired, already used, or issued for something else."""


def issue(purpose: str, data: dict[str, Any]) -> str:
    return signing.dumps({**data, "n": secrets.token_urlsafe(16)}, salt=f"bazary.accounts.mfa.{purpose}")


def read(purpose: str, ticket: str, max_age: int) -> dict[str, Any]:
    """The ticket's data, without spending it; :class:`InvalidTicket` when forged, expired or spent."""
    if not isinstance(ticket, str) or len(ticket) > MAX_LENGTH:
        raise InvalidTicket
    try:
        data = signing.loads(ticket, salt=f"bazary.accounts.mfa.{purpose}", max_age=max_age)
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise InvalidTicket from exc
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        raise InvalidTicket
    if caches["default"].get(_key(purpose, data["n"])) is not None:
        raise InvalidTicket
    return data


def spend(purpose: str, data: dict[str, Any], max_age: int) -> None:
    """Mark the ticket ``data`` came from as used; :class:`InvalidTicket` if it already was."""
    if not caches["default"].add(_key(purpose, data["n"]), 1, timeout=max_age + 60):
        raise InvalidTicket


def _key(purpose: str, nonce: str) -> str:
    return f"{PREFIX}:{purpose}:{hashlib.sha256(nonce.encode()).hexdigest()}"


def password_digest(user: Any) -> str:
    """Changes with the password hash (a password change ends the tickets issued before), reveals nothing."""
    return salted_hmac("bazary.accounts.mfa.password", user.password or "", algorithm="sha256").hexdigest()[:32]
