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
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TextIO, cast

from django.core.validators import URLValidator
from django.db import connections, transaction
from django.utils import timezone
from django.utils.text import slugify
from rest_framework import serializers

from bazary.core.outbound import Refused

from . import bulkload
from .exportimages import ImageURLs, image_rows, variant_image
from .importimages import Fetched, ImageWriter, fetch, is_shop_path
from .importrows import RowValidator
from .models import (
    RESERVED_PRODUCT_SLUGS,
    StockMovement,
    Tag,
    generate_sku,
    get_category_model,
    get_product_model,
    reserved_product_slug_message,
)
from .serializers import INT_MAX, validate_attributes

COLUMNS = [
    "sku",
    "name",
    "slug",
    "short_description",
    "description",
    "price",
    "compare_at_price",
    "cost_price",
    "currency",
    "stock",
    "low_stock_threshold",
    "track_inventory",
    "allow_backorder",
    "is_digital",
    "is_active",
    "is_featured",
    "category",
    "tags",
    "attributes",
    "seo_title",
    "seo_description",
    "options",
    "variants",
    "images",
]
NULLABLE = {"compare_at_price", "cost_price"}
TAG_SEPARATOR = "|"
PATH_SEPARATOR = "/"


def _url_or_shop_path(value: str) -> None:
    if not is_shop_path(value):
        URLValidator(message=serializers.URLField.default_error_messages["invalid"])(value)


def _image_url(value: str) -> None:
    """An image URL a download may use (checked again, with its address, when
    downloaded), or a file of this shop (:func:`is_shop_path`)."""
    from .conf import catalog_settings
    from .importimages import check_url

    _url_or_shop_path(value)
    if catalog_settings.IMPORT_IMAGES and not is_shop_path(value):
        try:
            check_url(value)
        except Refused as exc:
            raise serializers.ValidationError(str(exc)) from exc


class ImageRowSerializer(serializers.Serializer):
    """One image of a row's ``images``: downloaded from ``url`` by the import
    (see :mod:`bazary.catalog.importimages`); a ``/path`` names one of the
    product's own files."""

    url = serializers.CharField(max_length=2000, validators=[_image_url])
    alt_text = serializers.CharField(max_length=200, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False)


class VariantRowSerializer(serializers.Serializer):
    """One variant of a row's ``variants`` (upserted by ``sku``)."""

    sku = serializers.CharField(max_length=64, required=False, allow_blank=True)
    options = serializers.DictField(child=serializers.CharField(max_length=80), allow_empty=False)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
    compare_at_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    cost_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
    stock = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False)
    track_inventory = serializers.BooleanField(required=False)
    allow_backorder = serializers.BooleanField(required=False)
    low_stock_threshold = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False)
    weight = serializers.DecimalField(max_digits=10, decimal_places=3, min_value=0, required=False, allow_null=True)
    length = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True)
    width = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True)
    height = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)
    position = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False)
    #: The URL of one of the row's ``images``, linked to the variant.
    image = serializers.CharField(max_length=2000, required=False, allow_blank=True, validators=[_url_or_shop_path])

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        compare_at, price = attrs.get("compare_at_price"), attrs.get("price")
        if compare_at is not None and price is not None and compare_at < price:
            raise serializers.ValidationError({"compare_at_price": "Cannot be lower than the price."})
        return attrs


class ImportRowSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=220, required=False, allow_blank=True)
    short_description = serializers.CharField(max_length=300, required=False, allow_blank=True)
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
    allow_backorder = serializers.BooleanField(required=False)
    is_digital = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
    is_featured = serializers.BooleanField(required=False)
    category = serializers.CharField(max_length=1000)
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=50)
    attributes = serializers.JSONField(required=False, validators=[validate_attributes])
    seo_title = serializers.CharField(max_length=160, required=False, allow_blank=True)
    seo_description = serializers.CharField(max_length=320, required=False, allow_blank=True)

    options = serializers.ListField(child=serializers.CharField(max_length=80), required=False, max_length=10)
    variants = serializers.ListField(child=VariantRowSerializer(), required=False, max_length=250)
    images = serializers.ListField(child=ImageRowSerializer(), required=False)

    def validate_slug(self, value: str) -> str:
        if value in RESERVED_PRODUCT_SLUGS:
            raise serializers.ValidationError(reserved_product_slug_message(value))
        return value

    def validate_category(self, value: str) -> list[str]:
        parts = [part.strip() for part in value.split(PATH_SEPARATOR)]
        if not all(parts) or any(len(part) > 120 for part in parts):
            raise serializers.ValidationError("Give a path of category names such as 'Electronics/Phones'.")
        return parts

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        compare_at, price = attrs.get("compare_at_price"), attrs.get("price")
        if compare_at is not None and price is not None and compare_at < price:
            raise serializers.ValidationError({"compare_at_price": "Cannot be lower than the price."})
        self._validate_images(attrs)
        variants = attrs.get("variants")
        if variants:
            options = attrs.get("options") or []
            if len({name.casefold() for name in options}) != len(options) or not options:
                raise serializers.ValidationError({"options": "Name each option the variants vary by, once."})
            if attrs.get("stock"):
                raise serializers.ValidationError({"stock": "A product with variants has no stock of its own."})
            combinations, skus = set(), set()
            for index, variant in enumerate(variants):
                if set(variant["options"]) != set(options):
                    raise serializers.ValidationError(
                        {"variants": {str(index): {"options": f"Give one value for each of {', '.join(options)}."}}}
                    )
                combination = tuple(variant["options"][name].casefold() for name in options)
                if combination in combinations:
                    raise serializers.ValidationError({"variants": {str(index): {"options": "Duplicate combination."}}})
                combinations.add(combination)
                if variant.get("sku"):
                    if variant["sku"] in skus:
                        raise serializers.ValidationError({"variants": {str(index): {"sku": "Duplicate SKU."}}})
                    skus.add(variant["sku"])
        return attrs

    def _validate_images(self, attrs: dict[str, Any]) -> None:
        from .conf import catalog_settings

        images = attrs.get("images") or []
        limit = catalog_settings.IMPORT_MAX_IMAGES_PER_PRODUCT
        if len(images) > limit:
            raise serializers.ValidationError({"images": f"At most {limit} images a product."})
        urls: set[str] = set()
        for index, image in enumerate(images):
            if image["url"] in urls:
                raise serializers.ValidationError({"images": {str(index): {"url": "Duplicate image URL."}}})
            urls.add(image["url"])
        for index, variant in enumerate(attrs.get("variants") or ()):
            if variant.get("image") and variant["image"] not in urls:
                raise serializers.ValidationError(
                    {"variants": {str(index): {"image": "Give the URL of one of the row's images."}}}
                )


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, Any]] = field(default_factory=list)


