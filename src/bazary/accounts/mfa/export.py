"""The second factors in the personal-data export (section ``mfa``): what they are, never a secret."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from bazary.core.serialization import json_value

from .models import Passkey, RecoveryCode, TOTPDevice


def mfa_of(user: Any) -> dict[str, Any]:
    """The authenticator app (when it was set up and turned on), how many recovery codes are left
    (not the codes) and the passkeys (not their keys): two queries whatever the number of passkeys."""
    unused = (
        RecoveryCode.objects.filter(user=OuterRef("user"), used_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    device = TOTPDevice.objects.filter(user=user).annotate(codes_left=Coalesce(Subquery(unused), 0)).first()
    return {
        "totp": None
        if device is None
        else {
            "created_at": json_value(device.created_at),
            "confirmed_at": json_value(device.confirmed_at),
            "recovery_codes_left": device.codes_left,
        },
        "passkeys": [
            {
                "name": passkey.name,
                "created_at": json_value(passkey.created_at),
                "last_used_at": json_value(passkey.last_used_at),
                "backed_up": passkey.backed_up,
                "transports": passkey.transports,
            }
            for passkey in Passkey.objects.filter(user=user).order_by("created_at", "pk")
        ],
    }
