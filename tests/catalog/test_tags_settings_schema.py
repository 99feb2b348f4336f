"""tags/, BAZARY_CATALOG checks, the OpenAPI schema, the admin."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from bazary.catalog.conf import catalog_settings
from bazary.catalog.models import Tag
from bazary.testing.catalog import ProductImageFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_tags_crud(catalog, api_client, manager_client):
    assert [t["slug"] for t in api_client.get("/api/tags/").json()["results"]] == ["new", "sale"]
    assert api_client.get("/api/tags/sale/").json()["name"] == "sale"
    created = manager_client.post("/api/tags/", {"name": "Gift Idea"}, format="json")
    assert created.status_code == 201
    assert created.json()["slug"] == "gift-idea"
    assert manager_client.post("/api/tags/", {"name": "Gift Idea"}, format="json").status_code == 400
    assert (
        manager_client.put("/api/tags/gift-idea/", {"name": "Gifts", "slug": "gifts"}, format="json").status_code == 200
    )
    assert manager_client.patch("/api/tags/gifts/", {"name": "Presents"}, format="json").status_code == 200
    assert manager_client.delete("/api/tags/gifts/").status_code == 204
    assert not Tag.objects.filter(slug="gifts").exists()
    assert manager_client.post("/api/tags/", {"name": "bad\x00"}, format="json").status_code == 400


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 401), ("customer", 403), ("staff", 403)])
def test_tag_writes_need_perms(catalog, customer, staff, who, expected):
    client = client_for({"anonymous": None, "customer": customer, "staff": staff}[who])
    assert client.post("/api/tags/", {"name": "x"}, format="json").status_code == expected
    assert client.patch("/api/tags/sale/", {"name": "x"}, format="json").status_code == expected
    assert client.delete("/api/tags/sale/").status_code == expected


def check_ids(**catalog):
    with override_settings(BAZARY_CATALOG=catalog):
        return {m.id for m in run_checks(tags=["bazary"]) if m.id.startswith("bazary_catalog")}


def test_settings_defaults_and_late_reading():
    assert catalog_settings.PAGE_SIZE == 20
    assert catalog_settings.MAX_PAGE_SIZE == 100
    assert catalog_settings.CURRENCY == "USD"
    assert catalog_settings.IMAGE_MAX_BYTES == 5 * 1024 * 1024
    assert catalog_settings.IMAGE_MAX_PIXELS == 25_000_000
    with override_settings(BAZARY_CATALOG={"PAGE_SIZE": 7}):
        assert catalog_settings.PAGE_SIZE == 7
    assert catalog_settings.PAGE_SIZE == 20


@pytest.mark.parametrize(
    ("values", "check_id"),
    [
        ({"PAGE_SZE": 3}, "bazary_catalog.E002"),
        ({"PAGE_SIZE": "3"}, "bazary_catalog.E003"),
        ({"SEARCH_BACKEND": "no.such.Backend"}, "bazary_catalog.E004"),
        ({"CURRENCY": "usd"}, "bazary_catalog.E010"),
        ({"CURRENCY": "EURO"}, "bazary_catalog.E010"),
        ({"PAGE_SIZE": 500}, "bazary_catalog.E011"),
        ({"IMAGE_MAX_BYTES": 0}, "bazary_catalog.E012"),
        ({"IMAGE_MAX_PIXELS": 0}, "bazary_catalog.E017"),
        ({"IMAGE_MAX_PIXELS": "25M"}, "bazary_catalog.E003"),
        ({"MAX_SEARCH_LENGTH": 0}, "bazary_catalog.E013"),
        ({"TREE_CACHE_TIMEOUT": -1}, "bazary_catalog.E014"),
        ({"PRODUCT_URL": "https://shop.example/p/"}, "bazary_catalog.E015"),
        ({"SEARCH_MAX_RESULTS": 0}, "bazary_catalog.E016"),
    ],
)
def test_checks(values, check_id):
    assert check_id in check_ids(**values)


def test_valid_settings_pass_checks():
    assert check_ids(CURRENCY="EUR", PAGE_SIZE=10, MAX_PAGE_SIZE=50, TREE_CACHE_TIMEOUT=None) == set()


def test_schema_documents_the_catalog(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for path in (
        "/api/categories/",
        "/api/categories/tree/",
        "/api/categories/{slug}/",
        "/api/products/",
        "/api/products/{slug}/",
        "/api/products/{slug}/images/",
        "/api/products/{slug}/images/{image_id}/",
        "/api/products/{slug}/stock/",
        "/api/products/{slug}/stock-alert/",
        "/api/tags/",
        "/api/tags/{slug}/",
    ):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/products/"]["get"]["parameters"]}
    assert {"category", "tag", "min_price", "max_price", "in_stock", "featured", "search", "ordering"} <= params
    assert "400" in paths["/api/products/"]["get"]["responses"]
    assert "409" in paths["/api/categories/{slug}/"]["delete"]["responses"]
    assert "409" in paths["/api/products/{slug}/stock/"]["post"]["responses"]
    assert "304" in paths["/api/products/{slug}/"]["get"]["responses"]
    assert {"401", "403"} <= set(paths["/api/products/"]["post"]["responses"])
    # category is a slug when writing, an object when reading
    components = schema["components"]["schemas"]
    assert components["ProductRequest"]["properties"]["category"]["type"] == "string"
    assert "CategoryRef" in str(components["Product"]["properties"]["category"])
    # staff-only fields are documented (and say so)
    assert "Staff only" in components["Product"]["properties"]["cost_price"]["description"]
    # No mixin's docstring passes for an operation's description.
    descriptions = {
        op.get("description", "") for item in paths.values() for op in item.values() if isinstance(op, dict)
    }
    assert not any("looked up by slug" in text or "hostile" in text for text in descriptions)


def test_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_admin_pages(catalog, admin_client, django_assert_max_num_queries):
    ProductImageFactory(product=catalog["laptop"])
    for url in (
        "/admin/bazary_catalog/category/",
        "/admin/bazary_catalog/product/",
        "/admin/bazary_catalog/product/?in_stock=no",
        "/admin/bazary_catalog/product/?q=PHN",
        f"/admin/bazary_catalog/product/{catalog['laptop'].pk}/change/",
        "/admin/bazary_catalog/tag/",
        "/admin/bazary_catalog/stockmovement/",
        "/admin/bazary_catalog/stockalert/",
        "/admin/autocomplete/?app_label=bazary_catalog&model_name=product&field_name=category&term=lap",
    ):
        assert admin_client.get(url).status_code == 200, url
    response = admin_client.get("/admin/bazary_catalog/category/")
    assert b"padding-left:3.0em" in response.content  # laptops, depth 2


def test_admin_product_list_has_no_n_plus_one(tree, admin_client, django_assert_max_num_queries):
    from bazary.testing.catalog import ProductFactory

    for i in range(20):
        ProductFactory(name=f"P{i}", category=tree["laptops"])
    with django_assert_max_num_queries(12):
        assert admin_client.get("/admin/bazary_catalog/product/").status_code == 200
