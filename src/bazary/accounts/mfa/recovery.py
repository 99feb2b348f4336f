"""Recovery codes: ten single-use codes, shown once, stored as keyed digests.

A code has 50 random bits (10 base32 characters, shown as ``xxxxx-xxxxx``);
the database keeps an HMAC-SHA256 of it keyed by ``SECRET_KEY`` (the
fallbacks are tried too), so a copy of the database alone cannot use them. A
code is spent by a conditional UPDATE: two concurrent uses of one code, one
wins.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import RecoveryCode

SALT = "bazary.accounts.mfa.recovery"
COUNT = 10
#: Crockford-like: no 0/O, 1/I/L to misread.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 10
#: Longer input is not a code (and is not hashed).
MAX_INPUT = 32


def _digest(code: str, secret: str) -> str:
    return salted_hmac(SALT, code, secret=secret, algorithm="sha256").hexdigest()


def normalize(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _format(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def generate(user: Any) -> list[str]:
    """Replace ``user``'s recovery codes with :data:`COUNT` new ones; the codes, to show once."""
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(user=user, digest=_digest(code, settings.SECRET_KEY)) for code in codes]
        )
    return [_format(code) for code in codes]


def remaining(user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def use(user: Any, code: str) -> bool:
    """Spend one of ``user``'s unused codes; False if ``code`` is none of them."""
    if len(code) > MAX_INPUT:
        return False
    code = normalize(code)
    if len(code) != LENGTH:
        return False
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    digests = [_digest(code, key) for key in keys]
    return bool(
        RecoveryCode.objects.filter(user=user, digest__in=digests, used_at__isnull=True).update(used_at=timezone.now())
    )
