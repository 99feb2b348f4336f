"""The product list read from ``.values()`` rows instead of model instances.

A page of 100 products through the ORM builds some 400 model instances (the
products, their categories, tags, images and variants), and Django's prefetch
builds a related manager and a queryset per product for ``tags``: more than
half of a list request's CPU time, where a view built on ``.values()`` (the
benchmark's ceiling) pays none of it. :class:`ListRows` reads the page, its
tags, primary images, variants and the variants' option values as rows, in at
most as many queries as the prefetching path (count, page, tags, primary
images, and variants and their option values when a product of the page has
variants by its stored ``has_variants``), and builds each item
with the serializer's own fields: a plain model column goes through the
serializer's compiled step (:mod:`bazary.core.readplan`) on the row, the
built-in computed fields (category, tags, price range, options, stock,
primary image) are built here the way :class:`ProductSerializer` builds them,
their rules (stock, prices, options) being :mod:`bazary.catalog.rules`' on the
rows' values, as the models' are on their attributes.

It is used only when it can write what the serializer writes:
:meth:`ListRows.for_serializer` returns ``None`` (the view then serializes
model instances, as DRF does) for a serializer that overrides
``to_representation`` or one of the built-in fields' methods, sets
``compiled_read = False``, has a custom list serializer, or has a field that
is not a plain column of the product model nor one of the built-in fields
(a property, a method field of its own, a nested serializer...), and for a
product model that overrides the stock and variant properties. A project's
subclass that only adds model columns (a ``brand``) keeps the row path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models.query_utils import DeferredAttribute
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers

from bazary.core.readplan import SKIP, compile_step

from . import rules
from .models import AbstractProduct, ProductImage, Tag, Variant, VariantOptionValue
from .serializers.common import CategoryField, TagField, _is_staff, stored_file_url
from .serializers.products import ProductSerializer

#: What the built-in fields read from the product's own row, besides its columns.
_SUMMARY_COLUMNS = ("price", "stock", "track_inventory", "has_variants")
#: The product model's members the built-in fields' values come from: a model
#: overriding one computes them its own way, which the rows cannot follow.
_MODEL_MEMBERS = ("in_stock", "variant_list", "variant_summary")
#: The serializer's members the built-in fields are written by.
_SERIALIZER_MEMBERS = (
    "to_representation",
    "visible_variants",
    "get_price_min",
    "get_price_max",
    "get_options",
    "get_primary_image",
)
_METHOD_FIELDS = ("price_min", "price_max", "options", "primary_image")
_BOOLEAN_FIELDS = ("in_stock", "has_variants")


class _CountByKey:
    """Mixed into the rows' queryset class: its ``count()`` (the paginator's)
    is the model queryset's. A ``.values()`` queryset keeps its columns in a
    sliced count's subquery (the capped count, ``COUNT(*) FROM (SELECT …
    LIMIT 10001)``), where the model queryset selects the primary key only."""

    def count(self) -> int:
        queryset: Any = self
        if queryset._result_cache is not None:
            return len(queryset._result_cache)
        query = queryset.query.chain()
        query.clear_select_fields()
        return int(query.get_count(using=queryset.db))


_COUNTED_BY_KEY: dict[type, type] = {}


def _counted_by_key(base: type) -> type:
    """``base`` with :class:`_CountByKey` mixed in (one class per base)."""
    counted = _COUNTED_BY_KEY.get(base)
    if counted is None:
        counted = _COUNTED_BY_KEY[base] = type(f"Rows{base.__name__}", (_CountByKey, base), {})
    return counted


class _Row:
    """Attribute access over a row dict, so readplan's attribute steps read it."""


def _as_object(row: dict[str, Any]) -> _Row:
    obj = _Row()
    obj.__dict__ = row
    return obj


def _money(value: Any) -> str:
    return f"{value:.2f}"  # what ProductSerializer.get_price_min writes


class _Product:
    """What the built-in fields need of one product: its row, its variants'
    rows (in order, inactive ones too) and what :mod:`~bazary.catalog.rules`
    reads of them, its tags and primary image."""

    __slots__ = ("image", "prices", "row", "stocks", "tags", "variants")

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.variants: list[dict[str, Any]] = []
        self.stocks: list[rules.StockState] = []
        self.prices: list[rules.PriceState] = []
        self.tags: list[dict[str, str]] = []
        self.image: dict[str, Any] | None = None

    def active(self) -> list[dict[str, Any]]:
        return [variant for variant in self.variants if variant["is_active"]]


Builder = Callable[[_Product], Any]


