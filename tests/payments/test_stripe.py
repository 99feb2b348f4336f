"""Stripe through the real SDK against a fake Stripe API on loopback."""

from __future__ import annotations

import json
import logging
import time
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from bazary.orders.models import Order
from bazary.payments.models import Payment, PaymentEvent
from tests.payments.conftest import WEBHOOK_SECRET, client_for, send_event, start, stripe_event, stripe_signature

pytestmark = pytest.mark.django_db


def captured(stripe_api, customer, order):
    """Start a payment and deliver its payment_intent.succeeded event."""
    payment = start(customer, order).json()
    body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(payment["reference"]))
    assert send_event(APIClient(), body).status_code == 200
    return Payment.objects.get(pk=payment["id"])


def test_start_creates_a_payment_intent_for_the_orders_total(stripe_api, customer, order):
    # The client's amount, currency and status are ignored.
    response = start(customer, order, amount="0.01", currency="JPY", status="captured")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["amount"] == "24.68"
    assert data["currency"] == "USD"
    assert data["status"] == "pending"
    assert data["client_data"]["client_secret"].startswith(data["reference"] + "_secret_")
    assert data["client_data"]["publishable_key"] == "pk_test_123"
    [call] = stripe_api.requests
    assert call["path"] == "/v1/payment_intents"
    assert call["params"]["amount"] == "2468"
    assert call["params"]["currency"] == "usd"
    assert call["params"]["automatic_payment_methods"] == {"enabled": "true"}
    assert call["params"]["metadata"]["order"] == order.number
    assert call["headers"]["Idempotency-Key"] == f"bazary-payment-{data['id']}"
    assert "sk_test_123" not in json.dumps(data)
    # Asking again returns the same pending payment; one live payment per order.
    again = start(customer, order)
    assert again.status_code == 200
    assert again.json()["id"] == data["id"]
    assert len(stripe_api.requests) == 1
    listing = client_for(customer).get(f"/api/orders/{order.number}/payments/").json()
    assert listing["count"] == 1
    assert listing["results"][0]["id"] == data["id"]


def test_another_customers_order_and_unknown_provider(stripe_api, customer, other, order):
    assert start(other, order).status_code == 404
    assert client_for(other).get(f"/api/orders/{order.number}/payments/").status_code == 404
    assert APIClient().get(f"/api/orders/{order.number}/payments/").status_code == 401
    response = client_for(customer).post(f"/api/orders/{order.number}/payments/", {"provider": "chapa"}, format="json")
    assert response.status_code == 400
    assert "provider" in response.json()
    assert client_for(customer).post(f"/api/orders/{order.number}/payments/", {}, format="json").status_code == 400
    assert not Payment.objects.exists()


def test_an_unconfigured_provider_is_absent(settings, customer, order):
    settings.BAZARY_PAYMENTS = {"PROVIDERS": {}}
    assert start(customer, order).status_code == 400
    body = stripe_event("payment_intent.succeeded", {"id": "pi_x"})
    assert send_event(APIClient(), body).status_code == 404


def test_provider_down_is_a_502_and_allows_a_retry(stripe_api, customer, order):
    stripe_api.fail = True
    response = start(customer, order)
    assert response.status_code == 502
    assert "detail" in response.json()
    assert Payment.objects.get().status == "failed"
    stripe_api.fail = False
    assert start(customer, order).status_code == 201


def test_succeeded_captures_and_marks_the_order_paid_once(stripe_api, customer, order):
    payment = start(customer, order).json()
    body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(payment["reference"]))
    assert send_event(APIClient(), body).status_code == 200
    assert send_event(APIClient(), body).status_code == 200  # a redelivery
    row = Payment.objects.get()
    assert row.status == "captured"
    assert row.captured_at is not None
    order.refresh_from_db()
    assert order.status == "paid"
    assert order.events.filter(to_status="paid").count() == 1
    assert PaymentEvent.objects.get().processed_at is not None
    # A second event (another id) for the same intent changes nothing either.
    other = stripe_event("payment_intent.succeeded", stripe_api.succeeded(payment["reference"]))
    assert send_event(APIClient(), other).status_code == 200
    assert order.events.filter(to_status="paid").count() == 1


