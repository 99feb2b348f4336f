"""Tax calculators: ``BAZARY_ORDERS["TAX_CALCULATOR"]`` names the class.

A calculator gives the rate for an amount shipped to a country; the pricing
module applies it per line (and to shipping), inclusive or exclusive as
``PRICES_INCLUDE_TAX`` says, and rounds to the currency's minor unit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .conf import as_decimal, orders_settings
from .money import ZERO, quantize


class TaxCalculator:
    """Subclass and override :meth:`rate`."""

    def rate(self, *, country: str | None, line: Any = None) -> Decimal:
        """The rate (``Decimal("0.19")``) for ``line`` (a priced line, or
        ``None`` for shipping) delivered to ``country`` (alpha-2 or ``None``)."""
        return ZERO

    def tax(self, amount: Decimal, rate: Decimal, currency: str, *, inclusive: bool) -> Decimal:
        """The tax in ``amount``: its part when prices include tax, or what
        comes on top; rounded half-up to the minor unit."""
        if not rate:
            return quantize(ZERO, currency)
        if inclusive:
            return amount - quantize(amount / (1 + rate), currency)
        return quantize(amount * rate, currency)


class NoTax(TaxCalculator):
    """The default: no tax at all."""


class RateTaxCalculator(TaxCalculator):
    """One rate per country from ``BAZARY_ORDERS["TAX_RATES"]`` (``"*"``: any
    other country, and the cart before an address is known)."""

    def rate(self, *, country: str | None, line: Any = None) -> Decimal:
        rates: dict[str, Any] = orders_settings.TAX_RATES
        value = rates.get(country) if country else None
        if value is None:
            value = rates.get("*")
        return as_decimal(value) or ZERO


def tax_calculator() -> TaxCalculator:
    return orders_settings.TAX_CALCULATOR()
