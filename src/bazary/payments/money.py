"""Amounts in the providers' integer minor units (cents; yen; fils)."""

from __future__ import annotations

from decimal import Decimal

from bazary.orders.money import minor_unit


def to_minor(amount: Decimal, currency: str) -> int:
    """``Decimal("12.34")`` USD → ``1234``; JPY 500 → ``500``."""
    return int((amount / minor_unit(currency)).to_integral_exact())


def from_minor(value: int, currency: str) -> Decimal:
    return Decimal(value) * minor_unit(currency)
