"""Catalog models: a category tree, products (both swappable), images, tags,
options and variants, stock movements and back-in-stock alerts.

Projects swap ``Product`` or ``Category`` like ``AUTH_USER_MODEL``: subclass
:class:`AbstractProduct` / :class:`AbstractCategory` in their own app and set
``BAZARY_CATALOG_PRODUCT_MODEL`` / ``BAZARY_CATALOG_CATEGORY_MODEL`` before the
first migrate. Code that needs the model calls :func:`get_product_model` /
:func:`get_category_model`; foreign keys use :func:`swapper.get_model_name`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from typing import Any, cast

import swapper
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Concat, Length, Substr, Upper
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from bazary.core.models import TimeStampedModel

from . import rules
from .conf import catalog_settings
from .fields import SearchVectorField

PATH_SEPARATOR = "/"

#: Category slugs the API's URLs already use (``categories/tree/``,
#: ``?parent=root``): never generated, refused when given.
RESERVED_CATEGORY_SLUGS = frozenset({"tree", "root"})
#: Product slugs the staff URLs use (``products/bulk/``, ``products/import/``,
#: ``products/export/``): never generated, refused when given.
RESERVED_PRODUCT_SLUGS = frozenset({"bulk", "import", "export"})


def get_product_model() -> type[AbstractProduct]:
    return swapper.load_model("bazary_catalog", "Product")


def get_category_model() -> type[AbstractCategory]:
    return swapper.load_model("bazary_catalog", "Category")


def product_image_path(instance: Any, filename: str) -> str:
    """A fresh, unguessable name per upload: storages that overwrite by default
    (S3) must never replace another product's image of the same file name."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"bazary/catalog/products/{uuid.uuid4().hex}{extension}"