def read_rows(stream: TextIO, fmt: str) -> Iterator[tuple[int, Any]]:
    """``(line number, raw row)`` pairs; for JSON the item's 1-based index;
    for Shopify's CSV the line of a product's first row."""
    if fmt == "shopify":
        from .shopify import read_shopify

        yield from read_shopify(stream)
        return
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
        # The export's neutralise(), undone (the same rule both ways).
        value = unneutralise(value)
        if value == "":
            if key in NULLABLE:
                data[key] = None
            continue
        if key in ("tags", "options"):
            data[key] = [tag.strip() for tag in value.split(TAG_SEPARATOR) if tag.strip()]
        elif key in ("attributes", "variants", "images"):
            try:
                data[key] = json.loads(value)
            except ValueError:
                data[key] = value  # rejected by validation with a clear message
        else:
            data[key] = value
    return data


#: Rows validated, looked up and written per round trip.
BATCH = 1000


def validate_rows(
    stream: TextIO, fmt: str, report: ImportReport, on_row: Callable[[], None] | None = None
) -> list[tuple[int, dict[str, Any]]]:
    """Every row of the file through the rules of :class:`ImportRowSerializer`
    (compiled by :class:`~bazary.catalog.importrows.RowValidator`), plus the
    checks that need the whole file or the database (duplicate SKUs and
    slugs, a slug of another product, a price below the compare-at price a
    product keeps). Errors go to ``report``; the valid rows are returned."""
    valid: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    slugs: dict[str, int] = {}
    # Compiled once from ImportRowSerializer: the same values and messages,
    # without the serializer's machinery per row (see bazary.catalog.importrows).
    validator = RowValidator(ImportRowSerializer)
    for line, raw in read_rows(stream, fmt):
        if on_row:
            on_row()
        if not isinstance(raw, dict):
            report.errors.append((line, "Each item must be an object."))
            continue
        try:
            data = validator.validate(raw)
        except serializers.ValidationError as exc:
            report.errors.append((line, exc.detail))
            continue
        sku = data["sku"]
        if sku in seen:
            report.errors.append((line, {"sku": [f"Duplicate of line {seen[sku]}."]}))
            continue
        slug = data.get("slug")
        if slug and slug in slugs:
            report.errors.append((line, {"slug": [f"Duplicate of line {slugs[slug]}."]}))
            continue
        seen[sku] = line
        if slug:
            slugs[slug] = line
        valid.append((line, data))
    _check_variant_skus(valid, report)
    manager = get_product_model()._default_manager
    # A slug given in the file must not belong to another product.
    for chunk in chunked(list(slugs), BATCH):
        for slug, sku in manager.filter(slug__in=chunk).values_list("slug", "sku"):
            if seen.get(sku) != slugs[slug]:
                report.errors.append((slugs[slug], {"slug": [f"{slug!r} is the slug of another product ({sku})."]}))
    # A row that leaves out a price or compare-at price keeps the product's:
    # the pair must still satisfy the database's check.
    for chunk in chunked(valid, BATCH):
        current = {
            sku: (price, compare_at)
            for sku, price, compare_at in manager.filter(sku__in=[data["sku"] for _, data in chunk]).values_list(
                "sku", "price", "compare_at_price"
            )
        }
        for line, data in chunk:
            if data["sku"] not in current:
                continue
            price, compare_at = current[data["sku"]]
            price = data.get("price", price)
            compare_at = data.get("compare_at_price", compare_at)
            if compare_at is not None and compare_at < price:
                report.errors.append((line, {"compare_at_price": ["Cannot be lower than the price."]}))
    report.errors.sort(key=lambda error: error[0])
    return valid


def _check_variant_skus(valid: list[tuple[int, dict[str, Any]]], report: ImportReport) -> None:
    """A variant SKU appears once in the file and is not a variant of
    another product (nor a product's SKU)."""
    from .models import Variant

    owner: dict[str, tuple[int, str]] = {}
    for line, data in valid:
        for variant in data.get("variants") or []:
            sku = variant.get("sku")
            if not sku:
                continue
            if sku in owner and owner[sku][1] != data["sku"]:
                report.errors.append((line, {"variants": [f"SKU {sku!r} is also a variant on line {owner[sku][0]}."]}))
            owner[sku] = (line, data["sku"])
    if not owner:
        return
    for chunk in chunked(list(owner), BATCH):
        for sku, product_sku in Variant.objects.filter(sku__in=chunk).values_list("sku", "product__sku"):
            if product_sku != owner[sku][1]:
                report.errors.append(
                    (owner[sku][0], {"variants": [f"SKU {sku!r} is a variant of another product ({product_sku})."]})
                )
        for sku in get_product_model()._default_manager.filter(sku__in=chunk).values_list("sku", flat=True):
            report.errors.append((owner[sku][0], {"variants": [f"SKU {sku!r} is a product's SKU."]}))


