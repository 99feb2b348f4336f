"""The cart API: guests by token, users by login, merge, caps, stock, prices computed on every read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from bazary.orders.models import Cart, CartLine
from bazary.testing.catalog import CategoryFactory, OptionFactory, OptionValueFactory, ProductFactory, VariantFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def add(client, token=None, **data):
    headers = {"HTTP_X_CART_TOKEN": token} if token else {}
    return client.post("/api/cart/items/", data, format="json", **headers)


def test_guest_gets_a_token_and_finds_the_cart_with_it(api_client):
    product = ProductFactory(price=Decimal("12.50"), stock=5)
    response = add(api_client, product=product.slug, quantity=2)
    assert response.status_code == 201, response.json()
    token = response.json()["token"]
    assert response["X-Cart-Token"] == token
    assert len(token) >= 40
    assert not Cart.objects.filter(token_hash=token).exists()  # only its hash is stored
    body = api_client.get("/api/cart/", HTTP_X_CART_TOKEN=token).json()
    assert body["token"] is None
    assert [(line["product"], line["quantity"], line["unit_price"], line["total"]) for line in body["lines"]] == [
        (product.slug, 2, "12.50", "25.00")
    ]
    assert (body["subtotal"], body["total"], body["currency"]) == ("25.00", "25.00", "USD")
    # Another client without the token sees an empty cart; a made-up token too.
    assert api_client.get("/api/cart/").json()["lines"] == []
    assert api_client.get("/api/cart/", HTTP_X_CART_TOKEN="x" * 43).json()["lines"] == []


def test_adding_again_adds_the_quantities(api_client):
    product = ProductFactory(stock=5)
    token = add(api_client, product=product.slug, quantity=2).json()["token"]
    body = add(api_client, token, product=product.slug, quantity=3).json()
    assert [line["quantity"] for line in body["lines"]] == [5]
    assert add(api_client, token, product=product.slug, quantity=1).status_code == 409
    assert CartLine.objects.get().quantity == 5


def test_prices_come_from_the_catalog_on_every_read(customer):
    client = client_for(customer)
    product = ProductFactory(price=Decimal("10.00"))
    add(client, product=product.slug, quantity=1, unit_price="0.01", total="0")
    product.price = Decimal("11.00")
    product.save()
    body = client.get("/api/cart/").json()
    assert body["lines"][0]["unit_price"] == "11.00"
    assert body["total"] == "11.00"


def test_unavailable_lines_are_flagged_and_excluded(customer):
    client = client_for(customer)
    keep = ProductFactory(price=Decimal("3.00"))
    inactive = ProductFactory(price=Decimal("5.00"))
    hidden = ProductFactory(price=Decimal("7.00"), category=CategoryFactory())
    deleted = ProductFactory(price=Decimal("9.00"), name="Gone")
    low = ProductFactory(price=Decimal("1.00"), stock=3)
    for product in (keep, inactive, hidden, deleted, low):
        assert add(client, product=product.slug, quantity=2).status_code == 201
    inactive.is_active = False
    inactive.save()
    hidden.category.is_active = False
    hidden.category.save()
    deleted.delete()
    low.stock = 1
    low.save()
    body = client.get("/api/cart/").json()
    flags = [(line["name"], line["available"], line["reason"]) for line in body["lines"]]
    assert flags == [
        (keep.name, True, None),
        (inactive.name, False, "inactive"),
        (hidden.name, False, "hidden"),
        ("Gone", False, "deleted"),
        (low.name, False, "insufficient_stock"),
    ]
    assert all(line["reason_text"] for line in body["lines"][1:])
    assert body["subtotal"] == "6.00"
    assert body["total"] == "6.00"


def test_quantity_above_stock_is_a_409_unless_backorder(customer):
    client = client_for(customer)
    scarce = ProductFactory(stock=2)
    backorder = ProductFactory(stock=0, allow_backorder=True)
    untracked = ProductFactory(stock=0, track_inventory=False)
    response = add(client, product=scarce.slug, quantity=3)
    assert response.status_code == 409
    assert "quantity" in response.json()
    assert add(client, product=backorder.slug, quantity=7).status_code == 201
    assert add(client, product=untracked.slug, quantity=7).status_code == 201
    assert client.get("/api/cart/").json()["lines"][0]["available"] is True


@override_settings(BAZARY_ORDERS={"MAX_CART_LINES": 2, "MAX_LINE_QUANTITY": 5})
def test_caps_are_400(customer):
    client = client_for(customer)
    a, b, c = ProductFactory(stock=50), ProductFactory(stock=50), ProductFactory(stock=50)
    assert add(client, product=a.slug, quantity=6).status_code == 400
    assert add(client, product=a.slug, quantity=5).status_code == 201
    assert add(client, product=a.slug, quantity=1).status_code == 400  # 6 in total
    assert add(client, product=b.slug).status_code == 201
    response = add(client, product=c.slug)
    assert response.status_code == 400, response.json()
    assert CartLine.objects.count() == 2


def test_variants(customer):
    client = client_for(customer)
    size = OptionFactory(name="Size")
    m = OptionValueFactory(option=size, name="M")
    shirt = ProductFactory(price=Decimal("20.00"))
    variant = VariantFactory(product=shirt, values=[m], price=Decimal("22.00"), stock=4)
    response = add(client, product=shirt.slug)
    assert response.status_code == 400
    assert "variant" in response.json()
    body = add(client, variant=variant.sku, quantity=2).json()
    line = body["lines"][0]
    assert (line["product"], line["variant"], line["unit_price"], line["options"]) == (
        shirt.slug, variant.sku, "22.00", [{"option": "Size", "value": "M"}],
    )  # fmt: skip
    assert add(client, variant=str(variant.pk)).json()["lines"][0]["quantity"] == 3
    assert add(client, variant=variant.sku, quantity=2).status_code == 409
    other = ProductFactory()
    assert add(client, product=other.slug, variant=variant.sku).status_code == 400


def test_patch_and_delete_lines(customer, other):
    client = client_for(customer)
    product = ProductFactory(stock=5)
    line_id = add(client, product=product.slug).json()["lines"][0]["id"]
    assert (
        client.patch(f"/api/cart/items/{line_id}/", {"quantity": 4}, format="json").json()["lines"][0]["quantity"] == 4
    )
    assert client.patch(f"/api/cart/items/{line_id}/", {"quantity": 6}, format="json").status_code == 409
    assert client.patch(f"/api/cart/items/{line_id}/", {"quantity": 0}, format="json").status_code == 400
    # Someone else's line is a 404.
    assert client_for(other).patch(f"/api/cart/items/{line_id}/", {"quantity": 1}, format="json").status_code == 404
    assert client_for(other).delete(f"/api/cart/items/{line_id}/").status_code == 404
    assert client.patch("/api/cart/items/abc/", {"quantity": 1}, format="json").status_code == 404
    assert client.delete(f"/api/cart/items/{line_id}/").status_code == 204
    assert CartLine.objects.count() == 0


def test_delete_empties_the_cart(customer):
    client = client_for(customer)
    add(client, product=ProductFactory().slug)
    assert client.delete("/api/cart/").status_code == 204
    assert client.get("/api/cart/").json()["lines"] == []


def test_guest_cart_merges_on_the_first_signed_in_request(api_client, customer):
    a, b = ProductFactory(stock=4), ProductFactory(stock=10)
    client = client_for(customer)
    add(client, product=a.slug, quantity=3)
    token = add(api_client, product=a.slug, quantity=3).json()["token"]
    add(api_client, token, product=b.slug, quantity=2)
    body = client.get("/api/cart/", HTTP_X_CART_TOKEN=token).json()
    assert sorted((line["product"], line["quantity"]) for line in body["lines"]) == sorted(
        [(a.slug, 4), (b.slug, 2)]  # 3 + 3 capped by the stock of 4
    )
    assert Cart.objects.count() == 1  # the guest cart is gone
    assert api_client.get("/api/cart/", HTTP_X_CART_TOKEN=token).json()["lines"] == []


@pytest.mark.parametrize(
    "data",
    [
        {"product": "x\x00y"},
        {"product": "nope"},
        {"variant": "999999999"},
        {"variant": "\x00"},
        {"quantity": 2**63},
        {"quantity": -1},
        {"quantity": 0},
        {"quantity": "1e1000"},
        {"quantity": 1.5},
        {"product": ["a"]},
        {},
    ],
)
def test_hostile_items_are_400_and_write_nothing(api_client, data):
    product = ProductFactory()
    payload = {"product": product.slug, **data} if "product" not in data and "variant" not in data and data else data
    response = add(api_client, **payload)
    assert response.status_code == 400, (data, response.content)
    assert not Cart.objects.exists()
    assert not CartLine.objects.exists()


def test_huge_number_in_json_is_400(api_client):
    product = ProductFactory()
    body = f'{{"product": "{product.slug}", "quantity": 1e1000}}'
    response = api_client.post("/api/cart/items/", body, content_type="application/json")
    assert response.status_code == 400
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("size", [1, 50])
def test_cart_query_count_is_fixed(customer, size, django_assert_max_num_queries):
    client = client_for(customer)
    cart = Cart.objects.create(user=customer)
    size_option = OptionFactory(name="Size")
    for index in range(size):
        if index % 2:
            variant = VariantFactory(values=[OptionValueFactory(option=size_option, name=f"S{index}")])
            CartLine.objects.create(
                cart=cart, product=variant.product, variant=variant, for_variant=True, name="v", quantity=1
            )
        else:
            CartLine.objects.create(cart=cart, product=ProductFactory(), name="p", quantity=1)
    with django_assert_max_num_queries(4):  # cart, lines (+ visibility), option values; the user is forced
        body = client.get("/api/cart/").json()
    assert len(body["lines"]) == size
