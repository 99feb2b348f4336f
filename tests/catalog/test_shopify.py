"""Shopify's product CSV: bazary_import_products --format shopify and
products/import/ with format=shopify, on a sample written from Shopify's
public column list (tests/catalog/data/shopify_products.csv)."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bazary.catalog.models import Product, Variant

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "shopify_products.csv"


@pytest.fixture(autouse=True)
def sample(shopify_sample):
    """The sample with its image URLs on a loopback server (the import downloads them)."""
    return shopify_sample


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_sample_maps_products_options_and_variants(sample):
    out, _ = run("bazary_import_products", str(sample), "--format", "shopify")
    assert "3 created, 0 updated" in out
    tee = Product.objects.get(slug="organic-cotton-tee")
    assert (tee.sku, tee.name, tee.price, tee.is_active) == (
        "organic-cotton-tee",
        "Organic Cotton Tee",
        Decimal("25.00"),
        True,
    )
    assert tee.description == "<p>Soft, <strong>organic</strong> cotton.</p>"
    assert tee.attributes == {"vendor": "Northwind"}
    assert [c.name for c in [*tee.category.get_ancestors(), tee.category]] == [
        "Apparel & Accessories",
        "Clothing",
        "Shirts & Tops",
    ]
    assert sorted(tee.tags.values_list("name", flat=True)) == ["cotton", "summer"]
    assert (tee.seo_title, tee.seo_description) == ("Organic tee", "Soft organic cotton tee")
    assert set(tee.options.values_list("name", flat=True)) == {"Size", "Colour"}
    variants = {v.sku: v for v in Variant.objects.filter(product=tee)}
    assert set(variants) == {"TEE-S-BLK", "TEE-M-BLK", "TEE-L-WHT"}
    small, medium, large = variants["TEE-S-BLK"], variants["TEE-M-BLK"], variants["TEE-L-WHT"]
    assert {v.name for v in large.option_value_list()} == {"L", "White"}
    assert (small.price, small.compare_at_price, small.cost_price, small.weight) == (
        Decimal("25.00"),
        Decimal("30.00"),
        Decimal("9.50"),
        Decimal("0.180"),
    )
    assert (small.stock, medium.stock, large.stock) == (12, 0, 0)  # Shopify's -2 (oversold) is 0
    assert (medium.allow_backorder, small.allow_backorder) == (True, False)
    assert large.price == Decimal("27.00")

    mug = Product.objects.get(sku="MUG-1")
    assert (mug.slug, mug.price, mug.compare_at_price, mug.stock) == ("enamel-mug", Decimal("12.00"), None, 40)
    assert not mug.variants.exists()
    assert mug.category.name == "Kitchen"
    assert sorted(mug.tags.values_list("name", flat=True)) == ["camping", "gift"]

    card = Product.objects.get(slug="gift-card")
    assert (card.sku, card.is_active, card.is_digital, card.track_inventory) == ("gift-card", False, True, False)


def test_the_same_file_again_updates_in_place(sample):
    run("bazary_import_products", str(sample), "--format", "shopify")
    out, _ = run("bazary_import_products", str(sample), "--format", "shopify")
    assert "0 created, 3 updated" in out
    assert Variant.objects.count() == 3


def without_file_names(text):
    """The export's rows with each image URL replaced by the image's index in
    its product's list (a re-import stores each image under a new name)."""
    import csv
    import json

    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        images = json.loads(row["images"]) if row["images"] else []
        index = {image.pop("url"): n for n, image in enumerate(images)}
        variants = json.loads(row["variants"]) if row["variants"] else []
        for variant in variants:
            variant["image"] = index.get(variant["image"])
        rows.append({**row, "images": images, "variants": variants})
    return rows


def test_round_trip_through_bazary_s_export(tmp_path, sample, image_server, local_storage):
    """Shopify → bazary → export → wipe → import the export → the same
    export (images included, downloaded again from the exported URLs)."""
    from urllib.parse import urlsplit

    from bazary.catalog.models import ProductImage
    from tests.catalog.image_server import Route

    run("bazary_import_products", str(sample), "--format", "shopify")
    first = tmp_path / "first.csv"
    run("bazary_export_products", "--output", str(first), "--base-url", image_server.url("/"))
    for image in ProductImage.objects.all():
        with image.image.open("rb") as handle:
            image_server.routes[urlsplit(image.image.storage.url(image.image.name)).path] = Route(200, handle.read())
    Product.objects.all().delete()
    run("bazary_import_products", str(first))
    second = tmp_path / "second.csv"
    run("bazary_export_products", "--output", str(second), "--base-url", image_server.url("/"))
    assert without_file_names(second.read_text()) == without_file_names(first.read_text())
    assert sum(len(row["images"]) for row in without_file_names(first.read_text())) == 4
    assert Variant.objects.count() == 3


def test_a_bad_variant_is_reported_on_its_product_s_line(tmp_path):
    text = SAMPLE.read_text().replace(
        "TEE-M-BLK,190,shopify,0,continue,manual,25.00", "TEE-M-BLK,190,shopify,0,continue,manual,cheap"
    )
    path = tmp_path / "bad.csv"
    path.write_text(text)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 invalid row"):
        call_command("bazary_import_products", str(path), "--format", "shopify", stdout=io.StringIO(), stderr=err)
    assert "line 2:" in err.getvalue()
    assert not Product.objects.exists()


def test_a_file_that_is_not_shopify_s_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("sku,name,price,category\nA,B,1,C\n")
    with pytest.raises(CommandError, match="Not a Shopify product CSV"):
        run("bazary_import_products", str(path), "--format", "shopify")


def test_the_http_import_reads_shopify_too(django_capture_on_commit_callbacks, sample):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import client_for, make_user

    client = client_for(make_user("importer", staff=True, perms=("add_product",)))
    upload = SimpleUploadedFile("products_export.csv", sample.read_bytes(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/products/import/", {"file": upload, "format": "shopify"}, format="multipart")
    assert response.status_code == 202
    job = client.get(response.json()["url"]).json()
    assert (job["status"], job["created"], job["format"]) == ("succeeded", 3, "shopify")
