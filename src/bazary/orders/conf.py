"""``BAZARY_ORDERS``: the orders' settings, read late (see :mod:`bazary.core.conf`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from bazary.core.conf import AppSettings, Option, page_sizes_are_valid


def as_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a setting (``"9.90"``, ``Decimal``, an int), or None."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _amounts_are_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for name in ("FLAT_RATE", "FREE_SHIPPING_ABOVE"):
        value = values.get(name)
        if value is None and name == "FREE_SHIPPING_ABOVE":
            continue
        number = as_decimal(value)
        if number is None or number < 0:
            yield "bazary_orders.E010", f"{name} = {value!r} is not an amount (a decimal string such as '4.90', >= 0)."


def _tax_rates_are_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    rates = values.get("TAX_RATES")
    if not isinstance(rates, dict):
        return
    for country, rate in rates.items():
        if country != "*" and not (isinstance(country, str) and re.fullmatch(r"[A-Z]{2}", country)):
            yield "bazary_orders.E011", f"TAX_RATES key {country!r} is not an ISO 3166-1 alpha-2 code (or '*')."
        number = as_decimal(rate)
        if number is None or not 0 <= number < 1:
            yield "bazary_orders.E012", f"TAX_RATES[{country!r}] = {rate!r} is not a rate between 0 and 1 ('0.19')."


def _positive(name: str, check_id: str):
    def validate(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
        value = values.get(name)
        if isinstance(value, int) and value < 1:
            yield check_id, f"{name} must be at least 1, not {value}."

    return validate


def _timeout_is_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    value = values.get("PAYMENT_TIMEOUT")
    if isinstance(value, timedelta) and value <= timedelta(0):
        yield "bazary_orders.E015", "PAYMENT_TIMEOUT must be positive."


def _lists_are_not_empty(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for name in ("SHIPPING_METHODS", "PAYMENT_PROVIDERS"):
        if isinstance(values.get(name), (list, tuple)) and not values[name]:
            yield "bazary_orders.E016", f"{name} cannot be empty: no order could be placed."


def _staff_emails_are_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    emails = values.get("ORDER_STAFF_EMAILS")
    if isinstance(emails, (list, tuple)):
        for email in emails:
            if not (isinstance(email, str) and "@" in email):
                yield "bazary_orders.E017", f"ORDER_STAFF_EMAILS holds {email!r}, which is not an email address."


def _currency_is_valid(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    currency = values.get("CURRENCY")
    if isinstance(currency, str) and not re.fullmatch(r"[A-Z]{3}", currency):
        yield "bazary_orders.E018", f"CURRENCY = {currency!r} is not an ISO 4217 code such as 'USD'."


orders_settings = AppSettings(
    "BAZARY_ORDERS",
    "bazary.orders",
    {
        "SHIPPING_METHODS": Option(
            ["bazary.orders.shipping.FlatRate"],
            (list, tuple),
            import_string=True,
            base="bazary.orders.shipping.ShippingMethod",
            help="Import strings of the shipping method classes, in the order they are offered.",
        ),
        "FLAT_RATE": Option(
            "0.00", (str, int, Decimal), help="The price of FlatRate shipping, in the shop's currency."
        ),
        "FREE_SHIPPING_ABOVE": Option(
            None,
            (str, int, Decimal, type(None)),
            help="FreeAbove shipping is offered from this subtotal on; None: never.",
        ),
        "TAX_CALCULATOR": Option(
            "bazary.orders.tax.NoTax",
            (str,),
            import_string=True,
            base="bazary.orders.tax.TaxCalculator",
            help="Import string of the tax calculator class.",
        ),
        "TAX_RATES": Option(
            {},
            (dict,),
            help="RateTaxCalculator's rates per country, e.g. {'DE': '0.19', '*': '0.10'} ('*': any other).",
        ),
        "PRICES_INCLUDE_TAX": Option(False, (bool,), help="Catalog prices already include the tax."),
        "PAYMENT_PROVIDERS": Option(
            ["bazary.orders.providers.BankTransfer"],
            (list, tuple),
            import_string=True,
            base="bazary.orders.providers.PaymentProvider",
            help="Import strings of the payment provider classes a customer may choose from.",
        ),
        "PAYMENT_TIMEOUT": Option(
            timedelta(minutes=30),
            (timedelta,),
            help="Unpaid orders of providers that expire are cancelled after this long.",
        ),
        "MAX_CART_LINES": Option(50, (int,), help="The most lines a cart may hold."),
        "MAX_LINE_QUANTITY": Option(99, (int,), help="The largest quantity of one line."),
        "ORDER_STAFF_EMAILS": Option([], (list, tuple), help="Addresses told about each new order."),
        "GUEST_ORDER_URL": Option(
            None,
            (str, type(None)),
            help="The link to a guest's order in their emails, with {number} and {token}, e.g. "
            "'https://shop.example/orders/{number}?token={token}'; None: the API's orders/{number}/?token=.",
        ),
        "CURRENCY": Option(
            None,
            (str, type(None)),
            help="The currency carts and orders are priced in; None: BAZARY_CATALOG['CURRENCY'].",
        ),
        "PAGE_SIZE": Option(20, (int,), help="Default page size of the order list."),
        "MAX_PAGE_SIZE": Option(100, (int,), help="The largest page_size a client may ask for."),
        "IDEMPOTENCY_WINDOW": Option(
            timedelta(hours=24), (timedelta,), help="How long an Idempotency-Key of POST orders/ is remembered."
        ),
    },
    validators=[
        _amounts_are_valid,
        _tax_rates_are_valid,
        _positive("MAX_CART_LINES", "bazary_orders.E013"),
        _positive("MAX_LINE_QUANTITY", "bazary_orders.E014"),
        _timeout_is_valid,
        _lists_are_not_empty,
        _staff_emails_are_valid,
        _currency_is_valid,
        page_sizes_are_valid("bazary_orders.E019"),
    ],
)


def shop_currency() -> str:
    """The currency carts and orders are priced in."""
    if orders_settings.CURRENCY:
        return str(orders_settings.CURRENCY)
    from bazary.catalog.conf import catalog_settings

    return str(catalog_settings.CURRENCY)
