"""bazary_seed_demo, bazary_import_products, bazary_export_products."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from bazary.catalog.models import Category, Product, ProductImage, StockMovement, Tag

pytestmark = pytest.mark.django_db


def run(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_seed_demo_builds_a_three_level_catalog(django_assert_max_num_queries):
    out, _ = run("bazary_seed_demo", "--products", "60", "--no-variants")
    assert "60/60 products" in out
    assert Product.objects.count() == 60
    assert max(c.depth for c in Category.objects.all()) == 2
    assert Tag.objects.count() == 8
    assert ProductImage.objects.filter(is_primary=True).count() == 60
    image = ProductImage.objects.first()
    assert (image.width, image.height) == (400, 400)
    assert image.image.storage.exists(image.image.name)
    # Leaves only, and every product reachable from a root by path.
    assert all(p.category.depth == 2 for p in Product.objects.select_related("category"))
    assert StockMovement.objects.count() == Product.objects.filter(stock__gt=0).count()


def test_seed_demo_is_idempotent_and_clearable():
    run("bazary_seed_demo", "--products", "20", "--no-images")
    out, _ = run("bazary_seed_demo", "--products", "20", "--no-images")
    assert "0 new products (+0 with variants)" in out
    assert Product.objects.count() == 23  # and the 3 sold in variants
    run("bazary_seed_demo", "--products", "5", "--no-images", "--clear")
    assert Product.objects.count() == 8


def test_seed_demo_sells_clothes_in_sizes_and_colours(api_client):
    from bazary.catalog.models import Variant

    out, _ = run("bazary_seed_demo", "--products", "0")
    assert "(+3 with variants)" in out
    tee = Product.objects.get(sku="DEMO-TEE")
    assert [o.name for o in tee.options.all()] == ["Size", "Colour"]
    assert tee.variants.count() == 12  # S-XL x Black, White, Navy
    xl_navy = Variant.objects.get(sku="DEMO-TEE-XL-NAVY")
    assert str(xl_navy.price) == "21.00"
    assert [image.alt_text for image in xl_navy.images.all()] == ["Organic Cotton T-shirt, Navy"]
    assert StockMovement.objects.filter(variant__isnull=False).count() == Variant.objects.filter(stock__gt=0).count()
    body = api_client.get("/api/products/?option=size:XL&option=colour:navy").json()
    assert sorted(p["sku"] for p in body["results"]) == ["DEMO-HOODIE", "DEMO-TEE"]
    listed = next(p for p in body["results"] if p["sku"] == "DEMO-TEE")
    assert (listed["price_min"], listed["price_max"]) == ("19.00", "21.00")
    # Deterministic and idempotent; --clear removes the options too.
    stocks = sorted(Variant.objects.values_list("sku", "stock"))
    run("bazary_seed_demo", "--products", "0", "--clear")
    run("bazary_seed_demo", "--products", "0", "--no-images")
    assert sorted(Variant.objects.values_list("sku", "stock")) == stocks
    run("bazary_seed_demo", "--products", "0", "--no-variants", "--clear")
    assert not Variant.objects.exists()


def test_seed_demo_rejects_negative_counts():
    with pytest.raises(CommandError):
        run("bazary_seed_demo", "--products", "-1")


def test_seeded_products_are_served(api_client):
    run("bazary_seed_demo", "--products", "10", "--no-images")
    body = api_client.get("/api/products/?category=electronics").json()
    assert body["count"] > 0


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_import_round_trip(tmp_path, fmt):
    run("bazary_seed_demo", "--products", "25", "--no-images", "--no-variants")
    Product.objects.filter(sku="DEMO-0000001").update(attributes={"size": "XL", "weight": 1.5, "eco": True})
    path = tmp_path / f"products.{fmt}"
    out, _ = run("bazary_export_products", "--output", str(path))
    assert "Exported 25 products" in out
    exported = path.read_text()

    run("bazary_seed_demo", "--products", "0", "--no-variants", "--clear")
    assert Product.objects.count() == 0
    out, _ = run("bazary_import_products", str(path))
    assert "25 created, 0 updated" in out
    product = Product.objects.get(sku="DEMO-0000001")
    assert product.attributes == {"size": "XL", "weight": 1.5, "eco": True}
    assert product.category.depth == 2

    # The same file again updates in place; the export is unchanged.
    out, _ = run("bazary_import_products", str(path))
    assert "0 created, 25 updated" in out
    again = tmp_path / f"again.{fmt}"
    run("bazary_export_products", "--output", str(again))
    assert again.read_text() == exported


def test_export_to_stdout_is_clean_json():
    run("bazary_seed_demo", "--products", "3", "--no-images", "--no-variants")
    out, _ = run("bazary_export_products", "--format", "json")
    rows = json.loads(out)
    assert [row["sku"] for row in rows] == ["DEMO-0000001", "DEMO-0000002", "DEMO-0000003"]


CSV_HEADER = "sku,name,price,category,tags,stock,compare_at_price,attributes\n"


def test_import_upserts_and_audits_stock(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(CSV_HEADER + 'A-1,Mug,9.50,Home/Kitchen,sale|new,4,,"{""color"": ""red""}"\n')
    run("bazary_import_products", str(path))
    mug = Product.objects.get(sku="A-1")
    assert (mug.stock, mug.category.name, mug.category.parent.name) == (4, "Kitchen", "Home")
    assert sorted(mug.tags.values_list("name", flat=True)) == ["new", "sale"]
    path.write_text(CSV_HEADER + "A-1,Big Mug,11.00,Home/Kitchen,,1,12.00,\n")
    run("bazary_import_products", str(path))
    mug.refresh_from_db()
    assert (mug.name, str(mug.price), mug.stock, str(mug.compare_at_price)) == ("Big Mug", "11.00", 1, "12.00")
    assert list(StockMovement.objects.filter(product=mug).order_by("id").values_list("delta", flat=True)) == [4, -3]
    assert Category.objects.filter(name="Kitchen").count() == 1


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        CSV_HEADER
        + "OK-1,Fine,1.00,Home,,1,,\n"
        + "BAD-1,Negative,-5,Home,,1,,\n"
        + "BAD-2,No category,1.00,,,1,,\n"
        + "OK-1,Duplicate,1.00,Home,,1,,\n"
        + "BAD-3,Huge,1e1000,Home//Kitchen,,x,,\n"
        + "BAD-4,Attrs,1.00,Home,,1,,{not json}\n"
    )
    with pytest.raises(CommandError, match="5 invalid row"):
        run("bazary_import_products", str(path))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("bazary_import_products", str(path), stdout=io.StringIO(), stderr=err)
    report = err.getvalue()
    for line in ("line 3:", "line 4:", "line 5:", "line 6:", "line 7:"):
        assert line in report
    assert "line 2:" not in report
    assert Product.objects.count() == 0
    assert Category.objects.count() == 0


def test_a_slug_of_another_product_is_reported(tmp_path, tree):
    from bazary.testing.catalog import ProductFactory

    ProductFactory(name="Taken", sku="T-1", category=tree["books"])
    path = tmp_path / "in.json"
    path.write_text(json.dumps([{"sku": "N-1", "name": "New", "slug": "taken", "price": "1", "category": "Books"}]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("bazary_import_products", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 1:" in err.getvalue()
    assert not Product.objects.filter(sku="N-1").exists()


@pytest.mark.parametrize(
    "content", ["{not json", '{"a": 1}', "[1, 2]", ""], ids=["syntax", "not-a-list", "not-objects", "empty"]
)
def test_malformed_json_is_a_clear_error(tmp_path, content):
    path = tmp_path / "in.json"
    path.write_text(content)
    with pytest.raises(CommandError):
        run("bazary_import_products", str(path))


def test_csv_without_required_columns(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("sku,name\nA,B\n")
    with pytest.raises(CommandError, match="lacks"):
        run("bazary_import_products", str(path))


def test_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(CSV_HEADER + "OK-1,Fine,1.00,Home,,1,,\n")
    out, _ = run("bazary_import_products", str(path), "--dry-run")
    assert "dry run" in out
    assert Product.objects.count() == 0


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("bazary_import_products", str(tmp_path / "nope.csv"))


def test_imported_categories_never_get_a_reserved_slug(tmp_path):
    from bazary.catalog.models import get_category_model

    path = tmp_path / "products.json"
    path.write_text(json.dumps([{"sku": "T-1", "name": "Sapling", "price": "1", "category": "Tree/Root"}]))
    run("bazary_import_products", str(path))
    slugs = set(get_category_model().objects.values_list("slug", flat=True))
    assert slugs == {"tree-2", "root-2"}


# --------------------------------------------------------------------------- bulk import


def _csv_rows(n, start=0, **overrides):
    rows = [CSV_HEADER]
    for i in range(start, start + n):
        values = {"sku": f"B-{i}", "name": f"Bulk {i}", "price": "2.00", "category": "Home/Kitchen", "tags": "a|b"}
        values.update(overrides)
        rows.append(f"{values['sku']},{values['name']},{values['price']},{values['category']},{values['tags']},3,,\n")
    return "".join(rows)


def test_import_queries_do_not_grow_with_the_rows(tmp_path, django_assert_max_num_queries):
    """Upserts in batches, not a save() per row: 10 and 40 rows cost the same
    number of queries (the first run creates the two categories and tags).
    (40: SQLite splits a larger INSERT by its limit of 999 parameters.)"""
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    small.write_text(_csv_rows(10))
    large.write_text(_csv_rows(40, start=20))
    run("bazary_import_products", str(tmp_path / "small.csv"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small.write_text(_csv_rows(10, start=1000))
    with CaptureQueriesContext(connection) as few:
        run("bazary_import_products", str(small))
    with django_assert_max_num_queries(len(few.captured_queries)):
        out, _ = run("bazary_import_products", str(large))
    assert "40 created" in out
    assert Product.objects.count() == 60
    assert StockMovement.objects.count() == 60
    assert Product.objects.filter(tags__name="a").count() == 60


def test_import_keeps_tags_slugs_and_stock_right_in_bulk(tmp_path, tree):
    from bazary.testing.catalog import ProductFactory

    ProductFactory(name="Same Name", sku="OLD-1", category=tree["books"])
    path = tmp_path / "in.csv"
    path.write_text(
        CSV_HEADER
        + "N-1,Same Name,1.00,Home,x|X|y,1,,\n"
        + "N-2,Same Name,1.00,Home,,0,,\n"
        # A slug given by a later row is never generated for an earlier one.
        + "N-3,Given,1.00,Home,,0,,\n"
    )
    run("bazary_import_products", str(path))
    slugs = dict(Product.objects.values_list("sku", "slug"))
    assert (slugs["OLD-1"], slugs["N-1"], slugs["N-2"]) == ("same-name", "same-name-2", "same-name-3")
    # Tag names match case-insensitively, once per product.
    assert sorted(Product.objects.get(sku="N-1").tags.values_list("name", flat=True)) == ["x", "y"]
    # Re-import: tags replaced where given, kept where the column is empty.
    path.write_text(CSV_HEADER + "N-1,Same Name,1.00,Home,y,4,,\n" + "N-2,Renamed,1.00,Home,,0,,\n")
    run("bazary_import_products", str(path))
    one = Product.objects.get(sku="N-1")
    assert list(one.tags.values_list("name", flat=True)) == ["y"]
    assert one.stock == 4
    assert list(StockMovement.objects.filter(product=one).order_by("id").values_list("delta", flat=True)) == [1, 3]
    assert Product.objects.get(sku="N-2").slug == "same-name-3"  # a rename keeps the slug


def test_a_slug_twice_in_a_file_is_a_row_error(tmp_path):
    path = tmp_path / "in.json"
    rows = [{"sku": f"S-{i}", "name": "X", "slug": "twice", "price": "1", "category": "Home"} for i in range(2)]
    path.write_text(json.dumps(rows))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 invalid row"):
        call_command("bazary_import_products", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 2:" in err.getvalue()
    assert "Duplicate of line 1" in err.getvalue()
    assert not Product.objects.exists()


def test_a_price_below_the_kept_compare_at_price_is_a_row_error(tmp_path, tree):
    from bazary.testing.catalog import ProductFactory

    ProductFactory(sku="C-1", price="10.00", compare_at_price="20.00", category=tree["books"])
    path = tmp_path / "in.json"
    path.write_text(json.dumps([{"sku": "C-1", "name": "Dear", "price": "30.00", "category": "Books"}]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("bazary_import_products", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 1:" in err.getvalue()
    assert "compare_at_price" in err.getvalue()
    assert str(Product.objects.get(sku="C-1").price) == "10.00"


def test_import_back_in_stock_notifies_the_waiting_users(
    tmp_path, catalog, customer, django_capture_on_commit_callbacks
):
    from bazary.catalog.models import StockAlert

    StockAlert.objects.create(user=customer, product=catalog["novel"])
    path = tmp_path / "in.json"
    row = {"sku": "BK-1", "name": "A Quiet Novel", "price": "15", "category": "Books", "stock": 2}
    path.write_text(json.dumps([row]))
    with django_capture_on_commit_callbacks(execute=True):
        run("bazary_import_products", str(path))
    assert StockAlert.objects.get(user=customer).notified_at is not None


def test_progress_prints_plain_lines_when_not_a_terminal(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(_csv_rows(30))
    out, _ = run("bazary_import_products", str(path))
    assert "\r" not in out
    assert "30/30 rows (100%)\n" in out


def test_progress_redraws_in_place_on_a_terminal():
    from bazary.catalog.management.progress import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = ProgressBar(stream, 4, "rows")
    for _ in range(4):
        bar.advance()
    bar.finish()
    assert stream.getvalue().count("\r") == 4
    assert stream.getvalue().endswith("4/4 rows\n")


def test_variants_are_imported_and_updated(tmp_path, django_capture_on_commit_callbacks, customer):
    from bazary.catalog.models import StockAlert, Variant

    path = tmp_path / "in.json"
    tee = {"sku": "TEE", "name": "Tee", "price": "10", "category": "Clothes", "options": ["Size", "Colour"]}
    variants = [
        {"sku": "TEE-S-B", "options": {"Size": "S", "Colour": "Black"}, "stock": 2},
        {"sku": "TEE-M-B", "options": {"Size": "M", "Colour": "Black"}, "price": "12.00", "stock": 0},
    ]
    path.write_text(json.dumps([{**tee, "variants": variants}]))
    run("bazary_import_products", str(path))
    product = Product.objects.get(sku="TEE")
    assert set(product.options.values_list("name", flat=True)) == {"Size", "Colour"}
    medium = Variant.objects.get(sku="TEE-M-B")
    assert {v.name for v in medium.option_value_list()} == {"M", "Black"}
    assert (medium.price, medium.stock) == (Decimal("12.00"), 0)
    assert StockMovement.objects.get(variant__sku="TEE-S-B").delta == 2
    # Again: matched by SKU; M is back in stock and its subscriber hears of it.
    StockAlert.objects.create(user=customer, product=product, variant=medium)
    variants[1]["stock"] = 3
    path.write_text(json.dumps([{**tee, "variants": variants}]))
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run("bazary_import_products", str(path))
    assert "0 created, 1 updated" in out
    assert Variant.objects.filter(product=product).count() == 2
    assert Variant.objects.get(sku="TEE-M-B").stock == 3
    assert StockAlert.objects.get(user=customer).notified_at is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"options": []}, "options"),
        ({"stock": 4}, "no stock of its own"),
        (
            {"variants": [{"sku": "X-1", "options": {"Size": "S"}}, {"sku": "X-2", "options": {"Size": "S"}}]},
            "Duplicate",
        ),
        ({"variants": [{"sku": "X-1", "options": {"Colour": "S"}}]}, "one value for each"),
        ({"variants": [{"sku": "X-1", "options": {"Size": "S"}, "price": "5", "compare_at_price": "4"}]}, "lower"),
    ],
)
def test_bad_variants_are_row_errors(tmp_path, change, message):
    path = tmp_path / "in.json"
    row = {"sku": "V-1", "name": "Tee", "price": "1", "category": "Home", "options": ["Size"]}
    row["variants"] = [{"sku": "V-1-S", "options": {"Size": "S"}}]
    path.write_text(json.dumps([{**row, **change}]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("bazary_import_products", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 1:" in err.getvalue()
    assert message in err.getvalue()
    assert not Product.objects.exists()


def test_a_variant_sku_of_another_product_is_a_row_error(tmp_path, tree):
    from bazary.catalog.models import OptionValue
    from bazary.testing.catalog import OptionFactory, ProductFactory, VariantFactory

    size = OptionFactory(name="Size", values=["S"])
    VariantFactory(
        product=ProductFactory(sku="OTHER", category=tree["books"]),
        sku="TAKEN",
        values=[OptionValue.objects.get(option=size)],
    )
    path = tmp_path / "in.json"
    row = {"sku": "V-1", "name": "Tee", "price": "1", "category": "Home", "options": ["Size"]}
    path.write_text(json.dumps([{**row, "variants": [{"sku": "TAKEN", "options": {"Size": "S"}}]}]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("bazary_import_products", str(path), stdout=io.StringIO(), stderr=err)
    assert "another product (OTHER)" in err.getvalue()


def test_new_product_fields_round_trip(tmp_path):
    path = tmp_path / "in.json"
    row = {"sku": "D-1", "name": "E-book", "price": "1", "category": "Books", "is_digital": True}
    path.write_text(json.dumps([{**row, "short_description": "Short.", "allow_backorder": True}]))
    run("bazary_import_products", str(path))
    product = Product.objects.get(sku="D-1")
    assert (product.is_digital, product.allow_backorder, product.short_description) == (True, True, "Short.")
