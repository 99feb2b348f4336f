"""Carts, orders, their lines and history, and the idempotency records of checkout."""

from __future__ import annotations

from typing import Any

import swapper
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def money_field(verbose_name: Any) -> models.DecimalField:
    """An amount: three decimals hold every currency's minor unit (KWD has three)."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=3)


class Cart(models.Model):
    """A signed-in user's cart (``user``), or a guest's, found by the hash of
    the token the API gave it (the token itself is never stored)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bazary_cart",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartLine(models.Model):
    """A product without variants, or one variant, and a quantity. Deleting the
    product keeps the line (shown as unavailable) with the name it had."""

    cart = models.ForeignKey(Cart, verbose_name=_("cart"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        swapper.get_model_name("bazary_catalog", "Product"),
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    variant = models.ForeignKey(
        "bazary_catalog.Variant", verbose_name=_("variant"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    #: Whether the line was for a variant (kept when the variant is deleted).
    for_variant = models.BooleanField(_("for a variant"), default=False)
    name = models.CharField(_("name"), max_length=255, help_text=_("The product's name when it was added."))
    quantity = models.PositiveIntegerField(_("quantity"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "variant"],
                condition=Q(variant__isnull=False),
                name="bazary_orders_cartline_one_variant",
            ),
            models.UniqueConstraint(
                fields=["cart", "product"],
                condition=Q(variant__isnull=True, for_variant=False, product__isnull=False),
                name="bazary_orders_cartline_one_product",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.name}"


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("pending payment")
    PAID = "paid", _("paid")
    FULFILLED = "fulfilled", _("fulfilled")
    DELIVERED = "delivered", _("delivered")
    CANCELLED = "cancelled", _("cancelled")
    REFUNDED = "refunded", _("refunded")


class Order(models.Model):
    """What was bought, at which prices, shipped where: a snapshot taken at
    checkout, changed afterwards only through :func:`bazary.orders.transitions.transition`."""

    number = models.CharField(_("number"), max_length=16, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bazary_orders",
    )
    email = models.EmailField(_("email"))
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT, db_index=True
    )
    currency = models.CharField(_("currency"), max_length=3)
    prices_include_tax = models.BooleanField(_("prices include tax"), default=False)
    subtotal = money_field(_("subtotal"))
    shipping_price = money_field(_("shipping"))
    shipping_tax = money_field(_("shipping tax"))
    tax_total = money_field(_("tax"))
    total = money_field(_("total"))
    shipping_method = models.CharField(_("shipping method"), max_length=64, blank=True)
    shipping_method_name = models.CharField(_("shipping method name"), max_length=200, blank=True)
    shipping_address = models.JSONField(_("shipping address"), null=True, blank=True)
    billing_address = models.JSONField(_("billing address"), null=True, blank=True)
    payment_provider = models.CharField(_("payment provider"), max_length=64)
    language = models.CharField(_("language"), max_length=16, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    #: Set once when the reserved stock goes back: never released twice.
    stock_released = models.BooleanField(_("stock released"), default=False, editable=False)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True, editable=False)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("placed at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["user", "-created_at"], name="bazary_ord_order_user_created")]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        swapper.get_model_name("bazary_catalog", "Product"),
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    variant = models.ForeignKey(
        "bazary_catalog.Variant",
        verbose_name=_("variant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Whether the line was for a variant (kept when the variant is deleted).
    for_variant = models.BooleanField(_("for a variant"), default=False)
    product_name = models.CharField(_("product name"), max_length=255)
    sku = models.CharField(_("SKU"), max_length=64)
    #: ``[{"option": "Size", "value": "M"}, ...]`` as they were at checkout.
    options = models.JSONField(_("option values"), default=list, blank=True)
    is_digital = models.BooleanField(_("digital"), default=False)
    quantity = models.PositiveIntegerField(_("quantity"))
    #: How much of ``quantity`` was taken from stock (less on a backorder).
    reserved_quantity = models.PositiveIntegerField(_("reserved quantity"), default=0, editable=False)
    unit_price = money_field(_("unit price"))
    line_subtotal = money_field(_("line subtotal"))
    tax_rate = models.DecimalField(_("tax rate"), max_digits=6, decimal_places=5)
    tax = money_field(_("tax"))
    total = money_field(_("total"))

    class Meta:
        ordering = ("pk",)
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"


class OrderEvent(models.Model):
    """One status change: who, when, from, to, and a note; or a staff note
    alone (``from_status == to_status``, ``internal``)."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=OrderStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    #: A staff note: shown to staff only (customers see the status change, not the note).
    internal = models.BooleanField(_("internal"), default=False)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '-'} → {self.to_status}"


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` of ``POST orders/`` seen from one customer (a
    user, or a guest cart's token hash), the hash of the body it came with and
    the order it placed. Unique per customer and key, so two concurrent
    requests with one key place one order."""

    scope = models.CharField(_("scope"), max_length=80)
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("body hash"), max_length=64)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="bazary_orders_idempotency_unique")]

    def __str__(self) -> str:
        return self.key
