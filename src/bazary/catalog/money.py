"""Money arithmetic of the catalog: a price rounded to its currency.

Prices are stored with two decimal places. A currency's minor unit (ISO 4217)
is two digits for most currencies, none for a few (JPY, KRW...), so a
computed price is rounded half-up to ``min(minor unit, 2)`` places.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: ISO 4217 currencies without a minor unit. (Those with three or four digits,
#: such as KWD, are rounded to the two places a price is stored with.)
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
#: The places a price column holds.
STORED_PLACES = 2


def currency_places(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else STORED_PLACES


def round_price(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-up to the currency's places, never below zero,
    with the two places a price is stored with (``Decimal("1500.00")``)."""
    places = currency_places(currency)
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return max(rounded, Decimal(0)).quantize(Decimal("0.01"))
