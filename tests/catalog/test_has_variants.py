"""The stored ``has_variants`` flag of products: kept current by every write
of variants (the ORM, the API, the admin, the import, the demo seed), never
written back by a stale product's ``save()``, corrected by ``post_migrate``,
and read by the list filters and the cart."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.test import Client

from bazary.catalog.models import Product, Variant
from bazary.catalog.variants import fix_has_variants, refresh_has_variants
from bazary.testing.catalog import OptionFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def flag(product) -> bool:
    return Product.objects.values_list("has_variants", flat=True).get(pk=product.pk)


def test_a_saved_variant_sets_the_flag_and_the_callers_product(tree):
    product = ProductFactory(category=tree["books"])
    assert not flag(product)
    assert not product.has_variants
    Variant.objects.create(product=product, sku="V-1", combination_key="a")
    assert flag(product)
    assert product.has_variants  # the instance the variant was given, too


def test_deleting_variants_clears_the_flag_once_none_is_left(tshirt):
    product = tshirt["product"]
    assert flag(product)
    tshirt["variants"]["S/Black"].delete()
    assert flag(product)  # five left
    Variant.objects.filter(product=product).exclude(sku="TEE-M-B").delete()  # a queryset's delete
    assert flag(product)
    Variant.objects.get(sku="TEE-M-B").delete()
    assert not flag(product)


def test_inactive_variants_still_count(tshirt):
    product = tshirt["product"]
    Variant.objects.filter(product=product).update(is_active=False)
    refresh_has_variants([product.pk])
    assert flag(product)  # it sells only through them: not at all


def test_deleting_a_product_deletes_its_variants(tshirt):
    tshirt["product"].delete()  # the variants' post_delete runs for a product being deleted
    assert not Variant.objects.exists()


def test_a_variant_moved_to_another_product_moves_the_flag(tree):
    first, second = ProductFactory(category=tree["books"]), ProductFactory(category=tree["books"])
    VariantFactory(product=first, sku="MOVE-1")
    variant = Variant.objects.get(sku="MOVE-1")  # loaded, as the admin's variant page does
    variant.product = second
    variant.save()
    assert (flag(first), flag(second)) == (False, True)


def test_a_stale_product_saved_keeps_the_flag(tree):
    product = ProductFactory(category=tree["books"])
    stale = Product.objects.get(pk=product.pk)
    VariantFactory(product=product)
    stale.name = "Renamed"
    stale.save()
    assert flag(product)
    assert Product.objects.get(pk=product.pk).name == "Renamed"


def test_a_product_loaded_with_deferred_fields_saves_only_its_loaded_ones(tree):
    """As Django's own save() does: a deferred field is neither loaded (one
    query each) nor written back."""
    product = ProductFactory(category=tree["books"], description="Kept.")
    partial = Product.objects.only("name", "slug", "sku").get(pk=product.pk)
    partial.name = "Renamed"
    partial.save()
    assert partial.get_deferred_fields() >= {"description", "price"}
    product.refresh_from_db()
    assert (product.name, product.description) == ("Renamed", "Kept.")


def test_the_api_keeps_the_flag(tree, manager_client):
    OptionFactory(name="Size", values=["S"])
    product = ProductFactory(name="Hoodie", category=tree["books"])
    url = f"/api/products/{product.slug}/variants/"
    response = manager_client.post(url, {"options": {"size": "S"}}, format="json")
    assert response.status_code == 201, response.json()
    assert flag(product)
    assert manager_client.get(f"/api/products/{product.slug}/").json()["has_variants"] is True
    assert manager_client.delete(f"{url}{response.json()['id']}/").status_code == 204
    assert not flag(product)
    assert manager_client.get(f"/api/products/{product.slug}/").json()["has_variants"] is False


def test_the_admin_inline_keeps_the_flag(tree):
    from django.forms.models import model_to_dict

    user = get_user_model().objects.create_superuser(email="root@example.com", password="pw-not-used-here")
    browser = Client()
    browser.force_login(user)
    product = ProductFactory(category=tree["books"], price=Decimal("9.00"))
    data = {
        key: value
        for key, value in model_to_dict(product).items()
        if value is not None and key not in ("tags", "options", "search_vector", "is_featured", "allow_backorder")
    }
    data.update(
        {
            "track_inventory": "on",
            "is_active": "on",
            "attributes": "{}",
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
            "stock_movements-TOTAL_FORMS": "0",
            "stock_movements-INITIAL_FORMS": "0",
            "variants-TOTAL_FORMS": "1",
            "variants-INITIAL_FORMS": "0",
            "variants-0-product": str(product.pk),
            "variants-0-sku": "INLINE-1",
            "variants-0-track_inventory": "on",
            "variants-0-is_active": "on",
            "variants-0-position": "0",
        }
    )
    data.pop("is_digital", None)
    url = f"/admin/bazary_catalog/product/{product.pk}/change/"
    response = browser.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert flag(product)
    variant = Variant.objects.get(sku="INLINE-1")
    data.update(
        {
            "variants-INITIAL_FORMS": "1",
            "variants-0-id": str(variant.pk),
            "variants-0-DELETE": "on",
        }
    )
    response = browser.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Variant.objects.exists()
    assert not flag(product)


def run_import(tmp_path, rows) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(rows))
    call_command("bazary_import_products", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_the_import_keeps_the_flag(tmp_path):
    row = {
        "sku": "T-1",
        "name": "Tee",
        "price": "10",
        "category": "Clothes",
        "options": ["Size"],
        "variants": [{"sku": "T-1-S", "options": {"Size": "S"}, "stock": 2}],
    }
    plain = {"sku": "P-1", "name": "Mug", "price": "4", "category": "Kitchen"}
    run_import(tmp_path, [row, plain])  # inserted in bulk: no post_save
    assert Product.objects.get(sku="T-1").has_variants
    assert not Product.objects.get(sku="P-1").has_variants
    # The product's row again without its variants: they stay, and so does the flag.
    run_import(tmp_path, [{key: value for key, value in row.items() if key not in ("options", "variants")}])
    assert Variant.objects.filter(sku="T-1-S").exists()
    assert Product.objects.get(sku="T-1").has_variants


def test_the_demo_seed_keeps_the_flag():
    call_command("bazary_seed_demo", "--products", "5", "--no-images", stdout=io.StringIO())
    with_variants = set(Product.objects.filter(variants__isnull=False).values_list("pk", flat=True))
    assert with_variants
    assert set(Product.objects.filter(has_variants=True).values_list("pk", flat=True)) == with_variants


def test_post_migrate_corrects_stale_flags(tshirt, tree):
    product = tshirt["product"]
    plain = ProductFactory(category=tree["books"])
    # What a swapped product model's own migration leaves (the column added,
    # False everywhere), and a flag a raw SQL delete left behind.
    Product.objects.filter(pk=product.pk).update(has_variants=False)
    Product.objects.filter(pk=plain.pk).update(has_variants=True)
    post_migrate.send(
        sender=apps.get_app_config("bazary_catalog"),
        app_config=apps.get_app_config("bazary_catalog"),
        verbosity=0,
        interactive=False,
        using="default",
        apps=apps,
        plan=[],
    )
    assert (flag(product), flag(plain)) == (True, False)


def test_post_migrate_waits_for_the_column(tshirt):
    """Before the product model's migration adds the column (a swapped model's
    app not migrated yet), the receiver does nothing instead of failing."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    state = MigrationExecutor(connection).loader.project_state(("bazary_catalog", "0011_productimage_source_url"))
    fix_has_variants(using="default", apps=state.apps)  # no has_variants in that state: no query fails


