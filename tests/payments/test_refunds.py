"""POST orders/{number}/refunds/: staff with refund_order only, never more than remains."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from bazary.orders.models import Order
from bazary.payments.models import Payment, Refund
from tests.payments.conftest import client_for, make_user, send_event, start, stripe_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(stripe_api, customer, order):
    payment = start(customer, order).json()
    body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(payment["reference"]))
    assert send_event(APIClient(), body).status_code == 200
    return Payment.objects.get(pk=payment["id"])


def refund(user, order, **data):
    client = client_for(user) if user is not None else APIClient()
    return client.post(f"/api/orders/{order.number}/refunds/", {"reason": "damaged", **data}, format="json")


def test_partial_then_full_refund(stripe_api, refunder, order, paid):
    response = refund(refunder, order, amount="4.68")
    assert response.status_code == 201, response.json()
    # Amounts with the currency's decimals, as the order's (stored with three).
    assert (response.json()["amount"], response.json()["payment"]["amount"]) == ("4.68", str(order.total))
    assert response.json()["payment"]["refunded_amount"] == "4.68"
    call = stripe_api.requests[-1]
    assert call["path"] == "/v1/refunds"
    assert call["params"] == {"payment_intent": paid.reference, "amount": "468"}
    assert call["headers"]["Idempotency-Key"] == f"bazary-refund-{paid.pk}-0-468"
    assert Order.objects.get(pk=order.pk).status == "paid"
    # Above what remains: 400, nothing sent, nothing changed.
    before = len(stripe_api.requests)
    response = refund(refunder, order, amount="20.01")
    assert response.status_code == 400
    assert "amount" in response.json()
    assert len(stripe_api.requests) == before
    # The rest, without an amount.
    response = refund(refunder, order)
    assert response.status_code == 201
    assert stripe_api.requests[-1]["params"]["amount"] == "2000"
    paid.refresh_from_db()
    assert paid.refunded_amount == paid.amount == Decimal("24.68")
    order.refresh_from_db()
    assert order.status == "refunded"
    assert order.events.filter(to_status="refunded").count() == 1
    assert list(Refund.objects.values_list("amount", flat=True)) == [Decimal("4.68"), Decimal("20.00")]
    assert refund(refunder, order).status_code == 409  # nothing left
    # Stripe's charge.refunded for the same refunds changes nothing more.
    charge = {"id": "ch_1", "object": "charge", "payment_intent": paid.reference, "amount_refunded": 2468}
    assert send_event(APIClient(), stripe_event("charge.refunded", charge)).status_code == 200
    assert order.events.filter(to_status="refunded").count() == 1


def test_charge_refunded_event_records_a_refund_made_in_the_dashboard(stripe_api, order, paid):
    charge = {"id": "ch_1", "object": "charge", "payment_intent": paid.reference, "amount_refunded": 1000}
    assert send_event(APIClient(), stripe_event("charge.refunded", charge)).status_code == 200
    paid.refresh_from_db()
    assert paid.refunded_amount == Decimal("10.00")
    assert Order.objects.get(pk=order.pk).status == "paid"
    charge["amount_refunded"] = 2468
    assert send_event(APIClient(), stripe_event("charge.refunded", charge)).status_code == 200
    assert Order.objects.get(pk=order.pk).status == "refunded"


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff_without_permission", "permission_without_staff"])
def test_who_cannot_refund(stripe_api, customer, order, paid, who):
    from django.contrib.auth.models import Permission

    user = {
        "anonymous": None,
        "customer": customer,
        "staff_without_permission": make_user("staffer", is_staff=True),
        "permission_without_staff": make_user("clerk"),
    }[who]
    if who == "permission_without_staff":
        user.user_permissions.add(Permission.objects.get(codename="refund_order"))
    response = refund(user, order)
    assert response.status_code == (401 if user is None else 403)
    paid.refresh_from_db()
    assert paid.refunded_amount == 0
    assert not any(call["path"] == "/v1/refunds" for call in stripe_api.requests)


def test_refund_input_checks(stripe_api, refunder, order, paid):
    assert refund(refunder, order, amount="0").status_code == 400
    assert refund(refunder, order, amount="-1").status_code == 400
    assert refund(refunder, order, amount="abc").status_code == 400
    assert client_for(refunder).post(f"/api/orders/{order.number}/refunds/", {}, format="json").status_code == 400
    assert client_for(refunder).post("/api/orders/NOPE/refunds/", {"reason": "x"}, format="json").status_code == 404
    paid.refresh_from_db()
    assert paid.refunded_amount == 0


def test_refund_of_an_unpaid_order_is_a_409(stripe_api, refunder, customer, order):
    start(customer, order)
    assert refund(refunder, order).status_code == 409


def test_a_provider_refusal_changes_nothing(stripe_api, refunder, order, paid):
    stripe_api.fail = True
    assert refund(refunder, order, amount="1.00").status_code == 502
    paid.refresh_from_db()
    assert paid.refunded_amount == 0
    assert not Refund.objects.exists()
