"""A guest pays their order through the signed order link's token."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from bazary.orders.links import order_token
from bazary.orders.models import Order
from bazary.payments.models import Payment
from bazary.testing.catalog import ProductFactory
from bazary.testing.orders import place_test_order
from tests.payments.conftest import client_for, send_chapa_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_order(db):
    return place_test_order([(ProductFactory(price=Decimal("7.50"), stock=3), 2)], email="guest@example.com")


def url(order, token=None):
    path = f"/api/orders/{order.number}/payments/"
    return path if token is None else f"{path}?token={token}"


def test_a_guest_pays_through_the_order_link(chapa_api, guest_order):
    assert guest_order.user is None
    token = order_token(guest_order.number)
    response = APIClient().post(url(guest_order, token), {"provider": "chapa", "amount": "0.01"}, format="json")
    assert response.status_code == 201, response.json()
    payment = response.json()
    assert payment["amount"] == "15.00"
    assert chapa_api.requests[0]["params"]["email"] == "guest@example.com"
    listing = APIClient().get(url(guest_order, token))
    assert listing.status_code == 200
    assert [p["id"] for p in listing.json()["results"]] == [payment["id"]]
    chapa_api.settle(payment["reference"])
    assert send_chapa_event(APIClient(), chapa_api.event(payment["reference"])).status_code == 200
    assert Order.objects.get(pk=guest_order.pk).status == "paid"


def test_without_the_right_token_nothing_opens(chapa_api, guest_order, customer, order):
    anonymous = APIClient()
    assert anonymous.get(url(guest_order)).status_code == 401
    assert anonymous.post(url(guest_order), {"provider": "chapa"}, format="json").status_code == 401
    for token in ("", "wrong", order_token(order.number), order_token(guest_order.number) + "x", "x" * 500):
        assert anonymous.get(url(guest_order, token)).status_code == 404
        assert anonymous.post(url(guest_order, token), {"provider": "chapa"}, format="json").status_code == 404
    # The guest's token opens the guest's order only, not a customer's.
    token = order_token(guest_order.number)
    assert anonymous.post(url(order, token), {"provider": "chapa"}, format="json").status_code == 404
    # Signed in, a customer still cannot reach a guest's order without its token.
    assert client_for(customer).get(url(guest_order)).status_code == 404
    assert not Payment.objects.exists()
    assert not chapa_api.requests
