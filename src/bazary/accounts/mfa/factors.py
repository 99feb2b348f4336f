"""What second factors an account has, and removing them all (staff "reset MFA")."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import Passkey, RecoveryCode, TOTPDevice

TOTP = "totp"
RECOVERY_CODE = "recovery_code"
PASSKEY = "passkey"


def methods(user: Any) -> list[str]:
    """The second factors ``user`` can sign in with, in the order a client should offer them."""
    found: list[str] = []
    if Passkey.objects.filter(user=user).exists():
        found.append(PASSKEY)
    if TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        found.append(TOTP)
        # Recovery codes stand in for the authenticator app; they are no factor on their own.
        if RecoveryCode.objects.filter(user=user, used_at__isnull=True).exists():
            found.append(RECOVERY_CODE)
    return found


def has_mfa(user: Any) -> bool:
    return (
        Passkey.objects.filter(user=user).exists()
        or TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    )


def disable_totp(user: Any) -> None:
    """Remove the authenticator app and the recovery codes that go with it."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()


def reset(user: Any) -> dict[str, int]:
    """Remove every second factor of ``user`` (TOTP, recovery codes, passkeys); what was removed.

    For staff tools (the user management API's "reset MFA"): the account signs
    in with its password alone afterwards. Its sessions are left alone.
    """
    with transaction.atomic():
        totp = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).count()
        TOTPDevice.objects.filter(user=user).delete()
        codes, _ = RecoveryCode.objects.filter(user=user).delete()
        passkeys, _ = Passkey.objects.filter(user=user).delete()
    return {"totp": totp, "recovery_codes": codes, "passkeys": passkeys}
