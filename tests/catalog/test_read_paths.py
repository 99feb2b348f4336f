"""The catalog's fast read path (compiled serializers, orjson renderer, the
ETag hashed from the bytes sent) writes what the generic DRF path writes."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from rest_framework import serializers

from bazary.catalog.serializers import ProductSerializer

from .conftest import client_for
from .read_paths import assert_same_bodies, rich_catalog

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
            f"/api/products/{shirt.slug}/",
            f"/api/products/{mug.slug}/",
            f"/api/products/{plain.slug}/",
        ],
    )


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
