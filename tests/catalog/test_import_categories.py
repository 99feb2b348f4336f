"""Categories an import creates: in bulk (a few statements per tree level,
not a save() each), with right materialized paths, unique slugs, and the
tree's cache invalidated once."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bazary.catalog import tree as tree_module
from bazary.catalog.models import Product, get_category_model
from bazary.testing.catalog import CategoryFactory

pytestmark = pytest.mark.django_db


def run_import(path):
    out = io.StringIO()
    call_command("bazary_import_products", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def write_rows(tmp_path, categories, name="rows.json"):
    rows = [
        {"sku": f"S-{i}", "name": f"Product {i}", "price": "1.00", "category": category}
        for i, category in enumerate(categories)
    ]
    path = tmp_path / name
    path.write_text(json.dumps(rows))
    return path


def test_new_nested_categories_get_right_paths_and_ancestors(tmp_path):
    Category = get_category_model()
    home = CategoryFactory(name="Home")
    path = write_rows(
        tmp_path, ["Home/Kitchen/Knives", "Home/Kitchen/Pans", "Garden/Tools/Hand tools", "Home", "Garden/Seeds"]
    )
    run_import(path)
    by_name = {c.name: c for c in Category.objects.all()}
    assert set(by_name) == {"Home", "Kitchen", "Knives", "Pans", "Garden", "Tools", "Hand tools", "Seeds"}
    assert Category.objects.filter(name="Home").get() == home  # found, not created again
    kitchen, knives = by_name["Kitchen"], by_name["Knives"]
    assert kitchen.parent == home
    assert kitchen.path == f"{home.pk}/{kitchen.pk}/"
    assert knives.path == f"{home.pk}/{kitchen.pk}/{knives.pk}/"
    assert knives.get_ancestors() == [home, kitchen]
    garden, tools, hand = by_name["Garden"], by_name["Tools"], by_name["Hand tools"]
    assert (garden.path, garden.parent_id) == (f"{garden.pk}/", None)
    assert hand.path == f"{garden.pk}/{tools.pk}/{hand.pk}/"
    assert hand.depth == 2
    assert set(home.get_descendants().values_list("name", flat=True)) == {"Kitchen", "Knives", "Pans"}
    assert hand.slug == "hand-tools"
    assert Product.objects.get(sku="S-0").category == knives
    assert Product.objects.get(sku="S-2").category == hand


def test_the_tree_endpoint_shows_them_right_after_the_import(tmp_path, api_client):
    api_client.get("/api/categories/tree/")  # cached before the import
    version = tree_module.tree_version()
    run_import(write_rows(tmp_path, ["Toys/Outdoor/Kites", "Toys/Board games"]))
    assert tree_module.tree_version() != version
    body = api_client.get("/api/categories/tree/").json()
    toys = next(node for node in body if node["name"] == "Toys")
    assert sorted(child["name"] for child in toys["children"]) == ["Board games", "Outdoor"]
    outdoor = next(child for child in toys["children"] if child["name"] == "Outdoor")
    assert [child["name"] for child in outdoor["children"]] == ["Kites"]


def test_slugs_stay_unique_as_save_would_make_them(tmp_path):
    CategoryFactory(name="Shirts", slug="shirts")
    run_import(write_rows(tmp_path, ["Men/Shirts", "Women/Shirts", "Tree/Root"]))
    Category = get_category_model()
    slugs = {(c.parent.name if c.parent else None, c.slug) for c in Category.objects.filter(name="Shirts")}
    assert slugs == {(None, "shirts"), ("Men", "shirts-2"), ("Women", "shirts-3")}
    # Reserved by the category URLs: never given out.
    assert set(Category.objects.filter(name__in=["Tree", "Root"]).values_list("slug", flat=True)) == {
        "tree-2",
        "root-2",
    }


def test_creating_categories_costs_the_same_queries_whatever_their_number(tmp_path, django_assert_max_num_queries):
    """A few statements per level of the tree, not a save() (and a tree
    version bump) per category: 5 and 25 new three-level paths cost the same
    (25: SQLite splits a larger INSERT of products by its 999 parameters)."""
    few = write_rows(tmp_path, [f"A{i}/B{i}/C{i}" for i in range(5)], "few.json")
    many = write_rows(tmp_path, [f"X{i}/Y{i}/Z{i}" for i in range(25)], "many.json")
    many.write_text(many.read_text().replace('"S-', '"M-').replace('"Product ', '"Item '))
    with CaptureQueriesContext(connection) as first:
        run_import(few)
    assert get_category_model().objects.count() == 15
    with django_assert_max_num_queries(len(first.captured_queries)):
        run_import(many)
    assert get_category_model().objects.count() == 15 + 75
    assert Product.objects.count() == 30


def test_the_tree_version_is_bumped_once_per_import(tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    bumps = []
    original = tree_module._bump_version

    def counting() -> None:
        bumps.append(1)
        original()

    monkeypatch.setattr(tree_module, "_bump_version", counting)
    with django_capture_on_commit_callbacks(execute=True):
        run_import(write_rows(tmp_path, [f"P{i}/Q{i}" for i in range(30)]))
    # Once in the transaction and once when it commits, for 60 new categories.
    assert len(bumps) == 2
    assert get_category_model().objects.count() == 60
