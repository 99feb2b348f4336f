from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from bazary.testing.catalog import ProductFactory
from bazary.testing.orders import place_test_order
from bazary.testing.payments import FakeChapa, FakeStripe, chapa_signature, stripe_event, stripe_signature
from tests.orders.conftest import client_for, make_user

WEBHOOK_SECRET = "whsec_test_secret"
CHAPA_SECRET = "chapa-webhook-secret"
CHAPA_KEY = "CHASECK_TEST-abc123"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def stripe_api(settings):
    with FakeStripe() as fake:
        settings.BAZARY_PAYMENTS = {
            "PROVIDERS": {
                "stripe": {
                    "SECRET_KEY": "sk_test_123",
                    "PUBLISHABLE_KEY": "pk_test_123",
                    "WEBHOOK_SECRET": WEBHOOK_SECRET,
                    "API_BASE": fake.url,
                }
            }
        }
        yield fake


@pytest.fixture
def chapa_api(settings):
    with FakeChapa() as fake:
        settings.BAZARY_PAYMENTS = {
            "PROVIDERS": {"chapa": {"SECRET_KEY": CHAPA_KEY, "WEBHOOK_SECRET": CHAPA_SECRET, "API_BASE": fake.url}}
        }
        yield fake


@pytest.fixture
def customer(db):
    return make_user("customer")


@pytest.fixture
def other(db):
    return make_user("other")


@pytest.fixture
def refunder(db):
    user = make_user("refunder", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="refund_order", content_type__app_label="bazary_payments")
    )
    return user


@pytest.fixture
def order(customer):
    product = ProductFactory(price=Decimal("12.34"), stock=5)
    return place_test_order([(product, 2)], user=customer)


def send_event(client: Any, body: bytes, *, secret: str = WEBHOOK_SECRET, **headers: Any) -> Any:
    return client.post(
        "/api/payments/webhooks/stripe/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(body, secret),
        **headers,
    )


def send_chapa_event(client: Any, body: bytes, *, secret: str = CHAPA_SECRET, **headers: Any) -> Any:
    return client.post(
        "/api/payments/webhooks/chapa/",
        body,
        content_type="application/json",
        HTTP_X_CHAPA_SIGNATURE=chapa_signature(body, secret),
        **headers,
    )


def start(customer: Any, order: Any, provider: str = "stripe", **extra: Any) -> Any:
    return client_for(customer).post(
        f"/api/orders/{order.number}/payments/", {"provider": provider, **extra}, format="json"
    )


__all__ = [
    "chapa_signature", "client_for", "make_user", "send_chapa_event", "send_event", "start", "stripe_event",
    "stripe_signature",
]  # fmt: skip