class ListRows:
    """The list items of one serializer instance (its context: the request,
    for staff fields and image URLs), built from rows."""

    def __init__(self, serializer: ProductSerializer) -> None:
        self.serializer = serializer
        self.model: Any = serializer.Meta.model
        self.staff = _is_staff(serializer)
        self.plan: list[tuple[str, Builder]] = []
        self.names: set[str] = set()  # the fields of the plan
        self.columns: dict[str, None] = dict.fromkeys((self.model._meta.pk.attname, *_SUMMARY_COLUMNS))

    # ------------------------------------------------------------------ building the plan

    @classmethod
    def for_serializer(cls, serializer: Any) -> ListRows | None:
        """The row reader writing what ``serializer`` (a product list
        serializer, unbound) writes, or ``None`` when it cannot."""
        serializer_class = type(serializer)
        if not isinstance(serializer, ProductSerializer) or not serializer.compiled_read:
            return None
        if any(getattr(serializer_class, name) is not getattr(ProductSerializer, name) for name in _SERIALIZER_MEMBERS):
            return None
        meta = serializer.Meta
        if getattr(meta, "list_serializer_class", serializers.ListSerializer) is not serializers.ListSerializer:
            return None
        model = meta.model
        if any(getattr(model, name) is not getattr(AbstractProduct, name) for name in _MODEL_MEMBERS):
            return None
        reader = cls(serializer)
        for field in serializer._readable_fields:
            builder = _builder(field, reader)
            if builder is None:
                return None
            reader.plan.append((str(field.field_name), builder))
        reader.names = {name for name, _ in reader.plan}
        return reader

    # ------------------------------------------------------------------ reading

    def rows(self, queryset: Any, extra_columns: Iterable[str] = ()) -> Any:
        """``queryset`` (the filtered list) as rows of the columns the items
        need (and ``extra_columns``, e.g. a cursor's ordering), prefetches dropped."""
        columns = dict.fromkeys([*self.columns, *extra_columns])
        rows = queryset.prefetch_related(None).values(*columns)
        rows.__class__ = _counted_by_key(type(rows))
        return rows

    def items(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The page's items, reading its tags, images and variants in one query
        each (none for variants when no product of the page has any)."""
        pk = self.model._meta.pk.attname
        products = {row[pk]: _Product(row) for row in rows}
        if products:
            self._read_related(products)
        items = []
        for product in products.values():
            item = {}
            for name, build in self.plan:
                value = build(product)
                if value is not SKIP:
                    item[name] = value
            if "stock" in item and product.variants:
                # ProductSerializer.to_representation: its variants' total.
                item["stock"] = rules.variants_stock(product.stocks)
            items.append(item)
        return items

    def _read_related(self, products: dict[Any, _Product]) -> None:
        ids = list(products)
        if "tags" in self.names:
            tags = self.model._meta.get_field("tags")
            source, target = tags.m2m_field_name(), tags.m2m_reverse_field_name()
            ordering = [_prefixed(target, str(name)) for name in Tag._meta.ordering or ()]
            links = tags.remote_field.through._default_manager.filter(**{f"{source}__in": ids}).order_by(*ordering)
            for link in links.values(source, f"{target}__slug", f"{target}__name"):
                products[link[source]].tags.append({"slug": link[f"{target}__slug"], "name": link[f"{target}__name"]})
        if "primary_image" in self.names:
            image: Any
            for image in ProductImage.objects.filter(product_id__in=ids, is_primary=True).values(
                "product_id", "image", "alt_text"
            ):
                product = products[image["product_id"]]
                if product.image is None:  # the first in ProductImage's ordering, as the prefetch's [0]
                    product.image = image
        variants: dict[Any, dict[str, Any]] = {}
        variant: Any
        # Only the products the stored flag says have variants (the filters
        # trust it too): a page without any runs no variant query.
        with_variants = [pk for pk, product in products.items() if product.row["has_variants"]]
        for variant in (
            Variant.objects.filter(product_id__in=with_variants)
            .order_by("position", "pk")
            .values("id", "product_id", "price", "stock", "is_active", "track_inventory")
            if with_variants
            else ()
        ):
            variant["links"] = []
            variants[variant["id"]] = variant
            owner = products[variant["product_id"]]
            owner.variants.append(variant)
            owner.stocks.append((variant["is_active"], variant["track_inventory"], variant["stock"]))
            owner.prices.append((variant["is_active"], variant["price"]))
        if variants and "options" in self.names:
            # The variant's id, then a rules.OptionLink.
            for link in VariantOptionValue.objects.filter(variant_id__in=list(variants)).values_list(
                "variant_id",
                "option_id",
                "option__position",
                "option__name",
                "option__slug",
                "value_id",
                "value__position",
                "value__slug",
                "value__name",
                "value__color",
            ):
                variants[link[0]]["links"].append(link[1:])

    # ------------------------------------------------------------------ the built-in fields

    def in_stock(self, product: _Product) -> bool:
        """:func:`bazary.catalog.rules.product_in_stock` of the rows."""
        row = product.row
        return rules.product_in_stock(row["track_inventory"], row["stock"], product.stocks)

    def price_bound(self, product: _Product, bound: int) -> str:
        """:func:`bazary.catalog.rules.price_bounds`' lowest (``bound`` 0)
        or highest (1), or the product's price without an active variant."""
        price = product.row["price"]
        bounds = rules.price_bounds(price, product.prices)
        return _money(price if bounds is None else bounds[bound])

    def options(self, product: _Product) -> list[dict[str, Any]]:
        """:func:`bazary.catalog.variants.options_of` of the visible variants:
        :func:`bazary.catalog.rules.options_json` of their links' rows."""
        visible = product.variants if self.staff else product.active()
        return rules.options_json(link for variant in visible for link in variant["links"])

    def primary_image(self, product: _Product) -> dict[str, Any] | None:
        image = product.image
        if image is None:
            return None
        return {
            "url": stored_file_url(self.serializer, ProductImage, "image", image["image"]),
            "alt_text": image["alt_text"],
        }


#: Field classes that never read one plain column.
_NOT_COLUMNS = (
    serializers.BaseSerializer,
    relations.RelatedField,
    relations.ManyRelatedField,
    serializers.SerializerMethodField,
)


def _prefixed(prefix: str, ordering: str) -> str:
    return f"-{prefix}__{ordering[1:]}" if ordering.startswith("-") else f"{prefix}__{ordering}"


def _declared(name: str, field: drf_fields.Field) -> bool:
    """``field`` is ProductSerializer's own field of that name, unchanged."""
    declared = ProductSerializer._declared_fields.get(name)
    return declared is not None and type(field) is type(declared) and field.source == (declared.source or name)


def _column(model: Any, attr: str) -> bool:
    """A concrete, non-relational column of ``model`` that ``.values()`` returns
    as the instance's attribute holds it (no descriptor of its own: a file
    field's value is a ``FieldFile`` on an instance, a name in a row)."""
    try:
        model_field = model._meta.get_field(attr)
    except Exception:  # a property, a method, an annotation
        return False
    return (
        getattr(model_field, "concrete", False)
        and not model_field.is_relation
        and model_field.attname == attr
        and type(model.__dict__.get(attr, getattr(model, attr, None))) is DeferredAttribute
    )


def _builder(field: drf_fields.Field, reader: ListRows) -> Builder | None:
    """How one readable field of the list serializer is built from a product's
    rows (adding the columns it reads to ``reader``'s), or ``None`` when the
    rows cannot give what the serializer writes."""
    name, model, columns = field.field_name, reader.model, reader.columns
    if name in _METHOD_FIELDS and isinstance(field, serializers.SerializerMethodField) and _declared(name, field):
        if field.method_name != f"get_{name}":
            return None
        return {
            "price_min": lambda product: reader.price_bound(product, 0),
            "price_max": lambda product: reader.price_bound(product, 1),
            "options": reader.options,
            "primary_image": reader.primary_image,
        }[name]
    if name in _BOOLEAN_FIELDS and _declared(name, field) and not _overrides(field, drf_fields.BooleanField):
        return reader.in_stock if name == "in_stock" else (lambda product: bool(product.variants))
    if name == "category" and type(field) is CategoryField and field.source == "category":
        fk = model._meta.get_field("category")
        if fk.remote_field.field_name != fk.related_model._meta.pk.name:
            return None
        columns.update(dict.fromkeys((fk.attname, "category__slug", "category__name")))
        attname = fk.attname

        def category(product: _Product) -> Any:
            row = product.row
            if row[attname] is None:
                return None
            return {"id": row[attname], "slug": row["category__slug"], "name": row["category__name"]}

        return category
    if name == "tags" and type(field) is relations.ManyRelatedField and field.source == "tags":
        if type(field.child_relation) is not TagField:
            return None
        return lambda product: product.tags
    if (
        isinstance(field, _NOT_COLUMNS)
        or len(field.source_attrs) != 1
        or _overrides(field, drf_fields.Field, "get_attribute")
        or not _column(model, field.source_attrs[0])
    ):
        return None
    columns[field.source_attrs[0]] = None
    step = compile_step(field, reader.serializer)  # the same conversion as the instance path
    return lambda product: step(_as_object(product.row))


def _overrides(field: drf_fields.Field, base: type, name: str = "to_representation") -> bool:
    return getattr(type(field), name) is not getattr(base, name)