def test_failed_after_succeeded_is_recorded_and_ignored(stripe_api, customer, order):
    payment = captured(stripe_api, customer, order)
    body = stripe_event("payment_intent.payment_failed", {"id": payment.reference, "object": "payment_intent"})
    assert send_event(APIClient(), body).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "captured"
    event = PaymentEvent.objects.get(type="payment_intent.payment_failed")
    assert "ignored" in event.note
    assert event.processed_at is not None
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_failed_fails_a_pending_payment_and_a_new_one_can_start(stripe_api, customer, order):
    payment = start(customer, order).json()
    body = stripe_event("payment_intent.payment_failed", {"id": payment["reference"], "object": "payment_intent"})
    assert send_event(APIClient(), body).status_code == 200
    assert Payment.objects.get().status == "failed"
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert start(customer, order).status_code == 201


def test_a_tampered_amount_is_not_captured(stripe_api, customer, order):
    payment = start(customer, order).json()
    intent = stripe_api.succeeded(payment["reference"])
    intent["amount_received"] = 1
    assert send_event(APIClient(), stripe_event("payment_intent.succeeded", intent)).status_code == 200
    intent = stripe_api.succeeded(payment["reference"])
    intent["currency"] = "jpy"
    assert send_event(APIClient(), stripe_event("payment_intent.succeeded", intent)).status_code == 200
    assert Payment.objects.get().status == "pending"
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "garbage",
        "t=1,v1=00",
        stripe_signature(b"{}", WEBHOOK_SECRET),  # signs another body
        "WRONG_SECRET",
        "STALE",
    ],
)
def test_bad_signatures_are_refused_and_change_nothing(stripe_api, customer, order, header, caplog):
    payment = start(customer, order).json()
    body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(payment["reference"]))
    if header == "WRONG_SECRET":
        header = stripe_signature(body, "whsec_other")
    elif header == "STALE":
        header = stripe_signature(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    extra = {} if header is None else {"HTTP_STRIPE_SIGNATURE": header}
    with caplog.at_level(logging.WARNING, logger="bazary.payments"):
        response = APIClient().post("/api/payments/webhooks/stripe/", body, content_type="application/json", **extra)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert not PaymentEvent.objects.exists()
    assert Payment.objects.get().status == "pending"
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert "webhook refused" in caplog.text
    assert WEBHOOK_SECRET not in caplog.text
    assert "sk_test_123" not in caplog.text


def test_webhook_body_checks(stripe_api):
    body = b"not json"
    response = APIClient().post(
        "/api/payments/webhooks/stripe/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(body, WEBHOOK_SECRET),
    )
    assert response.status_code == 400
    big = b" " * (256 * 1024 + 1)
    assert APIClient().post("/api/payments/webhooks/stripe/", big, content_type="application/json").status_code == 400
    # An event for no payment of ours is recorded and acknowledged.
    body = stripe_event("payment_intent.succeeded", {"id": "pi_unknown", "amount_received": 1, "currency": "usd"})
    assert send_event(APIClient(), body).status_code == 200
    assert PaymentEvent.objects.get().note == "no payment has this reference"


def test_checkout_with_stripe_returns_the_client_secret(stripe_api, customer):
    from bazary.testing.catalog import ProductFactory
    from tests.orders.conftest import ADDRESS

    product = ProductFactory(price=Decimal("5.00"), stock=2)
    client = client_for(customer)
    client.post("/api/cart/items/", {"product": product.slug}, format="json")
    response = client.post(
        "/api/orders/", {"shipping_address": ADDRESS, "payment_provider": "stripe", "total": "0.01"}, format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["payment"]["provider"] == "stripe"
    assert "client_secret" in data["payment"]
    payment = Payment.objects.get()
    assert payment.amount == Decimal("5.00") == Order.objects.get().total


def test_the_schema_documents_the_routes(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    for route in (
        "/api/orders/{number}/payments/",
        "/api/orders/{number}/refunds/",
        "/api/payments/webhooks/{provider}/",
    ):
        assert route in schema["paths"]
