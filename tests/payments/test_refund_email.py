"""A refund sends the customer one email (notify() for accounts, a task for guests)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from rest_framework.test import APIClient

from bazary.notifications.models import Delivery
from bazary.orders.links import order_token
from bazary.testing.catalog import ProductFactory
from bazary.testing.orders import place_test_order
from tests.payments.conftest import client_for, send_chapa_event, send_event, start, stripe_event

pytestmark = pytest.mark.django_db


def refund_emails():
    return [message for message in mail.outbox if "refunded" in message.subject]


def pay_with_stripe(stripe_api, customer, order, capture):
    payment = start(customer, order).json()
    with capture(execute=True):
        body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(payment["reference"]))
        assert send_event(APIClient(), body).status_code == 200
    return payment


def test_each_refund_sends_the_customer_one_email(
    stripe_api, customer, order, refunder, django_capture_on_commit_callbacks
):
    payment = pay_with_stripe(stripe_api, customer, order, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(refunder).post(
            f"/api/orders/{order.number}/refunds/", {"amount": "4.68", "reason": "internal note"}, format="json"
        )
    assert response.status_code == 201
    [email] = refund_emails()
    assert email.to == [customer.email]
    assert f"Order {order.number}: 4.68 USD refunded" in email.subject
    assert "Refunded in all: 4.68 USD of 24.68 USD." in email.body
    assert "internal note" not in email.body  # the staff's reason stays with the staff
    assert Delivery.objects.filter(kind="payments.refunded", recipient=customer).count() == 1
    # Stripe's charge.refunded for that same refund sends nothing more.
    charge = {"id": "ch_1", "object": "charge", "payment_intent": payment["reference"], "amount_refunded": 468}
    with django_capture_on_commit_callbacks(execute=True):
        assert send_event(APIClient(), stripe_event("charge.refunded", charge)).status_code == 200
    assert len(refund_emails()) == 1
    # A refund made in Stripe's dashboard (reported by charge.refunded) is told once too.
    charge["amount_refunded"] = 1468
    with django_capture_on_commit_callbacks(execute=True):
        assert send_event(APIClient(), stripe_event("charge.refunded", charge)).status_code == 200
    assert len(refund_emails()) == 2
    assert "10.00 USD refunded" in refund_emails()[1].subject


def test_a_refused_or_invalid_refund_sends_nothing(
    stripe_api, customer, order, refunder, django_capture_on_commit_callbacks
):
    pay_with_stripe(stripe_api, customer, order, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        too_much = client_for(refunder).post(
            f"/api/orders/{order.number}/refunds/", {"amount": "99", "reason": "x"}, format="json"
        )
        stripe_api.fail = True
        refused = client_for(refunder).post(f"/api/orders/{order.number}/refunds/", {"reason": "x"}, format="json")
    assert (too_much.status_code, refused.status_code) == (400, 502)
    assert not refund_emails()


def test_a_guest_is_emailed_with_the_chapa_refund(chapa_api, refunder, django_capture_on_commit_callbacks):
    order = place_test_order([(ProductFactory(price=Decimal("10.00"), stock=2), 1)], email="guest@example.com")
    token = order_token(order.number)
    payment = APIClient().post(f"/api/orders/{order.number}/payments/?token={token}", {"provider": "chapa"}).json()
    chapa_api.settle(payment["reference"])
    assert send_chapa_event(APIClient(), chapa_api.event(payment["reference"])).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(refunder).post(f"/api/orders/{order.number}/refunds/", {"reason": "x"}, format="json")
    assert response.status_code == 201
    [email] = refund_emails()
    assert email.to == ["guest@example.com"]
    assert "10.00 USD refunded" in email.subject
    assert "a few business days" in email.body  # Chapa's refunds are paid out later
