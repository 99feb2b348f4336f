from __future__ import annotations

import pytest
from django.core.checks import run_checks

KEYS = {"SECRET_KEY": "sk_test_1", "PUBLISHABLE_KEY": "pk_test_1", "WEBHOOK_SECRET": "whsec_1"}
CHAPA = {"SECRET_KEY": "CHASECK_TEST-1", "WEBHOOK_SECRET": "hash_1"}


def ids(settings, value):
    settings.BAZARY_PAYMENTS = value
    return sorted(m.id for m in run_checks(tags=["bazary"]) if m.id and m.id.startswith("bazary_payments"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({}, []),
        ({"PROVIDERS": {}}, []),
        ({"PROVIDERS": {"stripe": KEYS}}, []),
        ({"PROVIDERS": {"stripe": {**KEYS, "API_BASE": "http://127.0.0.1:12111"}}}, []),
        ({"PROVIDERS": {"stripe": {**KEYS, "WEBHOOK_SECRET": ""}}}, ["bazary_payments.E011"]),
        ({"PROVIDERS": {"stripe": {"SECRET_KEY": "sk"}}}, ["bazary_payments.E011", "bazary_payments.E011"]),
        ({"PROVIDERS": {"stripe": {**KEYS, "API_BASE": "127.0.0.1"}}}, ["bazary_payments.E012"]),
        ({"PROVIDERS": {"paypal": {}}}, ["bazary_payments.E010"]),
        ({"PROVIDERS": {"chapa": CHAPA}}, []),
        ({"PROVIDERS": {"chapa": {**CHAPA, "API_BASE": "http://127.0.0.1:9"}}}, []),
        ({"PROVIDERS": {"chapa": {"SECRET_KEY": "CHASECK_TEST-1"}}}, ["bazary_payments.E011"]),
        ({"PROVIDERS": {"chapa": {**CHAPA, "API_BASE": "api.chapa.co"}}}, ["bazary_payments.E012"]),
        ({"PROVIDERS": []}, ["bazary_payments.E003"]),
        ({"PROVIDER": {}}, ["bazary_payments.E002"]),
    ],
)
def test_checks(settings, value, expected):
    assert ids(settings, value) == expected


def test_a_missing_key_is_named_but_never_echoed(settings):
    settings.BAZARY_PAYMENTS = {"PROVIDERS": {"stripe": {**KEYS, "PUBLISHABLE_KEY": " "}}}
    [message] = [m for m in run_checks(tags=["bazary"]) if m.id == "bazary_payments.E011"]
    assert "PUBLISHABLE_KEY" in message.msg
    assert "sk_test_1" not in message.msg


def test_configured_providers_join_the_checkout(settings):
    from bazary.orders.providers import payment_providers

    settings.BAZARY_PAYMENTS = {}
    assert [p.code for p in payment_providers()] == ["bank_transfer"]
    settings.BAZARY_PAYMENTS = {"PROVIDERS": {"stripe": KEYS}}
    assert [p.code for p in payment_providers()] == ["bank_transfer", "stripe"]
    settings.BAZARY_PAYMENTS = {"PROVIDERS": {"stripe": KEYS, "chapa": CHAPA}}
    assert [p.code for p in payment_providers()] == ["bank_transfer", "stripe", "chapa"]
