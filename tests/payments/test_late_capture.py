"""A capture that arrives after PAYMENT_TIMEOUT cancelled the order: recorded and refunded, never lost."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from bazary.orders.models import Order
from bazary.orders.timeouts import cancel_unpaid_orders
from bazary.payments.models import PaymentEvent, Refund
from bazary.payments.providers import get_card_provider
from bazary.payments.services import start_payment
from bazary.testing.catalog import ProductFactory
from bazary.testing.orders import place_test_order
from tests.payments.conftest import send_chapa_event, send_event, stripe_event

pytestmark = pytest.mark.django_db


def timed_out(provider, customer):
    order = place_test_order(
        [(ProductFactory(price=Decimal("9.99"), stock=4), 1)], user=customer, payment_provider=provider
    )
    assert order.payment_provider == provider
    payment, _created = start_payment(order, get_card_provider(provider))
    assert cancel_unpaid_orders(now=timezone.now() + datetime.timedelta(days=2)) == [order.number]
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.stock_released
    return order, payment


def test_a_late_chapa_capture_is_refunded_and_the_customer_told(
    chapa_api, customer, caplog, django_capture_on_commit_callbacks
):
    order, payment = timed_out("chapa", customer)
    chapa_api.settle(payment.reference)
    mail.outbox.clear()
    with caplog.at_level(logging.WARNING, logger="bazary.payments"), django_capture_on_commit_callbacks(execute=True):
        assert send_chapa_event(APIClient(), chapa_api.event(payment.reference)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "captured"  # the money arrived: recorded
    assert payment.refunded_amount == payment.amount == Decimal("9.99")  # and given back
    [refund] = Refund.objects.all()
    assert refund.reason.startswith("Captured after the order was cancelled")
    assert refund.created_by is None
    assert chapa_api.refunds[0]["amount"] == "9.99"
    assert Order.objects.get(pk=order.pk).status == "cancelled"  # never paid, so not "refunded"
    assert "refunded automatically" in PaymentEvent.objects.get().note
    assert "refunded automatically" in caplog.text
    assert [m.to for m in mail.outbox if "refunded" in m.subject] == [[customer.email]]
    # A redelivery refunds nothing more.
    assert send_chapa_event(APIClient(), chapa_api.event(payment.reference)).status_code == 200
    assert len(chapa_api.refunds) == 1


def test_a_late_stripe_capture_whose_refund_fails_stays_recorded_and_alerts(stripe_api, customer, caplog):
    order, payment = timed_out("stripe", customer)
    stripe_api.fail = True  # the refund cannot be made now
    body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(payment.reference))
    with caplog.at_level(logging.ERROR, logger="bazary.payments"):
        assert send_event(APIClient(), body).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "captured"
    assert payment.refunded_amount == 0
    assert not Refund.objects.exists()
    assert "automatic refund failed" in PaymentEvent.objects.get().note
    assert f"refund it with orders/{order.number}/refunds/" in caplog.text
    # Staff can still refund it.
    assert payment.refundable == Decimal("9.99")
