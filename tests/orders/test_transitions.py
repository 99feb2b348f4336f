"""The state machine: one table, one function, an event per change, stock released once."""

from __future__ import annotations

import itertools

import pytest

from bazary.catalog.models import StockMovement
from bazary.orders.models import Order, OrderEvent, OrderStatus
from bazary.orders.transitions import TRANSITIONS, TransitionNotAllowed, transition
from bazary.testing.catalog import ProductFactory

from .conftest import ADDRESS, client_for

pytestmark = pytest.mark.django_db

ALL = [status for status, _label in OrderStatus.choices]


def place(customer, product, quantity=2):
    client = client_for(customer)
    assert (
        client.post("/api/cart/items/", {"product": product.slug, "quantity": quantity}, format="json").status_code
        == 201
    )
    response = client.post("/api/orders/", {"shipping_address": ADDRESS}, format="json")
    assert response.status_code == 201, response.json()
    return Order.objects.get(number=response.json()["number"])


def force_status(order, status, **fields):
    Order.objects.filter(pk=order.pk).update(status=status, **fields)
    order.refresh_from_db()


@pytest.mark.parametrize(("source", "target"), list(itertools.product(ALL, ALL)))
def test_every_forbidden_transition_is_refused(customer, source, target):
    product = ProductFactory(stock=5)
    order = place(customer, product)
    force_status(order, source, paid_at=order.created_at if source == "cancelled" else None)
    events = OrderEvent.objects.count()
    if target in TRANSITIONS[source]:
        transition(order, target, by=customer, note="ok")
        assert order.status == target
        assert OrderEvent.objects.count() == events + 1
    else:
        with pytest.raises(TransitionNotAllowed):
            transition(order, target, by=customer)
        order.refresh_from_db()
        assert order.status == source
        assert OrderEvent.objects.count() == events


def test_refund_of_an_unpaid_cancelled_order_is_refused(customer):
    order = place(customer, ProductFactory(stock=5))
    transition(order, "cancelled")
    with pytest.raises(TransitionNotAllowed):
        transition(order, "refunded")


def test_the_event_records_who_when_from_to_note(customer):
    order = place(customer, ProductFactory(stock=5))
    event = transition(order, "paid", by=customer, note="received")
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        "pending_payment",
        "paid",
        customer,
        "received",
    )
    assert order.paid_at is not None
    history = list(order.events.values_list("from_status", "to_status"))
    assert history == [("", "pending_payment"), ("pending_payment", "paid")]


def test_cancelling_releases_stock_exactly_once(customer):
    product = ProductFactory(stock=5)
    order = place(customer, product, quantity=2)
    product.refresh_from_db()
    assert product.stock == 3
    transition(order, "cancelled", by=customer)
    product.refresh_from_db()
    assert product.stock == 5
    assert order.stock_released
    # Refunding the cancelled (paid) order later gives nothing back twice.
    Order.objects.filter(pk=order.pk).update(paid_at=order.cancelled_at)
    transition(order, "refunded")
    product.refresh_from_db()
    assert product.stock == 5
    assert StockMovement.objects.filter(product=product, delta=2).count() == 1


def test_a_fulfilled_order_refunded_keeps_the_stock_out(customer):
    product = ProductFactory(stock=5)
    order = place(customer, product, quantity=2)
    transition(order, "paid")
    transition(order, "fulfilled", tracking_number="TRK1", carrier="DHL")
    assert (order.tracking_number, order.carrier) == ("TRK1", "DHL")
    transition(order, "refunded")
    product.refresh_from_db()
    assert product.stock == 3
