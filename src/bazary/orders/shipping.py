"""Shipping methods: ``BAZARY_ORDERS["SHIPPING_METHODS"]`` names their classes.

A method gets the priced basket (a :class:`bazary.orders.pricing.Basket`,
for a cart or for the order being placed) and the shipping address (a dict,
or ``None`` before the customer gave one) and answers whether it is offered
and at what price, in the basket's currency.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from .conf import as_decimal, orders_settings

if TYPE_CHECKING:
    from .pricing import Basket


class ShippingMethod:
    """Subclass, set ``code`` and ``name``, override :meth:`price` and maybe :meth:`is_available`."""

    code: str = ""
    name: Any = ""

    def is_available(self, basket: Basket, address: dict[str, Any] | None) -> bool:
        return True

    def price(self, basket: Basket, address: dict[str, Any] | None) -> Decimal:
        raise TypeError(f"{type(self).__name__} must define price()")


class FlatRate(ShippingMethod):
    """The same price for any basket: ``BAZARY_ORDERS["FLAT_RATE"]`` (0 by default)."""

    code = "flat_rate"
    name = _("Standard shipping")
    amount: Decimal | None = None

    def price(self, basket: Basket, address: dict[str, Any] | None) -> Decimal:
        amount = self.amount if self.amount is not None else as_decimal(orders_settings.FLAT_RATE)
        return amount or Decimal("0")


class FreeAbove(ShippingMethod):
    """Free shipping, offered from a subtotal on: ``amount`` on a subclass, or
    else ``BAZARY_ORDERS["FREE_SHIPPING_ABOVE"]`` (``None``: never offered)."""

    code = "free_above"
    name = _("Free shipping")
    amount: Decimal | None = None

    def threshold(self) -> Decimal | None:
        return self.amount if self.amount is not None else as_decimal(orders_settings.FREE_SHIPPING_ABOVE)

    def is_available(self, basket: Basket, address: dict[str, Any] | None) -> bool:
        threshold = self.threshold()
        return threshold is not None and basket.subtotal >= threshold

    def price(self, basket: Basket, address: dict[str, Any] | None) -> Decimal:
        return Decimal("0")


def shipping_methods() -> list[ShippingMethod]:
    return [cls() for cls in orders_settings.SHIPPING_METHODS]


def available_methods(basket: Basket, address: dict[str, Any] | None) -> list[ShippingMethod]:
    return [method for method in shipping_methods() if method.is_available(basket, address)]
