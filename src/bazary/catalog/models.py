"""Catalog models: a category tree, products (both swappable), images, tags,
stock movements and back-in-stock alerts.

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
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from bazary.core.models import TimeStampedModel

from .conf import catalog_settings
from .fields import SearchVectorField

PATH_SEPARATOR = "/"

#: Category slugs the API's URLs already use (``categories/tree/``,
#: ``?parent=root``): never generated, refused when given.
RESERVED_CATEGORY_SLUGS = frozenset({"tree", "root"})


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


class ProductQuerySet(models.QuerySet):
    def visible(self) -> ProductQuerySet:
        """What customers may see: active products in visible categories (the
        category and all its ancestors active)."""
        category_model = cast(type[models.Model], self.model._meta.get_field("category").related_model)
        return self.filter(is_active=True, category__is_active=True).exclude(
            hidden_by_inactive_ancestor(category_model, "category__path")
        )

    def in_stock(self) -> ProductQuerySet:
        return self.filter(Q(track_inventory=False) | Q(stock__gt=0))

    def out_of_stock(self) -> ProductQuerySet:
        return self.filter(track_inventory=True, stock__lte=0)

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
        )

    def for_detail(self) -> ProductQuerySet:
        return self.select_related("category").prefetch_related("images", "tags")


class AbstractProduct(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, db_index=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    # blank: generated on save when left empty (API and admin alike).
    sku = models.CharField(_("SKU"), max_length=64, unique=True, blank=True)
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
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    is_featured = models.BooleanField(_("featured"), default=False, db_index=True)
    category = models.ForeignKey(
        swapper.get_model_name("bazary_catalog", "Category"),
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="products")
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    seo_title = models.CharField(_("SEO title"), max_length=160, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=320, blank=True)
    # Weighted full-text vector, filled on PostgreSQL only (see bazary.catalog.search).
    search_vector = SearchVectorField(null=True, editable=False)

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

    def __str__(self) -> str:
        return self.name

    @property
    def in_stock(self) -> bool:
        return not self.track_inventory or self.stock > 0

    @property
    def is_low_stock(self) -> bool:
        return self.track_inventory and self.stock <= self.low_stock_threshold

    def clean(self) -> None:
        super().clean()
        if self.compare_at_price is not None and self.price is not None and self.compare_at_price < self.price:
            raise ValidationError({"compare_at_price": _("The compare-at price cannot be lower than the price.")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = unique_slug(type(self), self.name, exclude_pk=self.pk, fallback="product")
        if not self.sku:
            self.sku = generate_sku()
        super().save(*args, **kwargs)
        from .search import update_search_vectors

        update_search_vectors(type(self)._default_manager.filter(pk=self.pk))


def generate_sku() -> str:
    return f"SKU-{uuid.uuid4().hex[:10].upper()}"


class Product(AbstractProduct):
    class Meta(AbstractProduct.Meta):
        swappable = swapper.swappable_setting("bazary_catalog", "Product")


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
    """One audited change of a product's stock."""

    product = models.ForeignKey(
        swapper.get_model_name("bazary_catalog", "Product"),
        verbose_name=_("product"),
        on_delete=models.CASCADE,
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
    """A user waiting for a product to come back in stock."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(
        swapper.get_model_name("bazary_catalog", "Product"),
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="stock_alerts",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("stock alert")
        verbose_name_plural = _("stock alerts")
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="bazary_catalog_one_alert_per_user_product")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.product_id}"
