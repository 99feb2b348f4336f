"""The catalog without accounts or notifications: API, admin, migrations, and
back-in-stock alerts delivered through the ``back_in_stock`` signal."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.dispatch import receiver
from rest_framework.test import APIClient

from bazary.catalog.models import StockAlert
from bazary.catalog.signals import back_in_stock
from bazary.testing.catalog import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_only_core_and_catalog_are_installed():
    assert apps.is_installed("bazary.catalog")
    assert not apps.is_installed("bazary.accounts")
    assert not apps.is_installed("bazary.notifications")
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_api_is_mounted_and_works(api_client):
    product = ProductFactory(name="Teapot", category=CategoryFactory(name="Kitchen"))
    assert api_client.get("/api/products/").json()["results"][0]["slug"] == product.slug
    assert api_client.get("/api/categories/tree/").json()[0]["slug"] == "kitchen"
    assert api_client.get("/api/auth/token/").status_code == 404  # accounts is not mounted
    assert api_client.get("/api/schema/").status_code == 200


def test_back_in_stock_falls_back_to_the_signal(django_capture_on_commit_callbacks, mailoutbox):
    manager = User.objects.create_user("manager", "m@example.com", "pw-123456789", is_staff=True)
    manager.user_permissions.add(Permission.objects.get(codename="change_product"))
    customer = User.objects.create_user("ann", "ann@example.com", "pw-123456789")
    product = ProductFactory(name="Kettle", category=CategoryFactory(name="Kitchen"), stock=0)
    assert client_for(customer).post(f"/api/products/{product.slug}/stock-alert/").status_code == 201

    received = []

    @receiver(back_in_stock)
    def collect(sender, product, users, **kwargs):
        received.append((product.slug, [u.username for u in users]))

    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(manager).post(f"/api/products/{product.slug}/stock/", {"delta": 3}, format="json")
        assert response.status_code == 200
    finally:
        back_in_stock.disconnect(collect)
    assert received == [("kettle", ["ann"])]
    assert StockAlert.objects.get(user=customer).notified_at is not None
    assert mailoutbox == []  # no notifications app: nothing sent behind the project's back


def test_a_simplejwt_token_authenticates_without_accounts():
    # The default JWT authentication (bazary.accounts.authentication) has no logins to check here.
    from rest_framework_simplejwt.tokens import RefreshToken

    staff = User.objects.create_user("staff", "s@example.com", "pw-123456789", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="add_category"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(staff).access_token}")
    assert client.post("/api/categories/", {"name": "Garden"}, format="json").status_code == 201
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.post("/api/categories/", {"name": "Shed"}, format="json").status_code == 401
