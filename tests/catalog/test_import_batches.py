"""Imports write in batches: the statements do not grow with the rows (plain
products and variants), and a batch that the database would refuse (two
variants with one combination) is a row error that leaves nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bazary.catalog.models import OptionValue, Product, StockMovement, Variant, VariantOptionValue

pytestmark = pytest.mark.django_db


def plain_rows(n: int, offset: int = 0) -> list[dict]:
    return [
        {
            "sku": f"P-{i}",
            "name": f"Product {i}",
            "price": "3.50",
            "stock": i % 3,
            "category": f"Dept {i % 4}/Shelf {i % 7}",
            "tags": [f"tag{i % 5}", f"tag{(i + 1) % 5}"],
        }
        for i in range(offset, offset + n)
    ]


def variant_rows(n: int) -> list[dict]:
    return [
        {
            "sku": f"T-{i}",
            "name": f"Tee {i}",
            "price": "10",
            "category": "Clothes",
            "options": ["Size", "Colour"],
            "variants": [
                {"sku": f"T-{i}-{size}-{colour}", "options": {"Size": size, "Colour": colour}, "stock": 2}
                for size in ("S", "M", "L")
                for colour in ("Black", "White")
            ],
        }
        for i in range(n)
    ]


def import_counting(tmp_path, rows) -> int:
    """The import's statements, one bulk INSERT that the backend splits in
    several (SQLite's limit of parameters per query) counted once."""
    path = tmp_path / "in.json"
    path.write_text(json.dumps(rows))
    with CaptureQueriesContext(connection) as queries:
        call_command("bazary_import_products", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    statements = [query["sql"] for query in queries.captured_queries]
    return sum(
        1
        for i, sql in enumerate(statements)
        if not (sql.startswith(("INSERT", "UPDATE")) and i and statements[i - 1][:80] == sql[:80])
    )


def test_plain_products_cost_the_same_statements_for_10_or_200_rows(tmp_path):
    # The first import creates the categories and tags (a save each); the
    # counts compared are of imports into a catalog that has them.
    import_counting(tmp_path, plain_rows(200, offset=10_000))
    small = import_counting(tmp_path, plain_rows(10))
    large = import_counting(tmp_path, plain_rows(200, offset=1_000))
    assert large == small
    assert Product.objects.count() == 410
    assert StockMovement.objects.filter(product__sku__startswith="P-1").exists()
    # Updating them too.
    assert import_counting(tmp_path, plain_rows(200, offset=1_000)) == import_counting(tmp_path, plain_rows(10))


def test_variants_cost_the_same_statements_for_2_or_40_products(tmp_path):
    import_counting(tmp_path, variant_rows(1))  # options and values created once
    Product.objects.all().delete()
    small = import_counting(tmp_path, variant_rows(2))
    Product.objects.all().delete()
    large = import_counting(tmp_path, variant_rows(40))
    assert large == small
    assert Variant.objects.count() == 240
    assert VariantOptionValue.objects.count() == 480
    variant = Variant.objects.get(sku="T-7-M-White")
    assert {value.name for value in variant.option_value_list()} == {"M", "White"}
    assert StockMovement.objects.filter(variant=variant).get().delta == 2
    # Re-imported: matched by SKU, nothing added, stock unchanged: no movement.
    assert import_counting(tmp_path, variant_rows(40)) == import_counting(tmp_path, variant_rows(2))
    assert Variant.objects.count() == 240
    assert StockMovement.objects.filter(variant=variant).count() == 1


def test_a_combination_two_variants_would_share_fails_the_import(tmp_path):
    rows = variant_rows(2)
    import_counting(tmp_path, rows)
    before = sorted(Variant.objects.values_list("sku", "combination_key", "stock"))
    # The second product's S/Black variant is given M/Black, which another
    # of its variants keeps: the database would refuse the pair.
    rows[1]["variants"] = [{"sku": "T-1-S-Black", "options": {"Size": "M", "Colour": "Black"}, "stock": 9}]
    rows[0]["variants"][0]["stock"] = 5  # a change of the first row: rolled back too
    path = tmp_path / "in.json"
    path.write_text(json.dumps(rows))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("bazary_import_products", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 2:" in err.getvalue()
    assert "same option values" in err.getvalue()
    assert sorted(Variant.objects.values_list("sku", "combination_key", "stock")) == before


def test_a_new_value_of_an_option_goes_after_its_others(tmp_path):
    import_counting(tmp_path, variant_rows(1))
    rows = variant_rows(1)
    rows[0]["variants"].append({"sku": "T-0-XL", "options": {"Size": "XL", "Colour": "Black"}})
    import_counting(tmp_path, rows)
    sizes = list(OptionValue.objects.filter(option__name="Size").order_by("position").values_list("name", flat=True))
    assert sizes == ["S", "M", "L", "XL"]
    assert Variant.objects.get(sku="T-0-XL").stock == 0
