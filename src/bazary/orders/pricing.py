"""Every amount of a cart or of an order being placed, computed on the server
from the current catalog.

Money is ``Decimal``; each line is rounded half-up to the currency's minor
unit (its subtotal, then its tax), and the totals are sums of those rounded
amounts, so they add up exactly: ``total = subtotal + shipping + tax`` when
prices exclude tax, ``total = subtotal + shipping`` (tax included) when they
include it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .conf import orders_settings, shop_currency
from .money import ZERO, quantize
from .shipping import ShippingMethod, available_methods
from .tax import TaxCalculator, tax_calculator

#: Why a line cannot be bought; the codes are part of the API.
REASONS = {
    "deleted": _("This product is no longer sold."),
    "inactive": _("This product is not available."),
    "hidden": _("This product is not available."),
    "variant_required": _("Choose a variant of this product."),
    "currency": _("This product is priced in another currency."),
    "insufficient_stock": _("Not enough in stock."),
}


@dataclass
class PricedLine:
    source: Any  # the cart line
    name: str
    sku: str
    options: list[dict[str, str]]
    quantity: int
    available: bool
    reason: str | None
    stock: int | None  # what can be bought, when the stock is tracked
    is_digital: bool
    unit_price: Decimal | None = None
    line_subtotal: Decimal = ZERO
    tax_rate: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO

    @property
    def reason_text(self) -> str | None:
        return str(REASONS[self.reason]) if self.reason else None


@dataclass
class Basket:
    """The priced lines and totals; what shipping methods and the tax
    calculator are handed, for a cart and for the order being placed alike."""

    currency: str
    prices_include_tax: bool
    country: str | None
    lines: list[PricedLine] = field(default_factory=list)
    subtotal: Decimal = ZERO
    needs_shipping: bool = False
    shipping_method: ShippingMethod | None = None
    shipping_methods: list[ShippingMethod] = field(default_factory=list)
    shipping_price: Decimal = ZERO
    shipping_tax: Decimal = ZERO
    tax_total: Decimal = ZERO
    total: Decimal = ZERO

    @property
    def available_lines(self) -> list[PricedLine]:
        return [line for line in self.lines if line.available]

    @property
    def unavailable_lines(self) -> list[PricedLine]:
        return [line for line in self.lines if not line.available]


def line_options(variant: Any) -> list[dict[str, str]]:
    """A variant's option values in the options' order, from its prefetched links."""
    if variant is None:
        return []
    links = sorted(
        variant.option_links.all(), key=lambda link: (link.option.position, link.option.name, link.option_id)
    )
    return [{"option": link.option.name, "value": link.value.name} for link in links]


def describe(line: Any, currency: str) -> PricedLine:
    """Whether ``line`` (a cart line loaded by :func:`bazary.orders.cart.lines_of`)
    can be bought, and at which unit price."""
    product, variant = line.product, line.variant
    item = variant if variant is not None else product
    reason = None
    if product is None or (line.for_variant and variant is None):
        reason = "deleted"
    elif not product.is_active or (variant is not None and not variant.is_active):
        reason = "inactive"
    elif not getattr(line, "product_visible", True):
        reason = "hidden"
    elif variant is None and product.has_variants:
        reason = "variant_required"
    elif product.currency != currency:
        reason = "currency"
    stock = item.stock if item is not None and item.track_inventory and not item.allow_backorder else None
    if reason is None and stock is not None and line.quantity > stock:
        reason = "insufficient_stock"
    unit_price = None
    if item is not None:
        unit_price = variant.price if variant is not None and variant.price is not None else product.price
    return PricedLine(
        source=line,
        name=product.name if product is not None else line.name,
        sku=item.sku if item is not None else "",
        options=line_options(variant),
        quantity=line.quantity,
        available=reason is None,
        reason=reason,
        stock=stock,
        is_digital=bool(product is not None and product.is_digital),
        unit_price=quantize(unit_price, currency) if unit_price is not None else None,
    )


def price_lines(
    lines: list[Any],
    *,
    country: str | None = None,
    shipping_address: dict[str, Any] | None = None,
    shipping_method: str | None = None,
    calculator: TaxCalculator | None = None,
) -> Basket:
    """Price ``lines``; ``shipping_method`` (a code) picks one of the methods
    available (the first one when ``None``; an unavailable code leaves
    ``basket.shipping_method`` empty)."""
    currency = shop_currency()
    inclusive = bool(orders_settings.PRICES_INCLUDE_TAX)
    calculator = calculator or tax_calculator()
    basket = Basket(currency=currency, prices_include_tax=inclusive, country=country)
    for line in lines:
        priced = describe(line, currency)
        if priced.available and priced.unit_price is not None:
            priced.line_subtotal = quantize(priced.unit_price * priced.quantity, currency)
            priced.tax_rate = calculator.rate(country=country, line=priced)
            priced.tax = calculator.tax(priced.line_subtotal, priced.tax_rate, currency, inclusive=inclusive)
            priced.total = priced.line_subtotal if inclusive else priced.line_subtotal + priced.tax
        basket.lines.append(priced)
    available = basket.available_lines
    basket.subtotal = sum((line.line_subtotal for line in available), quantize(ZERO, currency))
    basket.needs_shipping = any(not line.is_digital for line in available)
    if basket.needs_shipping:
        basket.shipping_methods = available_methods(basket, shipping_address)
        chosen = [m for m in basket.shipping_methods if shipping_method is None or m.code == shipping_method]
        basket.shipping_method = chosen[0] if chosen else None
        if basket.shipping_method is not None:
            basket.shipping_price = quantize(basket.shipping_method.price(basket, shipping_address), currency)
            rate = calculator.rate(country=country, line=None)
            basket.shipping_tax = calculator.tax(basket.shipping_price, rate, currency, inclusive=inclusive)
    basket.shipping_price = quantize(basket.shipping_price, currency)
    basket.shipping_tax = quantize(basket.shipping_tax, currency)
    basket.tax_total = sum((line.tax for line in available), basket.shipping_tax)
    basket.total = basket.subtotal + basket.shipping_price + (ZERO if inclusive else basket.tax_total)
    return basket