def category_image_path(instance: Any, filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"bazary/catalog/categories/{uuid.uuid4().hex}{extension}"


def default_currency() -> str:
    # Read per call, so override_settings and later changes apply to new rows.
    return catalog_settings.CURRENCY


def unique_slug(
    model: type[models.Model],
    value: str,
    *,
    exclude_pk: Any = None,
    fallback: str = "item",
    reserved: Iterable[str] = (),
) -> str:
    """``value`` slugified, suffixed ``-2``, ``-3``... until no row of ``model``
    has it (and it is not ``reserved``). One query whatever the number of
    duplicates."""
    max_length = cast(Any, model._meta.get_field("slug")).max_length or 50
    base = slugify(value)[: max_length - 8].strip("-") or fallback
    taken = set(
        model._default_manager.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    taken.update(reserved)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# --------------------------------------------------------------------------- categories


def hidden_by_inactive_ancestor(model: type[models.Model], path_ref: str = "path") -> Exists:
    """True for a row whose ``path`` (``path_ref`` of the outer query) starts
    with the path of an inactive category: it, or one of its ancestors, is
    inactive. A correlated subquery, so no extra round trip."""
    outer_path = OuterRef(path_ref)
    inactive = model._default_manager.filter(is_active=False).filter(
        path=Substr(outer_path, 1, Length("path"), output_field=models.CharField())
    )
    return Exists(inactive)


class CategoryQuerySet(models.QuerySet):
    def active(self) -> CategoryQuerySet:
        """Categories whose own flag is on (an ancestor may still be off: see
        :meth:`visible`)."""
        return self.filter(is_active=True)

    def visible(self) -> CategoryQuerySet:
        """What customers may see: active categories whose ancestors are all
        active too."""
        return self.filter(is_active=True).exclude(hidden_by_inactive_ancestor(self.model))

    def roots(self) -> CategoryQuerySet:
        return self.filter(parent__isnull=True)


def reserved_slug_message(slug: str) -> str:
    return str(
        _("%(slug)r is reserved by the API's URLs (categories/tree/, ?parent=root); choose another slug.")
        % {"slug": slug}
    )


def reserved_product_slug_message(slug: str) -> str:
    return str(
        _(
            "%(slug)r is reserved by the API's URLs (products/bulk/, products/import/, products/export/); "
            "choose another slug."
        )
        % {"slug": slug}
    )


class AbstractCategory(TimeStampedModel):
    """A node of the category tree.

    The tree is a materialized path kept by :meth:`save`: ``path`` holds the
    primary keys from the root down to this node (``"1/7/12/"``). Ancestors are
    the keys in ``path`` (one query), descendants share its prefix (one
    indexed ``LIKE 'prefix%'`` query), and moving a subtree rewrites every
    descendant's prefix in one ``UPDATE``.
    """

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to=category_image_path, blank=True)
    parent = models.ForeignKey(
        # Not "self": a swapped-out default Category must point at the model in
        # use, or makemigrations would see a change inside site-packages.
        swapper.get_model_name("bazary_catalog", "Category"),
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("tree path"), max_length=1000, db_index=True, editable=False, default="")
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    seo_title = models.CharField(_("SEO title"), max_length=160, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=320, blank=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ("position", "name")
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        """0 for a root."""
        return max(self.path.count(PATH_SEPARATOR) - 1, 0)

    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to the parent, without a query."""
        ids = [int(part) for part in self.path.split(PATH_SEPARATOR) if part]
        return ids[:-1]

    def get_ancestors(self) -> list[AbstractCategory]:
        ids = self.ancestor_ids()
        if not ids:
            return []
        by_id = type(self)._default_manager.in_bulk(ids)
        return [by_id[pk] for pk in ids if pk in by_id]

    def get_descendants(self, include_self: bool = False) -> CategoryQuerySet:
        qs = type(self)._default_manager.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def path_length_under(self, parent: AbstractCategory | None) -> int:
        """The longest path in this subtree once moved under ``parent``
        (one query for an existing category)."""
        from django.db.models import Max
        from django.db.models.functions import Length

        own = len(str(self.pk)) + 1 if self.pk else 20  # a new row: room for a 19-digit id
        prefix = len(parent.path) if parent is not None else 0
        if not self.pk or not self.path:
            return prefix + own
        longest = self.get_descendants(include_self=True).aggregate(n=Max(Length("path")))["n"] or len(self.path)
        return prefix + own + longest - len(self.path)

    def is_descendant_of(self, other: AbstractCategory) -> bool:
        return bool(other.path) and self.path.startswith(other.path)

    def clean(self) -> None:
        super().clean()
        if self.slug in RESERVED_CATEGORY_SLUGS:
            raise ValidationError({"slug": reserved_slug_message(self.slug)})
        if self.parent_id is not None and self.pk is not None:
            parent = cast(Any, self.parent)
            if parent.pk == self.pk or (self.path and parent.path.startswith(self.path)):
                raise ValidationError({"parent": _("A category cannot be moved under itself or its descendants.")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = unique_slug(
                type(self), self.name, exclude_pk=self.pk, fallback="category", reserved=RESERVED_CATEGORY_SLUGS
            )
        with transaction.atomic(using=kwargs.get("using")):
            old_path = self.path
            super().save(*args, **kwargs)
            manager = type(self)._default_manager
            # The parent's path is read fresh: the instance may predate a move.
            parent_path = (
                manager.filter(pk=self.parent_id).values_list("path", flat=True).get() if self.parent_id else ""
            )
            if old_path and parent_path.startswith(old_path):
                raise ValueError("A category cannot be moved under itself or its descendants.")
            new_path = f"{parent_path}{self.pk}{PATH_SEPARATOR}"
            if new_path == old_path:
                return
            if old_path:
                # One UPDATE moves the whole subtree: swap the old prefix for the new.
                manager.filter(path__startswith=old_path).update(
                    path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=models.CharField())
                )
            else:
                manager.filter(pk=self.pk).update(path=new_path)
            self.path = new_path


class Category(AbstractCategory):
    class Meta(AbstractCategory.Meta):
        swappable = swapper.swappable_setting("bazary_catalog", "Category")


# --------------------------------------------------------------------------- tags


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = unique_slug(Tag, self.name, exclude_pk=self.pk, fallback="tag")
        super().save(*args, **kwargs)


# --------------------------------------------------------------------------- products


def own_or_variants(own: Q, variants: models.QuerySet) -> Q:
    """A product without variants by its own columns (``own``), one with
    variants when one of ``variants`` (correlated on the product) exists: the
    stored ``has_variants`` decides which, so only products with variants pay
    the probe."""
    return (Q(has_variants=False) & own) | (Q(has_variants=True) & Q(Exists(variants)))


class ProductQuerySet(models.QuerySet):
    def visible(self) -> ProductQuerySet:
        """What customers may see: active products in visible categories (the
        category and all its ancestors active)."""
        category_model = cast(type[models.Model], self.model._meta.get_field("category").related_model)
        return self.filter(is_active=True, category__is_active=True).exclude(
            hidden_by_inactive_ancestor(category_model, "category__path")
        )

    def in_stock(self) -> ProductQuerySet:
        """Products without variants with stock (or not tracked), and products
        with an active variant in stock."""
        return self.filter(self._in_stock_condition())

    def out_of_stock(self) -> ProductQuerySet:
        return self.exclude(self._in_stock_condition())

    @staticmethod
    def _in_stock_condition() -> Q:
        variants = Variant.objects.filter(product=OuterRef("pk"))
        available = variants.filter(is_active=True).filter(Q(track_inventory=False) | Q(stock__gt=0))
        own = Q(track_inventory=False) | Q(stock__gt=0)
        return own_or_variants(own, available)

    def low_stock(self) -> ProductQuerySet:
        """At or below their low-stock threshold: a product without variants,
        or an active variant of one (each variant by its own threshold)."""
        return self.filter(self._low_stock_condition())

    @staticmethod
    def _low_stock_condition() -> Q:
        variants = Variant.objects.filter(product=OuterRef("pk"))
        low = variants.filter(is_active=True, track_inventory=True, stock__lte=F("low_stock_threshold"))
        own = Q(track_inventory=True, stock__lte=F("low_stock_threshold"))
        return own_or_variants(own, low)

    def for_listing(self) -> ProductQuerySet:
        """The joins and prefetches the list serializer needs: a fixed number of
        queries whatever the page size."""
        from .models import ProductImage  # the concrete image model of this app

        return self.select_related("category").prefetch_related(
            "tags",
            models.Prefetch(
                "images",
                queryset=ProductImage.objects.filter(is_primary=True),
                to_attr="primary_images",
            ),
            *variant_prefetches(),
        )

    def for_detail(self) -> ProductQuerySet:
        return self.select_related("category").prefetch_related("images", "tags", *variant_prefetches(with_images=True))


def variant_prefetches(*, with_images: bool = False) -> list[models.Prefetch]:
    """Every variant of the products (inactive ones too: a product whose
    variants are all inactive still sells only through them) with its option
    values, in two queries whatever the number of products and variants; with
    ``with_images``, each variant's image ids too, in the same query (an
    aggregate), so the detail stays within its budget."""
    variants = Variant.objects.order_by("position", "pk")
    if with_images:
        variants = variants.annotate(image_id_list=JoinedIds("images__id"))
    return [
        models.Prefetch("variants", queryset=variants, to_attr="all_variants"),
        models.Prefetch(
            "all_variants__option_links",
            queryset=VariantOptionValue.objects.select_related("value", "option").order_by(
                "option__position", "option__name", "option_id"
            ),
        ),
    ]


def _stock_states(variants: Iterable[Any]) -> list[rules.StockState]:
    """What :mod:`bazary.catalog.rules` reads of variants for stock."""
    return [(variant.is_active, variant.track_inventory, variant.stock) for variant in variants]


class JoinedIds(models.Aggregate):
    """The ids of a relation as one comma-separated string (``"3,8"``), or
    ``None`` when there are none: ``GROUP_CONCAT`` on SQLite and MySQL,
    ``STRING_AGG`` on PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = models.TextField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s(%(expressions)s::text, ',')"
        )

    def as_mysql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template="%(function)s(%(expressions)s SEPARATOR ',')")


