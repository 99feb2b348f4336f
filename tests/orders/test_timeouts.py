"""PAYMENT_TIMEOUT: unpaid orders of expiring providers are cancelled (stock released); offline ones never."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from bazary.catalog.models import get_product_model
from bazary.core.tasks import task_backends
from bazary.orders.models import Order
from bazary.orders.timeouts import cancel_if_unpaid, cancel_unpaid_orders
from bazary.orders.transitions import transition
from bazary.testing.catalog import ProductFactory
from bazary.testing.orders import place_test_order

from ..notifications.conftest import task_backend_path

pytestmark = pytest.mark.django_db

CARD = {"PAYMENT_PROVIDERS": ["bazary.orders.providers.BankTransfer", "tests.orders.providers.CardLike"]}


def age(order, minutes):
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def stock(product):
    return get_product_model().objects.get(pk=product.pk).stock


@override_settings(BAZARY_ORDERS=CARD)
def test_the_sweep_cancels_only_expired_unpaid_card_orders():
    product = ProductFactory(stock=10)
    old_card = place_test_order([(product, 2)], payment_provider="card_like")
    new_card = place_test_order([(product, 1)], payment_provider="card_like")
    old_offline = place_test_order([(product, 1)], payment_provider="bank_transfer")
    old_paid = place_test_order([(product, 1)], payment_provider="card_like")
    transition(old_paid, "paid")
    for order in (old_card, old_offline, old_paid):
        age(order, 31)
    age(new_card, 29)
    assert stock(product) == 5
    out = io.StringIO()
    call_command("bazary_cancel_unpaid_orders", stdout=out)
    assert out.getvalue().splitlines() == [f"cancelled {old_card.number}", "1 unpaid order(s) cancelled."]
    statuses = dict(Order.objects.values_list("number", "status"))
    assert statuses == {
        old_card.number: "cancelled",
        new_card.number: "pending_payment",
        old_offline.number: "pending_payment",
        old_paid.number: "paid",
    }
    assert stock(product) == 7
    assert cancel_unpaid_orders() == []  # released once
    assert stock(product) == 7
    assert Order.objects.get(pk=old_card.pk).events.last().note == "Not paid in time."


@override_settings(BAZARY_ORDERS={**CARD, "PAYMENT_TIMEOUT": timedelta(minutes=5)})
def test_the_timeout_is_a_setting():
    order = place_test_order([(ProductFactory(stock=3), 1)], payment_provider="card_like")
    age(order, 6)
    assert cancel_unpaid_orders() == [order.number]


def test_a_deferring_backend_gets_one_task_per_expiring_order(settings, django_capture_on_commit_callbacks):
    # Both through the fixture: an override_settings decorator around the fixture's own
    # override would be restored into the rest of the session when the fixture tears down.
    settings.BAZARY_ORDERS = CARD
    settings.TASKS = {"default": {"BACKEND": task_backend_path("DummyBackend")}}
    backend = task_backends["default"]
    backend.clear()
    product = ProductFactory(stock=5)
    with django_capture_on_commit_callbacks(execute=True):
        card = place_test_order([(product, 1)], payment_provider="card_like")
        place_test_order([(product, 1)], payment_provider="bank_transfer")
    [result] = [r for r in backend.results if r.task.func is cancel_if_unpaid.func]
    assert result.args == [card.pk]
    assert result.task.run_after == card.created_at + timedelta(minutes=30)
    # Run too early it does nothing; once due it cancels (and only an unpaid order).
    assert cancel_if_unpaid.call(card.pk) is False
    age(card, 31)
    assert cancel_if_unpaid.call(card.pk) is True
    assert Order.objects.get(pk=card.pk).status == "cancelled"
    assert cancel_if_unpaid.call(card.pk) is False
    assert stock(product) == 4


@pytest.mark.parametrize("tasks", [None, {"default": {"BACKEND": task_backend_path("ImmediateBackend")}}])
def test_checkout_with_a_backend_that_cannot_defer_schedules_nothing(
    settings, django_capture_on_commit_callbacks, api_client, tasks
):
    # No TASKS setting (the quickstart's default) is the immediate backend: it
    # refuses a task with run_after, and checkout with an expiring provider was
    # a 500 from its on_commit hook, after the order was placed.
    settings.BAZARY_ORDERS = CARD
    if tasks is None:
        del settings.TASKS
    else:
        settings.TASKS = tasks
    product = ProductFactory(stock=5, slug="mug")
    response = api_client.post("/api/cart/items/", {"product": "mug"}, format="json")
    assert response.status_code == 201
    body = {
        "email": "guest@example.com",
        "payment_provider": "card_like",
        "shipping_address": {
            "recipient_name": "Ann Smith",
            "line1": "1 Main St",
            "city": "Springfield",
            "postal_code": "12345",
            "country": "US",
        },
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/orders/", body, format="json", headers={"X-Cart-Token": response.json()["token"]}
        )
    assert response.status_code == 201, response.content
    assert Order.objects.get().payment_provider == "card_like"
    assert stock(product) == 4


@override_settings(BAZARY_ORDERS=CARD)
def test_an_order_paid_after_it_was_picked_is_not_cancelled():
    order = place_test_order([(ProductFactory(stock=3), 1)], payment_provider="card_like")
    age(order, 31)
    stale = Order.objects.get(pk=order.pk)  # read as pending_payment by the sweep...
    transition(Order.objects.get(pk=order.pk), "paid")  # ...paid by the webhook meanwhile
    from bazary.orders.timeouts import _cancel

    assert _cancel(stale) is False
    assert Order.objects.get(pk=order.pk).status == "paid"
