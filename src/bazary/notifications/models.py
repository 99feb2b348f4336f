"""Notifications, per-user preferences and the delivery log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bazary.core.models import DeliveryStatus, TimeStampedModel


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: Any) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def for_listing(self) -> NotificationQuerySet:
        # One query whatever the page size: the actor and the target's type
        # come joined; the target itself is described by the stored repr.
        return self.select_related("actor", "target_content_type").order_by("-created_at", "-pk")

    def mark_read(self) -> int:
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """An in-app notification: a row in the user's inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="bazary_notifications",
        verbose_name=_("recipient"),
    )
    # Not ``choices``: kinds depend on settings, and choices would make migrations.
    kind = models.CharField(_("kind"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    target_content_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target type"),
    )
    # Text, so targets with UUID or string primary keys fit too.
    target_object_id = models.CharField(_("target id"), max_length=64, blank=True, default="")
    target = GenericForeignKey("target_content_type", "target_object_id")
    #: ``str(target)`` when notified: lists show it without loading targets,
    #: and it survives the target's deletion.
    target_repr = models.CharField(_("target"), max_length=255, blank=True, default="")
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-pk")
        indexes = [
            # A user's inbox, newest first, and the unread filter/count.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="bazary_notif_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="bazary_notif_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """A user's choice for one kind on one channel; absent means the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="bazary_notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=100)
    channel = models.CharField(_("channel"), max_length=50)
    enabled = models.BooleanField(_("enabled"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="bazary_notif_pref_unique"),
        ]

    def __str__(self) -> str:
        state = _("on") if self.enabled else _("off")
        return f"{self.kind} / {self.channel}: {state}"


class Delivery(TimeStampedModel):
    """One message on one out-of-process channel (email, webhook...).

    The rendered message is stored, so a retry sends exactly what the first
    attempt would have, whatever happens to templates or settings meanwhile.
    One-time links and tokens are not: the stored message has placeholders
    for them and their values are in ``sealed``, encrypted, until sent.
    Once sent, the body, HTML, data and sealed values are cleared; the
    subject, address and times stay as the log.
    The row is also the idempotency key: a worker sends only after moving it
    from ``queued`` to ``sending`` with a conditional UPDATE.
    """

    Status = DeliveryStatus

    kind = models.CharField(_("kind"), max_length=100)
    channel = models.CharField(_("channel"), max_length=50)
    # SET_NULL: the log outlives the user. A message queued for a user deleted
    # or deactivated meanwhile is cancelled, except a farewell ("your account
    # was deleted"), which goes out and then keeps no address.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    address = models.CharField(_("address"), max_length=320)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"), blank=True)
    html = models.TextField(_("HTML body"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    #: The kind's ``secret_context`` values (one-time links), encrypted; the
    #: stored subject and bodies hold placeholders for them (see ``withheld.py``).
    sealed = models.TextField(_("sealed one-time values"), blank=True, default="", editable=False)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    #: Set by the worker that claims the row, so it updates only what it claimed.
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ("-created_at", "-pk")
        indexes = [
            # bazary_retry_deliveries: stuck and failed rows by age.
            models.Index(fields=["status", "updated_at"], name="bazary_delivery_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.address} ({self.get_status_display()})"
