"""Lock an account after repeated failed logins.

Counters live in the default Django cache (shared across processes in
production). They are keyed by the account when the address has one (so every
spelling of an address counts against the same account), else by a hash of the
address's comparison key: an unknown address locks the same way as a known one,
so the lockout reveals nothing about which addresses exist.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.core.cache import caches

from .conf import accounts_settings, get_adapter

PREFIX = "bazary:accounts:lockout"


def _cache() -> Any:
    return caches["default"]  # looked up per call so override_settings(CACHES) works


def subject(email: str, user: Any = None) -> str:
    """What a lockout counts against: ``user`` when there is one, else the address's key."""
    if user is not None and user.pk is not None:
        return f"user:{user.pk}"
    return "email:" + get_adapter().email_key(email)


def _key(kind: str, ident: str) -> str:
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{PREFIX}:{kind}:{digest}"


def is_locked(ident: str) -> bool:
    if accounts_settings.LOCKOUT_THRESHOLD <= 0:
        return False
    # The lock stores its end; the cache timeout only cleans it up.
    until = _cache().get(_key("locked", ident))
    return isinstance(until, (int, float)) and until > time.time()


def register_failure(ident: str) -> bool:
    """Count a failed login; True when this failure locks ``ident`` (see :func:`subject`)."""
    threshold = accounts_settings.LOCKOUT_THRESHOLD
    if threshold <= 0:
        return False
    cache = _cache()
    key = _key("failures", ident)
    # add() starts the window; incr() is atomic on Redis and memcached.
    cache.add(key, 0, timeout=accounts_settings.LOCKOUT_WINDOW)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=accounts_settings.LOCKOUT_WINDOW)
        failures = 1
    if failures >= threshold:
        duration = accounts_settings.LOCKOUT_DURATION
        cache.set(_key("locked", ident), time.time() + duration, timeout=duration)
        cache.delete(key)
        return True
    return False


def reset(ident: str) -> None:
    _cache().delete_many([_key("failures", ident), _key("locked", ident)])
