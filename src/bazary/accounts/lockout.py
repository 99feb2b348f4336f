"""Lock an email address after repeated failed logins.

Counters live in the default Django cache (shared across processes in
production), keyed by a hash of the normalised address whether or not an
account has it, so the lockout reveals nothing about which addresses exist.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.core.cache import caches

from .conf import accounts_settings

PREFIX = "bazary:accounts:lockout"


def _cache() -> Any:
    return caches["default"]  # looked up per call so override_settings(CACHES) works


def _key(kind: str, email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()
    return f"{PREFIX}:{kind}:{digest}"


def is_locked(email: str) -> bool:
    if accounts_settings.LOCKOUT_THRESHOLD <= 0:
        return False
    # The lock stores its end; the cache timeout only cleans it up.
    until = _cache().get(_key("locked", email))
    return isinstance(until, (int, float)) and until > time.time()


def register_failure(email: str) -> bool:
    """Count a failed login; True when this failure locks the address."""
    threshold = accounts_settings.LOCKOUT_THRESHOLD
    if threshold <= 0:
        return False
    cache = _cache()
    key = _key("failures", email)
    # add() starts the window; incr() is atomic on Redis and memcached.
    cache.add(key, 0, timeout=accounts_settings.LOCKOUT_WINDOW)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=accounts_settings.LOCKOUT_WINDOW)
        failures = 1
    if failures >= threshold:
        duration = accounts_settings.LOCKOUT_DURATION
        cache.set(_key("locked", email), time.time() + duration, timeout=duration)
        cache.delete(key)
        return True
    return False


def reset(email: str) -> None:
    _cache().delete_many([_key("failures", email), _key("locked", email)])
