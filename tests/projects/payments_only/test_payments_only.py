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


def test_refund_email_without_notifications(settings, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission
    from django.core import mail

    from bazary.testing.payments import FakeChapa, chapa_signature

    customer = User.objects.create_user("ann", "ann@example.com", "pw")
    staff = User.objects.create_user("staff", "staff@example.com", "pw", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="refund_order"))
    order = place_test_order([(ProductFactory(price=Decimal("3.00"), stock=1), 1)], user=customer)
    with FakeChapa() as fake:
        settings.BAZARY_PAYMENTS = {
            "PROVIDERS": {"chapa": {"SECRET_KEY": "CHASECK_TEST-1", "WEBHOOK_SECRET": "h", "API_BASE": fake.url}}
        }
        client = APIClient()
        client.force_authenticate(customer)
        payment = client.post(f"/api/orders/{order.number}/payments/", {"provider": "chapa"}).json()
        fake.settle(payment["reference"])
        body = fake.event(payment["reference"])
        response = APIClient().post(
            "/api/payments/webhooks/chapa/", body, content_type="application/json",
            HTTP_X_CHAPA_SIGNATURE=chapa_signature(body, "h"),
        )  # fmt: skip
        assert response.status_code == 200
        mail.outbox.clear()
        client.force_authenticate(staff)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/api/orders/{order.number}/refunds/", {"reason": "x"}).status_code == 201
    [email] = [m for m in mail.outbox if "refunded" in m.subject]
    assert email.to == ["ann@example.com"]
