"""drf-spectacular extensions: fields written one way and read another."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes


class CategoryFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "bazary.catalog.serializers.CategoryField"

    def map_serializer_field(self, auto_schema: Any, direction: str) -> Any:
        if direction == "request":
            return {**(build_basic_type(OpenApiTypes.STR) or {}), "description": "Category slug."}
        from .serializers import CategoryRefSerializer

        return auto_schema.resolve_serializer(CategoryRefSerializer, direction).ref


class TagFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "bazary.catalog.serializers.TagField"

    def map_serializer_field(self, auto_schema: Any, direction: str) -> Any:
        if direction == "request":
            return {**(build_basic_type(OpenApiTypes.STR) or {}), "description": "Tag slug."}
        from .serializers import TagRefSerializer

        return auto_schema.resolve_serializer(TagRefSerializer, direction).ref


class CatalogAutoSchema(AutoSchema):
    """Adds each view's documented error responses to the generated ones, so
    the success body still comes from the serializer chosen by the settings.

    A view sets ``error_responses = {"<action or method>": {status: description}}``.
    """

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        table = getattr(self.view, "error_responses", {})
        key = getattr(self.view, "action", None) or self.method.lower()
        for code, description in {**table.get("*", {}), **table.get(key, {})}.items():
            responses.setdefault(str(code), {"description": str(description)})
        return responses
