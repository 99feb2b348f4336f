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
        "variants-TOTAL_FORMS": "0",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
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
    "url",
    [
        "/admin/bazary_catalog/product/",
        "/admin/bazary_catalog/category/",
        "/admin/bazary_catalog/stockmovement/",
        "/admin/bazary_catalog/pricechange/",
    ],
)
def test_changelists_do_not_grow_queries_with_rows(admin_browser, django_assert_max_num_queries, url):
    from bazary.catalog.models import PriceChange

    def populate(n):
        for _ in range(n):
            product = ProductFactory()
            ProductImageFactory(product=product, is_primary=True)
            StockMovement.objects.create(product=product, delta=1, reason="restock", stock_after=1)
            PriceChange.objects.create(product=product, old_price=1, new_price=2, reason="Bulk set price")

    populate(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert admin_browser.get(url).status_code == 200
    populate(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_browser.get(url).status_code == 200


# --------------------------------------------------------------------------- options and variants


@pytest.mark.parametrize(
    "url",
    [
        "/admin/bazary_catalog/variant/",
        "/admin/bazary_catalog/option/",
        "/admin/bazary_catalog/product/",
        "/admin/bazary_catalog/stockmovement/",
        "/admin/bazary_catalog/stockalert/",
    ],
)
def test_variant_changelists_do_not_grow_queries_with_rows(admin_browser, django_assert_max_num_queries, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bazary.catalog.models import StockAlert
    from bazary.catalog.stock import adjust_stock
    from bazary.testing.catalog import OptionFactory, VariantFactory

    user = get_user_model().objects.get()

    def populate(n, offset):
        size = OptionFactory(name=f"Size {offset}", values=[f"S{i}" for i in range(n)])
        for index, value in enumerate(size.values.all()):
            variant = VariantFactory(values=[value])
            adjust_stock(variant, 1)
            if index == 0:
                StockAlert.objects.create(user=user, product=variant.product, variant=variant)

    populate(2, 0)
    with CaptureQueriesContext(connection) as few:
        assert admin_browser.get(url).status_code == 200
    populate(20, 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_browser.get(url).status_code == 200


def variant_form(product, values, **overrides):
    data = {
        "product": str(product.pk),
        "sku": "",
        "values": [str(value.pk) for value in values],
        "price": "",
        "compare_at_price": "",
        "cost_price": "",
        "track_inventory": "on",
        "low_stock_threshold": "5",
        "is_active": "on",
        "position": "0",
        "stock_movements-TOTAL_FORMS": "0",
        "stock_movements-INITIAL_FORMS": "0",
        "stock_movements-MIN_NUM_FORMS": "0",
        "stock_movements-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_adding_a_variant_with_its_option_values(admin_browser, tshirt):
    from bazary.catalog.models import Variant
    from bazary.testing.catalog import OptionValueFactory

    xl = OptionValueFactory(option=tshirt["size"], name="XL", position=3)
    black = tshirt["values"]["Black"]
    response = admin_browser.post(
        "/admin/bazary_catalog/variant/add/", variant_form(tshirt["product"], [xl, black], sku="TEE-XL-B")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    variant = Variant.objects.get(sku="TEE-XL-B")
    assert [value.name for value in variant.option_value_list()] == ["XL", "Black"]

    # The same combination again, or two sizes: a form error, nothing saved.
    for values in ([black, xl], [xl, tshirt["values"]["M"]]):
        response = admin_browser.post(
            "/admin/bazary_catalog/variant/add/", variant_form(tshirt["product"], values, sku="TEE-AGAIN")
        )
        assert response.status_code == 200
        assert not Variant.objects.filter(sku="TEE-AGAIN").exists()
    content = response.content.decode()
    assert "Choose one value per option." in content


def test_the_variant_page_shows_its_stock_movements_read_only(admin_browser, tshirt):
    from bazary.catalog.stock import adjust_stock

    variant = tshirt["variants"]["M/Black"]
    adjust_stock(variant, -2, reason="sold at the fair")
    response = admin_browser.get(f"/admin/bazary_catalog/variant/{variant.pk}/change/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "sold at the fair" in content
    assert 'name="stock_movements-0-delta"' not in content  # read-only, not an input


def test_the_product_inline_edits_variants_and_refuses_a_duplicate(admin_browser, tshirt):
    from django.forms.models import model_to_dict

    from bazary.catalog.models import Variant

    product = tshirt["product"]
    variants = list(Variant.objects.filter(product=product).order_by("position", "pk"))
    data = {
        key: value
        for key, value in model_to_dict(product).items()
        if value is not None and key not in ("tags", "options", "search_vector")
    }
    data.update(
        {
            "track_inventory": "on",
            "is_active": "on",
            "attributes": "{}",
            "options": [str(tshirt["size"].pk), str(tshirt["colour"].pk)],
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
            "stock_movements-TOTAL_FORMS": "0",
            "stock_movements-INITIAL_FORMS": "0",
            "variants-TOTAL_FORMS": str(len(variants)),
            "variants-INITIAL_FORMS": str(len(variants)),
        }
    )
    for data_key in ("is_featured", "allow_backorder", "is_digital"):
        data.pop(data_key, None)
    for index, variant in enumerate(variants):
        prefix = f"variants-{index}-"
        data.update(
            {
                prefix + "id": str(variant.pk),
                prefix + "product": str(product.pk),
                prefix + "sku": variant.sku,
                prefix + "values": [str(value.pk) for value in variant.option_value_list()],
                prefix + "price": "" if variant.price is None else str(variant.price),
                prefix + "track_inventory": "on",
                prefix + "is_active": "on",
                prefix + "position": str(variant.position),
            }
        )
    url = f"/admin/bazary_catalog/product/{product.pk}/change/"
    # Give the first variant the second one's values: refused.
    data["variants-0-values"] = data["variants-1-values"]
    response = admin_browser.post(url, data)
    assert response.status_code == 200
    assert Variant.objects.get(pk=variants[0].pk).combination_key == variants[0].combination_key
    # A new price on the first one: saved.
    data["variants-0-values"] = [str(value.pk) for value in variants[0].option_value_list()]
    data["variants-0-price"] = "21.50"
    response = admin_browser.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert str(Variant.objects.get(pk=variants[0].pk).price) == "21.50"


def test_admin_uploads_are_checked_and_named_like_the_apis(admin_browser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bazary.testing.catalog import png_bomb

    category = CategoryFactory()
    data = add_form(category, **{"images-0-image": image_upload("lamp.pdf", "PNG")})
    assert admin_browser.post("/admin/bazary_catalog/product/add/", data).status_code == 302
    (image,) = ProductImage.objects.all()
    assert image.image.name.endswith(".png")

    bomb = SimpleUploadedFile("bomb.png", png_bomb((6000, 6000), "RGBA"), content_type="image/png")
    data = add_form(category, slug="lamp-2", **{"images-0-image": bomb})
    response = admin_browser.post("/admin/bazary_catalog/product/add/", data)
    assert response.status_code == 200  # the form again, with the error
    assert "at most 25,000,000 pixels" in response.content.decode()
    assert ProductImage.objects.count() == 1
