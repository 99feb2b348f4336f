"""The catalog's fast read path (compiled serializers, orjson renderer, the
ETag hashed from the bytes sent) writes what the generic DRF path writes."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext, override_settings
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from bazary.catalog import filters
from bazary.catalog.listrows import ListRows
from bazary.catalog.models import get_product_model
from bazary.catalog.serializers import ProductSerializer
from bazary.testing.catalog import ProductFactory

from .conftest import client_for
from .read_paths import GenericProductSerializer, assert_same_bodies, rich_catalog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_list_and_detail_bodies_match_the_generic_path(who, manager):
    shirt, mug, plain = rich_catalog()
    client = client_for(manager if who == "staff" else None)
    assert_same_bodies(
        client,
        [
            "/api/products/",
            "/api/products/?category=sub",
            "/api/products/?page_size=2&page=2",
            "/api/products/?ordering=price",
            "/api/products/?ordering=-name&page_size=100",
            "/api/products/?tag=sale&in_stock=true",
            "/api/products/?search=shirt",
            f"/api/products/{shirt.slug}/",
            f"/api/products/{mug.slug}/",
            f"/api/products/{plain.slug}/",
        ],
    )


@pytest.mark.parametrize(
    "pagination",
    ["bazary.catalog.pagination.CatalogCursorPagination", "bazary.catalog.pagination.CatalogPageNumberPagination"],
)
def test_the_row_path_under_the_other_paginations(pagination, settings):
    """Under the cursor (its position read from the rows) and the exact-count
    pagination, the row path writes the generic path's bytes, links included."""
    rich_catalog()
    for i in range(3):
        ProductFactory(name=f"Filler {i}")
    settings.BAZARY_CATALOG = {"PAGINATION_CLASS": pagination}
    client = client_for(None)
    first = client.get("/api/products/?page_size=2").json()
    assert first["next"]
    assert_same_bodies(client, ["/api/products/?page_size=2", first["next"].removeprefix("http://testserver")])


@pytest.mark.parametrize("query", ["", "?ordering=price&in_stock=true"])
def test_the_row_path_counts_as_the_model_path(query, api_client):
    """The capped count's subquery selects the primary key, not the rows'
    columns: the same SQL as the model-instance path's count."""
    rich_catalog()
    counts = []
    for serializer in (None, "tests.catalog.read_paths.GenericProductSerializer"):
        overrides = {"PRODUCT_SERIALIZER": serializer} if serializer else {}
        with override_settings(BAZARY_CATALOG=overrides), CaptureQueriesContext(connection) as queries:
            assert api_client.get(f"/api/products/{query}").status_code == 200
        counts.append(queries.captured_queries[0]["sql"])
    assert "COUNT(*)" in counts[0]
    assert counts[0] == counts[1]


def test_the_list_builds_no_product_instances(api_client):
    """The built-in list reads rows: not one product (nor category, tag,
    image or variant) model instance is built for a page."""
    rich_catalog()
    built = []

    def count(sender, instance, **kwargs):
        built.append(type(instance).__name__)

    post_init.connect(count)
    try:
        response = api_client.get("/api/products/?page_size=100")
    finally:
        post_init.disconnect(count)
    assert len(response.json()["results"]) == 3
    assert built == []


def _reader(serializer_class):
    request = Request(APIRequestFactory().get("/api/products/"))
    return ListRows.for_serializer(serializer_class(context={"request": request}))


class WithPropertySerializer(ProductSerializer):
    """A field the rows do not have (a model property): the model path."""

    is_low_stock = serializers.BooleanField(read_only=True)

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "is_low_stock"]


class OwnPriceSerializer(ProductSerializer):
    """A built-in field's method of its own: the model path."""

    def get_price_min(self, product):
        return "0.00"


def test_which_serializers_take_the_row_path():
    assert _reader(ProductSerializer) is not None
    assert _reader(BrandedSerializer) is None  # its own to_representation
    assert _reader(WithPropertySerializer) is None
    assert _reader(OwnPriceSerializer) is None
    assert _reader(GenericProductSerializer) is None  # compiled_read = False


