"""Options, their values, and a product's variants."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bazary.core.readplan import CachedModelFieldsMixin, CompiledReadMixin

from ..models import Option, OptionValue, ProductImage, Variant, combination_key, get_product_model
from ..stock import StockError, adjust_stock
from ..variants import find_value, values_of
from .common import INT_MAX, _is_staff, image_url

DECIMAL: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "min_value": 0}
MEASURE: dict[str, Any] = {"max_digits": 10, "min_value": 0, "required": False, "allow_null": True}
MAX_OPTIONS = 10
MAX_IMAGES = 50


# --------------------------------------------------------------------------- options


class OptionValueSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(max_length=100, required=False, help_text=_("Generated from the name when omitted."))

    class Meta:
        model = OptionValue
        fields = ["id", "name", "slug", "position", "color"]
        read_only_fields = ["id"]
        extra_kwargs = {"position": {"max_value": INT_MAX}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        option = self.context["option"]
        others = OptionValue.objects.filter(option=option).exclude(pk=cast(Any, getattr(self.instance, "pk", None)))
        name = attrs.get("name")
        if name is not None and others.filter(name=name).exists():
            raise serializers.ValidationError({"name": _("This option already has a value of that name.")})
        slug = attrs.get("slug")
        if slug is not None and others.filter(slug=slug).exists():
            raise serializers.ValidationError({"slug": _("This option already has a value with that slug.")})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Any:
        return OptionValue.objects.create(option=self.context["option"], **validated_data)


class OptionSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(max_length=100, required=False, help_text=_("Generated from the name when omitted."))
    values = OptionValueSerializer(many=True, read_only=True)

    class Meta:
        model = Option
        fields = ["id", "name", "slug", "position", "values"]
        read_only_fields = ["id"]
        extra_kwargs = {"position": {"max_value": INT_MAX}}

    def validate_slug(self, value: str) -> str:
        if Option.objects.filter(slug=value).exclude(pk=cast(Any, getattr(self.instance, "pk", None))).exists():
            raise serializers.ValidationError(_("An option with this slug already exists."), code="unique")
        return value


class ProductOptionSerializer(serializers.Serializer):
    """An option of a product and the values its variants use."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    values = serializers.ListField(child=serializers.DictField(), help_text=_("[{slug, name, color}]"))


class VariantValueSerializer(serializers.Serializer):
    option = serializers.SlugField(help_text=_("The option's slug."))
    option_name = serializers.CharField()
    value = serializers.SlugField(help_text=_("The value's slug."))
    name = serializers.CharField()
    color = serializers.CharField()


class VariantImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    alt_text = serializers.CharField()


# --------------------------------------------------------------------------- variants


class OptionsField(serializers.DictField):
    """``{"size": "M", "colour": "black"}``: option slug to value (slug or name)."""

    child = serializers.CharField(max_length=100)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and len(data) > MAX_OPTIONS:
            raise serializers.ValidationError(_("At most %(n)d options.") % {"n": MAX_OPTIONS})
        return super().to_internal_value(data)


