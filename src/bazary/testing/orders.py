"""Helpers for tests (and demo data) of bazary.orders: real orders, placed
through the same checkout code as the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser

#: An address checkout accepts.
ADDRESS = {"recipient_name": "Ann Smith", "line1": "1 Main St", "city": "Springfield", "country": "US"}


def place_test_order(
    items: Iterable[tuple[Any, int]],
    *,
    user: Any = None,
    email: str = "",
    address: dict[str, Any] | None = None,
    **data: Any,
) -> Any:
    """Put ``items`` (``(product or variant, quantity)`` pairs) in a fresh
    cart and check it out; return the order (``pending_payment``, stock
    reserved). ``data`` goes to checkout (``shipping_method``,
    ``payment_provider``, ``billing_address``)."""
    from bazary.catalog.models import Variant
    from bazary.orders.cart import add_line
    from bazary.orders.checkout import place_order
    from bazary.orders.models import Cart

    cart = Cart.objects.create()
    for item, quantity in items:
        if isinstance(item, Variant):
            add_line(cart, item.product, item, quantity)
        else:
            add_line(cart, item, None, quantity)
    checkout = {
        "email": email or getattr(user, "email", "") or "guest@example.com",
        "shipping_address": address or ADDRESS,
        **data,
    }
    order, _created = place_order(cart, checkout, user=user or AnonymousUser())
    cart.delete()
    if user is not None:
        order.user = user
        order.save(update_fields=["user"])
    return order
