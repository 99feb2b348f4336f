"""The compiled read path against DRF's generic one, on the same data: the
response bodies must be byte for byte the ones DRF's serializers and DRF's
own JSON renderer write. Shared by the main project's tests and the
swapped-model project's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.test.utils import override_settings
from rest_framework import renderers

from bazary.catalog import serializers as catalog
from bazary.testing.catalog import (
    CategoryFactory,
    OptionFactory,
    ProductFactory,
    ProductImageFactory,
    TagFactory,
    VariantFactory,
)


class GenericProductSerializer(catalog.ProductSerializer):
    compiled_read = False


class GenericProductDetailSerializer(catalog.ProductDetailSerializer):
    compiled_read = False


class DRFJSONRenderer(renderers.JSONRenderer):
    """What bazary's renderer was before orjson: DRF's, with ASCII escapes."""

    ensure_ascii = True


def rich_catalog(**extra: Any) -> list[Any]:
    """Products that exercise every field: variants with options (one
    inactive), tags, primary and secondary images, non-ASCII text past the
    BMP, floats Python and orjson write differently, nulls, zero stock."""
    root = CategoryFactory(name="Äpfel & Birnen")
    child = CategoryFactory(name="Sub 🍐", parent=root)
    eco, sale = TagFactory(name="éco"), TagFactory(name="sale")
    size = OptionFactory(name="Size", values=["S", "M"])
    colour = OptionFactory(name="Colour", values=["Black", "Wéiß"])
    s, m = size.values.order_by("position")
    black, white = colour.values.order_by("position")
    shirt = ProductFactory(
        name="T-shirt ✓ 🎉",
        category=child,
        tags=[eco, sale],
        price=Decimal("20.00"),
        compare_at_price=Decimal("25.50"),
        cost_price=Decimal("7.10"),
        attributes={"material": "coton bio", "ratio": 0.5, "count": 3, "ok": True, "none": None},
        short_description="Soft\u2028line\x7f",
        **extra,
    )
    VariantFactory(product=shirt, sku="TS-S-B", values=[s, black], price=Decimal("19.00"), stock=0)
    VariantFactory(product=shirt, sku="TS-M-W", values=[m, white], stock=4)
    VariantFactory(product=shirt, sku="TS-M-B", values=[m, black], is_active=False, stock=9)
    ProductImageFactory(product=shirt, alt_text="front ☀", is_primary=True)
    ProductImageFactory(product=shirt, alt_text="back", is_primary=False, position=1)
    mug = ProductFactory(name="Mug", category=child, stock=0, track_inventory=True, **extra)
    # Floats orjson writes otherwise (DRF's renderer writes a body holding one).
    plain = ProductFactory(name="Plain", category=root, tags=[sale], attributes={"tiny": 1e-05, "huge": 1e20}, **extra)
    return [shirt, mug, plain]


def assert_same_bodies(client: Any, paths: list[str], generic: dict[str, str] | None = None) -> None:
    """Each path, read with the catalog's serializers as configured and with
    their ``compiled_read = False`` twins (``generic``: BAZARY_CATALOG keys to
    import strings), gives the same data, and the bytes sent are DRF's
    renderer's for that data."""
    generic = generic or {
        "PRODUCT_SERIALIZER": f"{__name__}.GenericProductSerializer",
        "PRODUCT_DETAIL_SERIALIZER": f"{__name__}.GenericProductDetailSerializer",
    }
    configured = getattr(settings, "BAZARY_CATALOG", {})
    for path in paths:
        fast = client.get(path)
        with override_settings(BAZARY_CATALOG={**configured, **generic}):
            slow = client.get(path)
        assert fast.status_code == slow.status_code == 200, (path, fast.status_code, slow.status_code)
        assert fast.data == slow.data, path
        assert fast.content == DRFJSONRenderer().render(slow.data), path
        assert fast.get("ETag") == slow.get("ETag"), path
