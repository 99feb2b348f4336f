"""The catalog with swapped Product and Category models: fresh migrations,
and the API, filters, images and stock working on the project's models."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from bazary.catalog.listrows import ListRows
from bazary.catalog.models import Product as DefaultProduct
from bazary.catalog.models import ProductImage, StockMovement, get_category_model, get_product_model
from bazary.testing.catalog import CategoryFactory, ProductFactory, image_upload
from tests.catalog.read_paths import assert_same_bodies, rich_catalog
from tests.projects.custom_models.shop.models import Category, Product
from tests.projects.custom_models.shop.serializers import ProductDetailSerializer as ProjectProductDetailSerializer
from tests.projects.custom_models.shop.serializers import ProductSerializer as ProjectProductSerializer

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client():
    user = get_user_model().objects.create_user("manager", "manager@example.com", "pw-123456789")
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_product", "change_product", "add_productimage", "add_category", "change_category"]
        )
    )
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_swapped_models_are_in_use():
    assert get_product_model() is Product
    assert get_category_model() is Category
    assert DefaultProduct._meta.swapped == "shop.Product"
    assert ProductImage._meta.get_field("product").related_model is Product
    assert Product._meta.get_field("category").related_model is Category


@pytest.mark.django_db(transaction=True)
def test_migrations_are_complete_and_apply_from_scratch():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
    call_command("migrate", "bazary_catalog", "zero", verbosity=0)
    call_command("migrate", "shop", "zero", verbosity=0)
    call_command("migrate", verbosity=0)
    assert Product.objects.count() == 0


def test_list_detail_and_create_expose_the_extra_fields(manager_client, api_client):
    root = CategoryFactory(name="Shoes", icon="shoe")
    child = CategoryFactory(name="Boots", parent=root)
    ProductFactory(name="Hiking Boot", brand="Alpen", category=child)

    listed = api_client.get("/api/products/?category=shoes").json()["results"]
    assert [(p["slug"], p["brand"]) for p in listed] == [("hiking-boot", "Alpen")]
    detail = api_client.get("/api/products/hiking-boot/").json()
    assert detail["brand"] == "Alpen"
    assert [a["slug"] for a in detail["category"]["ancestors"]] == ["shoes"]
    assert api_client.get("/api/categories/shoes/").json()["icon"] == "shoe"

    response = manager_client.post(
        "/api/products/",
        {"name": "Trail Runner", "price": "89.00", "category": "boots", "brand": "Fell"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["brand"] == "Fell"
    assert Product.objects.get(slug="trail-runner").brand == "Fell"


def test_images_stock_and_tree_on_swapped_models(manager_client, api_client):
    product = ProductFactory(name="Sandal", category=CategoryFactory(name="Summer"), stock=1)
    assert manager_client.post("/api/products/sandal/images/", {"image": image_upload()}).status_code == 201
    assert api_client.get("/api/products/").json()["results"][0]["primary_image"] is not None
    assert manager_client.post("/api/products/sandal/stock/", {"delta": -1}, format="json").json()["stock"] == 0
    assert manager_client.post("/api/products/sandal/stock/", {"delta": -1}, format="json").status_code == 409
    assert StockMovement.objects.get(product=product).delta == -1
    assert api_client.get("/api/categories/tree/").json()[0]["slug"] == "summer"


def test_seed_demo_and_round_trip_with_swapped_models(tmp_path):
    call_command("bazary_seed_demo", "--products", "5", "--no-images", "--no-variants", stdout=io.StringIO())
    assert Product.objects.count() == 5
    path = tmp_path / "p.json"
    call_command("bazary_export_products", "--output", str(path), stdout=io.StringIO())
    call_command("bazary_import_products", str(path), stdout=io.StringIO())
    assert Product.objects.count() == 5


def test_variants_of_a_swapped_product(api_client):
    call_command("bazary_seed_demo", "--products", "0", "--no-images", stdout=io.StringIO())
    tee = Product.objects.get(sku="DEMO-TEE")
    assert tee.variants.count() == 12
    assert [option.name for option in tee.options.all()] == ["Size", "Colour"]
    listed = api_client.get("/api/products/?option=size:S&option=colour:white").json()["results"]
    assert [p["sku"] for p in listed] == ["DEMO-TEE"]
    assert listed[0]["brand"] == ""
    detail = api_client.get(f"/api/products/{tee.slug}/").json()
    assert len(detail["variants"]) == 12
    # The swapped model's own flag and index (its migration 0003), kept by the variants' writes.
    assert tee.has_variants
    assert any(index.fields[:3] == ["category", "is_active", "has_variants"] for index in Product._meta.indexes)
    tee.variants.update(stock=0)
    in_stock = api_client.get("/api/products/?in_stock=true&page_size=100").json()["results"]
    assert "DEMO-TEE" not in [p["sku"] for p in in_stock]


def test_post_migrate_fills_the_flag_of_a_swapped_product():
    """What shop's migration 0003 leaves on an existing catalog (the column,
    False everywhere) is corrected when migrate finishes."""
    call_command("bazary_seed_demo", "--products", "0", "--no-images", stdout=io.StringIO())
    Product.objects.update(has_variants=False)
    call_command("migrate", verbosity=0)  # nothing to apply: post_migrate still runs
    assert Product.objects.get(sku="DEMO-TEE").has_variants


class GenericProductSerializer(ProjectProductSerializer):
    compiled_read = False


class GenericProductDetailSerializer(ProjectProductDetailSerializer):
    compiled_read = False


def test_compiled_read_path_writes_what_the_generic_path_writes(api_client):
    """The project's serializers (with ``brand``) through bazary's compiled
    read path and renderer, against the same serializers with DRF's generic
    path and DRF's renderer: the same bytes, ``brand`` included."""
    products = rich_catalog(brand="Alpen ✓")
    # brand is a column of the swapped model: the list still reads rows.
    request = Request(APIRequestFactory().get("/api/products/"))
    assert ListRows.for_serializer(ProjectProductSerializer(context={"request": request})) is not None
    listed = api_client.get("/api/products/").json()["results"]
    assert {item["brand"] for item in listed} == {"Alpen ✓"}
    assert_same_bodies(
        api_client,
        [
            "/api/products/",
            "/api/products/?category=sub",
            "/api/products/?page_size=100&ordering=-price",
            *(f"/api/products/{p.slug}/" for p in products),
        ],
        generic={
            "PRODUCT_SERIALIZER": f"{__name__}.GenericProductSerializer",
            "PRODUCT_DETAIL_SERIALIZER": f"{__name__}.GenericProductDetailSerializer",
        },
    )