def import_products(
    stream: TextIO,
    fmt: str,
    *,
    user: Any = None,
    dry_run: bool = False,
    on_start: Callable[[int], Callable[[int], None] | None] | None = None,
    on_row: Callable[[], None] | None = None,
    on_images: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Validate every row, then (unless there are errors) download the images
    the rows name (``IMPORT_IMAGES``; ``on_images(done, total)`` as they
    come, see :mod:`bazary.catalog.importimages`) and upsert the rows in one
    transaction. A ``dry_run`` downloads and checks the images too (the same
    row errors), stores none and writes nothing. ``on_start(total)`` may return a progress
    callback, called with the number of rows written after each batch. A
    bad image is a row error as any other; files stored for an import that
    does not commit are deleted.

    Rows are written in batches of :data:`BATCH` with one upsert each
    (``INSERT ... ON CONFLICT (sku) DO UPDATE``), not a ``save()`` per row;
    what ``save()`` and the signals would maintain is done in bulk too: slugs,
    the tag links, stock movements, back-in-stock notifications and the
    PostgreSQL search vectors."""
    from .conf import catalog_settings
    from .tree import invalidate_tree

    report = ImportReport()
    valid = validate_rows(stream, fmt, report, on_row=on_row)
    if report.errors:
        return report
    if dry_run:
        if catalog_settings.IMPORT_IMAGES:
            # The same downloads and checks as the import's, nothing stored.
            fetch(valid, report.errors, progress=on_images, store=False)
            report.errors.sort(key=lambda error: error[0])
        return report
    fetched: Fetched | None = None
    if catalog_settings.IMPORT_IMAGES:
        # Before the transaction: no network I/O while it holds the rows' locks.
        fetched = fetch(valid, report.errors, progress=on_images)
        if report.errors:
            fetched.discard()
            report.errors.sort(key=lambda error: error[0])
            return report
    progress = on_start(len(valid)) if on_start else None
    writer = BulkWriter(user, images=ImageWriter(fetched) if fetched is not None else None)
    # Slugs the file gives are not generated for another row, in any batch.
    writer.slugs.reserve(data["slug"] for _, data in valid if data.get("slug"))
    try:
        with transaction.atomic():
            for chunk in chunked(valid, BATCH):
                writer.lines = {data["sku"]: line for line, data in chunk}
                created, updated = writer.write([data for _, data in chunk])
                report.created += created
                report.updated += updated
                if progress:
                    progress(len(chunk))
            if writer.categories.created:
                # Once for every category the import created (they send no
                # post_save): now, and again when the import commits.
                invalidate_tree(using=writer.manager.db)
    except RowConflict as exc:
        # Rolled back: nothing of the import is written, and no file is left.
        if fetched is not None:
            fetched.discard()
        report.created = report.updated = 0
        # The line is always known here (writer.lines holds every row of the batch).
        report.errors.append((exc.line or 0, exc.detail))
    except BaseException:
        if fetched is not None:
            fetched.discard()
        raise
    return report


class RowConflict(Exception):
    """A row that only the write finds wrong (its variants against those the
    product has): the import is rolled back and the row reported."""

    def __init__(self, line: int | None, detail: Any) -> None:
        super().__init__(line, detail)
        self.line, self.detail = line, detail


def chunked(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class BulkWriter:
    """Upserts batches of validated rows (see :func:`import_products`)."""

    def __init__(self, user: Any = None, images: ImageWriter | None = None) -> None:
        self.images = images
        self.model = get_product_model()
        self.manager = self.model._default_manager
        self.user = user if user is not None and getattr(user, "is_authenticated", False) else None
        self.categories = CategoryResolver()
        self.tags = TagResolver()
        self.slugs = SlugAllocator(self.model)
        self.variants = VariantWriter(self.user)
        #: SKU to line of the batch being written (for :class:`RowConflict`).
        self.lines: dict[str, int] = {}
        # Every concrete column the file can carry or the model defaults,
        # except those an upsert must not overwrite.
        self.update_fields = [
            f.name
            for f in self.model._meta.concrete_fields
            if not f.primary_key and f.name not in ("created_at", "search_vector", "has_variants")
        ]
        through = cast(Any, self.model._meta.get_field("tags")).remote_field.through
        self.through = through
        self.through_fk = next(
            f.name for f in through._meta.get_fields() if getattr(f, "related_model", None) is self.model
        )

    def write(self, rows: list[dict[str, Any]]) -> tuple[int, int]:
        # Locked until the import commits: a sale cannot slip in between the
        # stock read here and the upsert (its decrement would be lost).
        existing = {
            product.sku: product
            for product in self.manager.select_for_update().filter(sku__in=[row["sku"] for row in rows])
        }
        existing_ids = {sku: product.pk for sku, product in existing.items()}
        self.slugs.prefetch(row["name"] for row in rows if row["sku"] not in existing and not row.get("slug"))
        self.tags.prefetch(name for row in rows for name in row.get("tags") or ())
        self.categories.prefetch(row["category"] for row in rows)
        products: list[Any] = []
        old_stock: dict[str, int | None] = {}  # None: a new product
        old_visibility: dict[str, tuple[Any, Any]] = {}
        tag_sets: dict[str, list[Tag]] = {}
        variant_sets: dict[str, tuple[list[str], list[dict[str, Any]]]] = {}
        for row in rows:
            data = dict(row)
            category = self.categories.get(data.pop("category"))
            tag_names = data.pop("tags", None)
            option_names = data.pop("options", None)
            variant_rows = data.pop("variants", None)
            data.pop("images", None)
            if variant_rows:
                variant_sets[data["sku"]] = (option_names, variant_rows)
            product = existing.get(data["sku"])
            if product is None:
                product = self.model(**data)
                old_stock[data["sku"]] = None
            else:
                old_stock[data["sku"]] = product.stock
                old_visibility[data["sku"]] = (product.is_active, product.category_id)
                for key, value in data.items():
                    setattr(product, key, value)
            product.category = category
            if not product.slug:
                product.slug = self.slugs.allocate(product.name)
            if tag_names is not None:
                tag_sets[data["sku"]] = self.tags.get_many(tag_names)
            product.pk = None  # one INSERT per batch; the SKU finds the row
            products.append(product)
        ids = self.upsert(products, tag_sets, existing_ids)
        for product in products:
            product.pk = ids[product.sku]
        self.write_tags(ids, tag_sets, {sku for sku, stock in old_stock.items() if stock is None})
        self.write_stock_movements(products, old_stock)
        self.release_held_alerts(products, old_visibility)
        if variant_sets:
            self.variants.write_batch({p.sku: p for p in products}, variant_sets, self.lines)
        if self.images is not None:
            self.images.write({p.sku: p for p in products}, rows, self.variants.written if variant_sets else {})
        if connections[self.manager.db].vendor != "postgresql":
            # Other databases search without the vector; on PostgreSQL the
            # upsert filled it.
            from .search import update_search_vectors

            update_search_vectors(self.manager.filter(pk__in=list(ids.values())))
        created = sum(1 for sku in old_stock if old_stock[sku] is None)
        return created, len(products) - created

    def upsert(self, products: list[Any], tag_sets: dict[str, list[Tag]], existing: dict[str, Any]) -> dict[str, Any]:
        """Write the rows (``existing``: SKU to primary key of those that
        exist); on PostgreSQL their search vectors in the same statement
        (from the tags the file gives, or else the tags the product has), not
        in a second UPDATE that rewrites every row."""
        if connections[self.manager.db].vendor != "postgresql":
            return bulkload.upsert(self.manager, products, unique_field="sku", update_fields=self.update_fields)
        from .search import search_vector_sql

        names = {sku: " ".join(tag.name for tag in tags) for sku, tags in tag_sets.items()}
        kept = [pk for sku, pk in existing.items() if sku not in tag_sets]
        held: dict[Any, list[str]] = {}
        if kept:
            for product_id, name in self.through.objects.filter(**{f"{self.through_fk}_id__in": kept}).values_list(
                f"{self.through_fk}_id", "tag__name"
            ):
                held.setdefault(product_id, []).append(name)
        for sku, pk in existing.items():
            if sku not in tag_sets:
                names[sku] = " ".join(held.get(pk, ()))
        connection = connections[self.manager.db]
        return bulkload.upsert(
            self.manager,
            products,
            unique_field="sku",
            update_fields=self.update_fields,
            computed={"search_vector": search_vector_sql(self.model, connection.ops.quote_name, "bazary_tag_names")},
            extra=[bulkload.Extra("bazary_tag_names", "text", lambda product: names.get(product.sku, ""))],
        )

    def write_tags(self, ids: dict[str, Any], tag_sets: dict[str, list[Tag]], new: set[str]) -> None:
        """The rows' tag links: only those that differ are rewritten (a
        re-import of the same file changes none)."""
        wanted = {ids[sku]: {tag.pk for tag in tags} for sku, tags in tag_sets.items()}
        current: dict[Any, set[Any]] = {}
        old_ids = [ids[sku] for sku in tag_sets if sku not in new]
        if old_ids:
            for product_id, tag_id in self.through.objects.filter(**{f"{self.through_fk}_id__in": old_ids}).values_list(
                f"{self.through_fk}_id", "tag_id"
            ):
                current.setdefault(product_id, set()).add(tag_id)
        changed = [pk for pk, tag_ids in wanted.items() if current.get(pk, set()) != tag_ids]
        stale = [pk for pk in changed if pk in current]
        if stale:
            self.through.objects.filter(**{f"{self.through_fk}_id__in": stale}).delete()
        bulkload.insert_values(
            self.through,
            [f"{self.through_fk}_id", "tag_id"],
            [(pk, tag_id) for pk in changed for tag_id in wanted[pk]],
            using=self.manager.db,
        )

    def write_stock_movements(self, products: list[Any], old_stock: dict[str, int | None]) -> None:
        from .stock import notify_back_in_stock

        movements = []
        now = timezone.now()
        user_id = self.user.pk if self.user is not None else None
        for product in products:
            before = old_stock[product.sku] or 0
            if product.stock == before:
                continue
            movements.append((product.pk, None, product.stock - before, product.stock, "Import", user_id, now))
            if old_stock[product.sku] is not None and before <= 0 < product.stock:
                # As adjust_stock does: the waiting users hear of it once the import commits.
                transaction.on_commit(partial(notify_back_in_stock, product))
        bulkload.insert_values(
            StockMovement,
            ["product_id", "variant_id", "delta", "stock_after", "reason", "user_id", "created_at"],
            movements,
            using=self.manager.db,
        )

    def release_held_alerts(self, products: list[Any], old_visibility: dict[str, tuple[Any, Any]]) -> None:
        """As the ``post_save`` receivers of :mod:`bazary.catalog.alerts` do: a
        product the import re-activated or moved may be visible again, and its
        held back-in-stock alerts are sent once the import commits."""
        from .alerts import notify_visible_products

        moved = [
            product.pk
            for product in products
            if product.sku in old_visibility
            and product.is_active
            and old_visibility[product.sku] != (product.is_active, product.category_id)
        ]
        if moved:
            transaction.on_commit(partial(notify_visible_products, pk__in=moved))


class VariantWriter:
    """The options and variants of a batch of rows, in a fixed number of
    statements per batch (not a ``save()`` per variant).

    Variants are matched by SKU, else by their combination of option values;
    a product's other variants are left as they are (deactivate one with
    ``is_active: false``). Options and values are read per batch and created
    when missing (a ``save()`` each: they are few). New variants are inserted
    and existing ones updated in bulk, with their ``combination_key`` (kept
    unique per product by the database: a combination two variants would
    share fails the whole import) and their option links rewritten; stock
    differences become stock movements of the variant, and the variant's
    back-in-stock alerts go out once the import commits. No ``post_save`` is
    sent for a variant (as for the products of an import)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.options: dict[str, Any] = {}
        self.values: dict[tuple[Any, str], Any] = {}
        self.value_counts: dict[Any, int] = {}
        #: ``(product SKU, index in the row's variants)``: the variant written
        #: for it in the last batch (its primary key set once inserted).
        self.written: dict[tuple[str, int], Any] = {}

    def prefetch_options(self, names: Iterable[str]) -> None:
        from django.db.models.functions import Lower

        from .models import Option

        wanted = {name.casefold(): name for name in names if name.casefold() not in self.options}
        if wanted:
            found = Option.objects.annotate(lower_name=Lower("name")).filter(
                lower_name__in={name.lower() for name in wanted.values()}
            )
            for found_option in found.order_by("pk"):
                self.options.setdefault(found_option.name.casefold(), found_option)
        for key, name in wanted.items():
            if key not in self.options:
                option = Option(name=name)
                option.save()
                self.options[key] = option

    def prefetch_values(self, pairs: Iterable[tuple[Any, str]]) -> None:
        from django.db.models import Count
        from django.db.models.functions import Lower

        from .models import OptionValue

        wanted = {(option.pk, name.casefold()): (option, name) for option, name in pairs}
        wanted = {key: pair for key, pair in wanted.items() if key not in self.values}
        if not wanted:
            return
        option_ids = {option_id for option_id, _ in wanted}
        found = OptionValue.objects.annotate(lower_name=Lower("name")).filter(
            option_id__in=option_ids, lower_name__in={name.lower() for _, name in wanted.values()}
        )
        for found_value in found.order_by("pk"):
            self.values.setdefault((found_value.option_id, found_value.name.casefold()), found_value)
        missing = [(key, pair) for key, pair in wanted.items() if key not in self.values]
        if not missing:
            return
        counts = dict(
            OptionValue.objects.filter(option_id__in={key[0] for key, _ in missing})
            .values("option_id")
            .annotate(n=Count("pk"))
            .values_list("option_id", "n")
        )
        for option_id, n in counts.items():
            self.value_counts.setdefault(option_id, n)
        for key, (option, name) in missing:
            position = self.value_counts.get(option.pk, 0)
            value = OptionValue(option=option, name=name, position=position)
            value.save()
            self.value_counts[option.pk] = position + 1
            self.values[key] = value

    def write_batch(
        self,
        products: dict[str, Any],
        sets: dict[str, tuple[list[str], list[dict[str, Any]]]],
        lines: dict[str, int] | None = None,
    ) -> None:
        from .models import Variant, VariantOptionValue, combination_key
        from .stock import notify_back_in_stock
        from .variants import refresh_has_variants

        self.written = {}
        self.prefetch_options(name for names, _ in sets.values() for name in names)
        pairs = []
        for names, rows in sets.values():
            options = [self.options[name.casefold()] for name in names]
            for row in rows:
                for option in options:
                    pairs.append((option, _value_for(row["options"], option)))
        self.prefetch_values(pairs)
        product_ids = [products[sku].pk for sku in sets]
        self._link_options(products, sets)
        existing: dict[Any, list[Any]] = {}
        for locked in Variant.objects.select_for_update().filter(product_id__in=product_ids).order_by("pk"):
            existing.setdefault(locked.product_id, []).append(locked)
        new: list[Any] = []
        changed: list[Any] = []
        values_of: dict[int, list[Any]] = {}  # id(variant): its values
        before: dict[int, int | None] = {}  # id(variant): stock before (None: new)
        fields = [
            f.name
            for f in Variant._meta.concrete_fields
            if not f.primary_key and f.name not in ("created_at", "product")
        ]
        for sku, (names, rows) in sets.items():
            product = products[sku]
            options = [self.options[name.casefold()] for name in names]
            current = existing.get(product.pk, [])
            by_sku = {variant.sku: variant for variant in current}
            by_key = {variant.combination_key: variant for variant in current}
            for position, row in enumerate(rows):
                data = dict(row)
                given = data.pop("options")
                data.pop("image", None)  # linked by the ImageWriter
                values = [self.values[(option.pk, _value_for(given, option).casefold())] for option in options]
                key = combination_key(values)
                variant: Any = by_sku.get(data.get("sku") or "") or by_key.get(key)
                if variant is not None and id(variant) in values_of:
                    raise RowConflict(
                        (lines or {}).get(sku),
                        {"variants": {str(position): [f"Another variant of the row is already {variant.sku}."]}},
                    )
                if variant is None:
                    variant = Variant(product_id=product.pk, position=position)
                    before[id(variant)] = None
                    new.append(variant)
                else:
                    before[id(variant)] = variant.stock
                    changed.append(variant)
                if not data.get("sku"):
                    data.pop("sku", None)
                for field_name, value in data.items():
                    setattr(variant, field_name, value)
                if not variant.sku:
                    variant.sku = generate_sku()
                variant.combination_key = key
                variant.product = product
                values_of[id(variant)] = values
                self.written[(sku, position)] = variant
            # What the database's unique (product, combination) would refuse, as a row error.
            final: dict[str, Any] = {}
            for variant in [*current, *(v for v in new if v.product_id == product.pk)]:
                other = final.setdefault(variant.combination_key, variant)
                if other is not variant:
                    raise RowConflict(
                        (lines or {}).get(sku),
                        {"variants": [f"{variant.sku} and {other.sku} would have the same option values."]},
                    )
        if changed:
            bulkload.update(Variant._default_manager, changed, fields=fields)
        if new:
            ids = bulkload.upsert(Variant._default_manager, new, unique_field="sku", update_fields=None)
            for variant in new:
                variant.pk = ids[variant.sku]
            # Bulk inserts send no post_save: the products' flag in one UPDATE.
            refresh_has_variants({variant.product_id for variant in new})
        # The option links of every written variant, rewritten.
        VariantOptionValue.objects.filter(variant_id__in=[variant.pk for variant in changed]).delete()
        bulkload.insert_values(
            VariantOptionValue,
            ["variant_id", "option_id", "value_id"],
            [
                (variant.pk, value.option_id, value.pk)
                for variant in [*changed, *new]
                for value in values_of[id(variant)]
            ],
            using=Variant._default_manager.db,
        )
        movements = []
        now = timezone.now()
        user_id = self.user.pk if self.user is not None else None
        for variant in [*changed, *new]:
            old = before[id(variant)]
            if variant.stock == (old or 0):
                continue
            movements.append(
                (variant.product_id, variant.pk, variant.stock - (old or 0), variant.stock, "Import", user_id, now)
            )
            if old is not None and old <= 0 < variant.stock:
                transaction.on_commit(partial(notify_back_in_stock, variant.product, variant=variant))
        bulkload.insert_values(
            StockMovement,
            ["product_id", "variant_id", "delta", "stock_after", "reason", "user_id", "created_at"],
            movements,
            using=Variant._default_manager.db,
        )

    def _link_options(self, products: dict[str, Any], sets: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
        """``product.options.add(...)`` for the batch: the missing links only."""
        model = get_product_model()
        through = cast(Any, model._meta.get_field("options")).remote_field.through
        fk = next(f.attname for f in through._meta.concrete_fields if getattr(f, "related_model", None) is model)
        option_fk = next(
            f.attname
            for f in through._meta.concrete_fields
            if getattr(f, "related_model", None) is not model and getattr(f, "related_model", None) is not None
        )
        ids = [products[sku].pk for sku in sets]
        have = set(through.objects.filter(**{f"{fk}__in": ids}).values_list(fk, option_fk))
        wanted = {
            (products[sku].pk, self.options[name.casefold()].pk) for sku, (names, _) in sets.items() for name in names
        }
        bulkload.insert_values(through, [fk, option_fk], sorted(wanted - have), using=model._default_manager.db)


def _value_for(names: dict[str, str], option: Any) -> str:
    """The value given for ``option`` under any letter case of its name."""
    for name, value in names.items():
        if name.casefold() == option.name.casefold():
            return value
    raise KeyError(option.name)


class SlugAllocator:
    """Unique slugs for a batch of new products, without a query per row:
    :meth:`prefetch` asks once per batch which plain slugified names are
    taken; only a name whose slug is taken costs one more query (then it is
    suffixed ``-2``, ``-3``...)."""

    def __init__(
        self, model: type[Any], *, reserved: Iterable[str] = RESERVED_PRODUCT_SLUGS, fallback: str = "product"
    ) -> None:
        self.model = model
        self.max_length = cast(Any, model._meta.get_field("slug")).max_length
        self.fallback = fallback
        # In the database, given out by this import, or reserved by the URLs.
        self.taken: set[str] = set(reserved)
        self.checked: set[str] = set()  # bases the database was asked about

    def base(self, name: str) -> str:
        return slugify(name)[: self.max_length - 8].strip("-") or self.fallback

    def reserve(self, slugs: Iterable[str]) -> None:
        self.taken.update(slugs)

    def prefetch(self, names: Iterable[str]) -> None:
        bases = {self.base(name) for name in names} - self.checked
        if bases:
            self.taken.update(self.model._default_manager.filter(slug__in=bases).values_list("slug", flat=True))
            self.checked.update(bases)

    def allocate(self, name: str) -> str:
        base = self.base(name)
        if base not in self.checked:
            self.prefetch([name])
        if base not in self.taken:
            self.taken.add(base)
            return base
        taken = self.taken | set(
            self.model._default_manager.filter(slug__startswith=base).values_list("slug", flat=True)
        )
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        self.taken.add(f"{base}-{n}")
        return f"{base}-{n}"


class CategoryResolver:
    """Category paths to categories, creating missing ones. The categories
    are read once, in one query, on first use; :meth:`prefetch` creates a
    batch's missing ones in bulk, a few statements per level of the tree
    (not a ``save()`` each): slugs allocated as ``save()`` would (unique,
    ``-2``, ``-3``...), one ``INSERT`` per level, then one ``UPDATE`` of the
    new rows' materialized paths (which need their primary keys). Like the
    products of an import, they send no ``post_save``: the caller bumps the
    category tree's cache version once (:attr:`created` says whether to)."""

    def __init__(self) -> None:
        from .models import RESERVED_CATEGORY_SLUGS

        self.model = get_category_model()
        self.cache: dict[tuple[str, ...], Any] = {}
        self.children: dict[tuple[Any, str], Any] | None = None
        self.slugs = SlugAllocator(self.model, reserved=RESERVED_CATEGORY_SLUGS, fallback="category")
        #: Categories created so far.
        self.created = 0

    def _load(self) -> dict[tuple[Any, str], Any]:
        if self.children is None:
            self.children = {}
            for category in self.model._default_manager.only("pk", "name", "parent_id", "path"):
                # The first in the default order, as ``.filter(...).first()`` would find.
                self.children.setdefault((category.parent_id, category.name), category)
        return self.children

    def get(self, parts: list[str]) -> Any:
        found = self.cache.get(tuple(parts))
        if found is None:
            self.prefetch([parts])
            found = self.cache[tuple(parts)]
        return found

    def prefetch(self, paths: Iterable[list[str]]) -> None:
        """Find the categories of ``paths``, creating the missing ones."""
        children = self._load()
        missing: dict[tuple[str, ...], None] = {}  # parents before their children
        for parts in paths:
            parent: Any = None
            for depth in range(1, len(parts) + 1):
                key = tuple(parts[:depth])
                if key in self.cache:
                    parent = self.cache[key]
                    continue
                found = None
                if depth == 1 or parent is not None:  # else its parent is missing too
                    found = children.get((parent.pk if parent is not None else None, key[-1]))
                if found is None:
                    missing[key] = None
                    parent = None
                    continue
                self.cache[key] = parent = found
        if missing:
            self._create(list(missing))

    def _create(self, keys: list[tuple[str, ...]]) -> None:
        """Create the categories of ``keys`` (every parent exists or comes first)."""
        manager = self.model._default_manager
        children = self._load()
        self.slugs.prefetch(key[-1] for key in keys)
        returns_keys = connections[manager.db].features.can_return_rows_from_bulk_insert
        for depth in sorted({len(key) for key in keys}):
            level = [key for key in keys if len(key) == depth]
            created = [
                self.model(
                    name=key[-1], parent=self.cache[key[:-1]] if depth > 1 else None, slug=self.slugs.allocate(key[-1])
                )
                for key in level
            ]
            if returns_keys:
                manager.bulk_create(created)
                for category in created:
                    parent = category.parent
                    category.path = f"{parent.path if parent is not None else ''}{category.pk}{PATH_SEPARATOR}"
                # The materialized paths need the new primary keys: one UPDATE for the level.
                bulkload.update(manager, created, fields=["path"])
            else:
                for category in created:
                    category.save()
            for key, category in zip(level, created, strict=True):
                self.cache[key] = category
                children[(category.parent_id, category.name)] = category
            self.created += len(created)


class TagResolver:
    """Tag names to tags (the same letter case or slug finds an existing
    one), creating missing ones; :meth:`prefetch` reads a batch's new names
    in one query."""

    def __init__(self) -> None:
        self.cache: dict[str, Tag] = {}

    def prefetch(self, names: Iterable[str]) -> None:
        from django.db.models import Q
        from django.db.models.functions import Lower

        wanted = {name for name in names if name not in self.cache}
        if not wanted:
            return
        by_name: dict[str, Tag] = {}
        by_slug: dict[str, Tag] = {}
        found = Tag.objects.annotate(lower_name=Lower("name")).filter(
            Q(lower_name__in={name.lower() for name in wanted}) | Q(slug__in={slugify(name) for name in wanted})
        )
        for found_tag in found.order_by("pk"):
            by_name.setdefault(found_tag.name.lower(), found_tag)
            by_slug.setdefault(found_tag.slug, found_tag)
        for name in wanted:
            tag = by_name.get(name.lower()) or by_slug.get(slugify(name))
            if tag is not None:
                self.cache[name] = tag

    def get_many(self, names: Iterable[str]) -> list[Tag]:
        result = []
        for name in names:
            if name not in self.cache:
                self.prefetch([name])
            if name not in self.cache:
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


#: First characters that make a spreadsheet read a cell as a formula (CSV
#: injection): such a cell is written with a leading ``'``.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """``value`` safe to open in a spreadsheet: a leading ``'`` when it (past
    any quotes already there) starts like a formula. :func:`unneutralise`
    reverses it exactly, so an export reads back unchanged."""
    return f"'{value}" if value.lstrip("'")[:1] in FORMULA_TRIGGERS and value else value


def unneutralise(value: str) -> str:
    return value[1:] if value.startswith("'") and value.lstrip("'")[:1] in FORMULA_TRIGGERS and value else value


def _money(value: Any) -> str | None:
    return None if value is None else str(value)


def export_queryset() -> Any:
    """Every product, in primary-key order, with what a row needs prefetched
    (per chunk of :meth:`~django.db.models.query.QuerySet.iterator`)."""
    from django.db.models import Prefetch

    from .models import Option, ProductImage, Variant, VariantOptionValue

    links = VariantOptionValue.objects.select_related("option", "value")
    variants = Variant.objects.order_by("position", "pk").prefetch_related(
        Prefetch("option_links", queryset=links),
        # Which of the product's images a variant has: their keys and positions only.
        Prefetch("images", queryset=ProductImage.objects.only("pk", "position")),
    )
    manager: Any = get_product_model()._default_manager
    return manager.order_by("pk").prefetch_related(
        "tags",
        Prefetch("options", queryset=Option.objects.order_by("position", "name", "pk")),
        Prefetch("variants", queryset=variants),
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk")),
    )


def variant_row(variant: Any, image_urls: dict[Any, str] | None = None) -> dict[str, Any]:
    """A variant as the import reads it; ``image_urls`` (its product's image
    URLs by primary key) gives its ``image``."""
    links = sorted(variant.option_links.all(), key=lambda link: (link.option.position, link.option.name))
    return {
        "sku": variant.sku,
        "options": {link.option.name: link.value.name for link in links},
        "price": _money(variant.price),
        "compare_at_price": _money(variant.compare_at_price),
        "cost_price": _money(variant.cost_price),
        "stock": variant.stock,
        "track_inventory": variant.track_inventory,
        "allow_backorder": variant.allow_backorder,
        "low_stock_threshold": variant.low_stock_threshold,
        "weight": _money(variant.weight),
        "length": _money(variant.length),
        "width": _money(variant.width),
        "height": _money(variant.height),
        "is_active": variant.is_active,
        "position": variant.position,
        "image": variant_image(variant, image_urls or {}),
    }


def export_rows(chunk_size: int = 1000, image_urls: ImageURLs | None = None) -> Iterator[dict[str, Any]]:
    """One dict per product (all of them, inactive ones and cost prices
    included: an export is for staff), in constant memory: the products are
    read ``chunk_size`` at a time with their prefetches (one query for the
    images of a chunk, one for its variants' image links). ``image_urls``
    turns a stored file into the URL written (see
    :mod:`bazary.catalog.exportimages`; default: the storage's URL as it is)."""
    paths = category_paths()
    urls = image_urls if image_urls is not None else ImageURLs()
    for product in export_queryset().iterator(chunk_size=chunk_size):
        images, by_pk = image_rows(product, urls)
        yield {
            "sku": product.sku,
            "name": product.name,
            "slug": product.slug,
            "short_description": product.short_description,
            "description": product.description,
            "price": str(product.price),
            "compare_at_price": _money(product.compare_at_price),
            "cost_price": _money(product.cost_price),
            "currency": product.currency,
            "stock": product.stock,
            "low_stock_threshold": product.low_stock_threshold,
            "track_inventory": product.track_inventory,
            "allow_backorder": product.allow_backorder,
            "is_digital": product.is_digital,
            "is_active": product.is_active,
            "is_featured": product.is_featured,
            "category": paths[product.category_id],
            "tags": [tag.name for tag in product.tags.all()],
            "attributes": product.attributes,
            "seo_title": product.seo_title,
            "seo_description": product.seo_description,
            "options": [option.name for option in product.options.all()],
            "variants": [variant_row(variant, by_pk) for variant in product.variants.all()],
            "images": images,
        }


def csv_cells(row: dict[str, Any]) -> dict[str, Any]:
    """A row as CSV cells: lists joined, objects as JSON, booleans
    ``true``/``false``, and every text cell :func:`neutralise`-d."""
    cells: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("tags", "options"):
            value = TAG_SEPARATOR.join(value)
        elif key in ("attributes", "variants", "images"):
            value = "" if key in ("variants", "images") and not value else json.dumps(value, ensure_ascii=False)
        elif isinstance(value, bool):
            value = str(value).lower()
        elif value is None:
            value = ""
        cells[key] = neutralise(value) if isinstance(value, str) else value
    return cells


class Exporter:
    """The export as text chunks (for a file or a streamed HTTP response).

    ``rows_per_chunk`` rows are encoded into one chunk; :attr:`count` is the
    number of products written so far; ``image_urls`` makes the image URLs
    (see :mod:`bazary.catalog.exportimages`)."""

    def __init__(
        self,
        fmt: str,
        *,
        rows_per_chunk: int = 200,
        progress: Callable[[int], None] | None = None,
        image_urls: ImageURLs | None = None,
    ) -> None:
        self.fmt, self.rows_per_chunk, self.progress = fmt, rows_per_chunk, progress
        self.image_urls = image_urls if image_urls is not None else ImageURLs()
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        return self.json_chunks() if self.fmt == "json" else self.csv_chunks()

    def _rows(self) -> Iterator[dict[str, Any]]:
        for row in export_rows(image_urls=self.image_urls):
            self.count += 1
            if self.progress:
                self.progress(1)
            yield row

    def json_chunks(self) -> Iterator[str]:
        parts = ["["]
        for row in self._rows():
            parts.append(("\n" if self.count == 1 else ",\n") + json.dumps(row, ensure_ascii=False))
            if len(parts) >= self.rows_per_chunk:
                yield "".join(parts)
                parts = []
        parts.append("\n]\n")
        yield "".join(parts)

    def csv_chunks(self) -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
        writer.writeheader()
        for row in self._rows():
            writer.writerow(csv_cells(row))
            if self.count % self.rows_per_chunk == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()


def export_products(
    stream: Any, fmt: str, progress: Callable[[int], None] | None = None, image_urls: ImageURLs | None = None
) -> int:
    exporter = Exporter(fmt, progress=progress, image_urls=image_urls)
    for chunk in exporter:
        stream.write(chunk)
    return exporter.count


def detect_format(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    return "json" if path.lower().endswith(".json") else "csv"
