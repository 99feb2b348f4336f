"""Money arithmetic: half-up per line to the currency's minor unit, totals that add up exactly."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import override_settings

from bazary.orders.money import minor_unit, quantize
from bazary.orders.pricing import price_lines
from bazary.orders.shipping import FlatRate, FreeAbove
from bazary.orders.tax import NoTax, RateTaxCalculator
from bazary.testing.catalog import ProductFactory

pytestmark = pytest.mark.django_db

D = Decimal


def cart_line(product, quantity, variant=None):
    return SimpleNamespace(
        pk=product.pk, product=product, variant=variant, for_variant=variant is not None, name=product.name,
        quantity=quantity, product_visible=True,
    )  # fmt: skip


def test_minor_units_and_half_up():
    assert minor_unit("USD") == D("0.01")
    assert minor_unit("JPY") == D("1")
    assert minor_unit("KWD") == D("0.001")
    assert quantize(D("0.125"), "USD") == D("0.13")  # half-up, not banker's
    assert quantize(D("0.135"), "USD") == D("0.14")
    assert quantize(D("2.5"), "JPY") == D("3")
    assert quantize(D("1.0005"), "KWD") == D("1.001")


def assert_adds_up(basket):
    lines = basket.available_lines
    assert basket.subtotal == sum(line.line_subtotal for line in lines)
    assert basket.tax_total == sum(line.tax for line in lines) + basket.shipping_tax
    if basket.prices_include_tax:
        assert basket.total == basket.subtotal + basket.shipping_price
        assert all(line.total == line.line_subtotal for line in lines)
    else:
        assert basket.total == basket.subtotal + basket.shipping_price + basket.tax_total
        assert all(line.total == line.line_subtotal + line.tax for line in lines)
    for amount in (basket.subtotal, basket.tax_total, basket.total, *(line.tax for line in lines)):
        assert amount == quantize(amount, basket.currency)


@pytest.mark.parametrize("country", ["DE", "FR", "XX"])
@pytest.mark.parametrize("inclusive", [False, True])
def test_awkward_rates_add_up(country, inclusive, settings):
    settings.BAZARY_ORDERS = {
        "TAX_CALCULATOR": "bazary.orders.tax.RateTaxCalculator",
        "TAX_RATES": {"DE": "0.19", "FR": "0.055", "XX": "0.07125"},
        "FLAT_RATE": "4.99",
        "PRICES_INCLUDE_TAX": inclusive,
    }
    lines = [
        cart_line(ProductFactory(price=D("0.01")), 3),
        cart_line(ProductFactory(price=D("19.99")), 7),
        cart_line(ProductFactory(price=D("0.33")), 1),
        cart_line(ProductFactory(price=D("1234.57")), 2),
    ]
    basket = price_lines(lines, country=country)
    assert_adds_up(basket)
    assert basket.shipping_price == D("4.99")
    assert basket.tax_total > 0


@override_settings(BAZARY_ORDERS={"TAX_CALCULATOR": "bazary.orders.tax.RateTaxCalculator", "TAX_RATES": {"DE": "0.19"}})
def test_exclusive_tax_is_rounded_per_line():
    # 0.05 * 0.19 = 0.0095 -> 0.01 per line; on the sum it would be 0.019 -> 0.02 for two lines.
    basket = price_lines(
        [cart_line(ProductFactory(price=D("0.05")), 1), cart_line(ProductFactory(price=D("0.05")), 1)], country="DE"
    )
    assert [line.tax for line in basket.lines] == [D("0.01"), D("0.01")]
    assert basket.tax_total == D("0.02")
    assert basket.total == D("0.12")


@override_settings(
    BAZARY_ORDERS={
        "TAX_CALCULATOR": "bazary.orders.tax.RateTaxCalculator",
        "TAX_RATES": {"DE": "0.19"},
        "PRICES_INCLUDE_TAX": True,
    }
)
def test_inclusive_tax_is_the_part_of_the_price():
    basket = price_lines([cart_line(ProductFactory(price=D("11.90")), 1)], country="DE")
    (line,) = basket.lines
    assert line.tax == D("1.90")  # 11.90 - 11.90 / 1.19 = 1.90
    assert line.total == D("11.90")
    assert basket.total == D("11.90")
    assert basket.tax_total == D("1.90")


@override_settings(BAZARY_ORDERS={"TAX_CALCULATOR": "bazary.orders.tax.RateTaxCalculator", "TAX_RATES": {"*": "0.10"}})
def test_default_rate_and_unknown_country():
    assert RateTaxCalculator().rate(country="JP") == D("0.10")
    assert RateTaxCalculator().rate(country=None) == D("0.10")
    assert NoTax().rate(country="DE") == 0


@override_settings(BAZARY_CATALOG={"CURRENCY": "JPY"})
def test_currency_without_minor_unit():
    basket = price_lines([cart_line(ProductFactory(price=D("1500"), currency="JPY"), 3)])
    assert basket.currency == "JPY"
    assert basket.subtotal == D("4500")
    assert str(basket.total) == "4500"


def test_line_in_another_currency_is_unavailable():
    basket = price_lines([cart_line(ProductFactory(price=D("5"), currency="EUR"), 1)])
    (line,) = basket.lines
    assert (line.available, line.reason) == (False, "currency")
    assert basket.total == 0


@override_settings(
    BAZARY_ORDERS={
        "SHIPPING_METHODS": ["bazary.orders.shipping.FlatRate", "bazary.orders.shipping.FreeAbove"],
        "FLAT_RATE": "5",
        "FREE_SHIPPING_ABOVE": "50",
    }
)
def test_shipping_methods():
    small = price_lines([cart_line(ProductFactory(price=D("10")), 1)])
    assert [m.code for m in small.shipping_methods] == ["flat_rate"]
    assert small.shipping_price == D("5.00")
    big = price_lines([cart_line(ProductFactory(price=D("25")), 2)], shipping_method="free_above")
    assert [m.code for m in big.shipping_methods] == ["flat_rate", "free_above"]
    assert big.shipping_method.code == "free_above"
    assert big.shipping_price == 0
    assert big.total == D("50.00")
    unknown = price_lines([cart_line(ProductFactory(price=D("10")), 1)], shipping_method="nope")
    assert unknown.shipping_method is None


def test_flat_rate_defaults_to_zero_and_subclass_amount():
    assert FlatRate().price(None, None) == 0  # type: ignore[arg-type]

    class Over100(FreeAbove):
        amount = D("100")

    basket = price_lines([cart_line(ProductFactory(price=D("99.99")), 1)])
    assert not Over100().is_available(basket, None)
    basket = price_lines([cart_line(ProductFactory(price=D("100")), 1)])
    assert Over100().is_available(basket, None)


@override_settings(BAZARY_ORDERS={"FLAT_RATE": "5"})
def test_digital_only_needs_no_shipping():
    basket = price_lines([cart_line(ProductFactory(price=D("9"), is_digital=True), 1)])
    assert not basket.needs_shipping
    assert basket.shipping_price == 0
    assert basket.total == D("9.00")
    mixed = price_lines(
        [cart_line(ProductFactory(price=D("9"), is_digital=True), 1), cart_line(ProductFactory(price=D("1")), 1)]
    )
    assert mixed.needs_shipping
    assert mixed.shipping_price == D("5.00")
