"""Chapa through bazary's real HTTP code against a fake Chapa API on loopback."""

from __future__ import annotations

import json
import logging
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from bazary.orders.models import Order
from bazary.payments.models import Payment, PaymentEvent, Refund
from tests.payments.conftest import (
    CHAPA_KEY,
    CHAPA_SECRET,
    chapa_signature,
    client_for,
    send_chapa_event,
    start,
)

pytestmark = pytest.mark.django_db


def begin(customer, order, **extra):
    response = start(customer, order, "chapa", **extra)
    assert response.status_code == 201, response.json()
    return response.json()


def paid_through_chapa(chapa_api, customer, order):
    payment = begin(customer, order)
    chapa_api.settle(payment["reference"])
    assert send_chapa_event(APIClient(), chapa_api.event(payment["reference"])).status_code == 200
    return Payment.objects.get(pk=payment["id"])


def test_initialize_for_the_orders_total_returns_the_checkout_url(chapa_api, customer, order):
    data = begin(customer, order, amount="0.01", currency="ETB", tx_ref="mine")
    assert data["amount"] == "24.68"
    assert data["currency"] == "USD"
    assert data["status"] == "pending"
    assert data["reference"] == f"bazary-{order.number}-{data['id']}"
    assert data["client_data"]["redirect_url"].startswith("https://checkout.chapa.co/checkout/payment/")
    [call] = chapa_api.requests
    assert (call["method"], call["path"]) == ("POST", "/v1/transaction/initialize")
    assert call["headers"]["Authorization"] == f"Bearer {CHAPA_KEY}"
    assert call["headers"]["Content-Type"] == "application/json"
    assert call["params"]["amount"] == "24.68"
    assert call["params"]["currency"] == "USD"
    assert call["params"]["tx_ref"] == data["reference"]
    assert call["params"]["email"] == order.email
    assert CHAPA_KEY not in json.dumps(data)
    # The same provider again: the same pending payment, nothing sent.
    assert start(customer, order, "chapa").json()["id"] == data["id"]
    assert len(chapa_api.requests) == 1


def test_chapa_down_is_a_502(chapa_api, customer, order, caplog):
    chapa_api.fail = True
    with caplog.at_level(logging.WARNING, logger="bazary.payments"):
        response = start(customer, order, "chapa")
    assert response.status_code == 502
    assert Payment.objects.get().status == "failed"
    assert CHAPA_KEY not in caplog.text
    chapa_api.fail = False
    assert start(customer, order, "chapa").status_code == 201


def test_a_verified_success_marks_the_order_paid_once(chapa_api, customer, order):
    payment = begin(customer, order)
    chapa_api.settle(payment["reference"])
    body = chapa_api.event(payment["reference"])
    assert send_chapa_event(APIClient(), body).status_code == 200
    assert send_chapa_event(APIClient(), body).status_code == 200  # a redelivery
    row = Payment.objects.get()
    assert row.status == "captured"
    order.refresh_from_db()
    assert order.status == "paid"
    assert order.events.filter(to_status="paid").count() == 1
    event = PaymentEvent.objects.get()
    assert event.provider == "chapa"
    assert event.processed_at is not None
    assert event.payment == row
    # Every delivery was checked with Chapa before it counted.
    verifies = [c for c in chapa_api.requests if c["path"] == f"/v1/transaction/verify/{row.reference}"]
    assert len(verifies) == 2
    assert all(c["method"] == "GET" and c["headers"]["Authorization"] == f"Bearer {CHAPA_KEY}" for c in verifies)
    # The listing shows it settled, without the checkout URL.
    listing = client_for(customer).get(f"/api/orders/{order.number}/payments/").json()
    assert listing["results"][0]["status"] == "captured"
    assert listing["results"][0]["client_data"] == {}


@pytest.mark.parametrize("verified", ["pending", "failed"])
def test_a_webhook_claiming_success_is_not_enough(chapa_api, customer, order, verified):
    payment = begin(customer, order)
    chapa_api.settle(payment["reference"], verified)
    assert send_chapa_event(APIClient(), chapa_api.event(payment["reference"], status="success")).status_code == 200
    assert Payment.objects.get().status == ("failed" if verified == "failed" else "pending")
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    if verified == "pending":
        # When Chapa settles later, its next delivery is processed.
        chapa_api.settle(payment["reference"])
        assert send_chapa_event(APIClient(), chapa_api.event(payment["reference"])).status_code == 200
        assert Payment.objects.get().status == "captured"
        assert Order.objects.get(pk=order.pk).status == "paid"
        assert PaymentEvent.objects.count() == 2


@pytest.mark.parametrize(("field", "value"), [("amount", "24.67"), ("amount", "24.681"), ("currency", "ETB")])
def test_a_verified_amount_or_currency_that_differs_is_not_paid(chapa_api, customer, order, field, value):
    payment = begin(customer, order)
    chapa_api.settle(payment["reference"])
    chapa_api.transactions[payment["reference"]][field] = value
    # The webhook itself carries the right amount: only the verify answer counts.
    assert send_chapa_event(APIClient(), chapa_api.event(payment["reference"], amount="24.68")).status_code == 200
    assert Payment.objects.get().status == "pending"
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert "amount or currency differ" in PaymentEvent.objects.get().note


def test_failed_after_captured_is_ignored(chapa_api, customer, order):
    payment = paid_through_chapa(chapa_api, customer, order)
    chapa_api.settle(payment.reference, "failed")
    body = chapa_api.event(payment.reference, "charge.failed")
    assert send_chapa_event(APIClient(), body).status_code == 200
    assert Payment.objects.get().status == "captured"
    assert Order.objects.get(pk=order.pk).status == "paid"


