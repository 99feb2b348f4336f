"""GET orders/{number}/payments/ costs the same queries for 1 or many payments; refunds are throttled."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bazary.orders.links import order_token
from bazary.payments.models import Payment
from tests.payments.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [1, 30])
def test_the_payments_listing_query_budget(customer, order, count, django_assert_max_num_queries):
    Payment.objects.bulk_create(
        Payment(
            order=order,
            provider="stripe",
            amount=order.total,
            currency=order.currency,
            refunded_amount=Decimal(0),
            status="failed",
            reference=f"pi_{i}",
        )
        for i in range(count)
    )
    client = client_for(customer)
    with django_assert_max_num_queries(3):  # the order, the count, the page
        response = client.get(f"/api/orders/{order.number}/payments/?page_size=50")
    assert response.status_code == 200
    assert response.json()["count"] == count
    with django_assert_max_num_queries(3):  # a guest's link costs no more
        response = client_for(customer).get(f"/api/orders/{order.number}/payments/?token={order_token(order.number)}")
    assert response.json()["count"] == count


def test_refunds_are_throttled_per_staff_user(settings, refunder, order):
    settings.BAZARY_PAYMENTS = {"THROTTLE_RATES": {"refund": "2/hour"}}
    client = client_for(refunder)
    url = f"/api/orders/{order.number}/refunds/"
    # Nothing is captured: 409 each time, but each counts.
    assert [client.post(url, {"reason": "x"}, format="json").status_code for _ in range(2)] == [409, 409]
    response = client.post(url, {"reason": "x"}, format="json")
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    settings.BAZARY_PAYMENTS = {"THROTTLE_RATES": {"refund": None}}
    assert client.post(url, {"reason": "x"}, format="json").status_code == 409


def test_the_throttle_rate_is_checked(settings):
    from django.core.checks import run_checks

    settings.BAZARY_PAYMENTS = {"THROTTLE_RATES": {"refund": "often"}}
    assert "bazary_payments.E013" in [m.id for m in run_checks(tags=["bazary"])]
