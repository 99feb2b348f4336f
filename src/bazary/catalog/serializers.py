"""Serializers of the catalog API. ``BAZARY_CATALOG`` can swap the product
(list and write), product detail and category serializers for subclasses."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bazary.core.permissions import is_staff

from .images import validate_image_file
from .models import (
    RESERVED_CATEGORY_SLUGS,
    ProductImage,
    StockAlert,
    Tag,
    get_category_model,
    get_product_model,
    reserved_slug_message,
)
from .search import update_search_vectors
from .stock import StockError, adjust_stock

INT_MAX = 2**31 - 1
MAX_ATTRIBUTES_BYTES = 16 * 1024


def _is_staff(serializer: serializers.BaseSerializer) -> bool:
    return is_staff(serializer.context.get("request"))


# --------------------------------------------------------------------------- small shapes


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


def ancestors_for(serializer: serializers.BaseSerializer, category: Any) -> list[Any]:
    """``category``'s ancestors, root first: from ``categories_by_id`` in the
    context when the view fetched them (one query for a page), else one query.
    Customers never see an inactive one."""
    known = serializer.context.get("categories_by_id")
    if known is None:
        ancestors = category.get_ancestors()
    else:
        ancestors = [known[pk] for pk in category.ancestor_ids() if pk in known]
    if not _is_staff(serializer):
        ancestors = [a for a in ancestors if a.is_active]
    return ancestors


class CategoryWithAncestorsSerializer(CategoryRefSerializer):
    ancestors = serializers.SerializerMethodField()

    @extend_schema_field(CategoryRefSerializer(many=True))
    def get_ancestors(self, category: Any) -> Any:
        return CategoryRefSerializer(ancestors_for(self, category), many=True).data


class TagRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class ImageRefSerializer(serializers.Serializer):
    url = serializers.CharField(read_only=True)
    alt_text = serializers.CharField(read_only=True)


class CategoryField(serializers.SlugRelatedField):
    """Written as a category slug, read as ``{id, slug, name}``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return get_category_model()._default_manager.all()

    def to_representation(self, value: Any) -> Any:
        return {"id": value.pk, "slug": value.slug, "name": value.name}


class CategorySlugField(serializers.SlugRelatedField):
    """A category by slug, both ways (the parent of a category)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return get_category_model()._default_manager.all()


class TagField(serializers.SlugRelatedField):
    """Written as a tag slug, read as ``{slug, name}``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return Tag.objects.all()

    def to_representation(self, value: Any) -> Any:
        return {"slug": value.slug, "name": value.name}


def image_url(serializer: serializers.BaseSerializer, image: ProductImage) -> str:
    url = image.image.url
    request = serializer.context.get("request")
    # Relative storage URLs (local files) become absolute; S3 URLs already are.
    return request.build_absolute_uri(url) if request is not None and url.startswith("/") else url


def validate_attributes(value: Any) -> None:
    """Flat key/value pairs: string keys, scalar values, no NUL, 16 KiB at most."""
    if not isinstance(value, dict):
        raise serializers.ValidationError(_("Expected an object of key/value pairs."))
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip() or len(key) > 100:
            raise serializers.ValidationError(_("Keys must be non-empty strings of 100 characters at most."))
        if item is not None and not isinstance(item, (str, int, float, bool)):
            raise serializers.ValidationError(_("Values must be strings, numbers, booleans or null."))
    encoded = json.dumps(value)
    if "\\u0000" in encoded:
        raise serializers.ValidationError(_("Null characters are not allowed."))
    if len(encoded.encode()) > MAX_ATTRIBUTES_BYTES:
        raise serializers.ValidationError(_("Attributes are limited to 16 KiB."))


# --------------------------------------------------------------------------- categories


