"""Filters of products/ with variants, on real result sets: ?option=,
min_price/max_price and in_stock through the variants, the staff filters
low_stock and created_after/created_before, and search by a variant's SKU."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bazary.catalog.models import Product, Variant
from bazary.testing.catalog import OptionFactory, OptionValueFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(catalog, tshirt):
    """The catalog (laptop 1299, phone 499, novel 15 out of stock, hidden 5),
    the T-shirt (S/M 20.00, L 25.00; L/White out of stock) and a hoodie in M/Grey."""
    grey = OptionValueFactory(option=tshirt["colour"], name="Grey", position=2)
    hoodie = ProductFactory(name="Hoodie", price="45.00", category=tshirt["product"].category, stock=0)
    VariantFactory(product=hoodie, sku="HOOD-M-G", values=[tshirt["values"]["M"], grey], stock=1)
    return {**catalog, **tshirt, "hoodie": hoodie}


def slugs(client, query):
    response = client.get(f"/api/products/?{query}")
    assert response.status_code == 200, response.json()
    return sorted(p["slug"] for p in response.json()["results"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("option=size:M", ["basic-tee", "hoodie"]),
        ("option=size:m", ["basic-tee", "hoodie"]),  # by slug or name, any case
        ("option=size:M&option=colour:black", ["basic-tee"]),
        ("option=colour:black&option=size:M", ["basic-tee"]),
        ("option=size:M&option=colour:grey", ["hoodie"]),
        ("option=size:S&option=colour:grey", []),  # no single variant is both
        ("option=size:S&option=size:L", ["basic-tee"]),  # one of the values of an option
        ("option=size:L&option=colour:White", ["basic-tee"]),  # out of stock still matches
        ("option=size:XS", []),
        ("option=material:cotton", []),
        ("option=size:M&category=books", ["basic-tee", "hoodie"]),
        ("option=size:M&search=hoodie", ["hoodie"]),
    ],
)
def test_the_option_filter(shop, api_client, query, expected):
    assert slugs(api_client, query) == expected


def test_the_option_filter_ignores_inactive_variants_for_customers(shop, api_client, manager_client):
    Variant.objects.filter(sku="HOOD-M-G").update(is_active=False)
    assert slugs(api_client, "option=colour:grey") == []
    assert slugs(manager_client, "option=colour:grey") == ["hoodie"]


@pytest.mark.parametrize(
    "query",
    [
        "option=size",
        "option=:M",
        "option=size:",
        "option=size%00:M",
        "option=" + "x" * 101 + ":M",
        "option=size:" + "x" * 10_000,
        "&".join(f"option=size:{n}" for n in range(21)),
    ],
)
def test_bad_option_filters_are_400(shop, api_client, query):
    response = api_client.get(f"/api/products/?{query}")
    assert response.status_code == 400
    assert "option" in response.json()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The tee: 20.00 (S, M) and 25.00 (L); the hoodie: 45.00 (its variant has no price).
        ("max_price=20", ["a-quiet-novel", "basic-tee"]),
        ("max_price=19.99", ["a-quiet-novel"]),
        ("min_price=25", ["basic-tee", "hoodie", "pocket-phone", "ultrabook-pro-14"]),
        ("min_price=25.01", ["hoodie", "pocket-phone", "ultrabook-pro-14"]),
        ("min_price=21&max_price=24", []),  # between its variants' prices: no variant there
        ("min_price=20&max_price=24", ["basic-tee"]),
        ("min_price=40&max_price=50", ["hoodie"]),
    ],
)
def test_price_filters_take_variants_into_account(shop, api_client, query, expected):
    assert slugs(api_client, query) == expected


def test_an_inactive_variants_price_does_not_count(shop, api_client):
    Variant.objects.filter(sku__startswith="TEE-L").update(is_active=False)
    assert slugs(api_client, "min_price=21&max_price=30") == []


def test_in_stock_takes_variants_into_account(shop, api_client):
    everything = ["a-quiet-novel", "basic-tee", "hoodie", "pocket-phone", "ultrabook-pro-14"]
    assert slugs(api_client, "in_stock=true") == ["basic-tee", "hoodie", "pocket-phone", "ultrabook-pro-14"]
    assert slugs(api_client, "in_stock=false") == ["a-quiet-novel"]
    # The hoodie's only variant sells out; its own stock column (0) never counted.
    Variant.objects.filter(sku="HOOD-M-G").update(stock=0)
    Product.objects.filter(pk=shop["hoodie"].pk).update(stock=99)
    assert slugs(api_client, "in_stock=false") == ["a-quiet-novel", "hoodie"]
    # Every variant inactive: not in stock either.
    Variant.objects.filter(product=shop["product"]).update(is_active=False)
    assert slugs(api_client, "in_stock=false") == ["a-quiet-novel", "basic-tee", "hoodie"]
    assert sorted(slugs(api_client, "in_stock=true") + slugs(api_client, "in_stock=false")) == everything


def test_low_stock_is_a_staff_filter(shop, api_client, manager_client):
    Product.objects.filter(slug__in=["pocket-phone", "ultrabook-pro-14"]).update(low_stock_threshold=2)
    Variant.objects.filter(product=shop["product"]).update(stock=10)
    # The novel (0), the hoodie's variant (1 <= 5); the tee's variants all have 10.
    assert slugs(manager_client, "low_stock=true") == ["a-quiet-novel", "hoodie"]
    Variant.objects.filter(sku="TEE-M-W").update(stock=2)
    assert "basic-tee" in slugs(manager_client, "low_stock=true")
    assert "basic-tee" not in slugs(manager_client, "low_stock=false")
    # An inactive variant's stock does not make its product low.
    Variant.objects.filter(sku="TEE-M-W").update(is_active=False)
    assert "basic-tee" not in slugs(manager_client, "low_stock=true")
    # Customers: ignored, not an error and not a leak.
    assert len(slugs(api_client, "low_stock=true")) == 5
    assert manager_client.get("/api/products/?low_stock=maybe").status_code == 400


def test_created_after_and_before_are_staff_filters(shop, api_client, manager_client):
    old = timezone.now() - timezone.timedelta(days=30)
    Product.objects.exclude(slug__in=["hoodie", "basic-tee"]).update(created_at=old)
    cut = (timezone.now() - timezone.timedelta(days=1)).isoformat()
    assert slugs(manager_client, f"created_after={cut.replace('+', '%2B')}") == ["basic-tee", "hoodie"]
    before = slugs(manager_client, f"created_before={cut.replace('+', '%2B')}")
    assert before == ["a-quiet-novel", "hidden-thing", "pocket-phone", "ultrabook-pro-14"]
    assert slugs(manager_client, "created_after=2000-01-01") == slugs(manager_client, "")
    assert len(slugs(api_client, f"created_after={cut.replace('+', '%2B')}")) == 5  # ignored for customers
    for bad in ("yesterday", "2026-13-01", "1e1000", "%00"):
        assert manager_client.get(f"/api/products/?created_after={bad}").status_code == 400


@pytest.mark.parametrize("text", ["TEE-M-B", "tee-m-b", "HOOD-M-G"])
def test_search_finds_a_product_by_a_variant_sku(shop, api_client, text):
    expected = "hoodie" if text.startswith("HOOD") else "basic-tee"
    assert slugs(api_client, f"search={text}") == [expected]


def test_filters_add_no_query(shop, api_client, django_assert_max_num_queries):
    size = OptionFactory(name="Size")
    for n in range(15):
        product = ProductFactory(name=f"Shirt {n}", category=shop["product"].category)
        VariantFactory(product=product, values=[OptionValueFactory(option=size, name=f"N{n}")], price="21.00")
    query = "option=size:M&option=colour:black&min_price=1&max_price=100&in_stock=true"
    with django_assert_max_num_queries(6) as few:
        assert slugs(api_client, f"{query}&page_size=1")
    with django_assert_max_num_queries(len(few.captured_queries)):
        api_client.get(f"/api/products/?{query}&page_size=100")
