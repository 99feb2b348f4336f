"""Payment events, from bazary.payments' signals: a real Stripe SDK against the
fake Stripe API, a real receiver verifying with standardwebhooks."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from bazary.payments.providers import get_card_provider
from bazary.payments.services import start_payment
from bazary.payments.transitions import set_status
from bazary.testing.webhooks import make_endpoint
from bazary.webhooks.events import registry
from bazary.webhooks.models import Event
from tests.payments import conftest as payments
from tests.payments.conftest import client_for, send_event, start, stripe_event

# The payments' fixtures: a fake Stripe API on loopback, a customer with an order, a refunder.
stripe_api, customer, order, refunder = payments.stripe_api, payments.customer, payments.order, payments.refunder

pytestmark = pytest.mark.django_db(transaction=True)

PAYMENT_TYPES = [
    "payment.created",
    "payment.authorized",
    "payment.captured",
    "payment.failed",
    "payment.cancelled",
    "payment.refunded",
]


class Rollback(Exception):
    pass


def test_payment_event_types_are_registered():
    assert set(PAYMENT_TYPES) <= {t.code for t in registry}


def test_payment_events_follow_the_payment_from_start_to_refunds(fast, receiver, stripe_api, customer, order, refunder):
    _, secret = make_endpoint(receiver.url, PAYMENT_TYPES)
    started = start(customer, order).json()
    body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(started["reference"]), event_id="evt_paid")
    assert send_event(APIClient(), body).status_code == 200
    # The same Stripe event again: recorded once, no second payment.captured.
    assert send_event(APIClient(), body).status_code == 200
    answer = client_for(refunder).post(
        f"/api/orders/{order.number}/refunds/", {"reason": "damaged", "amount": "4.68"}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    # A refund made in Stripe's dashboard, reported by charge.refunded (4.68 + 10.00 refunded in all).
    charge = {"id": "ch_1", "object": "charge", "payment_intent": started["reference"], "amount_refunded": 1468}
    assert send_event(APIClient(), stripe_event("charge.refunded", charge)).status_code == 200
    # Stripe also reports the refund made through bazary: nothing new, no event.
    charge["amount_refunded"] = 468
    assert send_event(APIClient(), stripe_event("charge.refunded", charge)).status_code == 200

    events = [r.verify(secret) for r in receiver.received]
    assert [e["type"] for e in events] == [
        "payment.created",
        "payment.captured",
        "payment.refunded",
        "payment.refunded",
    ]
    created, captured, refunded, reported = (e["data"] for e in events)
    assert created["id"] == started["id"]
    assert created["order"] == order.number
    assert created["status"] == "pending"
    assert created["provider"] == "stripe"
    assert created["amount"] == "24.68"  # the currency's decimals, as the API shows it
    assert created["currency"] == "USD"
    assert created["captured_at"] is None
    assert captured["status"] == "captured"
    assert captured["from_status"] == "pending"
    assert captured["reference"] == started["reference"]
    assert captured["captured_at"] is not None
    assert Decimal(refunded["refunded_amount"]) == Decimal("4.68")
    assert refunded["refund"]["amount"] == "4.68"
    assert (refunded["amount"], refunded["refunded_amount"]) == ("24.68", "4.68")  # read back from the database
    assert refunded["refund"]["id"] == answer.json()["id"]
    assert refunded["refund"]["status"] == "succeeded"
    assert refunded["refund"]["reference"].startswith("re_")
    assert "reason" not in refunded["refund"]  # free text: only with INCLUDE_PII
    assert Decimal(reported["refunded_amount"]) == Decimal("14.68")
    assert reported["refund"]["amount"] == "10.00"
    assert reported["refund"]["id"] is None
    # Never what the customer's browser needs to pay (the client secret).
    for received in receiver.received:
        assert b"client_data" not in received.body
        assert b"_secret_" not in received.body


def test_failed_payment_and_full_refund(fast, receiver, stripe_api, customer, order, refunder):
    make_endpoint(receiver.url, ["payment.failed", "payment.refunded", "order.refunded"])
    first = start(customer, order).json()
    failure = {"id": first["reference"], "object": "payment_intent"}
    assert send_event(APIClient(), stripe_event("payment_intent.payment_failed", failure)).status_code == 200
    second = start(customer, order).json()
    body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(second["reference"]))
    assert send_event(APIClient(), body).status_code == 200
    answer = client_for(refunder).post(f"/api/orders/{order.number}/refunds/", {"reason": "gone"}, format="json")
    assert answer.status_code == 201
    received = [(r.json["type"], r.json["data"]) for r in receiver.received]
    assert [t for t, _ in received] == ["payment.failed", "payment.refunded", "order.refunded"]
    assert received[0][1]["id"] == first["id"]
    assert received[0][1]["from_status"] == "pending"
    assert received[1][1]["id"] == second["id"]
    assert Decimal(received[1][1]["refund"]["amount"]) == Decimal("24.68")
    assert Decimal(received[1][1]["refunded_amount"]) == Decimal("24.68")


def test_a_refused_refund_sends_nothing(fast, receiver, stripe_api, customer, order, refunder):
    started = start(customer, order).json()
    body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(started["reference"]))
    assert send_event(APIClient(), body).status_code == 200
    make_endpoint(receiver.url, ["payment.refunded"])
    stripe_api.fail = True
    answer = client_for(refunder).post(f"/api/orders/{order.number}/refunds/", {"reason": "x"}, format="json")
    assert answer.status_code == 502
    assert receiver.received == []
    assert not Event.objects.filter(type="payment.refunded").exists()


def test_events_leave_after_commit_in_order_and_never_on_rollback(fast, receiver, stripe_api, order):
    make_endpoint(receiver.url, PAYMENT_TYPES)
    stripe = get_card_provider("stripe")

    def started_and_cancelled_then_rolled_back() -> None:
        with transaction.atomic():
            payment, _ = start_payment(order, stripe)
            set_status(payment, "cancelled")
            raise Rollback

    with pytest.raises(Rollback):
        started_and_cancelled_then_rolled_back()
    assert receiver.received == []
    assert not Event.objects.exists()
    with transaction.atomic():
        payment, _ = start_payment(order, stripe)
        set_status(payment, "authorized")
        set_status(payment, "cancelled")
        assert receiver.received == []  # not before the commit
    events = [r.json for r in receiver.received]
    assert [e["type"] for e in events] == ["payment.created", "payment.authorized", "payment.cancelled"]
    # Each as it was at its change, although all left at the commit.
    assert [e["data"]["status"] for e in events] == ["pending", "authorized", "cancelled"]
    assert [e["data"].get("from_status") for e in events] == [None, "pending", "authorized"]
    assert events[0]["data"]["reference"] == ""  # the provider was asked after the row was created
    assert events[1]["data"]["reference"] == payment.reference


def test_refund_reason_with_include_pii(fast, receiver, stripe_api, customer, order, refunder):
    fast.BAZARY_WEBHOOKS = {**fast.BAZARY_WEBHOOKS, "INCLUDE_PII": True}
    started = start(customer, order).json()
    body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(started["reference"]))
    assert send_event(APIClient(), body).status_code == 200
    make_endpoint(receiver.url, ["payment.refunded"])
    answer = client_for(refunder).post(
        f"/api/orders/{order.number}/refunds/", {"reason": "Ann's parcel was damaged"}, format="json"
    )
    assert answer.status_code == 201
    assert json.loads(receiver.received[0].body)["data"]["refund"]["reason"] == "Ann's parcel was damaged"