@pytest.mark.parametrize("serializer", ["WithPropertySerializer", "OwnPriceSerializer"])
def test_serializers_the_rows_cannot_follow_keep_working(serializer, api_client, settings):
    rich_catalog()
    settings.BAZARY_CATALOG = {"PRODUCT_SERIALIZER": f"{__name__}.{serializer}"}
    items = api_client.get("/api/products/?ordering=name").json()["results"]
    if serializer == "OwnPriceSerializer":
        assert [item["price_min"] for item in items] == ["0.00"] * 3
    else:
        expected = [p.is_low_stock for p in get_product_model().objects.order_by("name")]
        assert [item["is_low_stock"] for item in items] == expected


def test_the_filterset_is_built_only_when_the_request_names_a_filter(api_client, monkeypatch):
    """No filter parameter: the built-in filterset is not built (its filters
    would all skip); one named, even as ``tag[]``, and it filters."""
    rich_catalog()
    built = []
    init = filters.ProductFilterSet.__init__

    def spy(self, *args, **kwargs):
        built.append(kwargs.get("data"))
        init(self, *args, **kwargs)

    monkeypatch.setattr(filters.ProductFilterSet, "__init__", spy)
    assert len(api_client.get("/api/products/?page_size=10&page=1").json()["results"]) == 3
    assert built == []
    assert len(api_client.get(f"/api/products/{get_product_model().objects.get(name='Mug').slug}/").json()) > 0
    assert built == []
    assert [p["name"] for p in api_client.get("/api/products/?tag[]=eco").json()["results"]] == ["T-shirt ✓ 🎉"]
    assert len(built) == 1
    with override_settings(BAZARY_CATALOG={"PRODUCT_FILTERSET": "tests.catalog.backends.OnlyFeaturedFilterSet"}):
        assert api_client.get("/api/products/").json()["results"] == []  # a subclass filters by default
    assert len(built) == 2


class BrandedSerializer(ProductSerializer):
    """A project's subclass: an extra field, and a to_representation of its own."""

    label = serializers.SerializerMethodField()

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "label"]

    def get_label(self, product):
        return f"{product.name} ({product.category.name})"

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["shouting"] = data["name"].upper()
        return data


def test_a_subclass_field_and_to_representation_survive_the_compiled_path(api_client, settings):
    rich_catalog()
    settings.BAZARY_CATALOG = {"PRODUCT_SERIALIZER": f"{__name__}.BrandedSerializer"}
    items = api_client.get("/api/products/?ordering=name").json()["results"]
    assert [(item["label"], item["shouting"]) for item in items] == [
        ("Mug (Sub 🍐)", "MUG"),
        ("Plain (Äpfel & Birnen)", "PLAIN"),
        ("T-shirt ✓ 🎉 (Sub 🍐)", "T-SHIRT ✓ 🎉"),
    ]
    shirt = items[2]
    assert shirt["has_variants"] is True
    assert (shirt["price_min"], shirt["price_max"]) == ("19.00", "20.00")
    assert [option["slug"] for option in shirt["options"]] == ["colour", "size"]
    assert [tag["slug"] for tag in shirt["tags"]] == ["sale", "eco"]


def test_image_urls_are_the_storages_made_absolute(api_client):
    """The per-page shortcut (the storage's URL of the stored name, the
    request's origin once) gives what ``build_absolute_uri(image.image.url)``
    gives, in the list and the detail."""
    from bazary.catalog.models import ProductImage

    shirt, _, _ = rich_catalog()
    # build_absolute_uri() semantics: a storage URL that is already absolute (S3 under the
    # services run) stays as it is, a relative one (local files) gets the request's origin.
    urls = {image.alt_text: image.image.url for image in ProductImage.objects.filter(product=shirt)}
    expected = {alt: urljoin("http://testserver/", url) for alt, url in urls.items()}
    listed = api_client.get("/api/products/?category=sub").json()["results"]
    item = next(item for item in listed if item["slug"] == shirt.slug)
    assert item["primary_image"] == {"url": expected["front ☀"], "alt_text": "front ☀"}
    detail = api_client.get(f"/api/products/{shirt.slug}/").json()
    assert {image["alt_text"]: image["url"] for image in detail["images"]} == expected
    other_host = api_client.get(f"/api/products/{shirt.slug}/", HTTP_HOST="shop.example.com").json()
    assert other_host["primary_image"]["url"] == urljoin("http://shop.example.com/", urls["front ☀"])
