"""Staff on GET orders/, orders/{number}/transition/ and notes/: the permission matrix, filters, query budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from bazary.catalog.models import get_product_model
from bazary.orders.models import Order, OrderEvent
from bazary.testing.catalog import ProductFactory

from .conftest import client_for, make_user
from .test_checkout_api import add, checkout

pytestmark = pytest.mark.django_db


def staff(name, *codenames):
    user = make_user(name, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="bazary_orders", codename__in=codenames)
    )
    return user


def place(client, stock=5, **data):
    product = ProductFactory(stock=stock)
    add(client, product=product.slug, quantity=1)
    response = checkout(client, data or None)
    assert response.status_code == 201, response.json()
    return response.json()["number"], product


@pytest.fixture
def order(customer):
    number, _product = place(client_for(customer))
    return number


def matrix(customer, other):
    return {
        "anonymous": APIClient(),
        "customer": client_for(customer),
        "other customer": client_for(other),
        "staff without perms": client_for(staff("staff0")),
        "staff with view_order": client_for(staff("staff1", "view_order")),
        "staff with change_order": client_for(staff("staff2", "view_order", "change_order")),
    }


def test_permission_matrix(customer, other, order):
    clients = matrix(customer, other)
    expected = {
        # who: (list count, detail, transition, notes)
        "anonymous": (401, 401, 401, 401),
        "customer": (1, 200, 403, 403),
        "other customer": (0, 404, 403, 403),
        "staff without perms": (0, 404, 403, 403),
        "staff with view_order": (1, 200, 403, 403),
        "staff with change_order": (1, 200, 200, 201),
    }
    for who, (listed, detail, moved, noted) in expected.items():
        client = clients[who]
        response = client.get("/api/orders/")
        if listed == 401:
            assert response.status_code == 401, who
        else:
            assert response.json()["count"] == listed, who
        assert client.get(f"/api/orders/{order}/").status_code == detail, who
        response = client.post(f"/api/orders/{order}/notes/", {"note": "called the customer"}, format="json")
        assert response.status_code == noted, who
        response = client.post(f"/api/orders/{order}/transition/", {"status": "paid"}, format="json")
        assert response.status_code == moved, who
    assert Order.objects.get(number=order).status == "paid"
    assert OrderEvent.objects.filter(order__number=order, internal=True).count() == 2


def test_staff_list_filters_search_and_ordering(customer, other):
    manager = client_for(staff("manager", "view_order"))
    first, _ = place(client_for(customer))
    second, _ = place(client_for(other))
    Order.objects.filter(number=first).update(created_at=timezone.now() - timedelta(days=3))
    Order.objects.filter(number=second).update(status="paid")

    def numbers(query):
        response = manager.get(f"/api/orders/{query}")
        assert response.status_code == 200, response.json()
        return [row["number"] for row in response.json()["results"]]

    assert numbers("") == [second, first]
    assert numbers("?ordering=created_at") == [first, second]
    assert numbers("?status=paid") == [second]
    assert numbers("?status=paid&status=pending_payment") == [second, first]
    assert numbers(f"?email={other.email.upper()}") == [second]
    assert numbers(f"?number={first.lower()}") == [first]
    assert numbers(f"?search={first[:4]}") == [first]
    assert numbers("?search=ann smith") == [second, first]
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert numbers(f"?created_after={since}") == [second]
    assert numbers(f"?created_before={since}") == [first]
    for bad in ("?status=lost", "?created_after=yesterday", "?ordering=email", f"?search={'x' * 101}"):
        assert manager.get(f"/api/orders/{bad}").status_code == 400, bad
    # A customer's filters apply to their own orders only.
    assert [row["number"] for row in client_for(customer).get("/api/orders/?status=paid").json()["results"]] == []


def test_staff_detail_shows_notes_customers_do_not(customer, order):
    manager = client_for(staff("manager", "view_order", "change_order"))
    manager.post(f"/api/orders/{order}/notes/", {"note": "VIP, wrap it"}, format="json")
    manager.post(f"/api/orders/{order}/transition/", {"status": "paid", "note": "transfer ref 42"}, format="json")
    staff_events = manager.get(f"/api/orders/{order}/").json()["events"]
    assert [(e["to_status"], e["note"], e["actor"]) for e in staff_events][1:] == [
        ("pending_payment", "VIP, wrap it", "manager@example.com"),
        ("paid", "transfer ref 42", "manager@example.com"),
    ]
    events = client_for(customer).get(f"/api/orders/{order}/").json()["events"]
    assert [(e["to_status"], e["note"]) for e in events] == [("pending_payment", ""), ("paid", "")]


def test_fulfil_deliver_refund(customer, order):
    manager = client_for(staff("manager", "view_order", "change_order"))

    def move(status, **data):
        return manager.post(f"/api/orders/{order}/transition/", {"status": status, **data}, format="json")

    assert move("paid", tracking_number="X").status_code == 400  # tracking only when fulfilling
    assert move("delivered").json()["code"] == "transition_not_allowed"
    assert move("paid").status_code == 200
    body = move("fulfilled", tracking_number="1Z999", carrier="UPS").json()
    assert (body["status"], body["tracking_number"], body["carrier"]) == ("fulfilled", "1Z999", "UPS")
    assert move("delivered").json()["status"] == "delivered"
    body = move("refunded").json()
    assert body["status"] == "refunded"
    assert "manual" in body["events"][-1]["note"]
    assert move("cancelled").status_code == 409
    assert move("pending_payment").status_code == 400


def test_staff_cancel_releases_stock(customer):
    number, product = place(client_for(customer), stock=2)
    manager = client_for(staff("manager", "view_order", "change_order"))
    assert manager.post(f"/api/orders/{number}/transition/", {"status": "cancelled"}, format="json").status_code == 200
    assert get_product_model().objects.get(pk=product.pk).stock == 2


@override_settings(BAZARY_ORDERS={"PAYMENT_PROVIDERS": ["tests.orders.providers.CardLike"]})
def test_only_offline_payments_are_marked_paid_by_hand(customer):
    number, _ = place(client_for(customer))
    manager = client_for(staff("manager", "view_order", "change_order"))
    response = manager.post(f"/api/orders/{number}/transition/", {"status": "paid"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "not_offline")
    assert Order.objects.get(number=number).status == "pending_payment"


@pytest.mark.parametrize("count", [2, 12])
def test_staff_list_and_detail_query_budgets(customer, other, count, django_assert_max_num_queries):
    for index in range(count):
        place(client_for(customer if index % 2 else other))
    manager_user = staff("manager", "view_order")
    manager = client_for(manager_user)
    manager_user = type(manager_user).objects.get(pk=manager_user.pk)
    manager.force_authenticate(manager_user)
    with django_assert_max_num_queries(4):  # permissions (2), count, page
        body = manager.get("/api/orders/?page_size=50").json()
    assert body["count"] == count
    number = body["results"][0]["number"]
    with django_assert_max_num_queries(5):  # permissions (2), order, lines, events with actors
        assert manager.get(f"/api/orders/{number}/").status_code == 200


def test_hostile_staff_input(customer, order):
    manager = client_for(staff("manager", "view_order", "change_order"))
    for data in ({"status": "paid\x00"}, {"status": ["paid"]}, {"status": "fulfilled", "carrier": "x" * 101}):
        assert manager.post(f"/api/orders/{order}/transition/", data, format="json").status_code == 400, data
    assert manager.post(f"/api/orders/{order}/notes/", {"note": ""}, format="json").status_code == 400
    assert manager.post("/api/orders/NOPE-NOPE/transition/", {"status": "paid"}, format="json").status_code == 404
    assert Order.objects.get(number=order).status == "pending_payment"
