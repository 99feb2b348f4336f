"""Endpoints, the events sent to them, and the log of each delivery attempt."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bazary.core import sealing
from bazary.core.models import DeliveryStatus, TimeStampedModel

#: Salt of the key the signing secrets are sealed with; changing it makes every stored secret unreadable.
SECRET_SALT = "bazary.webhooks.secrets"
SECRET_PURPOSE = "endpoint signing secret"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


class Endpoint(TimeStampedModel):
    """A receiver of signed events, managed by staff.

    The signing secret must be usable to sign, so it is not hashed: it is
    stored sealed under a ``SECRET_KEY``-derived key (:mod:`bazary.core.sealing`),
    shown once when created or rotated, never logged. After a rotation the
    previous secret signs too (a second signature) until ``previous_secret_expires_at``.
    """

    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=255, blank=True)
    #: Codes of registered event types, or ``["*"]`` for every type.
    event_types = models.JSONField(_("event types"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    sealed_secret = models.TextField(_("signing secret (sealed)"), editable=False)
    sealed_previous_secret = models.TextField(_("previous secret (sealed)"), blank=True, default="", editable=False)
    previous_secret_expires_at = models.DateTimeField(_("previous secret valid until"), null=True, blank=True)
    #: Events in a row whose delivery failed for good; reset by a success.
    consecutive_failures = models.PositiveIntegerField(_("consecutive failed events"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("disabled because"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.url

    def set_secret(self, secret: str) -> None:
        self.sealed_secret = sealing.seal(secret, salt=SECRET_SALT, purpose=SECRET_PURPOSE)

    def rotate_secret(self, *, grace_seconds: int, now: datetime | None = None) -> str:
        """A new secret (returned, to show once); the current one stays valid ``grace_seconds``."""
        now = now or timezone.now()
        secret = new_secret()
        if grace_seconds > 0:
            self.sealed_previous_secret = self.sealed_secret
            self.previous_secret_expires_at = now + timedelta(seconds=grace_seconds)
        else:
            self.sealed_previous_secret, self.previous_secret_expires_at = "", None
        self.set_secret(secret)
        return secret

    def signing_secrets(self, now: datetime | None = None) -> list[str]:
        """The secrets that sign a delivery now: the current one, and the previous during its grace period."""
        now = now or timezone.now()
        found = [sealing.unseal(self.sealed_secret, salt=SECRET_SALT, purpose=SECRET_PURPOSE)]
        expires = self.previous_secret_expires_at
        if self.sealed_previous_secret and expires is not None and expires > now:
            found.append(sealing.unseal(self.sealed_previous_secret, salt=SECRET_SALT, purpose=SECRET_PURPOSE))
        return found

    def wants(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


class Event(models.Model):
    """Something that happened, as sent: the same ``id`` (``webhook-id``) on every attempt."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("type"), max_length=100, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"{self.type} {self.pk}"

    @property
    def message_id(self) -> str:
        """The ``webhook-id`` header: receivers dedupe on it."""
        return f"msg_{self.pk.hex}"


class Delivery(TimeStampedModel):
    """One event to one endpoint: the idempotency key of its sending.

    A worker sends only after moving the row from ``queued`` to ``sending``
    with a conditional UPDATE stamped with its claim token, so two workers
    never send the same delivery at once.
    """

    Status = DeliveryStatus

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event"))
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="bazary_whdelivery_endpoint_idx")]

    def __str__(self) -> str:
        return f"{self.event.type} → {self.endpoint.url} ({self.get_status_display()})"


class Attempt(models.Model):
    """One HTTP request of a delivery, as it went."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("attempt number"))
    status_code = models.PositiveIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    error = models.TextField(_("error"), blank=True)
    #: The first bytes of the answer (at most 4 KiB are read).
    response_body = models.TextField(_("response body"), blank=True)
    next_retry_at = models.DateTimeField(_("next retry at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery attempt")
        verbose_name_plural = _("webhook delivery attempts")
        ordering = ("delivery", "number")

    def __str__(self) -> str:
        return f"#{self.number}: {self.status_code or self.error[:40]}"
