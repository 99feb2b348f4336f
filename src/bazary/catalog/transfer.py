"""CSV and JSON import/export of products (``bazary_import_products`` /
``bazary_export_products``).

One row per product, upserted by ``sku``. ``category`` is a path of category
names from the root (``"Electronics/Phones"``); missing categories are created.
``tags`` is a list of tag names (``"sale|new"`` in CSV). ``attributes`` is an
object (a JSON string in CSV). Imports validate every row first and write in
one transaction: any bad row (reported with its line number) means nothing is
written.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db import transaction
from django.utils.text import slugify
from rest_framework import serializers

from .models import Tag, get_category_model, get_product_model
from .serializers import INT_MAX, validate_attributes
from .stock import adjust_stock

COLUMNS = [
    "sku",
    "name",
    "slug",
    "description",
    "price",
    "compare_at_price",
    "cost_price",
    "currency",
    "stock",
    "low_stock_threshold",
    "track_inventory",
    "is_active",
    "is_featured",
    "category",
    "tags",
    "attributes",
    "seo_title",
    "seo_description",
]
NULLABLE = {"compare_at_price", "cost_price"}
TAG_SEPARATOR = "|"
PATH_SEPARATOR = "/"


class ImportRowSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=220, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    compare_at_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    cost_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
    stock = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False)
    low_stock_threshold = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False)
    track_inventory = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
    is_featured = serializers.BooleanField(required=False)
    category = serializers.CharField(max_length=1000)
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=50)
    attributes = serializers.JSONField(required=False, validators=[validate_attributes])
    seo_title = serializers.CharField(max_length=160, required=False, allow_blank=True)
    seo_description = serializers.CharField(max_length=320, required=False, allow_blank=True)

    def validate_category(self, value: str) -> list[str]:
        parts = [part.strip() for part in value.split(PATH_SEPARATOR)]
        if not all(parts) or any(len(part) > 120 for part in parts):
            raise serializers.ValidationError("Give a path of category names such as 'Electronics/Phones'.")
        return parts

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        compare_at, price = attrs.get("compare_at_price"), attrs.get("price")
        if compare_at is not None and price is not None and compare_at < price:
            raise serializers.ValidationError({"compare_at_price": "Cannot be lower than the price."})
        return attrs


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, Any]] = field(default_factory=list)


def read_rows(stream: TextIO, fmt: str) -> Iterator[tuple[int, Any]]:
    """``(line number, raw row)`` pairs; for JSON the item's 1-based index."""
    if fmt == "json":
        try:
            data = json.load(stream)
        except ValueError as exc:
            raise ValueError(f"Not valid JSON: {exc}") from exc
        if not isinstance(data, list):
            raise ValueError("The JSON file must hold a list of product objects.")
        yield from enumerate(data, start=1)
        return
    reader = csv.DictReader(stream)
    missing = {"sku", "name", "price", "category"} - set(reader.fieldnames or [])
    if missing:
        raise ValueError(f"The CSV header lacks: {', '.join(sorted(missing))}.")
    for row in reader:
        yield reader.line_num, _from_csv(row)


