"""Product image serializers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bazary.core.readplan import CachedModelFieldsMixin, CompiledReadMixin

from ..images import name_for_format, validate_image_file
from ..models import (
    ProductImage,
)
from .common import (
    image_url,
)


class ProductImageSerializer(CompiledReadMixin, CachedModelFieldsMixin, serializers.ModelSerializer):
    image = serializers.ImageField(
        write_only=True, help_text=_("JPEG, PNG, WebP or GIF, at most IMAGE_MAX_BYTES and IMAGE_MAX_PIXELS.")
    )
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
            image_format = validate_image_file(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc
        value.name = name_for_format(value.name, image_format)  # stored under the extension of its content
        return value


class ProductImageUpdateSerializer(ProductImageSerializer):
    """PATCH of an image: its text and place, not the file."""

    class Meta(ProductImageSerializer.Meta):
        read_only_fields = [*ProductImageSerializer.Meta.read_only_fields, "image"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields.pop("image")
        return fields
