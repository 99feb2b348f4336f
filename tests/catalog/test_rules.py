"""The rules of a product's derived values (bazary.catalog.rules), over plain
values: what both list read paths (the models and the rows) compute."""

from __future__ import annotations

from decimal import Decimal

from bazary.catalog import rules


def test_a_unit_is_in_stock_when_untracked_or_it_has_some():
    assert rules.unit_in_stock(True, 1)
    assert not rules.unit_in_stock(True, 0)
    assert rules.unit_in_stock(False, 0)  # untracked inventory


def test_a_product_without_variants_is_in_stock_by_its_own_columns():
    assert rules.product_in_stock(True, 3, [])
    assert not rules.product_in_stock(True, 0, [])
    assert rules.product_in_stock(False, 0, [])


def test_a_product_with_variants_is_in_stock_when_one_active_variant_is():
    # Its own columns do not count, either way.
    assert not rules.product_in_stock(False, 10, [(True, True, 0)])
    assert rules.product_in_stock(True, 0, [(True, True, 0), (True, True, 2)])
    assert rules.product_in_stock(True, 0, [(True, False, 0)])  # an untracked variant
    # All inactive: out of stock, whatever their stock.
    assert not rules.product_in_stock(True, 5, [(False, True, 7), (False, False, 0)])
    assert not rules.variants_in_stock([])


def test_the_stock_of_variants_is_the_tracked_active_ones_total():
    assert rules.variants_stock([]) == 0
    assert rules.variants_stock([(True, True, 4), (True, True, 3)]) == 7
    assert rules.variants_stock([(True, True, 4), (True, False, 50)]) == 4  # untracked: not counted
    assert rules.variants_stock([(False, True, 9), (True, True, 1)]) == 1  # inactive: not counted
    assert rules.variants_stock([(False, True, 9)]) == 0


def test_a_variant_without_a_price_costs_the_products():
    assert rules.effective_price(None, Decimal("20.00")) == Decimal("20.00")
    assert rules.effective_price(Decimal("19.00"), Decimal("20.00")) == Decimal("19.00")
    assert rules.effective_price(Decimal("0.00"), Decimal("20.00")) == Decimal("0.00")  # free is a price


def test_price_bounds_over_the_active_variants():
    price = Decimal("20.00")
    assert rules.price_bounds(price, []) is None  # no variants
    assert rules.price_bounds(price, [(False, Decimal("1.00"))]) is None  # all inactive
    variants = [(True, Decimal("25.00")), (True, None), (False, Decimal("5.00")), (True, Decimal("22.00"))]
    assert rules.price_bounds(price, variants) == (Decimal("20.00"), Decimal("25.00"))
    assert rules.price_bounds(price, [(True, None)]) == (price, price)
    assert rules.price_bounds(price, [(True, Decimal("30.00")), (True, Decimal("12.50"))]) == (
        Decimal("12.50"),
        Decimal("30.00"),
    )


def _link(option_id, option_position, option_name, value_id, value_position, value_name):
    return (
        option_id,
        option_position,
        option_name,
        option_name.lower(),
        value_id,
        value_position,
        value_name.lower(),
        value_name,
        "",
    )


def test_options_in_position_name_id_order_values_in_position_id_order():
    links = [
        _link(3, 1, "Size", 30, 1, "M"),
        _link(5, 0, "Width", 50, 0, "Narrow"),
        _link(3, 1, "Size", 31, 0, "S"),  # position 0: before M, whose id is lower
        _link(9, 0, "Colour", 91, 0, "White"),  # position 0: before Width (a lower id) by its name
        _link(9, 0, "Colour", 90, 0, "Black"),  # same position: by id
        _link(3, 1, "Size", 30, 1, "M"),  # a value used twice is listed once
        _link(4, 1, "Size", 40, 0, "XL"),  # same position and name as 3: by id
    ]
    assert rules.options_json(links) == [
        {
            "slug": "colour",
            "name": "Colour",
            "values": [
                {"slug": "black", "name": "Black", "color": ""},
                {"slug": "white", "name": "White", "color": ""},
            ],
        },
        {"slug": "width", "name": "Width", "values": [{"slug": "narrow", "name": "Narrow", "color": ""}]},
        {
            "slug": "size",
            "name": "Size",
            "values": [{"slug": "s", "name": "S", "color": ""}, {"slug": "m", "name": "M", "color": ""}],
        },
        {"slug": "size", "name": "Size", "values": [{"slug": "xl", "name": "XL", "color": ""}]},
    ]


def test_no_links_no_options():
    assert rules.options_json([]) == []
    assert rules.options_json(iter(())) == []
