"""The catalog admin: changelists without N+1, and products added like the API does."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from bazary.catalog.models import Product, ProductImage, StockMovement
from bazary.testing.catalog import CategoryFactory, ProductFactory, ProductImageFactory, image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(db) -> Client:
    user = get_user_model().objects.create_superuser(email="root@example.com", password="pw-not-used-here")
    client = Client()
    client.force_login(user)
    return client


def add_form(category, **overrides):
    data = {
        "name": "Desk lamp",
        "slug": "desk-lamp",
        "sku": "",
        "description": "",
        "price": "12.50",
        "currency": "USD",
        "low_stock_threshold": "5",
        "track_inventory": "on",
        "is_active": "on",
        "category": str(category.pk),
        "attributes": "{}",
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
        "images-0-image": image_upload("lamp.png"),
        "images-0-alt_text": "A lamp",
        "images-0-position": "0",
        "stock_movements-TOTAL_FORMS": "0",
        "stock_movements-INITIAL_FORMS": "0",
        "stock_movements-MIN_NUM_FORMS": "0",
        "stock_movements-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_adding_a_product_generates_its_sku_and_makes_the_first_image_primary(admin_browser):
    category = CategoryFactory()
    response = admin_browser.post("/admin/bazary_catalog/product/add/", add_form(category))
    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(slug="desk-lamp")
    assert product.sku.startswith("SKU-")
    (image,) = ProductImage.objects.filter(product=product)
    assert image.is_primary
    assert (image.width, image.height) == (8, 8)


def test_two_primary_images_are_a_form_error_not_a_500(admin_browser):
    category = CategoryFactory()
    data = add_form(
        category,
        **{
            "images-TOTAL_FORMS": "2",
            "images-0-is_primary": "on",
            "images-1-image": image_upload("second.png"),
            "images-1-position": "1",
            "images-1-is_primary": "on",
        },
    )
    response = admin_browser.post("/admin/bazary_catalog/product/add/", data)
    assert response.status_code == 200
    assert "Only one image can be the primary image." in response.content.decode()
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "url", ["/admin/bazary_catalog/product/", "/admin/bazary_catalog/category/", "/admin/bazary_catalog/stockmovement/"]
)
def test_changelists_do_not_grow_queries_with_rows(admin_browser, django_assert_max_num_queries, url):
    def populate(n):
        for _ in range(n):
            product = ProductFactory()
            ProductImageFactory(product=product, is_primary=True)
            StockMovement.objects.create(product=product, delta=1, reason="restock", stock_after=1)

    populate(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert admin_browser.get(url).status_code == 200
    populate(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_browser.get(url).status_code == 200
