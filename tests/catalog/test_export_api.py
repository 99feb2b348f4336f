"""GET products/export/: staff only, streamed, every product with its
variants, CSV cells safe to open in a spreadsheet."""

import csv
import io
import json

import pytest

from bazary.catalog.models import OptionValue
from bazary.testing.catalog import OptionFactory, ProductFactory, VariantFactory

from .conftest import client_for, make_user

pytestmark = pytest.mark.django_db

URL = "/api/products/export/"


@pytest.fixture
def viewer(db):
    return make_user("viewer", staff=True, perms=("view_product",))


@pytest.fixture
def viewer_client(viewer):
    return client_for(viewer)


def body(response):
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize(
    ("who", "status"), [(None, 401), ("customer", 403), ("staff", 403), ("manager", 403), ("viewer", 200)]
)
def test_export_permissions(catalog, who, status, request):
    """Staff with view_product only: the change/add/delete permissions of a
    catalog manager do not include reading cost prices in bulk."""
    user = request.getfixturevalue(who) if who else None
    assert client_for(user).get(URL).status_code == status


def test_csv_has_every_product_cost_prices_and_neutralised_formulas(tree, viewer_client):
    ProductFactory(name='=HYPERLINK("http://evil")', sku="+SUM(A1)", price="5.00", category=tree["books"])
    ProductFactory(name="Hidden", sku="H-1", price="5.00", cost_price="2.50", is_active=False, category=tree["books"])
    ProductFactory(name="@cmd", sku="N-1", description="-2 degrees", category=tree["books"])
    response = viewer_client.get(URL + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="products-')
    rows = {row["sku"]: row for row in csv.DictReader(io.StringIO(body(response)))}
    assert set(rows) == {"'+SUM(A1)", "H-1", "N-1"}
    assert rows["'+SUM(A1)"]["name"] == '\'=HYPERLINK("http://evil")'
    assert rows["N-1"]["name"] == "'@cmd"
    assert rows["N-1"]["description"] == "'-2 degrees"
    assert (rows["H-1"]["cost_price"], rows["H-1"]["is_active"]) == ("2.50", "false")
    for row in rows.values():
        for cell in row.values():
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_json_carries_variants(tree, viewer_client):
    size = OptionFactory(name="Size", values=["S", "M"])
    product = ProductFactory(name="Tee", sku="TEE", price="10.00", category=tree["books"])
    small, medium = OptionValue.objects.filter(option=size).order_by("position")
    VariantFactory(product=product, sku="TEE-S", values=[small], price=None, stock=3)
    VariantFactory(product=product, sku="TEE-M", values=[medium], price="12.00", cost_price="4.00", stock=0)
    rows = json.loads(body(viewer_client.get(URL + "?format=json")))
    (tee,) = rows
    assert tee["options"] == ["Size"]
    assert [(v["sku"], v["options"], v["price"], v["stock"]) for v in tee["variants"]] == [
        ("TEE-S", {"Size": "S"}, None, 3),
        ("TEE-M", {"Size": "M"}, "12.00", 0),
    ]
    assert tee["variants"][1]["cost_price"] == "4.00"


def test_the_export_reads_in_chunks(tree, viewer_client, django_assert_max_num_queries):
    """The queries do not grow with the catalog (products read in chunks
    with their prefetches: one query for a chunk's images, one for its
    variants' image links), whatever the variants and images."""
    from bazary.testing.catalog import ProductImageFactory

    size = OptionFactory(name="Size", values=["S", "M"])
    values = list(OptionValue.objects.filter(option=size))
    for i in range(3):
        product = ProductFactory(category=tree["books"])
        VariantFactory(product=product, values=[values[i % 2]]).images.add(ProductImageFactory(product=product))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        body(viewer_client.get(URL + "?format=json"))
    for _ in range(20):
        product = ProductFactory(category=tree["books"])
        first = ProductImageFactory(product=product, position=0)
        second = ProductImageFactory(product=product, position=1, is_primary=False)
        VariantFactory(product=product, values=[values[0]]).images.add(first)
        VariantFactory(product=product, values=[values[1]]).images.add(second)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = json.loads(body(viewer_client.get(URL + "?format=json")))
    assert len(rows) == 23
    assert sum(len(row["images"]) for row in rows) == 43
    assert all(variant["image"] for row in rows for variant in row["variants"])


@pytest.mark.parametrize("fmt", ["xml", "", "csv\x00"])
def test_an_unknown_format_is_a_json_400(viewer_client, fmt):
    response = viewer_client.get(URL, {"format": fmt})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_export_and_bulk_slugs_are_reserved(tree, manager_client):
    from bazary.catalog.models import Product

    assert ProductFactory(name="Export", category=tree["books"]).slug == "export-2"
    response = manager_client.post(
        "/api/products/", {"name": "X", "slug": "import", "price": "1", "category": "books"}, format="json"
    )
    assert response.status_code == 400
    assert "slug" in response.json()
    assert not Product.objects.filter(slug="import").exists()


def test_the_csv_export_reads_back_exactly(tmp_path, tree, viewer_client):
    """neutralise() is undone by the import: export → import → export is the same file."""
    from django.core.management import call_command

    ProductFactory(name="=1+1", sku="F-1", description="'-quoted", category=tree["books"])
    first = body(viewer_client.get(URL))
    path = tmp_path / "p.csv"
    path.write_text(first)
    from bazary.catalog.models import Product

    Product.objects.all().delete()
    call_command("bazary_import_products", str(path), stdout=io.StringIO())
    product = Product.objects.get(sku="F-1")
    assert (product.name, product.description) == ("=1+1", "'-quoted")
    second = body(viewer_client.get(URL))
    assert second.splitlines()[1:] == first.splitlines()[1:]


def test_variants_round_trip_through_the_csv_export(tmp_path, tree, viewer_client):
    from django.core.management import call_command

    from bazary.catalog.models import Product

    size = OptionFactory(name="Size", values=["S", "M"])
    small, medium = OptionValue.objects.filter(option=size).order_by("position")
    tee = ProductFactory(name="Tee", sku="TEE", price="10.00", stock=0, category=tree["books"])
    VariantFactory(product=tee, sku="TEE-S", values=[small], price=None, stock=3, weight="0.250")
    VariantFactory(product=tee, sku="TEE-M", values=[medium], price="12.00", stock=1)
    first = body(viewer_client.get(URL))
    path = tmp_path / "p.csv"
    path.write_text(first)
    Product.objects.all().delete()
    call_command("bazary_import_products", str(path), stdout=io.StringIO())
    assert Product.objects.get(sku="TEE").variants.count() == 2
    second = body(viewer_client.get(URL))
    assert second.splitlines()[1:] == first.splitlines()[1:]


def expected_url(image) -> str:
    """The URL the HTTP export writes: the storage's, made absolute with the request."""
    from bazary.catalog.exportimages import is_absolute

    url = image.image.storage.url(image.image.name)
    return url if is_absolute(url) else f"http://testserver{url}"


def test_the_export_writes_the_images_in_the_import_format(tree, viewer_client):
    """Each product's images as {url, alt_text, position} (by position; a
    JSON cell in CSV) with absolute URLs, and a variant's image as the URL of
    one of them."""
    from bazary.testing.catalog import ProductImageFactory

    size = OptionFactory(name="Size", values=["S", "M"])
    small, medium = OptionValue.objects.filter(option=size).order_by("position")
    tee = ProductFactory(name="Tee", sku="TEE", price="10.00", category=tree["books"])
    back = ProductImageFactory(product=tee, alt_text="Back", position=1, is_primary=False)
    front = ProductImageFactory(product=tee, alt_text="Front", position=0, is_primary=True)
    VariantFactory(product=tee, sku="TEE-S", values=[small]).images.add(back)
    VariantFactory(product=tee, sku="TEE-M", values=[medium])
    ProductFactory(name="Plain", sku="PLAIN", category=tree["books"])
    rows = {row["sku"]: row for row in json.loads(body(viewer_client.get(URL + "?format=json")))}
    assert rows["TEE"]["images"] == [
        {"url": expected_url(front), "alt_text": "Front", "position": 0},
        {"url": expected_url(back), "alt_text": "Back", "position": 1},
    ]
    assert expected_url(front).startswith("http")
    assert [(v["sku"], v["image"]) for v in rows["TEE"]["variants"]] == [("TEE-S", expected_url(back)), ("TEE-M", "")]
    assert rows["PLAIN"]["images"] == []
    cells = {row["sku"]: row for row in csv.DictReader(io.StringIO(body(viewer_client.get(URL + "?format=csv"))))}
    assert json.loads(cells["TEE"]["images"]) == rows["TEE"]["images"]
    assert cells["PLAIN"]["images"] == ""
