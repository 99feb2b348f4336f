"""The rules of a product's derived values, each written once, over plain values.

The product list has two read paths that must write the same JSON: the
models and :class:`~bazary.catalog.serializers.ProductSerializer` over model
instances (:attr:`AbstractProduct.in_stock <bazary.catalog.models.AbstractProduct.in_stock>`,
:meth:`~bazary.catalog.models.AbstractProduct.variant_summary`,
:attr:`Variant.in_stock <bazary.catalog.models.Variant.in_stock>`,
:attr:`Variant.effective_price <bazary.catalog.models.Variant.effective_price>`,
:func:`bazary.catalog.variants.options_of`), and
:class:`~bazary.catalog.listrows.ListRows` over ``.values()`` rows. Both pass
these functions the few values they need, read from attributes or from rows,
so a change of a rule reaches both.

A product's variants come as tuples, in the product's variant order,
inactive ones included: ``(is_active, track_inventory, stock)`` for its stock,
``(is_active, price)`` for its prices.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

#: ``(is_active, track_inventory, stock)`` of one variant.
StockState = tuple[bool, bool, int]
#: ``(is_active, price)`` of one variant (``price`` may be ``None``).
PriceState = tuple[bool, Any]
#: One option value a variant is given: ``(option_id, option_position,
#: option_name, option_slug, value_id, value_position, value_slug, value_name,
#: value_color)``.
OptionLink = tuple[Any, int, str, str, Any, int, str, str, str]

_first = itemgetter(0)


def unit_in_stock(track_inventory: bool, stock: int) -> bool:
    """A variant, or a product without variants, is in stock when its
    inventory is not tracked or it has some."""
    return not track_inventory or stock > 0


def variants_in_stock(variants: Iterable[StockState]) -> bool:
    """One of the active variants is in stock (:func:`unit_in_stock`)."""
    return any(is_active and unit_in_stock(tracked, count) for is_active, tracked, count in variants)


def product_in_stock(track_inventory: bool, stock: int, variants: Sequence[StockState]) -> bool:
    """A product with variants is in stock when one of its active variants
    is (its own columns do not count); one without, by its own columns."""
    if variants:
        return variants_in_stock(variants)
    return unit_in_stock(track_inventory, stock)


def variants_stock(variants: Iterable[StockState]) -> int:
    """The stock of a product with variants: its active variants' total, of
    those that track inventory."""
    return sum(count for is_active, tracked, count in variants if is_active and tracked)


def effective_price(price: Any, product_price: Any) -> Any:
    """A variant's price: its own, or else its product's."""
    return product_price if price is None else price


def price_bounds(product_price: Any, variants: Iterable[PriceState]) -> tuple[Any, Any] | None:
    """``(lowest, highest)`` :func:`effective_price` of the active variants,
    or ``None`` when none is active (the product's price then stands)."""
    prices = [effective_price(price, product_price) for is_active, price in variants if is_active]
    return (min(prices), max(prices)) if prices else None


def option_order(position: int, name: str, option_id: Any) -> tuple[int, str, Any]:
    """The sort key of an option: by position, then name, then id."""
    return (position, name, option_id)


def value_order(position: int, value_id: Any) -> tuple[int, Any]:
    """The sort key of an option value: by position, then id."""
    return (position, value_id)


def options_json(links: Iterable[OptionLink]) -> list[dict[str, Any]]:
    """``[{slug, name, values: [{slug, name, color}]}]``: each option of
    ``links`` (the option values of a product's visible variants) once, in
    :func:`option_order`, with the values used of it once each, in
    :func:`value_order`."""
    options: dict[Any, tuple[tuple[int, str, Any], str, str, dict[Any, Any]]] = {}
    for (
        option_id,
        option_position,
        option_name,
        option_slug,
        value_id,
        value_position,
        value_slug,
        value_name,
        value_color,
    ) in links:
        option = options.get(option_id)
        if option is None:
            option = options[option_id] = (
                option_order(option_position, option_name, option_id),
                option_slug,
                option_name,
                {},
            )
        values = option[3]
        if value_id not in values:
            values[value_id] = (
                value_order(value_position, value_id),
                {"slug": value_slug, "name": value_name, "color": value_color},
            )
    return [
        {"slug": slug, "name": name, "values": [value for _, value in sorted(values.values(), key=_first)]}
        for _, slug, name, values in sorted(options.values(), key=_first)
    ]