class CategorySerializer(serializers.ModelSerializer):
    parent = CategorySlugField(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        help_text=_("Slug of the parent category; null for a root."),
    )
    ancestors = serializers.SerializerMethodField(help_text=_("From the root down to the parent."))
    depth = serializers.IntegerField(read_only=True)

    class Meta:
        model = get_category_model()
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "image",
            "parent",
            "ancestors",
            "depth",
            "position",
            "is_active",
            "seo_title",
            "seo_description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"slug": {"required": False}}

    @extend_schema_field(CategoryRefSerializer(many=True))
    def get_ancestors(self, category: Any) -> list[dict[str, Any]]:
        # The view puts every ancestor of the page in the context (one query).
        return [{"id": a.pk, "slug": a.slug, "name": a.name} for a in ancestors_for(self, category)]

    def validate_slug(self, value: str) -> str:
        if value in RESERVED_CATEGORY_SLUGS:
            raise serializers.ValidationError(reserved_slug_message(value), code="reserved")
        return value

    def validate_image(self, value: Any) -> Any:
        if value:
            try:
                validate_image_file(value)
            except Exception as exc:
                raise serializers.ValidationError(getattr(exc, "messages", [str(exc)])) from exc
        return value

    def validate_parent(self, parent: Any) -> Any:
        instance = self.instance
        if parent is not None and instance is not None and parent.is_descendant_of(instance):
            raise serializers.ValidationError(
                _("A category cannot be moved under itself or one of its descendants."), code="cycle"
            )
        model = get_category_model()
        candidate = instance if instance is not None else model()
        if candidate.path_length_under(parent) > cast(Any, model._meta.get_field("path")).max_length:
            raise serializers.ValidationError(_("The category tree cannot be that deep."), code="too_deep")
        return parent

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> Any:
        return super().create(validated_data)

    @transaction.atomic
    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        return super().update(instance, validated_data)


