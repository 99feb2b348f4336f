"""Options, values and variants in the database: the combination unique per
product, one value per option, stock never negative, SKUs, deletion rules and
the stock path of a variant."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError

from bazary.catalog.models import (
    Option,
    OptionValue,
    Product,
    StockAlert,
    StockMovement,
    Variant,
    VariantOptionValue,
    value_slug,
)
from bazary.catalog.stock import HasVariants, InsufficientStock, adjust_stock
from bazary.testing.catalog import OptionFactory, OptionValueFactory, ProductFactory, VariantFactory

from .conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_duplicate_combination_is_refused_by_the_database(tshirt):
    product, values = tshirt["product"], tshirt["values"]
    variant = Variant.objects.create(product=product, sku="TEE-DUP")
    with pytest.raises(IntegrityError), transaction.atomic():
        # The same values in another order: the same combination.
        variant.set_option_values([values["Black"], values["M"]])
    assert not VariantOptionValue.objects.filter(variant=variant).exists()
    # Written straight to the table, bypassing the model's method, too.
    existing = tshirt["variants"]["M/Black"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.create(product=product, sku="TEE-DUP2", combination_key=existing.combination_key)
    # Another product may have the same combination.
    other = VariantFactory(values=[values["M"], values["Black"]])
    assert other.combination_key == existing.combination_key


def test_two_values_of_one_option_are_refused_by_the_database(tshirt):
    variant = tshirt["variants"]["S/Black"]
    with pytest.raises(IntegrityError), transaction.atomic():
        VariantOptionValue.objects.create(variant=variant, option=tshirt["size"], value=tshirt["values"]["M"])


def test_negative_stock_and_negative_price_are_refused_by_the_database(tshirt):
    variant = tshirt["variants"]["S/Black"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(stock=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(price="-0.01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(price="10.00", compare_at_price="9.99")


def test_skus_are_generated_unique_and_not_from_a_count(tshirt):
    product = tshirt["product"]
    first = Variant.objects.create(product=product)
    second = Variant.objects.create(product=product, combination_key="x")
    assert first.sku.startswith("SKU-")
    assert second.sku.startswith("SKU-")
    assert first.sku != second.sku
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.create(product=product, sku=first.sku, combination_key="y")


def test_option_and_value_slugs():
    size = Option.objects.create(name="Shoe size")
    assert size.slug == "shoe-size"
    half = OptionValue.objects.create(option=size, name="42.5")
    whole = OptionValue.objects.create(option=size, name="425")
    assert (half.slug, whole.slug) == ("42-5", "425")
    assert value_slug("42.5") == "42-5"
    # Unique per option, not globally.
    other = OptionFactory(name="Width", values=["42.5"])
    assert other.values.get().slug == "42-5"
    with pytest.raises(IntegrityError), transaction.atomic():
        OptionValue.objects.create(option=size, name="42.5")


def test_the_variant_summary_of_a_product(tshirt, django_assert_num_queries):
    product = Product.objects.for_listing().get(pk=tshirt["product"].pk)
    with django_assert_num_queries(0):
        summary = product.variant_summary()
        assert product.has_variants
        assert product.in_stock
    assert summary == {"price_min": 20, "price_max": 25, "stock": 15, "in_stock": True}
    Variant.objects.filter(product=tshirt["product"]).exclude(sku="TEE-L-W").update(is_active=False)
    product = Product.objects.for_listing().get(pk=tshirt["product"].pk)
    assert product.variant_summary() == {"price_min": 25, "price_max": 25, "stock": 0, "in_stock": False}
    assert not product.in_stock


def test_option_values_in_the_options_order(tshirt):
    variant = Variant.objects.get(sku="TEE-M-B")
    assert [value.name for value in variant.option_value_list()] == ["M", "Black"]
    tshirt["colour"].position = 0
    tshirt["colour"].save()
    tshirt["size"].position = 1
    tshirt["size"].save()
    assert [value.name for value in variant.option_value_list()] == ["Black", "M"]


# --------------------------------------------------------------------------- deletion


def test_a_variant_with_stock_movements_is_kept_but_its_product_can_go(tshirt):
    variant = tshirt["variants"]["S/Black"]
    adjust_stock(variant, -1, reason="sold")
    with pytest.raises(RestrictedError):
        variant.delete()
    assert StockMovement.objects.filter(variant=variant).count() == 1
    # A variant without movements goes.
    tshirt["variants"]["S/White"].delete()
    tshirt["product"].delete()
    assert not Variant.objects.exists()
    assert not StockMovement.objects.exists()


def test_an_option_value_in_use_is_protected(tshirt):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        tshirt["values"]["M"].delete()
    unused = OptionValueFactory(option=tshirt["size"], name="XXL")
    unused.delete()


# --------------------------------------------------------------------------- stock


def test_adjust_stock_of_a_variant(tshirt):
    variant = tshirt["variants"]["M/Black"]
    assert adjust_stock(variant, -3, reason="sold") == 0
    with pytest.raises(InsufficientStock):
        adjust_stock(variant, -1)
    variant.refresh_from_db()
    assert variant.stock == 0
    movement = StockMovement.objects.get()
    assert (movement.product_id, movement.variant_id, movement.delta, movement.stock_after) == (
        tshirt["product"].pk,
        variant.pk,
        -3,
        0,
    )


def test_a_product_with_variants_has_no_stock_of_its_own(tshirt):
    with pytest.raises(HasVariants):
        adjust_stock(tshirt["product"], 5)
    assert Product.objects.get(pk=tshirt["product"].pk).stock == 0
    assert not StockMovement.objects.exists()


def test_sequential_decrements_of_a_variant_stop_at_zero(tshirt):
    variant = tshirt["variants"]["S/Black"]  # stock 3
    results = []
    for _ in range(5):
        try:
            adjust_stock(variant, -1)
            results.append(True)
        except InsufficientStock:
            results.append(False)
    assert results == [True, True, True, False, False]


@pytest.mark.django_db(transaction=True)
def test_back_in_stock_per_variant(tshirt):
    waiting_for_l_white = make_user("lw")
    waiting_for_any = make_user("any")
    waiting_for_m_black = make_user("mb")
    l_white, m_black = tshirt["variants"]["L/White"], tshirt["variants"]["M/Black"]
    product = tshirt["product"]
    StockAlert.objects.create(user=waiting_for_l_white, product=product, variant=l_white)
    StockAlert.objects.create(user=waiting_for_any, product=product)
    StockAlert.objects.create(user=waiting_for_m_black, product=product, variant=m_black)
    adjust_stock(l_white, 2)
    notified = set(StockAlert.objects.filter(notified_at__isnull=False).values_list("user__email", flat=True))
    assert notified == {"lw@example.com", "any@example.com"}
    # The message names the variant.
    assert sorted(message.to[0] for message in mail.outbox) == ["any@example.com", "lw@example.com"]
    assert all(message.subject == "Basic Tee (L / White) is back in stock" for message in mail.outbox)


def test_one_alert_per_user_and_variant_and_one_per_user_and_product(tshirt):
    user = make_user("fan")
    product, variant = tshirt["product"], tshirt["variants"]["L/White"]
    StockAlert.objects.create(user=user, product=product)
    StockAlert.objects.create(user=user, product=product, variant=variant)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockAlert.objects.create(user=user, product=product)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockAlert.objects.create(user=user, product=product, variant=variant)


def test_factories_build_a_variant_with_its_options():
    colour = OptionFactory(name="Colour", values=["Red"])
    variant = VariantFactory(values=[colour.values.get()])
    assert list(variant.product.options.all()) == [colour]
    assert variant.combination_key == str(colour.values.get().pk)
    assert ProductFactory().variant_list() == []
