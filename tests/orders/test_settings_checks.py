"""BAZARY_ORDERS is validated by system checks with stable ids."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.test import override_settings


def ids(**values):
    with override_settings(BAZARY_ORDERS=values):
        return sorted({message.id for message in run_checks(tags=["bazary"]) if message.id.startswith("bazary_orders")})


def test_defaults_are_clean():
    assert ids() == []


@pytest.mark.parametrize(
    ("values", "check_id"),
    [
        ({"SHIPING_METHODS": []}, "bazary_orders.E002"),
        ({"MAX_CART_LINES": "5"}, "bazary_orders.E003"),
        ({"TAX_CALCULATOR": "nope.Nope"}, "bazary_orders.E004"),
        ({"TAX_CALCULATOR": "bazary.orders.shipping.FlatRate"}, "bazary_orders.E006"),
        ({"SHIPPING_METHODS": ["bazary.orders.tax.NoTax"]}, "bazary_orders.E006"),
        ({"FLAT_RATE": "abc"}, "bazary_orders.E010"),
        ({"FLAT_RATE": "-1"}, "bazary_orders.E010"),
        ({"FREE_SHIPPING_ABOVE": "NaN"}, "bazary_orders.E010"),
        ({"TAX_RATES": {"Germany": "0.19"}}, "bazary_orders.E011"),
        ({"TAX_RATES": {"DE": "19"}}, "bazary_orders.E012"),
        ({"MAX_CART_LINES": 0}, "bazary_orders.E013"),
        ({"MAX_LINE_QUANTITY": 0}, "bazary_orders.E014"),
        ({"PAYMENT_TIMEOUT": timedelta(0)}, "bazary_orders.E015"),
        ({"PAYMENT_PROVIDERS": []}, "bazary_orders.E016"),
        ({"ORDER_STAFF_EMAILS": ["nobody"]}, "bazary_orders.E017"),
        ({"CURRENCY": "euro"}, "bazary_orders.E018"),
        ({"PAGE_SIZE": 500}, "bazary_orders.E019"),
        (
            {"SHIPPING_METHODS": ["bazary.orders.shipping.FlatRate", "bazary.orders.shipping.FlatRate"]},
            "bazary_orders.E021",
        ),
        (
            {"PAYMENT_PROVIDERS": ["bazary.orders.providers.BankTransfer", "bazary.orders.providers.BankTransfer"]},
            "bazary_orders.E022",
        ),
    ],
)
def test_bad_values_are_errors(values, check_id):
    assert check_id in ids(**values)
