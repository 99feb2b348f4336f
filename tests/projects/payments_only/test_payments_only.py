"""Payments with the orders and the catalog alone: Django's auth.User, no accounts."""

import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.test import APIClient

from bazary.payments.models import Payment
from bazary.testing.catalog import ProductFactory
from bazary.testing.orders import place_test_order
from bazary.testing.payments import FakeStripe, stripe_event, stripe_signature

pytestmark = pytest.mark.django_db


def test_installed_checks_and_migrations():
    assert apps.is_installed("bazary.payments")
    assert not apps.is_installed("bazary.accounts")
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
    call_command("check", "--fail-level", "WARNING")


def test_pay_with_stripe(settings):
    with FakeStripe() as fake:
        keys = {"SECRET_KEY": "sk_test_1", "PUBLISHABLE_KEY": "pk_test_1", "WEBHOOK_SECRET": "whsec_1"}
        settings.BAZARY_PAYMENTS = {"PROVIDERS": {"stripe": {**keys, "API_BASE": fake.url}}}
        call_command("check", "--fail-level", "WARNING")
        user = User.objects.create_user("ann", "ann@example.com", "pw-123456789")
        order = place_test_order([(ProductFactory(price=Decimal("3.50")), 1)], user=user)
        client = APIClient()
        client.force_authenticate(user)
        response = client.post(f"/api/orders/{order.number}/payments/", {"provider": "stripe"}, format="json")
        assert response.status_code == 201, response.json()
        body = stripe_event("payment_intent.succeeded", fake.succeeded(response.json()["reference"]))
        response = APIClient().post(
            "/api/payments/webhooks/stripe/",
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=stripe_signature(body, "whsec_1"),
        )
        assert response.status_code == 200
        assert Payment.objects.get().status == "captured"
        order.refresh_from_db()
        assert order.status == "paid"
