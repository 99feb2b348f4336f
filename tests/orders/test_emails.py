"""Order emails: placed (lines, totals, language), paid, shipped (tracking), cancelled, the staff's notice."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from rest_framework.test import APIClient

from bazary.notifications.models import Delivery
from bazary.orders.emails import send_customer_email
from bazary.orders.links import order_token
from bazary.orders.models import Order
from bazary.testing.catalog import ProductFactory

from .conftest import ADDRESS, client_for
from .test_checkout_api import add, checkout
from .test_staff_api import staff

pytestmark = pytest.mark.django_db


def sent(subject_part):
    return [message for message in mail.outbox if subject_part in message.subject]


@override_settings(BAZARY_ORDERS={"ORDER_STAFF_EMAILS": ["shop@example.com", "boss@example.com"], "FLAT_RATE": "4.50"})
def test_placed_email_to_a_customer_and_the_staff(customer, django_capture_on_commit_callbacks):
    client = client_for(customer)
    add(client, product=ProductFactory(name="Blue mug", price="8.00", stock=5).slug, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        number = checkout(client).json()["number"]
    [confirmation] = sent(f"Your order {number}")
    assert confirmation.to == [customer.email]
    assert "2 x Blue mug: 16.00 USD" in confirmation.body
    assert "Shipping: 4.50 USD" in confirmation.body
    assert "Total: 20.50 USD" in confirmation.body
    assert f"quoting the order number {number}" in confirmation.body  # the bank transfer's instructions
    assert "token=" not in confirmation.body  # signed in: no guest link
    # Through notify(): recorded and retried like every notification.
    assert Delivery.objects.filter(kind="orders.placed", recipient=customer).count() == 1
    [notice] = sent(f"New order {number}")
    assert notice.to == ["shop@example.com", "boss@example.com"]
    assert customer.email in notice.body


def test_guest_gets_the_signed_link(django_capture_on_commit_callbacks):
    client = APIClient()
    token = add(client, product=ProductFactory(stock=5).slug)["token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = checkout(client, {"shipping_address": ADDRESS, "email": "guest@example.com"}, token=token)
    number = response.json()["number"]
    [confirmation] = sent(f"Your order {number}")
    assert confirmation.to == ["guest@example.com"]
    link = f"http://testserver/api/orders/{number}/?token={order_token(number)}"
    assert link in confirmation.body
    assert APIClient().get(link).status_code == 200
    assert not sent("New order")  # no ORDER_STAFF_EMAILS


def test_in_the_customers_language(customer):
    client = client_for(customer)
    add(client, product=ProductFactory(stock=5).slug)
    number = checkout(client, None).json()["number"]
    order = Order.objects.get(number=number)
    Order.objects.filter(pk=order.pk).update(
        language="de", created_at=datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC)
    )
    mail.outbox.clear()
    send_customer_email(Order.objects.get(pk=order.pk), "placed")
    [confirmation] = mail.outbox
    assert "1. Dezember 2026" in confirmation.body


def test_paid_shipped_cancelled(customer, django_capture_on_commit_callbacks):
    client = client_for(customer)
    manager = client_for(staff("manager", "view_order", "change_order"))
    numbers = []
    for _ in range(2):
        add(client, product=ProductFactory(stock=5).slug)
        numbers.append(checkout(client).json()["number"])
    first, second = numbers
    mail.outbox.clear()

    def move(number, status, **data):
        with django_capture_on_commit_callbacks(execute=True):
            response = manager.post(f"/api/orders/{number}/transition/", {"status": status, **data}, format="json")
        assert response.status_code == 200, response.json()

    move(first, "paid")
    assert sent(f"Order {first}: payment received")
    move(first, "fulfilled", tracking_number="1Z999", carrier="UPS")
    [shipped] = sent(f"Order {first} has shipped")
    assert "Tracking number: 1Z999" in shipped.body
    assert "Carrier: UPS" in shipped.body
    move(first, "delivered")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/orders/{second}/cancel/").status_code == 200
    [cancelled] = sent(f"Order {second} was cancelled")
    assert cancelled.to == [customer.email]
    assert len(mail.outbox) == 3  # delivered sends nothing