class CategoryTreeSerializer(serializers.Serializer):
    """Documents the shape of ``categories/tree/``: nodes nest to any depth."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField(), help_text=_("Nodes of the same shape."))


# --------------------------------------------------------------------------- tags


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "slug"]
        read_only_fields = ["id"]
        extra_kwargs = {"slug": {"required": False}}


# --------------------------------------------------------------------------- products


class ProductSerializer(serializers.ModelSerializer):
    """List items and the body of product writes."""

    category = CategoryField(help_text=_("Category slug when writing; {id, slug, name} when reading."))
    tags = TagField(many=True, required=False, help_text=_("Tag slugs when writing; {slug, name} when reading."))
    in_stock = serializers.BooleanField(read_only=True)
    primary_image = serializers.SerializerMethodField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    compare_at_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    cost_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text=_("Staff only: never shown to customers."),
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, help_text=_("ISO 4217 code."))
    stock = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False)
    low_stock_threshold = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False)
    attributes = serializers.JSONField(required=False, validators=[validate_attributes])

    #: Visible to staff only.
    staff_fields = ("cost_price",)

    class Meta:
        model = get_product_model()
        fields = [
            "id",
            "slug",
            "name",
            "sku",
            "description",
            "price",
            "compare_at_price",
            "cost_price",
            "currency",
            "stock",
            "in_stock",
            "low_stock_threshold",
            "track_inventory",
            "is_active",
            "is_featured",
            "category",
            "tags",
            "attributes",
            "primary_image",
            "seo_title",
            "seo_description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "slug": {"required": False},
            "sku": {"required": False},
            "description": {"write_only": True},
        }

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # The schema documents staff fields too (drf-spectacular's fake view).
        schema_generation = getattr(self.context.get("view"), "swagger_fake_view", False)
        if not _is_staff(self) and not schema_generation:
            for name in self.staff_fields:
                fields.pop(name, None)
        return fields

    @extend_schema_field(ImageRefSerializer(allow_null=True))
    def get_primary_image(self, product: Any) -> dict[str, Any] | None:
        images = getattr(product, "primary_images", None)
        if images is None:  # not prefetched (e.g. after a write)
            images = [image for image in product.images.all() if image.is_primary]
        if not images:
            return None
        return {"url": image_url(self, images[0]), "alt_text": images[0].alt_text}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("price", "compare_at_price", "cost_price"):
            # "-0" is a valid decimal, but not a price to store or echo.
            if attrs.get(name) is not None and attrs[name] == 0:
                attrs[name] = Decimal("0.00")
        price = attrs.get("price", getattr(self.instance, "price", None))
        compare_at = attrs.get("compare_at_price", getattr(self.instance, "compare_at_price", None))
        if compare_at is not None and price is not None and compare_at < price:
            raise serializers.ValidationError(
                {"compare_at_price": _("The compare-at price cannot be lower than the price.")}
            )
        return attrs

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> Any:
        tags = validated_data.pop("tags", None)
        stock = validated_data.pop("stock", 0)
        product = super().create(validated_data)
        if tags is not None:
            product.tags.set(tags)
        if stock:
            adjust_stock(product, stock, reason=str(_("Initial stock")), user=self._user())
        update_search_vectors(type(product)._default_manager.filter(pk=product.pk))
        return product

    @transaction.atomic
    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        stock = validated_data.pop("stock", None)
        product = super().update(instance, validated_data)
        if stock is not None and stock != product.stock:
            # Through the audited, race-free path, as if posted to stock/.
            current = type(product)._default_manager.filter(pk=product.pk).values_list("stock", flat=True).get()
            try:
                adjust_stock(product, stock - current, reason=str(_("Edited")), user=self._user())
            except StockError as exc:  # only when a concurrent change raced us
                raise serializers.ValidationError({"stock": _("The stock changed meanwhile; retry.")}) from exc
        update_search_vectors(type(product)._default_manager.filter(pk=product.pk))
        return product

    def _user(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)


class ProductImageSerializer(serializers.ModelSerializer):
    image = serializers.ImageField(write_only=True, help_text=_("JPEG, PNG, WebP or GIF, at most IMAGE_MAX_BYTES."))
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ["id", "image", "url", "alt_text", "position", "is_primary", "width", "height", "created_at"]
        read_only_fields = ["id", "width", "height", "created_at"]

    def get_url(self, image: ProductImage) -> str:
        return image_url(self, image)

    def validate_image(self, value: Any) -> Any:
        from django.core.exceptions import ValidationError as DjangoValidationError

        try:
            validate_image_file(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc
        return value


class ProductImageUpdateSerializer(ProductImageSerializer):
    """PATCH of an image: its text and place, not the file."""

    class Meta(ProductImageSerializer.Meta):
        read_only_fields = [*ProductImageSerializer.Meta.read_only_fields, "image"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields.pop("image")
        return fields


class ProductDetailSerializer(ProductSerializer):
    """One product: the list fields plus description, images, category
    ancestors, tags and attributes."""

    category = serializers.SerializerMethodField()  # type: ignore[assignment]
    images = serializers.SerializerMethodField()

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "images"]
        extra_kwargs = {**ProductSerializer.Meta.extra_kwargs, "description": {}}

    @extend_schema_field(CategoryWithAncestorsSerializer)
    def get_category(self, product: Any) -> dict[str, Any]:
        return CategoryWithAncestorsSerializer(product.category, context=self.context).data

    @extend_schema_field(ProductImageSerializer(many=True))
    def get_images(self, product: Any) -> Any:
        from .conf import catalog_settings

        serializer_class = catalog_settings.IMAGE_SERIALIZER
        return serializer_class(product.images.all(), many=True, context=self.context).data


# --------------------------------------------------------------------------- stock


class StockChangeSerializer(serializers.Serializer):
    delta = serializers.IntegerField(
        min_value=-INT_MAX, max_value=INT_MAX, help_text=_("Units to add (negative to remove).")
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def validate_delta(self, value: int) -> int:
        if value == 0:
            raise serializers.ValidationError(_("The change cannot be zero."))
        return value


class StockSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    stock = serializers.IntegerField(read_only=True)
    in_stock = serializers.BooleanField(read_only=True)


class StockAlertSerializer(serializers.ModelSerializer):
    product: Any = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = StockAlert
        fields = ["product", "created_at", "notified_at"]
        read_only_fields = fields