class VariantSerializer(CompiledReadMixin, CachedModelFieldsMixin, serializers.ModelSerializer):
    """A variant, read and written (nested under its product)."""

    options = OptionsField(
        write_only=True,
        required=False,
        help_text=_(
            'Option slug to value (slug or name), one per option of the product: {"size": "M"}. '
            "The first variant of a product without options gives the product its options."
        ),
    )
    option_values = serializers.SerializerMethodField()
    price = serializers.DecimalField(**DECIMAL, required=False, allow_null=True, help_text=_("null: the product's."))
    effective_price = serializers.SerializerMethodField()
    compare_at_price = serializers.DecimalField(**DECIMAL, required=False, allow_null=True)
    cost_price = serializers.DecimalField(
        **DECIMAL, required=False, allow_null=True, help_text=_("Staff only: never shown to customers.")
    )
    stock = serializers.IntegerField(
        min_value=0, max_value=INT_MAX, required=False, help_text=_("Changes go through the audited stock path.")
    )
    in_stock = serializers.BooleanField(read_only=True)
    low_stock_threshold = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False)
    position = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False)
    weight = serializers.DecimalField(decimal_places=3, **MEASURE, help_text=_("Kilograms."))
    length = serializers.DecimalField(decimal_places=2, **MEASURE, help_text=_("Centimetres."))
    width = serializers.DecimalField(decimal_places=2, **MEASURE, help_text=_("Centimetres."))
    height = serializers.DecimalField(decimal_places=2, **MEASURE, help_text=_("Centimetres."))
    images = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=MAX_IMAGES,
        required=False,
        write_only=True,
        help_text=_("Ids of the product's images."),
    )
    image_list = serializers.SerializerMethodField()

    #: Visible to staff only.
    staff_fields = ("cost_price",)

    class Meta:
        model = Variant
        fields = [
            "id",
            "sku",
            "options",
            "option_values",
            "price",
            "effective_price",
            "compare_at_price",
            "cost_price",
            "stock",
            "in_stock",
            "track_inventory",
            "allow_backorder",
            "low_stock_threshold",
            "weight",
            "length",
            "width",
            "height",
            "is_active",
            "position",
            "images",
            "image_list",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"sku": {"required": False, "validators": []}}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        schema_generation = getattr(self.context.get("view"), "swagger_fake_view", False)
        if not _is_staff(self) and not schema_generation:
            for name in self.staff_fields:
                fields.pop(name, None)
        return fields

    def to_representation(self, instance: Any) -> Any:
        product = self.context.get("product")
        if product is not None and instance.product_id == product.pk:
            instance.product = product  # no query per variant for its effective price
        data = super().to_representation(instance)
        # Read: "images" are the variant's images ({id, url, alt_text}).
        data["images"] = data.pop("image_list")
        return data

    @extend_schema_field(VariantValueSerializer(many=True))
    def get_option_values(self, variant: Variant) -> list[dict[str, Any]]:
        return values_of(variant)

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_effective_price(self, variant: Variant) -> str:
        return f"{variant.effective_price:.2f}"

    @extend_schema_field(VariantImageSerializer(many=True))
    def get_image_list(self, variant: Variant) -> list[dict[str, Any]]:
        images = self.context.get("images_by_id")
        if images is not None and hasattr(variant, "image_id_list"):
            # The detail: ids aggregated with the variants, images prefetched with the product.
            ids = variant.image_id_list.split(",") if variant.image_id_list else []
            chosen = [images[int(pk)] for pk in dict.fromkeys(ids) if int(pk) in images]
            chosen.sort(key=lambda image: (image.position, image.pk))
        elif "images" in getattr(variant, "_prefetched_objects_cache", {}):
            chosen = list(variant.images.all())  # prefetched in order
        else:
            chosen = list(variant.images.order_by("position", "pk"))
        return [{"id": image.pk, "url": image_url(self, image), "alt_text": image.alt_text} for image in chosen]

    # ------------------------------------------------------------------ validation

    @property
    def product(self) -> Any:
        return self.context["product"]

    def validate_sku(self, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        taken = Variant.objects.filter(sku=value).exclude(pk=cast(Any, getattr(self.instance, "pk", None))).exists()
        if taken or get_product_model()._default_manager.filter(sku=value).exists():
            raise serializers.ValidationError(_("This SKU is already used by a product or a variant."), code="unique")
        return value

    def validate_images(self, value: list[int]) -> list[ProductImage]:
        ids = list(dict.fromkeys(value))
        images = list(ProductImage.objects.filter(product=self.product, pk__in=ids))
        if len(images) != len(ids):
            raise serializers.ValidationError(_("Only images of this product can be chosen."), code="foreign_image")
        return images

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("price", "compare_at_price", "cost_price"):
            if attrs.get(name) is not None and attrs[name] == 0:
                attrs[name] = Decimal("0.00")
        if "options" in attrs or self.instance is None:
            attrs["option_values"] = self._resolve_options(attrs.pop("options", None) or {})
        price = attrs.get("price", getattr(self.instance, "price", None))
        if price is None:
            price = self.product.price
        compare_at = attrs.get("compare_at_price", getattr(self.instance, "compare_at_price", None))
        if compare_at is not None and price is not None and compare_at < price:
            raise serializers.ValidationError(
                {"compare_at_price": _("The compare-at price cannot be lower than the price.")}
            )
        return attrs

    def _resolve_options(self, given: dict[str, str]) -> list[OptionValue]:
        product = self.product
        declared = {option.slug: option for option in product.options.all()}
        if not declared and not product.variants.exists():
            # The first variant of a product gives it its options.
            declared = {option.slug: option for option in Option.objects.filter(slug__in=list(given))}
            unknown = sorted(set(given) - set(declared))
            if unknown:
                raise serializers.ValidationError({"options": _("Unknown options: %(o)s.") % {"o": ", ".join(unknown)}})
        missing = sorted(set(declared) - set(given))
        extra = sorted(set(given) - set(declared))
        if missing or extra:
            raise serializers.ValidationError(
                {
                    "options": _("Give one value for each option of the product: %(options)s.")
                    % {"options": ", ".join(sorted(declared)) or "-"}
                }
            )
        values, errors = [], {}
        for slug, text in given.items():
            value = find_value(declared[slug], text)
            if value is None:
                errors[slug] = _("%(value)r is not a value of %(option)s.") % {
                    "value": text,
                    "option": declared[slug].name,
                }
            else:
                values.append(value)
        if errors:
            raise serializers.ValidationError({"options": errors})
        key = combination_key(values)
        clash = Variant.objects.filter(product=product, combination_key=key).exclude(
            pk=cast(Any, getattr(self.instance, "pk", None))
        )
        if clash.exists():
            raise serializers.ValidationError(
                {"options": _("Another variant of this product has these option values.")}, code="duplicate"
            )
        return values

    # ------------------------------------------------------------------ writes

    def create(self, validated_data: dict[str, Any]) -> Any:
        values = validated_data.pop("option_values")
        images = validated_data.pop("images", None)
        stock = validated_data.pop("stock", 0)
        product = self.product
        try:
            with transaction.atomic():
                variant = Variant(product=product, combination_key=combination_key(values), **validated_data)
                variant.save()
                variant.set_option_values(values)
                if not product.options.exists():
                    product.options.add(*{value.option_id for value in values})
                if images is not None:
                    variant.images.set(images)
                if stock:
                    adjust_stock(variant, stock, reason=str(_("Initial stock")), user=self._user())
        except IntegrityError as exc:  # a concurrent request took the combination or the SKU
            raise serializers.ValidationError(
                {"options": _("Another variant of this product has these option values, or the SKU is taken.")}
            ) from exc
        return variant

    def update(self, instance: Variant, validated_data: dict[str, Any]) -> Any:
        values = validated_data.pop("option_values", None)
        images = validated_data.pop("images", None)
        stock = validated_data.pop("stock", None)
        try:
            with transaction.atomic():
                for name, value in validated_data.items():
                    setattr(instance, name, value)
                instance.save()
                if values is not None:
                    instance.set_option_values(values)
                if images is not None:
                    instance.images.set(images)
                if stock is not None:
                    current = Variant.objects.filter(pk=instance.pk).values_list("stock", flat=True).get()
                    if stock != current:
                        adjust_stock(instance, stock - current, reason=str(_("Edited")), user=self._user())
        except IntegrityError as exc:
            raise serializers.ValidationError(
                {"options": _("Another variant of this product has these option values, or the SKU is taken.")}
            ) from exc
        except StockError as exc:
            raise serializers.ValidationError({"stock": _("The stock changed meanwhile; retry.")}) from exc
        return instance

    def _user(self) -> Any:
        return getattr(self.context.get("request"), "user", None)


class VariantStockSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    sku = serializers.CharField(read_only=True)
    stock = serializers.IntegerField(read_only=True)
    in_stock = serializers.BooleanField(read_only=True)
