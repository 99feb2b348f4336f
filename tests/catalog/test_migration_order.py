"""The dependency rule of bazary's makemigrations (bazary.catalog.migration_order)
on migration graphs of the shapes the catalog has and will have: a linear
history, and a branch of product-independent models (options) that the
swapped product refers to, merged later by a product-dependent migration."""

from __future__ import annotations

import pytest
from django.db import migrations, models
from django.db.migrations.graph import MigrationGraph
from django.test import override_settings

from bazary.catalog.migration_order import cycles_through, reorder_dependencies


def model(name, *relations):
    fields = [("id", models.AutoField(primary_key=True))]
    fields += [(f"f{i}", models.ForeignKey(to, models.CASCADE)) for i, to in enumerate(relations)]
    return migrations.CreateModel(name, fields)


def migration(app_label, name, dependencies, *operations):
    instance = migrations.Migration(name, app_label)
    instance.dependencies = list(dependencies)
    instance.operations = list(operations)
    return instance


def graph_of(*nodes):
    """A graph as the loader builds it: a ``__first__`` dependency on an app
    with no migrations is dropped (the cause of the cycle)."""
    graph = MigrationGraph()
    for node in nodes:
        graph.add_node((node.app_label, node.name), node)
    for node in nodes:
        for dependency in node.dependencies:
            if dependency[1] == "__first__":
                roots = graph.root_nodes(dependency[0])
                dependency = roots[0] if roots else None
            if dependency in graph.nodes and dependency != (node.app_label, node.name):
                graph.add_dependency(node, (node.app_label, node.name), dependency)
    graph.ensure_not_cyclic()
    return graph


def catalog(*, category_swapped, options_after="0001_tag"):
    """cat: tags, categories, product tables (waiting for the swapped product),
    options (a branch the product can refer to) and variants merging both."""
    category_app = "shop" if category_swapped else "cat"
    return [
        migration("cat", "0001_tag", [], model("Tag")),
        migration("cat", "0002_category", [("cat", "0001_tag"), (category_app, "__first__")], model("Category")),
        migration(
            "cat", "0003_product", [("cat", "0002_category"), ("shop", "__first__")], model("Image", "shop.product")
        ),
        migration("cat", "0004_options", [("cat", options_after)], model("Option")),
        migration(
            "cat",
            "0005_variants",
            [("cat", "0003_product"), ("cat", "0004_options"), ("shop", "__first__")],
            model("Variant", "shop.product", "cat.option"),
        ),
    ]


def shop_initial(*relations, dependency=("cat", "0005_variants")):
    # What Django's autodetector writes: a dependency on cat's leaf.
    return migration("shop", "0001_initial", [dependency], model("Product", *relations))


@pytest.mark.parametrize(
    ("category_swapped", "options_after", "newest"),
    [
        (False, "0002_category", ["0004_options"]),
        # Two branches that do not wait for the product: both.
        (False, "0001_tag", ["0002_category", "0004_options"]),
        (True, "0001_tag", ["0004_options"]),
    ],
)
def test_the_initial_migration_of_a_swapped_product_depends_on_the_options_branch(
    category_swapped, options_after, newest
):
    graph = graph_of(*catalog(category_swapped=category_swapped, options_after=options_after))
    new = shop_initial("cat.tag", "cat.option")
    assert reorder_dependencies(graph, new) == [("cat", name) for name in newest]
    # Applied, the graph is acyclic and the product comes before the tables
    # that refer to it.
    new.dependencies = reorder_dependencies(graph, new)
    full = graph_of(*catalog(category_swapped=category_swapped, options_after=options_after), new)
    plan = full.forwards_plan(("cat", "0005_variants"))
    assert plan.index(("shop", "0001_initial")) < plan.index(("cat", "0003_product"))
    assert plan.index(("cat", "0004_options")) < plan.index(("shop", "0001_initial"))


def test_without_the_branch_the_newest_independent_migration_is_chosen():
    graph = graph_of(*catalog(category_swapped=False)[:3])
    assert reorder_dependencies(graph, shop_initial("cat.tag", dependency=("cat", "0003_product"))) == [
        ("cat", "0002_category")
    ]
    graph = graph_of(*catalog(category_swapped=True)[:3])
    assert reorder_dependencies(graph, shop_initial("cat.tag", dependency=("cat", "0003_product"))) == [
        ("cat", "0001_tag")
    ]


def test_a_model_that_exists_only_after_the_product_leaves_the_real_cycle_alone():
    # Options branched from the categories while the category is swapped too,
    # or a reference to the variants: no order works, the check reports it.
    graph = graph_of(*catalog(category_swapped=True, options_after="0002_category"))
    assert reorder_dependencies(graph, shop_initial("cat.option")) == [("cat", "0005_variants")]
    graph = graph_of(*catalog(category_swapped=False))
    assert reorder_dependencies(graph, shop_initial("cat.variant")) == [("cat", "0005_variants")]


def test_a_later_migration_of_the_swapped_app_keeps_the_leaf():
    initial = shop_initial("cat.tag", dependency=("cat", "0001_tag"))
    graph = graph_of(*catalog(category_swapped=False), initial)
    later = migration("shop", "0002_variant_ref", [("shop", "0001_initial"), ("cat", "0005_variants")])
    later.operations = [migrations.AddField("product", "main", models.ForeignKey("cat.variant", models.CASCADE))]
    assert reorder_dependencies(graph, later) == [("shop", "0001_initial"), ("cat", "0005_variants")]


def test_unrelated_dependencies_are_kept():
    graph = graph_of(*catalog(category_swapped=False), migration("auth", "0001_initial", []))
    new = migration("shop", "0001_initial", [("auth", "0001_initial"), ("__setting__", "AUTH_USER_MODEL")])
    assert reorder_dependencies(graph, new) == [("auth", "0001_initial"), ("__setting__", "AUTH_USER_MODEL")]


def test_cycles_through_names_the_dependency_and_the_migration_that_closes_the_cycle():
    # As written by Django's autodetector, once shop has migrations: cyclic.
    nodes = [*catalog(category_swapped=False), shop_initial("cat.tag")]
    graph = MigrationGraph()
    for node in nodes:
        graph.add_node((node.app_label, node.name), node)
    for node in nodes:
        for dependency in node.dependencies:
            dependency = ("shop", "0001_initial") if dependency == ("shop", "__first__") else dependency
            if dependency in graph.nodes:
                graph.add_dependency(node, (node.app_label, node.name), dependency)
    [(_, key, dependency, closing)] = cycles_through(graph, "shop", "cat")
    assert (key, dependency, closing) == (("shop", "0001_initial"), ("cat", "0005_variants"), ("cat", "0003_product"))


@override_settings(TEST_CAT_PRODUCT_MODEL="cat.Product")
def test_a_relation_to_a_model_after_its_apps_first_migration_adds_the_migrations_that_create_it():
    # swappable_dependency() means cat's first migration, which has only tags.
    unswapped = [
        migration("cat", "0001_tag", [], model("Tag")),
        migration("cat", "0002_product", [("cat", "0001_tag")], model("Product")),
    ]
    graph = graph_of(*unswapped, migration("auth", "0001_initial", []))
    setting = ("__setting__", "TEST_CAT_PRODUCT_MODEL")
    new = migration("reviews", "0001_initial", [setting], model("Review", "cat.product"))
    assert reorder_dependencies(graph, new) == [setting, ("cat", "0002_product")]
    # Reached already (by the swappable dependency or another): unchanged.
    tags = migration("reviews", "0001_initial", [setting], model("Review", "cat.tag"))
    assert reorder_dependencies(graph, tags) == [setting]
