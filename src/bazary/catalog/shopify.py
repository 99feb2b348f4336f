"""Shopify's product CSV export, read as bazary import rows
(``bazary_import_products --format shopify``, ``products/import/`` with
``format=shopify``).

Shopify writes one row per variant (and per extra image); the rows of a
product share its ``Handle``, and only the first carries the product's own
columns (``Title``, ``Body (HTML)``, ``Vendor``, ``Type``, ``Tags``...). Each
handle becomes one row of the bazary format (see :mod:`bazary.catalog.transfer`),
validated and written like any other: a product with its options
(``Option1 Name`` ... ``Option3 Name``) and variants, or a plain product when
Shopify's placeholder option (``Title`` / ``Default Title``) is all it has.
Its ``Image Src`` (with ``Image Alt Text`` and ``Image Position``) and
``Variant Image`` URLs become the row's ``images`` (each URL once, in file
order), downloaded by the import (see :mod:`bazary.catalog.importimages`),
and a variant's ``Variant Image`` its ``image``.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from django.utils.text import slugify

#: Columns a file must have to be read as Shopify's.
REQUIRED = {"Handle", "Title", "Variant Price"}
#: What Shopify writes for a product without variants.
PLACEHOLDER_OPTION = ("Title", "Default Title")
DEFAULT_CATEGORY = "Uncategorized"
#: ``ProductImage.alt_text``'s length: Shopify allows longer alt texts, cut here.
ALT_TEXT_LENGTH = 200


def read_shopify(stream: TextIO) -> Iterator[tuple[int, Any]]:
    """``(line of the handle's first row, bazary row)`` per product."""
    reader = csv.DictReader(stream)
    missing = REQUIRED - set(reader.fieldnames or [])
    if missing:
        raise ValueError(f"Not a Shopify product CSV: the header lacks {', '.join(sorted(missing))}.")
    groups: dict[str, tuple[int, list[dict[str, str]]]] = {}
    for row in reader:
        handle = (row.get("Handle") or "").strip()
        if not handle:
            continue
        if handle not in groups:
            groups[handle] = (reader.line_num, [])
        groups[handle][1].append({key: (value or "").strip() for key, value in row.items() if key is not None})
    for handle, (line, rows) in groups.items():
        yield line, product_row(handle, rows)


def _cell(row: dict[str, str], name: str) -> str:
    return row.get(name, "") or ""


def _money(text: str) -> str | None:
    return text or None


def _bool(text: str, default: bool) -> bool:
    if not text:
        return default
    return text.strip().lower() in ("true", "yes", "1")


def _category(first: dict[str, str]) -> str:
    """Shopify's ``Product Category`` (``A > B > C``) as a path, else the ``Type``."""
    taxonomy = _cell(first, "Product Category")
    parts = [part.strip() for part in taxonomy.split(">")] if taxonomy else [_cell(first, "Type")]
    parts = [part.replace("/", "-") for part in parts if part]
    return "/".join(parts) or DEFAULT_CATEGORY


def _weight(row: dict[str, str]) -> str | None:
    grams = _cell(row, "Variant Grams")
    if not grams:
        return None
    try:
        return str((Decimal(grams) / 1000).quantize(Decimal("0.001")))
    except InvalidOperation:
        return grams  # refused by the validation, with its message


def _compare_at(row: dict[str, str]) -> str | None:
    """Shopify keeps compare-at prices at or below the price (it does not
    show them); bazary refuses them: such a value is left out."""
    compare_at, price = _cell(row, "Variant Compare At Price"), _cell(row, "Variant Price")
    try:
        if compare_at and price and Decimal(compare_at) <= Decimal(price):
            return None
    except InvalidOperation:
        pass
    return _money(compare_at)


def _stock(text: str) -> Any:
    """Shopify's quantity, negative (oversold) counted as 0; anything else is
    left for the validation to refuse."""
    try:
        return max(int(text or 0), 0)
    except ValueError:
        return text


def _position(text: str) -> Any:
    """Shopify's 1-based ``Image Position``; anything else is left for the validation to refuse."""
    try:
        return int(text)
    except ValueError:
        return text


def images_of(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The product's images: each ``Image Src`` (and a ``Variant Image`` no
    ``Image Src`` names) once, in file order; without a position, after the
    last one given."""
    images: dict[str, dict[str, Any]] = {}
    for row in rows:
        url = _cell(row, "Image Src")
        if url and url not in images:
            image: dict[str, Any] = {"url": url, "alt_text": _cell(row, "Image Alt Text")[:ALT_TEXT_LENGTH]}
            if _cell(row, "Image Position"):
                image["position"] = _position(_cell(row, "Image Position"))
            images[url] = image
    for row in rows:
        url = _cell(row, "Variant Image")
        if url and url not in images:
            images[url] = {"url": url}
    last = max((image["position"] for image in images.values() if isinstance(image.get("position"), int)), default=0)
    for image in images.values():
        if "position" not in image:
            last += 1
            image["position"] = last
    return list(images.values())


def variant_row(row: dict[str, str], names: list[str], position: int) -> dict[str, Any]:
    tracked = _cell(row, "Variant Inventory Tracker")
    data: dict[str, Any] = {
        "sku": _cell(row, "Variant SKU"),
        "options": {name: _cell(row, f"Option{i} Value") for i, name in enumerate(names, start=1)},
        "price": _cell(row, "Variant Price"),
        "compare_at_price": _compare_at(row),
        "cost_price": _money(_cell(row, "Cost per item")),
        "stock": _stock(_cell(row, "Variant Inventory Qty")),
        "track_inventory": bool(tracked),
        "allow_backorder": _cell(row, "Variant Inventory Policy").lower() == "continue",
        "weight": _weight(row),
        "position": position,
    }
    if _cell(row, "Variant Image"):
        data["image"] = _cell(row, "Variant Image")
    return data


def product_row(handle: str, rows: list[dict[str, str]]) -> dict[str, Any]:
    """The bazary row of one Shopify product (its rows, in file order)."""
    first = rows[0]
    names = [_cell(first, f"Option{i} Name") for i in (1, 2, 3) if _cell(first, f"Option{i} Name")]
    variant_rows = [row for row in rows if _cell(row, "Variant Price") or _cell(row, "Option1 Value")]
    slug = slugify(handle)
    status = _cell(first, "Status").lower()
    data: dict[str, Any] = {
        "name": _cell(first, "Title"),
        "slug": slug if slug == handle else "",
        "description": _cell(first, "Body (HTML)"),
        "category": _category(first),
        "tags": [tag.strip() for tag in _cell(first, "Tags").split(",") if tag.strip()],
        "is_active": status == "active" if status else _bool(_cell(first, "Published"), True),
        "seo_title": _cell(first, "SEO Title"),
        "seo_description": _cell(first, "SEO Description"),
    }
    images = images_of(rows)
    if images:
        data["images"] = images
    vendor = _cell(first, "Vendor")
    data["attributes"] = {"vendor": vendor} if vendor else {}
    shipping = [_cell(row, "Variant Requires Shipping") for row in variant_rows]
    data["is_digital"] = bool(shipping) and all(value.lower() == "false" for value in shipping)
    plain = (names == [PLACEHOLDER_OPTION[0]] and len(variant_rows) <= 1) or not names
    if plain:
        variant = variant_row(variant_rows[0] if variant_rows else first, [], 0)
        data.update(
            sku=variant["sku"] or handle,
            price=variant["price"],
            compare_at_price=variant["compare_at_price"],
            cost_price=variant["cost_price"],
            stock=variant["stock"],
            track_inventory=variant["track_inventory"],
            allow_backorder=variant["allow_backorder"],
        )
        return data
    variants = [variant_row(row, names, position) for position, row in enumerate(variant_rows)]
    prices = []
    for variant in variants:
        with contextlib.suppress(InvalidOperation, TypeError):
            prices.append(Decimal(variant["price"]))
    # The product's price is its lowest; the variants keep their own.
    data.update(sku=handle, price=str(min(prices)) if prices else "", options=names, variants=variants)
    return data
