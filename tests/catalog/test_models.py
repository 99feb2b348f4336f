"""Model constraints and the materialized-path tree."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from bazary.catalog.models import Category, Product, ProductImage, StockAlert, Tag, unique_slug
from bazary.testing.catalog import CategoryFactory, ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db


def test_paths_ancestors_and_descendants(tree, django_assert_num_queries):
    laptops = Category.objects.get(slug="laptops")
    assert laptops.path == f"{tree['electronics'].pk}/{tree['computers'].pk}/{laptops.pk}/"
    assert laptops.depth == 2
    with django_assert_num_queries(1):
        assert [c.slug for c in laptops.get_ancestors()] == ["electronics", "computers"]
    with django_assert_num_queries(1):
        assert {c.slug for c in tree["electronics"].get_descendants()} == {"computers", "laptops", "phones"}
    assert tree["books"].get_ancestors() == []


def test_prefix_of_another_id_is_not_a_descendant(db):
    # Category 1's path "1/" must not match category 11's path "11/".
    roots = [CategoryFactory() for _ in range(12)]
    first = roots[0]
    assert list(first.get_descendants()) == []


def test_moving_a_subtree_rewrites_every_path(tree, django_assert_max_num_queries):
    computers = tree["computers"]
    computers.parent = tree["books"]
    with django_assert_max_num_queries(5):  # save, parent path, one UPDATE for the subtree (+ savepoints)
        computers.save()
    laptops = Category.objects.get(slug="laptops")
    assert [c.slug for c in laptops.get_ancestors()] == ["books", "computers"]
    assert laptops.path.startswith(tree["books"].path)
    assert {c.slug for c in tree["electronics"].get_descendants()} == {"phones"}

    computers.parent = None
    computers.save()
    laptops.refresh_from_db()
    assert laptops.path == f"{computers.pk}/{laptops.pk}/"


def test_a_cycle_is_rejected_and_nothing_changes(tree):
    electronics = tree["electronics"]
    electronics.parent = Category.objects.get(slug="laptops")
    with pytest.raises(ValueError, match="under itself"):
        electronics.save()
    electronics.refresh_from_db()
    assert electronics.parent is None
    assert Category.objects.get(slug="laptops").path.startswith(electronics.path)


def test_category_with_products_is_protected(tree):
    ProductFactory(category=tree["books"])
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        tree["books"].delete()


@pytest.mark.parametrize(
    "fields",
    [
        {"price": Decimal("-1")},
        {"stock": -1},
        {"price": Decimal("10"), "compare_at_price": Decimal("9.99")},
    ],
)
def test_check_constraints(tree, fields):
    product = ProductFactory(category=tree["books"])
    for key, value in fields.items():
        setattr(product, key, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        product.save()


def test_compare_at_equal_or_higher_is_fine(tree):
    ProductFactory(category=tree["books"], price=Decimal("10"), compare_at_price=Decimal("10"))
    ProductFactory(category=tree["books"], price=Decimal("10"), compare_at_price=Decimal("12.50"))


def test_slugs_deduplicate_and_skus_are_generated(tree):
    a = ProductFactory(name="Blue Mug", category=tree["books"])
    b = ProductFactory(name="Blue Mug", category=tree["books"])
    c = ProductFactory(name="Blue Mug", category=tree["books"])
    assert [a.slug, b.slug, c.slug] == ["blue-mug", "blue-mug-2", "blue-mug-3"]
    assert a.sku.startswith("SKU-")
    assert a.sku != b.sku
    assert unique_slug(Product, "日本") == "item"
    assert a.currency == "USD"


def test_currency_default_is_read_late(tree, settings):
    settings.BAZARY_CATALOG = {"CURRENCY": "EUR"}
    assert ProductFactory(category=tree["books"]).currency == "EUR"


def test_one_primary_image_per_product(tree):
    image = ProductImageFactory(product__category=tree["books"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductImageFactory(product=image.product, is_primary=True)
    ProductImageFactory(product=image.product, is_primary=False)
    assert ProductImage.objects.filter(product=image.product).count() == 2
    assert image.width == 8
    assert image.height == 8


def test_one_alert_per_user_and_product(tree, customer):
    product = ProductFactory(category=tree["books"])
    StockAlert.objects.create(user=customer, product=product)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockAlert.objects.create(user=customer, product=product)


def test_tag_slug_is_generated(db):
    assert Tag.objects.create(name="Gift Idea").slug == "gift-idea"
