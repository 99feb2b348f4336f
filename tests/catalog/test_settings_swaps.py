"""Swappable classes (serializers, permission), pagination of tags and
images whatever PAGINATION_CLASS says, and E006 for a class of the wrong kind."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from bazary.testing.catalog import ProductImageFactory

CURSOR = {"PAGINATION_CLASS": "bazary.catalog.pagination.CatalogCursorPagination"}


def check_ids(**values):
    with override_settings(BAZARY_CATALOG=values):
        return {m.id for m in run_checks(tags=["bazary"]) if m.id.startswith("bazary_catalog")}


@pytest.mark.django_db
def test_tags_and_images_page_by_number_under_cursor_pagination(catalog, api_client, manager_client):
    laptop = catalog["laptop"]
    ProductImageFactory(product=laptop, alt_text="front")
    with override_settings(BAZARY_CATALOG=CURSOR):
        tags = api_client.get("/api/tags/")
        assert tags.status_code == 200, tags.content
        assert tags.json()["count"] == 2
        assert [t["slug"] for t in tags.json()["results"]] == ["new", "sale"]
        assert api_client.get("/api/tags/", {"page_size": 1, "page": 2}).json()["results"][0]["slug"] == "sale"
        images = api_client.get(f"/api/products/{laptop.slug}/images/")
        assert images.status_code == 200, images.content
        assert images.json()["count"] == 1
        # The lists that have created_at do use the cursor.
        products = api_client.get("/api/products/")
        assert products.status_code == 200
        assert "count" not in products.json()


@pytest.mark.django_db
def test_tag_and_image_serializers_are_swappable(catalog, api_client, manager_client):
    laptop = catalog["laptop"]
    ProductImageFactory(product=laptop, alt_text="front")
    with override_settings(
        BAZARY_CATALOG={
            "TAG_SERIALIZER": "tests.catalog.backends.SlimTagSerializer",
            "IMAGE_SERIALIZER": "tests.catalog.backends.SlimImageSerializer",
        }
    ):
        assert api_client.get("/api/tags/").json()["results"] == [{"slug": "new"}, {"slug": "sale"}]
        assert set(api_client.get(f"/api/products/{laptop.slug}/images/").json()["results"][0]) == {"id", "alt_text"}
        detail = api_client.get(f"/api/products/{laptop.slug}/").json()
        assert set(detail["images"][0]) == {"id", "alt_text"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/categories/", "/api/categories/books/", "/api/products/", "/api/products/a-quiet-novel/", "/api/tags/"],
)
def test_permission_class_is_swappable(catalog, api_client, manager_client, path):
    assert api_client.get(path).status_code == 200
    with override_settings(BAZARY_CATALOG={"PERMISSION_CLASS": "tests.catalog.backends.NoOnePermission"}):
        assert api_client.get(path).status_code in (401, 403)
        assert manager_client.get(path).status_code == 403
    assert api_client.get(path).status_code == 200


@pytest.mark.parametrize(
    "key",
    [
        "PRODUCT_SERIALIZER",
        "PRODUCT_DETAIL_SERIALIZER",
        "CATEGORY_SERIALIZER",
        "TAG_SERIALIZER",
        "IMAGE_SERIALIZER",
        "PRODUCT_FILTERSET",
        "SEARCH_BACKEND",
        "PAGINATION_CLASS",
        "PERMISSION_CLASS",
    ],
)
def test_a_class_of_the_wrong_kind_is_e006(key):
    assert check_ids(**{key: "tests.catalog.backends.NotASerializer"}) == {"bazary_catalog.E006"}


def test_the_swappable_classes_of_the_tests_pass_checks():
    assert (
        check_ids(
            TAG_SERIALIZER="tests.catalog.backends.SlimTagSerializer",
            IMAGE_SERIALIZER="tests.catalog.backends.SlimImageSerializer",
            PERMISSION_CLASS="tests.catalog.backends.NoOnePermission",
            SEARCH_BACKEND="tests.catalog.backends.NothingBackend",
            PRODUCT_FILTERSET="tests.catalog.backends.OnlyFeaturedFilterSet",
            PRODUCT_SERIALIZER="tests.catalog.backends.SlimProductSerializer",
            **CURSOR,
        )
        == set()
    )