class AbstractProduct(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, db_index=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    # blank: generated on save when left empty (API and admin alike).
    sku = models.CharField(_("SKU"), max_length=64, unique=True, blank=True)
    short_description = models.CharField(_("short description"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, db_index=True)
    compare_at_price = models.DecimalField(
        _("compare-at price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cost_price = models.DecimalField(_("cost price"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    stock = models.IntegerField(_("stock"), default=0, db_index=True)
    low_stock_threshold = models.PositiveIntegerField(_("low stock threshold"), default=5)
    track_inventory = models.BooleanField(_("track inventory"), default=True)
    allow_backorder = models.BooleanField(
        _("allow backorders"), default=False, help_text=_("Checkout may sell it when out of stock.")
    )
    is_digital = models.BooleanField(
        _("digital"), default=False, help_text=_("Nothing to ship: the checkout asks no shipping address for it.")
    )
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    is_featured = models.BooleanField(_("featured"), default=False, db_index=True)
    category = models.ForeignKey(
        swapper.get_model_name("bazary_catalog", "Category"),
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="products")
    # The options its variants vary by ("Size", "Colour"). Option is created by
    # a migration that needs no product (see migrations/0006_option.py), so a
    # swapped product's migration can depend on it.
    options = models.ManyToManyField(
        "bazary_catalog.Option", verbose_name=_("options"), blank=True, related_name="products"
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    seo_title = models.CharField(_("SEO title"), max_length=160, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=320, blank=True)
    # Weighted full-text vector, filled on PostgreSQL only (see bazary.catalog.search).
    search_vector = SearchVectorField(null=True, editable=False)
    # Whether it has variants (inactive ones count: it sells only through
    # them), stored so the list filters read it from the row instead of
    # probing the variant table for every product. Kept current by every
    # write of variants (bazary.catalog.variants.refresh_has_variants), never
    # written by save() of an existing product.
    has_variants = models.BooleanField(_("has variants"), default=False, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ("-created_at", "-id")
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="%(app_label)s_%(class)s_price_gte_0"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="%(app_label)s_%(class)s_stock_gte_0"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gte=F("price")),
                name="%(app_label)s_%(class)s_compare_at_gte_price",
            ),
        ]
        indexes = [
            # Every column the filtered list's count reads of a product
            # (category subtree, visibility, in stock, price range, and the
            # id its variant probes are correlated on): an index-only scan
            # instead of a heap page read per row. Auto-named (at most 30
            # characters whatever the app label: E034).
            models.Index(fields=["category", "is_active", "has_variants", "track_inventory", "stock", "price", "id"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_stock(self) -> bool:
        """:func:`bazary.catalog.rules.product_in_stock`."""
        return rules.product_in_stock(self.track_inventory, self.stock, _stock_states(self.variant_list()))

    @property
    def is_low_stock(self) -> bool:
        return self.track_inventory and self.stock <= self.low_stock_threshold

    def variant_list(self) -> list[Variant]:
        """Every variant of the product, inactive ones too, in order: the
        prefetched ones (:meth:`ProductQuerySet.for_listing`) or one query."""
        if not self.pk:
            return []
        variants = getattr(self, "all_variants", None)
        if variants is None:
            variants = list(Variant.objects.filter(product_id=self.pk).order_by("position", "pk"))
            self.all_variants = variants
        return variants

    def variant_summary(self) -> dict[str, Any]:
        """``price_min``/``price_max`` over the active variants (effective
        prices: a variant without a price has the product's; ``None`` without
        an active one), their total ``stock`` (tracked ones), and whether one
        is ``in_stock``: the rules of :mod:`bazary.catalog.rules`."""
        variants = self.variant_list()
        states = _stock_states(variants)
        bounds = rules.price_bounds(self.price, [(variant.is_active, variant.price) for variant in variants])
        return {
            "price_min": bounds[0] if bounds else None,
            "price_max": bounds[1] if bounds else None,
            "stock": rules.variants_stock(states),
            "in_stock": rules.variants_in_stock(states),
        }

    def clean(self) -> None:
        super().clean()
        if self.slug in RESERVED_PRODUCT_SLUGS:
            raise ValidationError({"slug": reserved_product_slug_message(self.slug)})
        if self.compare_at_price is not None and self.price is not None and self.compare_at_price < self.price:
            raise ValidationError({"compare_at_price": _("The compare-at price cannot be lower than the price.")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = unique_slug(
                type(self), self.name, exclude_pk=self.pk, fallback="product", reserved=RESERVED_PRODUCT_SLUGS
            )
        if not self.sku:
            self.sku = generate_sku()
        updating = not self._state.adding and not kwargs.get("force_insert")
        if updating and not args and kwargs.get("update_fields") is None:
            # has_variants is the variants' to write (refresh_has_variants):
            # an instance loaded before a variant was added would save it
            # back as False. Deferred fields stay out, as Django leaves them
            # out of a save() without update_fields.
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "has_variants" and f.attname not in deferred
            ]
        super().save(*args, **kwargs)
        from .search import update_search_vectors

        update_search_vectors(type(self)._default_manager.filter(pk=self.pk))


def generate_sku() -> str:
    return f"SKU-{uuid.uuid4().hex[:10].upper()}"


class Product(AbstractProduct):
    class Meta(AbstractProduct.Meta):
        swappable = swapper.swappable_setting("bazary_catalog", "Product")


# --------------------------------------------------------------------------- options, variants


def value_slug(text: str) -> str:
    """The slug of an option or a value, as ``?option=size:42.5`` spells it
    too: ``42.5`` is ``42-5``, not ``425``."""
    return slugify(str(text).replace(".", "-").replace(",", "-"))


class Option(models.Model):
    """Something variants vary by ("Size", "Colour"), shared by products."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position", "name", "id")
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = unique_slug(Option, value_slug(self.name), exclude_pk=self.pk, fallback="option")
        super().save(*args, **kwargs)


color_code_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("A colour code is # and six hexadecimal digits, e.g. #1a2b3c."), code="invalid_color"
)


class OptionValue(models.Model):
    """One value of an option ("M", "Black"), in the option's order."""

    option = models.ForeignKey(Option, verbose_name=_("option"), on_delete=models.CASCADE, related_name="values")
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=100, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    color = models.CharField(
        _("colour code"), max_length=7, blank=True, validators=[color_code_validator], help_text=_("e.g. #1a2b3c")
    )

    class Meta:
        ordering = ("option", "position", "id")
        verbose_name = _("option value")
        verbose_name_plural = _("option values")
        constraints = [
            models.UniqueConstraint(fields=["option", "slug"], name="bazary_catalog_optionvalue_unique_slug"),
            models.UniqueConstraint(fields=["option", "name"], name="bazary_catalog_optionvalue_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            base = value_slug(self.name) or "value"
            taken = set(
                OptionValue.objects.filter(option_id=self.option_id, slug__startswith=base)
                .exclude(pk=self.pk)
                .values_list("slug", flat=True)
            )
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
            self.slug = slug
        super().save(*args, **kwargs)


class VariantQuerySet(models.QuerySet):
    def active(self) -> VariantQuerySet:
        return self.filter(is_active=True)

    def in_stock(self) -> VariantQuerySet:
        return self.filter(Q(track_inventory=False) | Q(stock__gt=0))


def combination_key(values: Iterable[Any]) -> str:
    """The option values of a variant as one string, whatever their order:
    the sorted primary keys (``"4-17"``). The database keeps it unique per
    product, so two variants of a product never have the same combination."""
    return "-".join(str(pk) for pk in sorted(int(getattr(value, "pk", value)) for value in values))


class Variant(TimeStampedModel):
    """A product as sold: one value per option of its product ("M", "Black"),
    with its own SKU, price, stock and images.

    The option values are stored twice on purpose: as rows of
    :class:`VariantOptionValue` (one per option, unique per variant, indexed
    for the ``?option=`` filter) and as ``combination_key``, the sorted ids of
    those values, unique per product in the database. A unique constraint
    cannot span several rows, so the key is what makes "two variants with the
    same combination" impossible; :meth:`set_option_values` writes both in one
    transaction, and it is the only writer of either.
    """

    product = models.ForeignKey(
        swapper.get_model_name("bazary_catalog", "Product"),
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="variants",
    )
    sku = models.CharField(_("SKU"), max_length=64, unique=True, blank=True)
    option_values = models.ManyToManyField(
        OptionValue,
        verbose_name=_("option values"),
        through="VariantOptionValue",
        related_name="variants",
        blank=True,
    )
    combination_key = models.CharField(_("combination"), max_length=255, editable=False, default="")
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("Empty: the product's price.")
    )
    compare_at_price = models.DecimalField(
        _("compare-at price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cost_price = models.DecimalField(_("cost price"), max_digits=12, decimal_places=2, null=True, blank=True)
    stock = models.IntegerField(_("stock"), default=0)
    track_inventory = models.BooleanField(_("track inventory"), default=True)
    allow_backorder = models.BooleanField(
        _("allow backorders"), default=False, help_text=_("Checkout may sell it when out of stock.")
    )
    low_stock_threshold = models.PositiveIntegerField(_("low stock threshold"), default=5)
    weight = models.DecimalField(
        _("weight (kg)"), max_digits=10, decimal_places=3, null=True, blank=True, help_text=_("In kilograms.")
    )
    length = models.DecimalField(_("length (cm)"), max_digits=10, decimal_places=2, null=True, blank=True)
    width = models.DecimalField(_("width (cm)"), max_digits=10, decimal_places=2, null=True, blank=True)
    height = models.DecimalField(_("height (cm)"), max_digits=10, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    images = models.ManyToManyField(
        "bazary_catalog.ProductImage",
        verbose_name=_("images"),
        blank=True,
        related_name="variants",
        help_text=_("Some of its product's images."),
    )

    objects = VariantQuerySet.as_manager()

    class Meta:
        ordering = ("position", "id")
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        # ?search= finds a product by a variant's SKU whatever its case: UPPER(sku) = UPPER(text).
        indexes = [models.Index(Upper("sku"), name="bazary_cat_variant_sku_upper")]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "combination_key"], name="bazary_catalog_variant_unique_combination"
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="bazary_catalog_variant_price_gte_0"
            ),
            models.CheckConstraint(condition=Q(stock__gte=0), name="bazary_catalog_variant_stock_gte_0"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True)
                | Q(price__isnull=True)
                | Q(compare_at_price__gte=F("price")),
                name="bazary_catalog_variant_compare_at_gte_price",
            ),
        ]

    def __str__(self) -> str:
        return self.sku

    @property
    def effective_price(self) -> Any:
        """Its own price, or else its product's
        (:func:`bazary.catalog.rules.effective_price`); the product is read
        only for a variant without a price of its own."""
        product_price = cast(Any, self.product).price if self.price is None else None
        return rules.effective_price(self.price, product_price)

    @property
    def in_stock(self) -> bool:
        """:func:`bazary.catalog.rules.unit_in_stock`."""
        return rules.unit_in_stock(self.track_inventory, self.stock)

    @property
    def is_low_stock(self) -> bool:
        return self.track_inventory and self.stock <= self.low_stock_threshold

    def clean(self) -> None:
        super().clean()
        if self.compare_at_price is not None:
            price = self.price if self.price is not None else getattr(self.product, "price", None)
            if price is not None and self.compare_at_price < price:
                raise ValidationError({"compare_at_price": _("The compare-at price cannot be lower than the price.")})

    @classmethod
    def from_db(cls, *args: Any, **kwargs: Any) -> Any:
        instance: Any = super().from_db(*args, **kwargs)
        # The product it was loaded with: moved to another, both products'
        # has_variants are recomputed (bazary.catalog.variants).
        instance._loaded_product_id = instance.__dict__.get("product_id")
        return instance

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.sku:
            self.sku = generate_sku()
        super().save(*args, **kwargs)

    def set_option_values(self, values: Iterable[OptionValue]) -> None:
        """Make ``values`` (one per option) the variant's combination: the
        link rows and ``combination_key`` in one transaction. A combination
        another variant of the product has raises ``IntegrityError`` (the
        database's unique constraint); two values of one option too."""
        values = list(values)
        key = combination_key(values)
        with transaction.atomic():
            if not self.pk:
                self.combination_key = key
                self.save()
            elif key != self.combination_key:
                type(self)._default_manager.filter(pk=self.pk).update(combination_key=key)
                self.combination_key = key
            VariantOptionValue.objects.filter(variant=self).delete()
            VariantOptionValue.objects.bulk_create(
                VariantOptionValue(variant=self, option_id=value.option_id, value=value) for value in values
            )
        # Drop what a prefetch may have cached.
        cache = getattr(self, "_prefetched_objects_cache", {})
        cache.pop("option_links", None)
        cache.pop("option_values", None)

    def option_value_list(self) -> list[OptionValue]:
        """Its option values in the options' order (prefetched or one query)."""
        if "option_links" in getattr(self, "_prefetched_objects_cache", {}):
            links = list(self.option_links.all())
        else:
            links = list(self.option_links.select_related("value", "option"))
        links.sort(key=lambda link: (link.option.position, link.option.name, link.option_id))
        return [link.value for link in links]


class VariantOptionValue(models.Model):
    """The value a variant has for one option (the ``through`` of
    ``Variant.option_values``). ``option`` repeats the value's option so the
    database can keep one value per option and variant."""

    variant = models.ForeignKey(
        Variant, verbose_name=_("variant"), on_delete=models.CASCADE, related_name="option_links"
    )
    option = models.ForeignKey(Option, verbose_name=_("option"), on_delete=models.PROTECT, related_name="+")
    value = models.ForeignKey(
        OptionValue, verbose_name=_("value"), on_delete=models.PROTECT, related_name="variant_links"
    )

    class Meta:
        verbose_name = _("variant option value")
        verbose_name_plural = _("variant option values")
        constraints = [
            models.UniqueConstraint(fields=["variant", "option"], name="bazary_catalog_variant_one_value_per_option")
        ]
        # ?option=size:m finds the variants of a value, then their products.
        indexes = [models.Index(fields=["value", "variant"], name="bazary_cat_vov_value_variant")]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.value_id}"


# --------------------------------------------------------------------------- images, stock


class ProductImage(models.Model):
    product = models.ForeignKey(
        swapper.get_model_name("bazary_catalog", "Product"),
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="images",
    )
    # Stored through Django's storage API: the default storage (local files,
    # S3 with django-storages, ...).
    image = models.ImageField(
        _("image"),
        upload_to=product_image_path,
        width_field="width",
        height_field="height",
        max_length=255,
    )
    alt_text = models.CharField(_("alternative text"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_primary = models.BooleanField(_("primary"), default=False)
    #: The URL an import downloaded the image from (empty for an upload): a
    #: re-import of the same file finds the image by it instead of adding it again.
    source_url = models.URLField(
        _("source URL"),
        max_length=2000,
        blank=True,
        default="",
        editable=False,
        help_text=_("Where an import downloaded it from."),
    )
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ("-is_primary", "position", "id")
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        constraints = [
            models.UniqueConstraint(
                fields=["product"], condition=Q(is_primary=True), name="bazary_catalog_one_primary_image"
            )
        ]

    def __str__(self) -> str:
        return self.alt_text or self.image.name or ""


class StockMovement(models.Model):
    """One audited change of a product's or a variant's stock."""

    product = models.ForeignKey(
        swapper.get_model_name("bazary_catalog", "Product"),
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="stock_movements",
    )
    # RESTRICT: a variant with movements cannot be deleted on its own (its
    # audit trail stays; deactivate it instead), but deleting its product
    # still removes both, as the product's own movements go with it.
    variant = models.ForeignKey(
        Variant,
        verbose_name=_("variant"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="stock_movements",
    )
    delta = models.IntegerField(_("delta"))
    stock_after = models.IntegerField(_("stock after"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.delta:+d}"


class StockAlert(models.Model):
    """A user waiting for a product, or one of its variants, to come back in
    stock."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(
        swapper.get_model_name("bazary_catalog", "Product"),
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="stock_alerts",
    )
    variant = models.ForeignKey(
        Variant,
        verbose_name=_("variant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="stock_alerts",
        help_text=_("Empty: any variant (or the product without variants)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("stock alert")
        verbose_name_plural = _("stock alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product"],
                condition=Q(variant__isnull=True),
                name="bazary_catalog_one_alert_per_user_product",
            ),
            models.UniqueConstraint(
                fields=["user", "variant"],
                condition=Q(variant__isnull=False),
                name="bazary_catalog_one_alert_per_user_variant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.product_id}"


# --------------------------------------------------------------------------- price audit, import jobs


class PriceChange(models.Model):
    """One audited change of a product's or a variant's price (bulk price
    changes write one per row they change)."""

    product = models.ForeignKey(
        swapper.get_model_name("bazary_catalog", "Product"),
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="price_changes",
    )
    variant = models.ForeignKey(
        Variant,
        verbose_name=_("variant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="price_changes",
        help_text=_("Empty: the product's own price."),
    )
    old_price = models.DecimalField(_("old price"), max_digits=12, decimal_places=2)
    new_price = models.DecimalField(_("new price"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("price change")
        verbose_name_plural = _("price changes")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.old_price} → {self.new_price}"


def import_file_path(instance: Any, filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"bazary/catalog/imports/{uuid.uuid4().hex}{extension}"


class ImportJob(models.Model):
    """A product import uploaded over HTTP (``POST products/import/``), run
    by a background task. Needs no product: its migration comes before the
    product's (see ``migrations/__init__.py``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    format = models.CharField(_("format"), max_length=10)
    file = models.FileField(_("file"), upload_to=import_file_path, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    processed_rows = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("products created"), default=0)
    updated_count = models.PositiveIntegerField(_("products updated"), default=0)
    #: ``[{"line": 12, "errors": {...}}]``: each bad row with its line number
    #: (the item's position in JSON), or a single entry without a line for
    #: what stops the whole file (bad encoding, missing columns).
    errors = models.JSONField(_("errors"), default=list, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.file_name or self.pk} ({self.status})"
