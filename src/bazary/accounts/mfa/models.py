"""The second factors of an account: a TOTP device, recovery codes, passkeys.

Imported by ``bazary.accounts.models`` so Django registers them with the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TOTPDevice(models.Model):
    """An authenticator app (RFC 6238); one per user, on once ``confirmed_at`` is set.

    ``secret`` is sealed (``bazary.core.sealing``): a copy of the database alone
    cannot compute codes. ``last_step`` is the time step of the last code
    accepted: a code of that step or an earlier one is refused (no replay).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bazary_totp", verbose_name=_("user")
    )
    secret = models.TextField(_("sealed secret"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_step = models.BigIntegerField(_("last time step used"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("TOTP device")
        verbose_name_plural = _("TOTP devices")

    def __str__(self) -> str:
        return f"TOTP of {self.user_id}"


class RecoveryCode(models.Model):
    """A single-use code; only a keyed digest of it is stored (see ``bazary.accounts.mfa.recovery``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="bazary_recovery_codes",
        verbose_name=_("user"),
    )
    digest = models.CharField(_("digest"), max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        indexes = [models.Index(fields=("user", "digest"), name="bazary_acc_recovery_user_dig")]

    def __str__(self) -> str:
        return f"recovery code {self.pk} of {self.user_id}"


class Passkey(models.Model):
    """A WebAuthn credential: a second factor, and a passwordless login."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bazary_passkeys", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    #: The credential id, base64url without padding (what the browser sends as ``id``).
    credential_id = models.CharField(_("credential id"), max_length=1400, unique=True)
    public_key = models.BinaryField(_("public key (COSE)"))
    sign_count = models.BigIntegerField(_("signature counter"), default=0)
    transports = models.JSONField(_("transports"), default=list, blank=True)
    backed_up = models.BooleanField(_("backed up"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return self.name
