"""Stock of order lines: reserved at checkout, released once on cancellation,
always through the catalog's atomic :func:`bazary.catalog.stock.adjust_stock`."""

from __future__ import annotations

from typing import Any

from bazary.catalog.models import Variant, get_product_model
from bazary.catalog.stock import InsufficientStock, adjust_stock


def stock_item(product: Any, variant: Any) -> Any:
    return variant if variant is not None else product


def reserve(item: Any, quantity: int, *, reason: str, user: Any = None) -> int:
    """Take ``quantity`` of ``item`` (a product or a variant) from stock and
    return how much was taken. An untracked item takes nothing; a backorder
    item takes what there is; otherwise :class:`InsufficientStock` (nothing taken)."""
    if not item.track_inventory:
        return 0
    try:
        adjust_stock(item, -quantity, reason=reason, user=user)
        return quantity
    except InsufficientStock:
        if not item.allow_backorder:
            raise
    # A backorder: take what is left now (another checkout may take it first).
    for _attempt in range(3):
        left = type(item)._default_manager.filter(pk=item.pk).values_list("stock", flat=True).first() or 0
        if left <= 0:
            return 0
        try:
            adjust_stock(item, -min(left, quantity), reason=reason, user=user)
            return min(left, quantity)
        except InsufficientStock:
            continue
    return 0


def release(lines: Any, *, reason: str, user: Any = None) -> None:
    """Put back what each order line reserved (lines whose product or variant
    was deleted have nothing to go back to)."""
    product_model = get_product_model()
    for line in lines:
        if not line.reserved_quantity:
            continue
        if line.variant_id is not None:
            item: Any = Variant.objects.filter(pk=line.variant_id).first()
        elif line.product_id is not None and not line.for_variant:
            item = product_model._default_manager.filter(pk=line.product_id).first()
        else:
            item = None
        if item is not None:
            adjust_stock(item, line.reserved_quantity, reason=reason, user=user)
