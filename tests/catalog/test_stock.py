"""products/{slug}/stock/ and products/{slug}/stock-alert/."""

import threading

import pytest
from django.db import connection
from django.dispatch import receiver

from bazary.catalog.models import Product, StockAlert, StockMovement
from bazary.catalog.signals import back_in_stock
from bazary.catalog.stock import InsufficientStock, adjust_stock
from bazary.testing.catalog import ProductFactory

from .conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def stock_of(slug):
    return Product.objects.get(slug=slug).stock


def test_change_stock(catalog, manager_client, manager):
    response = manager_client.post("/api/products/pocket-phone/stock/", {"delta": -3, "reason": "sold"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"slug": "pocket-phone", "stock": 7, "in_stock": True}
    movement = StockMovement.objects.get(product__slug="pocket-phone")
    assert (movement.delta, movement.stock_after, movement.reason, movement.user) == (-3, 7, "sold", manager)


def test_below_zero_is_409_and_nothing_changes(catalog, manager_client):
    response = manager_client.post("/api/products/pocket-phone/stock/", {"delta": -11}, format="json")
    assert response.status_code == 409
    assert stock_of("pocket-phone") == 10
    assert not StockMovement.objects.exists()
    # Exactly to zero is fine.
    assert manager_client.post("/api/products/pocket-phone/stock/", {"delta": -10}, format="json").json()["stock"] == 0


def test_sequential_decrements_stop_at_zero(tree):
    product = ProductFactory(category=tree["books"], stock=5)
    results = []
    for _ in range(8):
        try:
            adjust_stock(product, -1)
            results.append(True)
        except InsufficientStock:
            results.append(False)
    assert results == [True] * 5 + [False] * 3
    assert stock_of(product.slug) == 0
    assert StockMovement.objects.filter(product=product).count() == 5


@pytest.mark.parametrize(
    "body", [{"delta": 0}, {"delta": "x"}, {"delta": 2**63}, {"delta": -(2**63)}, {}, {"delta": 1, "reason": "x" * 300}]
)
def test_bad_stock_input_is_400(catalog, manager_client, body):
    assert manager_client.post("/api/products/pocket-phone/stock/", body, format="json").status_code == 400
    assert stock_of("pocket-phone") == 10


def test_overflow_is_409_not_500(catalog, manager_client):
    Product.objects.filter(slug="pocket-phone").update(stock=2**31 - 1)
    response = manager_client.post("/api/products/pocket-phone/stock/", {"delta": 1}, format="json")
    assert response.status_code == 409
    assert stock_of("pocket-phone") == 2**31 - 1


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 401), ("customer", 403), ("staff", 403)])
def test_stock_permissions(catalog, customer, staff, who, expected):
    user = {"anonymous": None, "customer": customer, "staff": staff}[who]
    response = client_for(user).post("/api/products/pocket-phone/stock/", {"delta": 1}, format="json")
    assert response.status_code == expected
    assert stock_of("pocket-phone") == 10


def test_stock_needs_change_permission_not_add(catalog):
    adder = make_user("adder", staff=True, perms=("add_product",))
    changer = make_user("changer", staff=True, perms=("change_product",))
    url = "/api/products/pocket-phone/stock/"
    assert client_for(adder).post(url, {"delta": 1}, format="json").status_code == 403
    assert client_for(changer).post(url, {"delta": 1}, format="json").status_code == 200


def test_unknown_product_is_404(catalog, manager_client):
    assert manager_client.post("/api/products/nope/stock/", {"delta": 1}, format="json").status_code == 404


# --------------------------------------------------------------------------- alerts


def test_subscribe_201_then_200_then_unsubscribe(catalog, customer_client, customer):
    url = "/api/products/a-quiet-novel/stock-alert/"
    assert customer_client.post(url).status_code == 201
    assert customer_client.post(url).status_code == 200
    assert StockAlert.objects.filter(user=customer).count() == 1
    assert customer_client.delete(url).status_code == 204
    assert not StockAlert.objects.exists()
    assert customer_client.delete(url).status_code == 204


def test_alerts_need_a_user_and_a_visible_product(catalog, api_client, customer_client):
    assert api_client.post("/api/products/a-quiet-novel/stock-alert/").status_code == 401
    assert api_client.delete("/api/products/a-quiet-novel/stock-alert/").status_code == 401
    assert customer_client.post("/api/products/hidden-thing/stock-alert/").status_code == 404
    assert customer_client.post("/api/products/nope/stock-alert/").status_code == 404


def test_back_in_stock_notifies_subscribers_once(
    catalog, manager_client, customer, django_capture_on_commit_callbacks, mailoutbox
):
    other = make_user("other")
    StockAlert.objects.create(user=customer, product=catalog["novel"])
    StockAlert.objects.create(user=other, product=catalog["novel"])
    received = []

    @receiver(back_in_stock)
    def collect(sender, product, users, **kwargs):
        received.append((product.slug, sorted(u.pk for u in users)))

    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = manager_client.post("/api/products/a-quiet-novel/stock/", {"delta": 2}, format="json")
        assert response.status_code == 200
        assert received == [("a-quiet-novel", sorted([customer.pk, other.pk]))]
        assert not StockAlert.objects.filter(notified_at__isnull=True).exists()
        # More stock (not from zero) notifies nobody again.
        with django_capture_on_commit_callbacks(execute=True):
            manager_client.post("/api/products/a-quiet-novel/stock/", {"delta": 2}, format="json")
        assert len(received) == 1
    finally:
        back_in_stock.disconnect(collect)

    from django.apps import apps

    if apps.is_installed("bazary.notifications"):
        from bazary.notifications.models import Notification

        notifications = Notification.objects.filter(kind="catalog.back_in_stock")
        assert notifications.count() == 2
        assert any("A Quiet Novel" in message.subject for message in mailoutbox)


def test_resubscribing_after_notification_rearms(catalog, customer_client, customer):
    from django.utils import timezone

    StockAlert.objects.create(user=customer, product=catalog["novel"], notified_at=timezone.now())
    assert customer_client.post("/api/products/a-quiet-novel/stock-alert/").status_code == 201
    assert StockAlert.objects.get(user=customer).notified_at is None


# --------------------------------------------------------------------------- concurrency


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_decrements_never_oversell(tree, manager):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    product = ProductFactory(category=tree["books"], stock=5)
    statuses = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def decrement():
        from django.db import connections

        client = client_for(manager)
        barrier.wait()
        try:
            response = client.post(f"/api/products/{product.slug}/stock/", {"delta": -1}, format="json")
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decrement) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [409] * 15
    assert stock_of(product.slug) == 0
    assert StockMovement.objects.filter(product=product).count() == 5


def test_product_url_in_the_notification(catalog, settings):
    from bazary.catalog.stock import product_url

    assert product_url(catalog["novel"]) == "/api/products/a-quiet-novel/"
    settings.BAZARY_CATALOG = {"PRODUCT_URL": "https://shop.example/p/{slug}"}
    assert product_url(catalog["novel"]) == "https://shop.example/p/a-quiet-novel"
