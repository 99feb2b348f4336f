"""The ceiling: the catalog's pages as a Django view can build them at best.

The same SQL filters and visibility rule as the API, rows from ``.values()``,
the same storage for image URLs, and the **same fields and nesting as
bazary's product list item, detail and category tree** (every key, in the same
order), encoded with orjson into an ``HttpResponse``: no DRF, no serializer,
no content negotiation, no ETag. Whatever a request of the API costs above
this is what DRF and bazary add; the report divides the API's time by this
one's. (The older baseline, ``views.py``, returns fewer fields through
``JsonResponse``.)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from bazary.catalog.models import ProductImage, Tag, Variant, VariantOptionValue, get_category_model
from bazary.catalog.tree import cached_tree

from .views import _filtered, _int, _page, _visible

LIST_FIELDS = (
    "id",
    "slug",
    "name",
    "sku",
    "short_description",
    "price",
    "compare_at_price",
    "currency",
    "stock",
    "low_stock_threshold",
    "track_inventory",
    "allow_backorder",
    "is_digital",
    "is_active",
    "is_featured",
    "attributes",
    "seo_title",
    "seo_description",
    "created_at",
    "updated_at",
    "category_id",
    "category__slug",
    "category__name",
)
IMAGE_FIELDS = ("id", "image", "alt_text", "position", "is_primary", "width", "height", "created_at")


def _json(data: Any) -> HttpResponse:
    return HttpResponse(orjson.dumps(data, option=orjson.OPT_UTC_Z), content_type="application/json")


def _url(request: HttpRequest, name: str) -> str:
    url = default_storage.url(name)
    return request.build_absolute_uri(url) if url.startswith("/") else url


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _variants(ids: list[int]) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
    """Each product's variants (one query), and its options with the values its
    variants use (one more, only when there are variants)."""
    by_product: dict[int, list[dict[str, Any]]] = {}
    for variant in (
        Variant.objects.filter(product_id__in=ids)
        .order_by("position", "pk")
        .values("id", "product_id", "price", "stock", "is_active", "track_inventory")
    ):
        by_product.setdefault(variant["product_id"], []).append(variant)
    options: dict[int, list[dict[str, Any]]] = {}
    if by_product:
        grouped: dict[int, dict[int, dict[str, Any]]] = {}
        for link in (
            VariantOptionValue.objects.filter(variant__product_id__in=ids)
            .order_by("option__position", "option__name", "option_id", "value__position", "value_id")
            .values(
                "variant__product_id",
                "option_id",
                "option__slug",
                "option__name",
                "value_id",
                "value__slug",
                "value__name",
                "value__color",
            )
        ):
            product = grouped.setdefault(link["variant__product_id"], {})
            option = product.setdefault(
                link["option_id"], {"slug": link["option__slug"], "name": link["option__name"], "values": {}}
            )
            option["values"][link["value_id"]] = {
                "slug": link["value__slug"],
                "name": link["value__name"],
                "color": link["value__color"],
            }
        for pk, product_options in grouped.items():
            options[pk] = [{**o, "values": list(o["values"].values())} for o in product_options.values()]
    return by_product, options


def _item(row: dict[str, Any], variants: list[dict[str, Any]], options: list[dict[str, Any]]) -> dict[str, Any]:
    """One product in the list item's shape (bazary's ``ProductSerializer``)."""
    price = row["price"]
    active = [v for v in variants if v["is_active"]]
    prices = [price if v["price"] is None else v["price"] for v in active]
    stock = sum(v["stock"] for v in active if v["track_inventory"]) if variants else row["stock"]
    if variants:
        in_stock = any(not v["track_inventory"] or v["stock"] > 0 for v in active)
    else:
        in_stock = not row["track_inventory"] or row["stock"] > 0
    return {
        "id": row["id"],
        "slug": row["slug"],
        "name": row["name"],
        "sku": row["sku"],
        "short_description": row["short_description"],
        "price": _money(price),
        "price_min": _money(min(prices) if prices else price),
        "price_max": _money(max(prices) if prices else price),
        "compare_at_price": _money(row["compare_at_price"]),
        "currency": row["currency"],
        "stock": stock,
        "in_stock": in_stock,
        "low_stock_threshold": row["low_stock_threshold"],
        "track_inventory": row["track_inventory"],
        "allow_backorder": row["allow_backorder"],
        "is_digital": row["is_digital"],
        "is_active": row["is_active"],
        "is_featured": row["is_featured"],
        "has_variants": bool(variants),
        "options": options,
        "category": {"id": row["category_id"], "slug": row["category__slug"], "name": row["category__name"]},
        "tags": [],
        "attributes": row["attributes"],
        "primary_image": None,
        "seo_title": row["seo_title"],
        "seo_description": row["seo_description"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _items(request: HttpRequest, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [row["id"] for row in rows]
    variants, options = _variants(ids)
    items = {row["id"]: _item(row, variants.get(row["id"], []), options.get(row["id"], [])) for row in rows}
    from bazary.catalog.models import get_product_model

    through = get_product_model()._meta.get_field("tags").remote_field.through
    for link in (
        through.objects.filter(product_id__in=ids).order_by("tag__name").values("product_id", "tag__slug", "tag__name")
    ):
        items[link["product_id"]]["tags"].append({"slug": link["tag__slug"], "name": link["tag__name"]})
    for image in ProductImage.objects.filter(product_id__in=ids, is_primary=True).values(
        "product_id", "image", "alt_text"
    ):
        item = items[image["product_id"]]
        if item["primary_image"] is None:
            item["primary_image"] = {"url": _url(request, image["image"]), "alt_text": image["alt_text"]}
    return list(items.values())


@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    """Page-number pagination with the exact count, as the API's default."""
    qs = _filtered(request)
    size = _int(request.GET.get("page_size"), 20, 1, 100)
    page = _int(request.GET.get("page"), 1, 1, 10**9)
    count, rows = _page(qs.values(*LIST_FIELDS), page, size)
    return _json({"count": count, "next": None, "previous": None, "results": _items(request, rows)})


