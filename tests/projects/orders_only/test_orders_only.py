"""The orders with the catalog alone: no accounts, no notifications, Django's auth.User."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.test import APIClient

from bazary.orders.models import Order
from bazary.testing.catalog import ProductFactory

pytestmark = pytest.mark.django_db

ADDRESS = {"recipient_name": "Ann", "line1": "1 Main St", "city": "Springfield", "country": "US"}


def test_only_core_catalog_and_orders_are_installed():
    assert apps.is_installed("bazary.orders")
    assert not apps.is_installed("bazary.accounts")
    assert not apps.is_installed("bazary.notifications")
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
    call_command("check", "--fail-level", "WARNING")


def test_a_guest_and_a_user_can_order(api_client):
    product = ProductFactory(stock=3)
    token = api_client.post("/api/cart/items/", {"product": product.slug}, format="json").json()["token"]
    response = api_client.post(
        "/api/orders/", {"shipping_address": ADDRESS, "email": "g@example.com"}, format="json", HTTP_X_CART_TOKEN=token
    )
    assert response.status_code == 201, response.json()

    user = User.objects.create_user("ann", "ann@example.com", "pw-123456789")
    client = APIClient()
    client.force_authenticate(user)
    client.post("/api/cart/items/", {"product": product.slug, "quantity": 2}, format="json")
    # Without accounts an address id means nothing: a 400, nothing written.
    assert client.post("/api/orders/", {"shipping_address": 1}, format="json").status_code == 400
    response = client.post("/api/orders/", {"shipping_address": ADDRESS}, format="json")
    assert response.status_code == 201
    assert client.get("/api/orders/").json()["count"] == 1
    assert Order.objects.count() == 2
    product.refresh_from_db()
    assert product.stock == 0
    assert api_client.get("/api/schema/").status_code == 200
    assert api_client.get("/api/auth/token/").status_code == 404


def test_admin_pages(admin_client):
    product = ProductFactory()
    client = APIClient()
    token = client.post("/api/cart/items/", {"product": product.slug}, format="json").json()["token"]
    number = client.post(
        "/api/orders/", {"shipping_address": ADDRESS, "email": "g@example.com"}, format="json", HTTP_X_CART_TOKEN=token
    ).json()["number"]
    order = Order.objects.get(number=number)
    assert admin_client.get("/admin/bazary_orders/order/").status_code == 200
    assert admin_client.get(f"/admin/bazary_orders/order/{order.pk}/change/").status_code == 200
    assert admin_client.get("/admin/bazary_orders/cart/").status_code == 200


def test_order_emails_without_notifications(api_client, django_capture_on_commit_callbacks):
    from django.core import mail

    product = ProductFactory(stock=3)
    token = api_client.post("/api/cart/items/", {"product": product.slug}, format="json").json()["token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/orders/",
            {"shipping_address": ADDRESS, "email": "g@example.com"},
            format="json",
            HTTP_X_CART_TOKEN=token,
        )
    number = response.json()["number"]
    [confirmation] = mail.outbox
    assert (confirmation.to, confirmation.subject) == (["g@example.com"], f"Your order {number}")
    assert f"/api/orders/{number}/?token=" in confirmation.body
