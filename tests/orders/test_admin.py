"""The orders admin: transitions as actions (through the staff rules), read-only money, no N+1."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bazary.catalog.models import get_product_model
from bazary.orders.models import Order, OrderEvent

from .conftest import client_for
from .test_staff_api import place

pytestmark = pytest.mark.django_db

URL = "/admin/bazary_orders/order/"


@pytest.fixture
def admin_browser(db) -> Client:
    user = get_user_model().objects.create_superuser(email="root@example.com", password="pw-not-used-here")
    client = Client()
    client.force_login(user)
    return client


def act(browser, action, *numbers):
    pks = [str(pk) for pk in Order.objects.filter(number__in=numbers).values_list("pk", flat=True)]
    return browser.post(URL, {"action": action, "_selected_action": pks}, follow=True)


def test_actions_go_through_the_state_machine(admin_browser, customer):
    number, product = place(client_for(customer), stock=3)
    response = act(admin_browser, "mark_delivered", number)
    assert "cannot become" in response.content.decode()
    assert Order.objects.get(number=number).status == "pending_payment"
    act(admin_browser, "mark_paid", number)
    act(admin_browser, "mark_cancelled", number)
    order = Order.objects.get(number=number)
    assert (order.status, order.stock_released) == ("cancelled", True)
    assert get_product_model().objects.get(pk=product.pk).stock == 3
    assert list(OrderEvent.objects.filter(order=order).values_list("to_status", "internal", "actor__email")) == [
        ("pending_payment", False, customer.email),
        ("paid", True, "root@example.com"),
        ("cancelled", True, "root@example.com"),
    ]


def test_change_form_keeps_money_and_status_read_only(admin_browser, customer):
    number, _ = place(client_for(customer))
    order = Order.objects.get(number=number)
    page = admin_browser.get(f"{URL}{order.pk}/change/").content.decode()
    assert 'name="tracking_number"' in page
    for field in ("status", "total", "subtotal", "tax_total", "email"):
        assert f'name="{field}"' not in page, field
    data = {
        "tracking_number": "1Z1",
        "carrier": "DHL",
        "status": "delivered",
        "total": "0.01",
        **{
            f"{prefix}-{key}": value
            for prefix in ("lines", "events")
            for key, value in (
                ("TOTAL_FORMS", "0"),
                ("INITIAL_FORMS", "0"),
                ("MIN_NUM_FORMS", "0"),
                ("MAX_NUM_FORMS", "1000"),
            )
        },
    }
    response = admin_browser.post(f"{URL}{order.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    total = order.total
    order.refresh_from_db()
    assert (order.tracking_number, order.carrier, order.status, order.total) == ("1Z1", "DHL", "pending_payment", total)
    assert admin_browser.get(f"{URL}add/").status_code == 403


def test_changelist_has_no_n_plus_one(admin_browser, customer, other):
    place(client_for(customer))
    with CaptureQueriesContext(connection) as few:
        assert admin_browser.get(URL).status_code == 200
    for _ in range(8):
        place(client_for(other))
    with CaptureQueriesContext(connection) as many:
        assert admin_browser.get(URL).status_code == 200
    assert len(many) == len(few)
    assert admin_browser.get(f"{URL}{Order.objects.first().pk}/change/").status_code == 200