@require_GET
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    row = _visible().filter(slug=slug).values(*LIST_FIELDS, "description", "category__path").first()
    if row is None:
        raise Http404
    pk = row["id"]
    variants, options = _variants([pk])
    item = _item(row, variants.get(pk, []), options.get(pk, []))
    ids = [int(part) for part in row["category__path"].split("/") if part][:-1]
    known = get_category_model()._default_manager.in_bulk(ids) if ids else {}
    ancestors = [{"id": a.pk, "slug": a.slug, "name": a.name} for a in (known[i] for i in ids if i in known)]
    images = []
    for image in ProductImage.objects.filter(product_id=pk).values(*IMAGE_FIELDS):
        image["url"] = _url(request, image.pop("image"))
        images.append(image)
    item["category"]["ancestors"] = ancestors
    item["tags"] = list(Tag.objects.filter(products=pk).values("slug", "name"))
    primary = next((i for i in images if i["is_primary"]), None)
    item["primary_image"] = None if primary is None else {"url": primary["url"], "alt_text": primary["alt_text"]}
    detail = {key: item[key] for key in list(item)[:5]}
    detail["description"] = row["description"]
    detail.update((key, item[key]) for key in list(item)[5:])
    detail["images"] = [
        {
            "id": i["id"],
            "url": i["url"],
            "alt_text": i["alt_text"],
            "position": i["position"],
            "is_primary": i["is_primary"],
            "width": i["width"],
            "height": i["height"],
            "created_at": i["created_at"],
        }
        for i in images
    ]
    detail["variants"] = []  # the benchmark's products have none; their shape is the API's
    return _json(detail)


@require_GET
def category_tree(request: HttpRequest) -> HttpResponse:
    tree, _version = cached_tree(active_only=True)
    return _json(tree)
