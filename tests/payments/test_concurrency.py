"""Ten deliveries of one event at once: one capture, one paid transition, one email (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection
from rest_framework.test import APIClient

from bazary.notifications.models import Delivery
from bazary.orders.models import OrderEvent
from bazary.payments.models import Payment, PaymentEvent
from tests.payments.conftest import send_event, start, stripe_event


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_webhooks_capture_once(stripe_api, customer, order):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    payment = start(customer, order).json()
    body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(payment["reference"]))
    mail.outbox.clear()
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(10)

    def deliver() -> None:
        from django.db import connections

        barrier.wait()
        try:
            response = send_event(APIClient(), body)
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 10
    assert PaymentEvent.objects.count() == 1
    assert Payment.objects.get().status == "captured"
    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1
    # One "paid" email: recorded once by notify() and sent once.
    assert Delivery.objects.filter(kind="orders.paid", recipient=customer).count() == 1
    assert [m.to for m in mail.outbox if "payment received" in m.subject] == [[customer.email]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_never_exceed_the_capture(stripe_api, customer, order, refunder):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from tests.payments.conftest import client_for

    payment = start(customer, order).json()
    body = stripe_event("payment_intent.succeeded", stripe_api.succeeded(payment["reference"]))
    assert send_event(APIClient(), body).status_code == 200
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(10)

    def ask() -> None:
        from django.db import connections

        barrier.wait()
        try:
            response = client_for(refunder).post(
                f"/api/orders/{order.number}/refunds/", {"amount": "10.00", "reason": "x"}, format="json"
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] * 2 + [400] * 8  # 24.68 holds two refunds of 10.00
    assert sum(1 for call in stripe_api.requests if call["path"] == "/v1/refunds") == 2