def test_the_cart_asks_for_a_variant_once_the_product_has_some(api_client):
    product = ProductFactory(price=Decimal("12.50"), stock=5)
    response = api_client.post("/api/cart/items/", {"product": product.slug}, format="json")
    assert response.status_code == 201, response.json()
    token = response.json()["token"]
    VariantFactory(product=product)
    line = api_client.get("/api/cart/", HTTP_X_CART_TOKEN=token).json()["lines"][0]
    assert line["reason"] == "variant_required"


def test_the_list_reads_variants_only_for_a_page_that_has_some(tree, api_client):
    """The list's row path asks for variants (and their option values) only
    when a product of the page has variants by its stored flag."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ProductFactory.create_batch(3, category=tree["books"])

    def variant_queries():
        with CaptureQueriesContext(connection) as ctx:
            body = api_client.get("/api/products/").json()
        return body, [q for q in ctx.captured_queries if 'FROM "bazary_catalog_variant"' in q["sql"]]

    body, queries = variant_queries()
    assert queries == []
    assert {row["has_variants"] for row in body["results"]} == {False}
    shirt = ProductFactory(category=tree["books"], name="Shirt")
    VariantFactory(product=shirt, values=[OptionFactory(name="Size", values=["M"]).values.get()])
    body, queries = variant_queries()
    assert len(queries) == 1
    row = next(row for row in body["results"] if row["name"] == "Shirt")
    assert row["has_variants"] is True
    assert [option["slug"] for option in row["options"]] == ["size"]
