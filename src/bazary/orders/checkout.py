"""Checkout: the cart becomes an order in one transaction.

Every line is priced again from the catalog, its stock reserved through
``adjust_stock`` (all lines or none: :class:`OutOfStock` names the lines that
ran out, and the transaction rolls back), the lines, prices, addresses,
shipping method and payment provider are copied onto the order, the creation
is recorded as the first :class:`~bazary.orders.models.OrderEvent`, and the
cart is emptied. ``Idempotency-Key`` makes a retried request return the order
the first one placed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from bazary.catalog.stock import InsufficientStock

from .cart import lines_of
from .conf import orders_settings
from .exceptions import Conflict, IdempotencyKeyReused
from .models import Cart, CartLine, IdempotencyKey, Order, OrderEvent, OrderLine, OrderStatus
from .money import ZERO
from .numbers import new_order_number
from .pricing import Basket, price_lines
from .providers import PaymentProvider, payment_providers
from .signals import order_placed
from .stock import reserve, stock_item


class OutOfStock(Conflict):
    default_detail = _("Some lines ran out of stock.")
    default_code = "insufficient_stock"


def fingerprint(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def find_replay(scope: str, key: str, digest: str) -> Order | None:
    """The order an earlier request with this key placed (``None`` if the key
    is new or expired); 422 when that request had another body."""
    window = orders_settings.IDEMPOTENCY_WINDOW
    record = IdempotencyKey.objects.filter(scope=scope, key=key).select_related("order").first()
    if record is None:
        return None
    if record.created_at < timezone.now() - window or record.order is None:
        IdempotencyKey.objects.filter(pk=record.pk).delete()
        return None
    if record.fingerprint != digest:
        raise IdempotencyKeyReused
    return record.order


def choose_provider(code: str | None) -> PaymentProvider:
    providers = payment_providers()
    if code is None:
        return providers[0]
    for provider in providers:
        if provider.code == code:
            return provider
    raise ValidationError({"payment_provider": [_("No such payment provider.")]}, code="invalid_choice")


def place_order(
    cart: Cart,
    data: dict[str, Any],
    *,
    user: Any,
    language: str = "",
    idempotency: tuple[str, str, str] | None = None,
) -> tuple[Order, bool]:
    """Turn ``cart`` into an order; return it and whether it is new (``False``:
    the replay of an earlier request with the same ``idempotency``
    ``(scope, key, body hash)``)."""
    if idempotency is not None:
        replay = find_replay(*idempotency)
        if replay is not None:
            return replay, False
    provider = choose_provider(data.get("payment_provider"))
    try:
        order = _place(cart, data, provider, user=user, language=language, idempotency=idempotency)
    except IntegrityError:
        # A concurrent request with the same key won the race.
        if idempotency is None:
            raise
        replay = find_replay(*idempotency)
        if replay is None:
            raise Conflict(_("A request with this Idempotency-Key is being processed.")) from None
        return replay, False
    transaction.on_commit(lambda: order_placed.send(sender=Order, order=order))
    return order, True


def _place(
    cart: Cart,
    data: dict[str, Any],
    provider: PaymentProvider,
    *,
    user: Any,
    language: str,
    idempotency: tuple[str, str, str] | None,
) -> Order:
    with transaction.atomic():
        record = None
        if idempotency is not None:
            scope, key, digest = idempotency
            # First: a concurrent request with the key waits here, then fails.
            record = IdempotencyKey.objects.create(scope=scope, key=key, fingerprint=digest)
        Cart.objects.select_for_update().filter(pk=cart.pk).first()
        lines = list(lines_of(cart))
        if not lines:
            raise ValidationError({"non_field_errors": [_("The cart is empty.")]}, code="empty_cart")
        shipping_address = data.get("shipping_address")
        billing_address = data.get("billing_address") or shipping_address
        country = (shipping_address or billing_address or {}).get("country")
        basket = price_lines(
            lines, country=country, shipping_address=shipping_address, shipping_method=data.get("shipping_method")
        )
        check_basket(basket, data)
        order = create_order(basket, data, provider, user=user, language=language, billing_address=billing_address)
        reserve_lines(order, basket, user=user)
        OrderEvent.objects.create(
            order=order,
            from_status="",
            to_status=OrderStatus.PENDING_PAYMENT,
            actor=user if user.is_authenticated else None,
        )
        if record is not None:
            IdempotencyKey.objects.filter(pk=record.pk).update(order=order)
        CartLine.objects.filter(cart=cart).delete()
    return order


def check_basket(basket: Basket, data: dict[str, Any]) -> None:
    unavailable = [line for line in basket.lines if not line.available and line.reason != "insufficient_stock"]
    if unavailable:
        raise Conflict(
            {
                "detail": _("Some lines cannot be bought: remove them from the cart."),
                "lines": [f"{line.source.pk}: {line.reason}" for line in unavailable],
            },
            code="unavailable",
        )
    if not basket.available_lines and not basket.unavailable_lines:
        raise ValidationError({"non_field_errors": [_("The cart is empty.")]}, code="empty_cart")
    if basket.needs_shipping:
        if not data.get("shipping_address"):
            raise ValidationError({"shipping_address": [_("This field is required.")]}, code="required")
        if basket.shipping_method is None:
            raise ValidationError(
                {"shipping_method": [_("This shipping method is not available for this order.")]}, code="unavailable"
            )


def create_order(
    basket: Basket,
    data: dict[str, Any],
    provider: PaymentProvider,
    *,
    user: Any,
    language: str,
    billing_address: dict[str, Any] | None,
) -> Order:
    method = basket.shipping_method
    fields = {
        "user": user if user.is_authenticated else None,
        "email": data["email"],
        "currency": basket.currency,
        "prices_include_tax": basket.prices_include_tax,
        "subtotal": basket.subtotal,
        "shipping_price": basket.shipping_price,
        "shipping_tax": basket.shipping_tax,
        "tax_total": basket.tax_total,
        "total": basket.total,
        "shipping_method": method.code if method is not None else "",
        "shipping_method_name": str(method.name) if method is not None else "",
        "shipping_address": data.get("shipping_address") if basket.needs_shipping else None,
        "billing_address": billing_address,
        "payment_provider": provider.code,
        "language": language[:16],
    }
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return Order.objects.create(number=new_order_number(), **fields)
        except IntegrityError:
            continue  # the number was taken: draw another
    raise IntegrityError("could not draw a free order number")


def reserve_lines(order: Order, basket: Basket, *, user: Any) -> None:
    """Reserve every line's stock and write the order lines; :class:`OutOfStock`
    (listing every line that ran out) if any line cannot have its quantity."""
    ran_out: list[str] = []
    rows = []
    for line in basket.lines:
        source = line.source
        if not line.available:  # priced as out of stock: nothing to reserve
            ran_out.append(line.sku or str(source.pk))
            continue
        item = stock_item(source.product, source.variant)
        try:
            reserved = reserve(item, line.quantity, reason=f"order {order.number}", user=user)
        except InsufficientStock:
            ran_out.append(line.sku or str(source.pk))
            continue
        rows.append(
            OrderLine(
                order=order,
                product=source.product,
                variant=source.variant,
                for_variant=source.for_variant,
                product_name=line.name,
                sku=line.sku,
                options=line.options,
                is_digital=line.is_digital,
                quantity=line.quantity,
                reserved_quantity=reserved,
                unit_price=line.unit_price or ZERO,
                line_subtotal=line.line_subtotal,
                tax_rate=line.tax_rate,
                tax=line.tax,
                total=line.total,
            )
        )
    if ran_out:
        raise OutOfStock({"detail": OutOfStock.default_detail, "lines": ran_out})
    OrderLine.objects.bulk_create(rows)
