"""Payments of orders, the providers' events (the idempotency log of the
webhooks) and refunds."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bazary.orders.models import money_field


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    AUTHORIZED = "authorized", _("authorized")
    CAPTURED = "captured", _("captured")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


#: Statuses of a payment that still may take the customer's money.
LIVE_STATUSES = (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED)


class Payment(models.Model):
    """One attempt to pay an order with a provider. Amount and currency are
    the order's, copied when the payment starts; the status changes only
    through :func:`bazary.payments.transitions.set_status`."""

    order = models.ForeignKey(
        "bazary_orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField(_("provider"), max_length=32)
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING, db_index=True
    )
    refunded_amount = money_field(_("refunded amount"))
    #: The provider's id of the payment (a PaymentIntent id, a Chapa tx_ref).
    reference = models.CharField(_("provider reference"), max_length=255, blank=True, db_index=True)
    #: What the client needs to pay (a client secret, a redirect URL); never a secret key.
    client_data = models.JSONField(_("client data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    captured_at = models.DateTimeField(_("captured at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        permissions = [("refund_order", _("Can refund orders"))]
        constraints = [
            # One live payment per order: a second POST cannot race past the check.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=["pending", "authorized", "captured"]),
                name="bazary_payments_one_live_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.amount} {self.currency} ({self.status})"

    @property
    def refundable(self) -> Decimal:
        """What may still be refunded: captured minus refunded."""
        return self.amount - self.refunded_amount if self.status == PaymentStatus.CAPTURED else Decimal(0)


class PaymentEvent(models.Model):
    """A provider's webhook event, recorded before it is processed: unique
    per provider and event id, so a delivery seen twice is processed once."""

    provider = models.CharField(_("provider"), max_length=32)
    event_id = models.CharField(_("event id"), max_length=255)
    type = models.CharField(_("type"), max_length=100)
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    payload = models.JSONField(_("raw payload"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    #: Why the event changed nothing (unknown payment, would move backwards...).
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ("-received_at", "-pk")
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="bazary_payments_event_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"


class Refund(models.Model):
    """Money given back from a captured payment, by whom and why."""

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds")
    amount = money_field(_("amount"))
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=20)
    reference = models.CharField(_("provider reference"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return f"{self.amount} ({self.status})"
