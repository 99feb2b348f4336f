"""On PostgreSQL, with real concurrent transactions: no overselling, stock released once, one order per key.

Run with ``python scripts/services.py -- python -m pytest tests/orders -m postgres``.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from bazary.catalog.models import StockMovement, get_product_model
from bazary.orders.models import IdempotencyKey, Order
from bazary.testing.catalog import ProductFactory

from .conftest import ADDRESS, client_for, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def run_together(calls):
    """Run every call in its own thread (own connection), released at once; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def stock(product):
    return get_product_model().objects.get(pk=product.pk).stock


def test_twenty_checkouts_for_the_last_five_units():
    product = ProductFactory(stock=5)
    clients = []
    for index in range(20):
        client = client_for(make_user(f"buyer{index}"))
        assert client.post("/api/cart/items/", {"product": product.slug}, format="json").status_code == 201
        clients.append(client)
    responses = run_together(
        [lambda c=c: c.post("/api/orders/", {"shipping_address": ADDRESS}, format="json") for c in clients]
    )
    codes = sorted(response.status_code for response in responses)
    assert codes == [201] * 5 + [409] * 15
    for response in responses:
        if response.status_code == 409:
            assert response.json()["lines"] == [product.sku]
    assert stock(product) == 0
    assert Order.objects.count() == 5
    assert StockMovement.objects.filter(product=product).count() == 5


def test_two_cancellations_release_the_stock_once():
    product = ProductFactory(stock=3)
    customer = make_user("customer")
    client = client_for(customer)
    client.post("/api/cart/items/", {"product": product.slug, "quantity": 2}, format="json")
    number = client.post("/api/orders/", {"shipping_address": ADDRESS}, format="json").json()["number"]
    assert stock(product) == 1
    other = client_for(customer)
    responses = run_together([lambda c=c: c.post(f"/api/orders/{number}/cancel/") for c in (client, other)])
    assert sorted(response.status_code for response in responses) == [200, 409]
    assert stock(product) == 3
    assert StockMovement.objects.filter(product=product).count() == 2  # reserved once, released once
    assert Order.objects.get(number=number).events.filter(to_status="cancelled").count() == 1


def test_one_idempotency_key_sent_twice_at_once_places_one_order():
    product = ProductFactory(stock=5)
    customer = make_user("customer")
    client_for(customer).post("/api/cart/items/", {"product": product.slug}, format="json")
    clients = [client_for(customer), client_for(customer)]
    responses = run_together(
        [
            lambda c=c: c.post(
                "/api/orders/", {"shipping_address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="same-key-1"
            )
            for c in clients
        ]
    )
    assert sorted(response.status_code for response in responses) == [200, 201]
    assert len({response.json()["number"] for response in responses}) == 1
    assert Order.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert stock(product) == 4
