"""Failed logins: a lock per client, a slow-down per account, an unlock link for the owner.

A stranger must never be able to lock the owner out, so nothing here is a lock
of the whole account:

- **Per client.** Failures are counted per account *and client address*
  (:func:`bazary.core.network.client_ip`, so ``X-Forwarded-For`` only counts
  behind ``NUM_PROXIES`` trusted proxies). ``LOCKOUT_THRESHOLD`` failures within
  ``LOCKOUT_WINDOW`` lock that client out of that account for
  ``LOCKOUT_DURATION`` (403 ``account_locked``). A client that has not failed is
  not locked, whatever others did.
- **Per account, a slow-down.** Failures from every client are counted too. Once
  they reach ``LOCKOUT_THRESHOLD`` within the window, each further failure makes
  *that* client wait (429 with ``Retry-After``) before its next try: 1 s, 2 s,
  4 s… up to :data:`MAX_DELAY`. Clients that have not failed are never slowed.
- **Unlock.** When a client gets locked, the account's owner is mailed (at most
  once per ``LOCKOUT_DURATION``) a one-time link (``UNLOCK_URL``); following it
  clears every count and lock of the account. So does a password reset.

Counters are keyed by the account when the address has one (every spelling of
the address counts against it), else by a hash of the address's comparison key:
an unknown address locks and slows the same way, so the lockout says nothing
about which addresses exist. They live in the default Django cache (shared
across processes in production) under a per-account *generation*, a random
value that :func:`reset` replaces, which clears them all at once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from django.core.cache import caches

from .conf import accounts_settings, get_adapter

PREFIX = "bazary:accounts:lockout"
#: The longest slow-down, in seconds.
MAX_DELAY = 60


def _cache() -> Any:
    return caches["default"]  # looked up per call so override_settings(CACHES) works


def subject(email: str, user: Any = None) -> str:
    """What a lockout counts against: ``user`` when there is one, else the address's key."""
    if user is not None and user.pk is not None:
        return f"user:{user.pk}"
    return "email:" + get_adapter().email_key(email)


def _key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{PREFIX}:{kind}:{digest}"


def lifetime() -> int:
    """Seconds the counts of an account may matter: a window of failures, then a lock."""
    return accounts_settings.LOCKOUT_WINDOW + accounts_settings.LOCKOUT_DURATION


def generation(ident: str, *, create: bool = True) -> str | None:
    """The current generation of ``ident``'s counters; None when it has none and ``create`` is False."""
    cache = _cache()
    key = _key("generation", ident)
    value = cache.get(key)
    if not isinstance(value, str):
        if not create:
            return None  # no failure on record: nothing to look up
        cache.add(key, secrets.token_hex(16), timeout=lifetime())
        value = cache.get(key)
    return str(value)


def _until(key: str) -> float:
    until = _cache().get(key)
    return float(until) if isinstance(until, (int, float)) else 0.0


def _count(key: str) -> int:
    cache = _cache()
    # add() starts the window; incr() is atomic on Redis and memcached.
    cache.add(key, 0, timeout=accounts_settings.LOCKOUT_WINDOW)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=accounts_settings.LOCKOUT_WINDOW)
        return 1


def is_locked(ident: str, client: str) -> bool:
    """Whether ``client`` is locked out of ``ident`` (see :func:`subject`)."""
    if accounts_settings.LOCKOUT_THRESHOLD <= 0:
        return False
    gen = generation(ident, create=False)
    # The lock stores its end; the cache timeout only cleans it up.
    return gen is not None and _until(_key("locked", gen, ident, client)) > time.time()


def wait_for(ident: str, client: str) -> int:
    """Seconds ``client`` must wait before its next try at ``ident`` (the account-wide slow-down); 0: none."""
    if accounts_settings.LOCKOUT_THRESHOLD <= 0:
        return 0
    gen = generation(ident, create=False)
    if gen is None:
        return 0
    remaining = _until(_key("wait", gen, ident, client)) - time.time()
    return max(0, int(remaining + 0.999))


def register_failure(ident: str, client: str) -> bool:
    """Count a failed login of ``client`` at ``ident``; True when this failure locks the client out."""
    threshold = accounts_settings.LOCKOUT_THRESHOLD
    if threshold <= 0:
        return False
    cache = _cache()
    gen = str(generation(ident))
    cache.touch(_key("generation", ident), lifetime())
    overall = _count(_key("account", gen, ident))
    if overall >= threshold:
        delay = min(2 ** (overall - threshold), MAX_DELAY)
        cache.set(_key("wait", gen, ident, client), time.time() + delay, timeout=delay + 1)
    client_key = _key("client", gen, ident, client)
    if _count(client_key) >= threshold:
        duration = accounts_settings.LOCKOUT_DURATION
        cache.set(_key("locked", gen, ident, client), time.time() + duration, timeout=duration)
        cache.delete(client_key)
        return True
    return False


def should_mail_owner(ident: str) -> bool:
    """True once per ``LOCKOUT_DURATION`` and generation: whether to mail the owner an unlock link now."""
    key = _key("mailed", str(generation(ident)), ident)
    return bool(_cache().add(key, 1, timeout=accounts_settings.LOCKOUT_DURATION))


def reset_client(ident: str, client: str) -> None:
    """A successful login: that client's failures were the owner's, and are forgotten.

    They come off the account's count too; the failures of other clients stay.
    """
    gen = generation(ident, create=False)
    if gen is None:
        return
    cache = _cache()
    client_key = _key("client", gen, ident, client)
    failures = cache.get(client_key)
    cache.delete_many([client_key, _key("wait", gen, ident, client)])
    if isinstance(failures, int) and failures > 0:
        try:
            if cache.decr(_key("account", gen, ident), failures) < 0:
                cache.delete(_key("account", gen, ident))
        except ValueError:  # the account's count expired meanwhile
            pass


def reset(ident: str) -> None:
    """Forget every failure, lock and slow-down of ``ident`` (a new generation)."""
    _cache().set(_key("generation", ident), secrets.token_hex(16), timeout=lifetime())


def claim(ident: str, gen: str) -> bool:
    """Reset ``ident`` if its generation is still ``gen``, once (an unlock link is single-use)."""
    if generation(ident, create=False) != gen:
        return False
    if not _cache().add(_key("claimed", ident, gen), 1, timeout=lifetime()):
        return False
    reset(ident)
    return True
