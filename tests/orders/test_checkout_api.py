"""POST orders/: one transaction, all stock or none, snapshots, idempotency, customers' own orders."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.test import override_settings

from bazary.catalog.models import StockMovement
from bazary.orders.models import Cart, CartLine, IdempotencyKey, Order, OrderEvent, OrderLine
from bazary.testing.catalog import OptionFactory, OptionValueFactory, ProductFactory, VariantFactory

from .conftest import ADDRESS, client_for

pytestmark = pytest.mark.django_db


def add(client, token=None, **data):
    headers = {"HTTP_X_CART_TOKEN": token} if token else {}
    response = client.post("/api/cart/items/", data, format="json", **headers)
    assert response.status_code == 201, response.json()
    return response.json()


def checkout(client, data=None, token=None, key=None):
    headers = {}
    if token:
        headers["HTTP_X_CART_TOKEN"] = token
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(
        "/api/orders/", data if data is not None else {"shipping_address": ADDRESS}, format="json", **headers
    )


@override_settings(BAZARY_ORDERS={"FLAT_RATE": "4.50"})
def test_checkout_snapshots_reserves_and_empties(customer):
    client = client_for(customer)
    size = OptionFactory(name="Size")
    shirt = ProductFactory(name="Shirt", price=Decimal("20.00"))
    variant = VariantFactory(
        product=shirt, values=[OptionValueFactory(option=size, name="L")], stock=3, price=Decimal("25.00")
    )
    mug = ProductFactory(name="Mug", price=Decimal("8.00"), stock=10)
    add(client, variant=variant.sku, quantity=2)
    add(client, product=mug.slug, quantity=1)
    response = checkout(client)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending_payment"
    assert (body["subtotal"], body["shipping_price"], body["tax_total"], body["total"]) == (
        "58.00",
        "4.50",
        "0.00",
        "62.50",
    )
    assert body["email"] == customer.email
    assert body["shipping_address"]["city"] == "Springfield"
    assert body["billing_address"] == body["shipping_address"]
    assert body["shipping_method"] == "flat_rate"
    assert body["payment"]["provider"] == "bank_transfer"
    assert body["number"] in body["payment"]["instructions"]
    assert [
        (line["product_name"], line["sku"], line["options"], line["unit_price"], line["total"])
        for line in body["lines"]
    ] == [
        ("Shirt", variant.sku, [{"option": "Size", "value": "L"}], "25.00", "50.00"),
        ("Mug", mug.sku, [], "8.00", "8.00"),
    ]
    variant.refresh_from_db()
    mug.refresh_from_db()
    assert (variant.stock, mug.stock) == (1, 9)
    assert not CartLine.objects.exists()
    assert [e.to_status for e in OrderEvent.objects.all()] == ["pending_payment"]
    # Later catalog changes do not touch the order.
    mug.price = Decimal("1.00")
    mug.name = "Cup"
    mug.save()
    detail = client.get(f"/api/orders/{body['number']}/").json()
    assert detail["lines"][1]["product_name"] == "Mug"
    assert detail["total"] == "62.50"


def test_all_lines_or_none(customer):
    client = client_for(customer)
    plenty = ProductFactory(stock=10)
    scarce = ProductFactory(stock=2)
    add(client, product=plenty.slug, quantity=3)
    add(client, product=scarce.slug, quantity=2)
    scarce.stock = 1
    scarce.save()
    movements = StockMovement.objects.count()
    response = checkout(client)
    assert response.status_code == 409
    assert response.json()["lines"] == [scarce.sku]
    plenty.refresh_from_db()
    scarce.refresh_from_db()
    assert (plenty.stock, scarce.stock) == (10, 1)
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()
    assert StockMovement.objects.count() == movements
    assert CartLine.objects.count() == 2  # the cart is kept


def test_backorder_reserves_what_is_there(customer):
    client = client_for(customer)
    product = ProductFactory(stock=2, allow_backorder=True)
    add(client, product=product.slug, quantity=5)
    assert checkout(client).status_code == 201
    product.refresh_from_db()
    assert product.stock == 0
    line = OrderLine.objects.get()
    assert (line.quantity, line.reserved_quantity) == (5, 2)


def test_unavailable_line_is_a_409(customer):
    client = client_for(customer)
    product = ProductFactory()
    add(client, product=product.slug)
    product.is_active = False
    product.save()
    response = checkout(client)
    assert response.status_code == 409
    assert response.json()["lines"]
    assert not Order.objects.exists()


def test_guest_checkout(api_client):
    product = ProductFactory(stock=3)
    token = add(api_client, product=product.slug)["token"]
    assert checkout(api_client, {"shipping_address": ADDRESS}, token=token).status_code == 400  # no email
    response = checkout(api_client, {"shipping_address": ADDRESS, "email": "guest@example.com"}, token=token)
    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    assert order.user is None
    assert order.email == "guest@example.com"
    assert api_client.get(f"/api/orders/{order.number}/").status_code == 401
    assert checkout(api_client, {"email": "g@example.com"}).status_code == 400  # no cart


def test_shipping_address_needed_unless_digital(customer):
    client = client_for(customer)
    add(client, product=ProductFactory().slug)
    response = checkout(client, {})
    assert response.status_code == 400
    assert "shipping_address" in response.json()
    CartLine.objects.all().delete()
    add(client, product=ProductFactory(is_digital=True).slug)
    response = checkout(client, {})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["shipping_address"] is None
    assert body["shipping_method"] == ""


@override_settings(
    BAZARY_ORDERS={
        "PAYMENT_PROVIDERS": ["bazary.orders.providers.BankTransfer", "bazary.orders.providers.CashOnDelivery"]
    }
)
def test_payment_provider_choice(customer):
    client = client_for(customer)
    add(client, product=ProductFactory().slug)
    assert checkout(client, {"shipping_address": ADDRESS, "payment_provider": "stripe"}).status_code == 400
    response = checkout(client, {"shipping_address": ADDRESS, "payment_provider": "cash_on_delivery"})
    assert response.json()["payment_provider"] == "cash_on_delivery"


def test_idempotency_key(customer):
    client = client_for(customer)
    product = ProductFactory(stock=5)
    add(client, product=product.slug, quantity=2)
    first = checkout(client, key="k-1")
    assert first.status_code == 201
    again = checkout(client, key="k-1")
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    other_body = checkout(client, {"shipping_address": {**ADDRESS, "city": "Elsewhere"}}, key="k-1")
    assert other_body.status_code == 422
    assert Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock == 3
    assert checkout(client, key="x" * 256).status_code == 400


def test_expired_idempotency_key_is_forgotten(customer):
    client = client_for(customer)
    product = ProductFactory(stock=5)
    add(client, product=product.slug)
    assert checkout(client, key="k").status_code == 201
    IdempotencyKey.objects.update(created_at="2000-01-01T00:00:00Z")
    add(client, product=product.slug)
    assert checkout(client, key="k").status_code == 201
    assert Order.objects.count() == 2


def test_order_numbers_are_readable_unique_and_random(customer):
    client = client_for(customer)
    numbers = []
    for _ in range(5):
        add(client, product=ProductFactory().slug)
        numbers.append(checkout(client).json()["number"])
    assert len(set(numbers)) == 5
    assert all(len(n) == 9 and n[4] == "-" for n in numbers)
    assert not set("ILOU").intersection("".join(numbers))  # no letters read as digits


def test_customers_see_only_their_orders(customer, other):
    client = client_for(customer)
    add(client, product=ProductFactory().slug)
    number = checkout(client).json()["number"]
    assert client.get("/api/orders/").json()["count"] == 1
    assert client_for(other).get("/api/orders/").json()["count"] == 0
    assert client_for(other).get(f"/api/orders/{number}/").status_code == 404
    assert client_for(other).post(f"/api/orders/{number}/cancel/").status_code == 404
    assert client.get("/api/orders/NOPE-NOPE/").status_code == 404


def test_customer_cancel(customer):
    client = client_for(customer)
    product = ProductFactory(stock=5)
    add(client, product=product.slug, quantity=2)
    number = checkout(client).json()["number"]
    response = client.post(f"/api/orders/{number}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    product.refresh_from_db()
    assert product.stock == 5
    assert client.post(f"/api/orders/{number}/cancel/").status_code == 409
    product.refresh_from_db()
    assert product.stock == 5


def test_fulfilled_order_cannot_be_cancelled_by_the_customer(customer):
    from bazary.orders.transitions import transition

    client = client_for(customer)
    add(client, product=ProductFactory().slug)
    order = Order.objects.get(number=checkout(client).json()["number"])
    transition(order, "paid")
    transition(order, "fulfilled")
    assert client.post(f"/api/orders/{order.number}/cancel/").status_code == 409
    order.refresh_from_db()
    assert order.status == "fulfilled"


@pytest.mark.parametrize(
    "data",
    [
        {"shipping_address": {**ADDRESS, "city": "a\x00b"}},
        {"shipping_address": {**ADDRESS, "country": "Germany"}},
        {"shipping_address": 2**63},
        {"shipping_address": -1},
        {"shipping_address": 999999},
        {"shipping_address": "1e1000"},
        {"shipping_address": [1]},
        {"shipping_address": ADDRESS, "email": "not-an-email"},
        {"shipping_address": ADDRESS, "shipping_method": "teleport"},
        {"shipping_address": ADDRESS, "payment_provider": "\x00"},
    ],
)
def test_hostile_checkout_is_4xx_and_writes_nothing(customer, data):
    client = client_for(customer)
    product = ProductFactory(stock=5)
    add(client, product=product.slug)
    response = checkout(client, data)
    assert 400 <= response.status_code < 500, (data, response.content)
    assert not Order.objects.exists()
    assert not IdempotencyKey.objects.exists()
    product.refresh_from_db()
    assert product.stock == 5
    assert CartLine.objects.count() == 1


@pytest.mark.skipif(not apps.is_installed("bazary.accounts"), reason="needs bazary.accounts")
def test_address_ids_of_ones_own_only(customer, other):
    from bazary.testing.accounts import AddressFactory

    mine = AddressFactory(user=customer, city="Mine", country="FR")
    theirs = AddressFactory(user=other)
    client = client_for(customer)
    add(client, product=ProductFactory().slug)
    response = checkout(client, {"shipping_address": theirs.pk})
    assert response.status_code == 400
    assert "shipping_address" in response.json()
    assert not Order.objects.exists()
    response = checkout(client, {"shipping_address": mine.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["shipping_address"]["city"] == "Mine"


@pytest.mark.parametrize("count", [1, 10])
def test_order_list_and_detail_query_budgets(customer, count, django_assert_max_num_queries):
    client = client_for(customer)
    numbers = []
    for _ in range(count):
        add(client, product=ProductFactory().slug)
        add(client, product=ProductFactory().slug)
        numbers.append(checkout(client).json()["number"])
    with django_assert_max_num_queries(2):  # count, page
        body = client.get("/api/orders/").json()
    assert body["count"] == count
    with django_assert_max_num_queries(3):  # order, lines, events
        assert len(client.get(f"/api/orders/{numbers[-1]}/").json()["lines"]) == 2
    assert Cart.objects.count() == 1


def test_signed_in_checkout_with_the_guest_token_merges_first(api_client, customer):
    product = ProductFactory(stock=5)
    token = add(api_client, product=product.slug, quantity=2)["token"]
    response = checkout(client_for(customer), token=token)
    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    assert order.user == customer
    assert order.lines.get().quantity == 2


def test_guest_idempotency_is_per_cart(api_client):
    product = ProductFactory(stock=5)
    token = add(api_client, product=product.slug)["token"]
    data = {"shipping_address": ADDRESS, "email": "g@example.com"}
    first = checkout(api_client, data, token=token, key="same")
    again = checkout(api_client, data, token=token, key="same")
    assert (first.status_code, again.status_code) == (201, 200)
    other_token = add(api_client, product=product.slug)["token"]
    assert checkout(api_client, data, token=other_token, key="same").status_code == 201
    assert Order.objects.count() == 2


def test_the_testing_helper_places_a_real_order(customer):
    from bazary.testing.orders import place_test_order

    product = ProductFactory(stock=4, price=Decimal("2.50"))
    order = place_test_order([(product, 3)], user=customer)
    assert (order.status, order.total, order.user) == ("pending_payment", Decimal("7.500"), customer)
    product.refresh_from_db()
    assert product.stock == 1
