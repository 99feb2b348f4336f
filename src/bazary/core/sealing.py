"""Values kept encrypted at rest under a key derived from ``SECRET_KEY``.

Fernet (AES-128-CBC with an HMAC-SHA256, from the ``cryptography`` package)
with a key derived per purpose (``salt``) from ``SECRET_KEY``: a copy of the
database alone opens nothing. Sealed with ``SECRET_KEY``, opened with it or
any of ``SECRET_KEY_FALLBACKS``, so a key rotation keeps old rows readable as
long as the old key is a fallback. Used by bazary.notifications (one-time
links of queued deliveries) and bazary.webhooks (endpoint signing secrets).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac


class Unreadable(Exception):
    """Sealed with a ``SECRET_KEY`` this process does not have (nor in ``SECRET_KEY_FALLBACKS``)."""


def _fernet(salt: str, purpose: str, secret: str | bytes) -> Fernet:
    digest = salted_hmac(salt, purpose, secret=secret, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def keys(salt: str, purpose: str) -> MultiFernet:
    """Seal with ``SECRET_KEY``; open with it or any of ``SECRET_KEY_FALLBACKS``."""
    fallbacks = getattr(settings, "SECRET_KEY_FALLBACKS", [])
    return MultiFernet([_fernet(salt, purpose, settings.SECRET_KEY), *(_fernet(salt, purpose, k) for k in fallbacks)])


def seal(text: str, *, salt: str, purpose: str) -> str:
    """``text`` encrypted (ASCII) under the key of ``salt`` and ``purpose``."""
    return keys(salt, purpose).encrypt(text.encode()).decode("ascii")


def unseal(sealed: str, *, salt: str, purpose: str) -> str:
    """The text :func:`seal` sealed, or :class:`Unreadable`."""
    try:
        return keys(salt, purpose).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise Unreadable("Sealed with a SECRET_KEY this process does not have.") from exc
