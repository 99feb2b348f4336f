"""bazary_catalog's migrations, and the rule that keeps them migratable when a
project swaps the product or the category.

A swapped model lives in the project's app (``shop.0001_initial``) and refers
to catalog models (tags; categories unless swapped too). The catalog's
migrations that refer to a swapped model depend on the project's app with
``swapper.dependency("bazary_catalog", "Product")`` (or ``"Category"``). So:

- A migration that creates or changes what a swapped model refers to (tags,
  options and option values, 0006) depends on NEITHER a product nor a
  category migration: it branches from ``0001_initial`` (from
  ``0002_category`` only if a swapped category never refers to it, since
  ``0002`` waits for a swapped category). Everything that needs the product
  (0003 on, variants in 0007) comes after it and merges the branch.
- A migration that refers to the product or the category, or runs code on
  their tables (0004, 0005), declares ``swapper.dependency(...)`` for it, so
  it runs after the project's migration that creates the swapped model.

bazary's ``makemigrations`` (``bazary.catalog.migration_order``) then makes the
project's migration depend on the newest catalog migrations that do not wait
for it (``0002_category`` and ``0006_option`` for a swapped product,
``0006_option`` for a swapped product and category) instead of the
catalog's latest one, and the ``bazary_catalog.E020`` check names the
line to change if a project's migration still closes a cycle. Test a new
shape in ``tests/catalog/test_migration_order.py`` and the whole path with
``tests/catalog/test_swap_migrations.py``.
"""
