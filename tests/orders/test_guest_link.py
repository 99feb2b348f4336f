"""A guest opens their order, read-only, with the signed token of their email's link."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from bazary.orders.links import guest_order_url, order_token
from bazary.orders.models import Order
from bazary.testing.catalog import ProductFactory

from .conftest import ADDRESS, client_for
from .test_checkout_api import add, checkout

pytestmark = pytest.mark.django_db


def guest_order(email="guest@example.com"):
    client = APIClient()
    token = add(client, product=ProductFactory(stock=3).slug)["token"]
    response = checkout(client, {"shipping_address": ADDRESS, "email": email}, token=token)
    assert response.status_code == 201, response.json()
    return Order.objects.get(number=response.json()["number"])


def test_the_token_opens_that_order_read_only(customer):
    order, another = guest_order(), guest_order("else@example.com")
    anonymous = APIClient()
    response = anonymous.get(f"/api/orders/{order.number}/?token={order_token(order.number)}")
    assert response.status_code == 200, response.json()
    assert response.json()["email"] == "guest@example.com"
    assert "user" not in response.json()  # the customer's view, not staff's
    good = order_token(order.number)
    tampered = good[:-1] + ("B" if good.endswith("A") else "A")  # never the token itself
    for token in ("", "x", order_token(another.number), tampered, "\u00e9" * 300):
        assert anonymous.get(f"/api/orders/{order.number}/", {"token": token}).status_code == 404, token
    # Read-only: nothing else opens with it.
    query = f"?token={order_token(order.number)}"
    assert anonymous.post(f"/api/orders/{order.number}/cancel/{query}").status_code == 401
    assert anonymous.get(f"/api/orders/{query}").status_code == 401
    # A signed-in customer with the token of a guest's order sees it too (the link is the key).
    assert client_for(customer).get(f"/api/orders/{order.number}/{query}").status_code == 200
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_the_url(settings):
    order = guest_order()
    assert guest_order_url(order) == f"/api/orders/{order.number}/?token={order_token(order.number)}"
    with override_settings(BAZARY_ORDERS={"GUEST_ORDER_URL": "https://shop.example/o/{number}?t={token}"}):
        assert guest_order_url(order) == f"https://shop.example/o/{order.number}?t={order_token(order.number)}"
    before = order_token(order.number)
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
        assert order_token(order.number) != before  # rotating SECRET_KEY revokes the links
