"""Order events, from bazary.orders' signals (checkout and every status transition)."""

from __future__ import annotations

import pytest

from bazary.orders.transitions import transition
from bazary.testing.catalog import ProductFactory
from bazary.testing.orders import place_test_order
from bazary.testing.webhooks import make_endpoint

pytestmark = pytest.mark.django_db(transaction=True)


def test_order_events_arrive_after_each_transition(fast, receiver):
    product = ProductFactory(price="12.50", stock=5)
    _, secret = make_endpoint(receiver.url, ["order.created", "order.paid", "order.fulfilled", "order.refunded"])
    order = place_test_order([(product, 2)], email="ann@example.com")
    transition(order, "paid")
    transition(order, "fulfilled", tracking_number="TRK1")
    other = place_test_order([(product, 1)])
    transition(other, "cancelled")  # not subscribed
    events = [r.verify(secret) for r in receiver.received]
    assert [(e["type"], e["data"]["number"]) for e in events] == [
        ("order.created", order.number),
        ("order.paid", order.number),
        ("order.fulfilled", order.number),
        ("order.created", other.number),
    ]
    paid = events[1]["data"]
    assert paid["status"] == "paid"
    assert paid["from_status"] == "pending_payment"
    assert paid["lines"][0]["quantity"] == 2
    # The currency's decimals, as the API shows them, whether the order was just
    # placed or read back (stored with three decimals).
    for event in events[:3]:
        data = event["data"]
        assert (data["lines"][0]["unit_price"], data["lines"][0]["total"], data["subtotal"]) == (
            "12.50",
            "25.00",
            "25.00",
        )
    assert events[2]["data"]["tracking_number"] == "TRK1"
    # No personal data without INCLUDE_PII.
    assert "email" not in paid
    assert "shipping_address" not in paid


def test_order_events_carry_personal_data_with_include_pii(fast, receiver):
    fast.BAZARY_WEBHOOKS = {**fast.BAZARY_WEBHOOKS, "INCLUDE_PII": True}
    make_endpoint(receiver.url, ["order.created"])
    place_test_order([(ProductFactory(stock=1), 1)], email="ann@example.com")
    data = receiver.received[0].json["data"]
    assert data["email"] == "ann@example.com"
    assert data["shipping_address"]["city"] == "Springfield"
