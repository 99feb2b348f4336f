"""Time-based one-time passwords (RFC 6238) with ``pyotp``: setup, check without replay, removal.

The secret is sealed at rest with ``bazary.core.sealing``. A code is accepted
for the current 30-second step and one step either side (clock drift); the
step of the accepted code is stored with a conditional UPDATE, so the same
code (or an older one) is refused afterwards, even by a concurrent request.
"""

from __future__ import annotations

import base64
import hmac
import time
from typing import Any

import pyotp
import segno
from django.utils import timezone

from bazary.core import sealing

from ..conf import accounts_settings, get_adapter
from .models import TOTPDevice

SALT = "bazary.accounts.mfa.totp"
PURPOSE = "secret"
DIGITS = 6
INTERVAL = 30
#: Steps either side of the current one that are accepted (clock drift).
DRIFT = 1


def _now() -> float:
    return time.time()


def _seal(secret: str) -> str:
    return sealing.seal(secret, salt=SALT, purpose=PURPOSE)


def secret_of(device: TOTPDevice) -> str:
    return sealing.unseal(device.secret, salt=SALT, purpose=PURPOSE)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)


def confirmed(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def begin_setup(user: Any) -> tuple[str, str, str]:
    """A new unconfirmed device (replacing an unconfirmed one): ``(secret, otpauth URI, QR code data URI)``."""
    secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
    TOTPDevice.objects.update_or_create(
        user=user, defaults={"secret": _seal(secret), "confirmed_at": None, "last_step": 0}
    )
    uri = _totp(secret).provisioning_uri(
        name=get_adapter().get_email(user), issuer_name=accounts_settings.MFA_TOTP_ISSUER
    )
    return secret, uri, qr_data_uri(uri)


def qr_data_uri(text: str) -> str:
    """``text`` as a QR code, an SVG ``data:`` URI an ``<img src>`` can show."""
    svg = segno.make(text, error="m").svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def matching_step(device: TOTPDevice, code: str, at: float | None = None) -> int | None:
    """The time step ``code`` belongs to (within the drift), or None; says nothing about replay."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    try:
        totp = _totp(secret_of(device))
    except sealing.Unreadable:
        return None
    now = _now() if at is None else at
    current = int(now) // INTERVAL  # RFC 6238's T with T0 = 0
    found = None
    for step in range(current - DRIFT, current + DRIFT + 1):
        # Every candidate is compared (constant time), so timing does not tell which step matched.
        if hmac.compare_digest(totp.generate_otp(step), code) and found is None:
            found = step
    return found


def use(device: TOTPDevice, code: str) -> bool:
    """Accept ``code`` once: True if it is valid and of a later step than the last one accepted."""
    step = matching_step(device, code)
    if step is None:
        return False
    won = TOTPDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step)
    if won:
        device.last_step = step
    return bool(won)


def confirm(device: TOTPDevice, code: str) -> bool:
    """Turn the device on with a first valid code (which is then used up)."""
    if not use(device, code):
        return False
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    return True