@pytest.mark.parametrize("header", [None, "", "00", "WRONG_SECRET", "OTHER_BODY", "SECRET_HASH"])
def test_bad_signatures_are_refused_and_change_nothing(chapa_api, customer, order, header, caplog):
    payment = begin(customer, order)
    chapa_api.settle(payment["reference"])
    body = chapa_api.event(payment["reference"])
    extra = {}
    if header == "WRONG_SECRET":
        extra["HTTP_X_CHAPA_SIGNATURE"] = chapa_signature(body, "another secret")
    elif header == "OTHER_BODY":
        extra["HTTP_X_CHAPA_SIGNATURE"] = chapa_signature(b"{}", CHAPA_SECRET)
    elif header == "SECRET_HASH":
        # Chapa-Signature's HMAC of the secret itself does not cover the body.
        extra["HTTP_CHAPA_SIGNATURE"] = chapa_signature(CHAPA_SECRET, CHAPA_SECRET)
    elif header is not None:
        extra["HTTP_X_CHAPA_SIGNATURE"] = header
    with caplog.at_level(logging.WARNING, logger="bazary.payments"):
        response = APIClient().post("/api/payments/webhooks/chapa/", body, content_type="application/json", **extra)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert not PaymentEvent.objects.exists()
    assert Payment.objects.get().status == "pending"
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert not [c for c in chapa_api.requests if "verify" in c["path"]]
    assert CHAPA_SECRET not in caplog.text


def test_the_body_signed_under_chapa_signature_is_accepted(chapa_api, customer, order):
    payment = begin(customer, order)
    chapa_api.settle(payment["reference"])
    body = chapa_api.event(payment["reference"])
    response = APIClient().post(
        "/api/payments/webhooks/chapa/",
        body,
        content_type="application/json",
        HTTP_CHAPA_SIGNATURE=chapa_signature(body, CHAPA_SECRET),
    )
    assert response.status_code == 200
    assert Payment.objects.get().status == "captured"


def test_webhook_bodies_that_are_not_ours(chapa_api, customer, order):
    for body in (b"not json", b"[1]", b"{}"):
        assert send_chapa_event(APIClient(), body).status_code == 400
    # A transaction of no payment of ours: recorded with a note, Chapa not asked.
    body = json.dumps({"event": "charge.success", "tx_ref": "someone-else", "status": "success"}).encode()
    assert send_chapa_event(APIClient(), body).status_code == 200
    assert PaymentEvent.objects.get().note == "no payment has this reference"
    # A payout event: recorded only.
    body = json.dumps({"event": "payout.success", "type": "Payout", "reference": "x"}).encode()
    assert send_chapa_event(APIClient(), body).status_code == 200
    assert PaymentEvent.objects.count() == 2
    assert not chapa_api.requests


def test_verify_unreachable_is_a_502_so_chapa_delivers_again(chapa_api, customer, order):
    payment = begin(customer, order)
    chapa_api.settle(payment["reference"])
    body = chapa_api.event(payment["reference"])
    chapa_api.fail = True
    assert send_chapa_event(APIClient(), body).status_code == 502
    assert not PaymentEvent.objects.exists()
    chapa_api.fail = False
    assert send_chapa_event(APIClient(), body).status_code == 200
    assert Payment.objects.get().status == "captured"


def test_refund_through_chapas_refund_api(chapa_api, customer, order, refunder):
    payment = paid_through_chapa(chapa_api, customer, order)
    response = client_for(refunder).post(
        f"/api/orders/{order.number}/refunds/", {"amount": "4.68", "reason": "damaged"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    call = chapa_api.requests[-1]
    assert (call["method"], call["path"]) == ("POST", f"/v1/refund/{payment.reference}")
    assert call["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert call["params"]["amount"] == "4.68"
    assert call["params"]["reference"] == f"bazary-refund-{payment.pk}-0-468"
    assert Refund.objects.get().reference == chapa_api.refunds[0]["ref"]
    # The rest: the order is refunded.
    response = client_for(refunder).post(f"/api/orders/{order.number}/refunds/", {"reason": "all"}, format="json")
    assert response.status_code == 201
    assert chapa_api.requests[-1]["params"]["amount"] == "20.00"
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert Payment.objects.get().refunded_amount == Decimal("24.68")


def test_a_refund_chapa_refuses_changes_nothing(chapa_api, customer, order, refunder):
    payment = paid_through_chapa(chapa_api, customer, order)
    chapa_api.transactions[payment.reference]["status"] = "pending"  # Chapa no longer sees it paid
    response = client_for(refunder).post(f"/api/orders/{order.number}/refunds/", {"reason": "x"}, format="json")
    assert response.status_code == 502
    assert Payment.objects.get().refunded_amount == 0
    assert not Refund.objects.exists()


def test_checkout_with_chapa_returns_the_redirect_url(chapa_api, customer):
    from bazary.testing.catalog import ProductFactory
    from tests.orders.conftest import ADDRESS

    product = ProductFactory(price=Decimal("5.00"), stock=2)
    client = client_for(customer)
    client.post("/api/cart/items/", {"product": product.slug}, format="json")
    response = client.post("/api/orders/", {"shipping_address": ADDRESS, "payment_provider": "chapa"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["payment"]["redirect_url"].startswith("https://checkout.chapa.co/")
    assert chapa_api.requests[0]["params"]["first_name"] == "Ann"
    assert chapa_api.requests[0]["params"]["last_name"] == "Smith"