def _from_csv(row: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or key not in COLUMNS:
            continue  # extra columns are ignored
        value = (value or "").strip() if key not in ("description",) else (value or "")
        if value == "":
            if key in NULLABLE:
                data[key] = None
            continue
        if key == "tags":
            data[key] = [tag.strip() for tag in value.split(TAG_SEPARATOR) if tag.strip()]
        elif key == "attributes":
            try:
                data[key] = json.loads(value)
            except ValueError:
                data[key] = value  # rejected by validation with a clear message
        else:
            data[key] = value
    return data


def import_products(
    stream: TextIO,
    fmt: str,
    *,
    user: Any = None,
    dry_run: bool = False,
    on_start: Callable[[int], Callable[[int], None]] | None = None,
) -> ImportReport:
    """Validate every row, then (unless there are errors or ``dry_run``)
    upsert them all in one transaction. ``on_start(total)`` may return a
    progress callback, called with 1 per row written."""
    report = ImportReport()
    valid: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for line, raw in read_rows(stream, fmt):
        if not isinstance(raw, dict):
            report.errors.append((line, "Each item must be an object."))
            continue
        serializer = ImportRowSerializer(data=raw)
        if not serializer.is_valid():
            report.errors.append((line, serializer.errors))
            continue
        sku = serializer.validated_data["sku"]
        if sku in seen:
            report.errors.append((line, {"sku": [f"Duplicate of line {seen[sku]}."]}))
            continue
        seen[sku] = line
        valid.append((line, serializer.validated_data))
    Product = get_product_model()
    # A slug given in the file must not belong to another product.
    slugs = {data["slug"]: line for line, data in valid if data.get("slug")}
    for slug, sku in Product._default_manager.filter(slug__in=list(slugs)).values_list("slug", "sku"):
        if seen.get(sku) != slugs[slug]:
            report.errors.append((slugs[slug], {"slug": [f"{slug!r} is the slug of another product ({sku})."]}))
    report.errors.sort(key=lambda error: error[0])
    if report.errors or dry_run:
        return report

    progress = on_start(len(valid)) if on_start else None
    with transaction.atomic():
        existing = Product._default_manager.in_bulk(list(seen), field_name="sku")
        categories = CategoryResolver()
        tags = TagResolver()
        for _line, data in valid:
            data = dict(data)
            category = categories.get(data.pop("category"))
            tag_names = data.pop("tags", None)
            stock = data.pop("stock", None)
            product = existing.get(data["sku"])
            if product is None:
                product = Product(category=category, **data)
                product.save()
                report.created += 1
                if stock:
                    adjust_stock(product, stock, reason="Import", user=user)
            else:
                for key, value in data.items():
                    setattr(product, key, value)
                product.category = category
                product.save()
                report.updated += 1
                if stock is not None and stock != product.stock:
                    adjust_stock(product, stock - product.stock, reason="Import", user=user)
            if tag_names is not None:
                product.tags.set(tags.get_many(tag_names))
            if progress:
                progress(1)
    return report


class CategoryResolver:
    """Category paths to categories, creating missing ones, with a cache."""

    def __init__(self) -> None:
        self.model = get_category_model()
        self.cache: dict[tuple[str, ...], Any] = {}

    def get(self, parts: list[str]) -> Any:
        parent = None
        for depth in range(1, len(parts) + 1):
            key = tuple(parts[:depth])
            if key not in self.cache:
                name = parts[depth - 1]
                category = self.model._default_manager.filter(name=name, parent=parent).first()
                if category is None:
                    category = self.model(name=name, parent=parent)
                    category.save()
                self.cache[key] = category
            parent = self.cache[key]
        return parent


class TagResolver:
    def __init__(self) -> None:
        self.cache: dict[str, Tag] = {}

    def get_many(self, names: Iterable[str]) -> list[Tag]:
        result = []
        for name in names:
            if name not in self.cache:
                tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.filter(slug=slugify(name)).first()
                if tag is None:
                    tag = Tag(name=name)
                    tag.save()
                self.cache[name] = tag
            result.append(self.cache[name])
        return result


def category_paths() -> dict[Any, str]:
    """Every category's path of names, from one query."""
    rows = {
        pk: (name, parent_id)
        for pk, name, parent_id in get_category_model()._default_manager.values_list("pk", "name", "parent_id")
    }
    paths: dict[Any, str] = {}

    def path_of(pk: Any) -> str:
        if pk not in paths:
            name, parent_id = rows[pk]
            paths[pk] = name if parent_id is None else f"{path_of(parent_id)}{PATH_SEPARATOR}{name}"
        return paths[pk]

    for pk in rows:
        path_of(pk)
    return paths


def export_rows() -> Iterator[dict[str, Any]]:
    paths = category_paths()
    products = get_product_model()._default_manager.order_by("pk").prefetch_related("tags")
    for product in products.iterator(chunk_size=1000):
        yield {
            "sku": product.sku,
            "name": product.name,
            "slug": product.slug,
            "description": product.description,
            "price": str(product.price),
            "compare_at_price": None if product.compare_at_price is None else str(product.compare_at_price),
            "cost_price": None if product.cost_price is None else str(product.cost_price),
            "currency": product.currency,
            "stock": product.stock,
            "low_stock_threshold": product.low_stock_threshold,
            "track_inventory": product.track_inventory,
            "is_active": product.is_active,
            "is_featured": product.is_featured,
            "category": paths[product.category_id],
            "tags": [tag.name for tag in product.tags.all()],
            "attributes": product.attributes,
            "seo_title": product.seo_title,
            "seo_description": product.seo_description,
        }


def export_products(stream: Any, fmt: str, progress: Callable[[int], None] | None = None) -> int:
    count = 0
    if fmt == "json":
        stream.write("[")
        for count, row in enumerate(export_rows(), start=1):
            stream.write(("\n" if count == 1 else ",\n") + json.dumps(row, ensure_ascii=False))
            if progress:
                progress(1)
        stream.write("\n]\n")
        return count
    writer = csv.DictWriter(stream, fieldnames=COLUMNS)
    writer.writeheader()
    for row in export_rows():
        count += 1
        writer.writerow(
            {
                **row,
                "compare_at_price": row["compare_at_price"] or "",
                "cost_price": row["cost_price"] or "",
                "tags": TAG_SEPARATOR.join(row["tags"]),
                "attributes": json.dumps(row["attributes"], ensure_ascii=False),
                "track_inventory": str(row["track_inventory"]).lower(),
                "is_active": str(row["is_active"]).lower(),
                "is_featured": str(row["is_featured"]).lower(),
            }
        )
        if progress:
            progress(1)
    return count


def detect_format(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    return "json" if path.lower().endswith(".json") else "csv"
