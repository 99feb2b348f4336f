"""Category serializers."""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..images import name_for_format, validate_image_file
from ..models import (
    RESERVED_CATEGORY_SLUGS,
    get_category_model,
    reserved_slug_message,
)
from .common import (
    CategoryRefSerializer,
    CategorySlugField,
    ancestors_for,
)


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
                image_format = validate_image_file(value)
            except Exception as exc:
                raise serializers.ValidationError(getattr(exc, "messages", [str(exc)])) from exc
            value.name = name_for_format(value.name, image_format)  # stored under the extension of its content
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
