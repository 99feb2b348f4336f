"""Product serializers: list items and writes, and the detail."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bazary.core.readplan import CachedModelFieldsMixin, CompiledReadMixin

from ..models import (
    RESERVED_PRODUCT_SLUGS,
    get_product_model,
    reserved_product_slug_message,
)
from ..search import update_search_vectors
from ..stock import StockError, adjust_stock
from .common import (
    INT_MAX,
    CategoryField,
    CategoryWithAncestorsSerializer,
    ImageRefSerializer,
    TagField,
    _is_staff,
    ancestors_for,
    category_ref,
    image_url,
    validate_attributes,
)
from .images import ProductImageSerializer
from .variants import ProductOptionSerializer, VariantSerializer


class ProductSerializer(CompiledReadMixin, CachedModelFieldsMixin, serializers.ModelSerializer):
    """List items and the body of product writes. Read through a compiled
    plan (:mod:`bazary.core.readplan`): the same JSON as DRF's generic path,
    which ``compiled_read = False`` on a subclass restores."""

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
    has_variants = serializers.BooleanField(read_only=True, help_text=_("Sold through its variants."))
    price_min = serializers.SerializerMethodField(help_text=_("The lowest price of its active variants, or its price."))
    price_max = serializers.SerializerMethodField(
        help_text=_("The highest price of its active variants, or its price.")
    )
    options = serializers.SerializerMethodField(help_text=_("The options its variants vary by, with the values used."))

    #: Visible to staff only.
    staff_fields = ("cost_price",)

    class Meta:
        model = get_product_model()
        fields = [
            "id",
            "slug",
            "name",
            "sku",
            "short_description",
            "description",
            "price",
            "price_min",
            "price_max",
            "compare_at_price",
            "cost_price",
            "currency",
            "stock",
            "in_stock",
            "low_stock_threshold",
            "track_inventory",
            "allow_backorder",
            "is_digital",
            "is_active",
            "is_featured",
            "has_variants",
            "options",
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

    def validate_slug(self, value: str) -> str:
        if value in RESERVED_PRODUCT_SLUGS:
            raise serializers.ValidationError(reserved_product_slug_message(value), code="reserved")
        return value

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if "stock" in data and instance.has_variants:
            data["stock"] = instance.variant_summary()["stock"]  # its variants' total
        return data

    def visible_variants(self, product: Any) -> list[Any]:
        """The variants customers see (active ones); staff see all."""
        variants = product.variant_list()
        return variants if _is_staff(self) else [variant for variant in variants if variant.is_active]

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_price_min(self, product: Any) -> str:
        value = product.variant_summary()["price_min"] if product.has_variants else None
        return f"{product.price if value is None else value:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_price_max(self, product: Any) -> str:
        value = product.variant_summary()["price_max"] if product.has_variants else None
        return f"{product.price if value is None else value:.2f}"

    @extend_schema_field(ProductOptionSerializer(many=True))
    def get_options(self, product: Any) -> list[dict[str, Any]]:
        from ..variants import options_of

        return options_of(self.visible_variants(product))

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
        if "stock" in attrs and self.instance is not None and self.instance.has_variants:
            raise serializers.ValidationError(
                {"stock": _("This product's stock is its variants': change a variant's stock.")}, code="has_variants"
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


class ProductDetailSerializer(ProductSerializer):
    """One product: the list fields plus description, images, category
    ancestors, tags and attributes."""

    category = serializers.SerializerMethodField()  # type: ignore[assignment]
    images = serializers.SerializerMethodField()
    variants = serializers.SerializerMethodField()

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "images", "variants"]
        extra_kwargs = {**ProductSerializer.Meta.extra_kwargs, "description": {}}

    @extend_schema_field(CategoryWithAncestorsSerializer)
    def get_category(self, product: Any) -> dict[str, Any]:
        category = product.category
        if category is None:
            return CategoryWithAncestorsSerializer(category, context=self.context).data
        # CategoryWithAncestorsSerializer's shape without building it and a
        # list serializer of the ancestors per request.
        ancestors = [category_ref(ancestor) for ancestor in ancestors_for(self, category)]
        return {**category_ref(category), "ancestors": ancestors}

    @extend_schema_field(ProductImageSerializer(many=True))
    def get_images(self, product: Any) -> Any:
        from ..conf import catalog_settings

        serializer_class = catalog_settings.IMAGE_SERIALIZER
        return serializer_class(product.images.all(), many=True, context=self.context).data

    @extend_schema_field(VariantSerializer(many=True))
    def get_variants(self, product: Any) -> Any:
        context = {
            **self.context,
            "product": product,
            "images_by_id": {image.pk: image for image in product.images.all()},
        }
        return VariantSerializer(self.visible_variants(product), many=True, context=context).data
