"""The catalog's schema declarations: drf-spectacular extensions (fields
written one way and read another), the error responses and parameters several
views share, and the AutoSchema that adds them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

# Error responses, by action, added to the schema by CatalogAutoSchema.
ERR_400 = _("Invalid input (field errors).")
ERR_401 = _("Not authenticated.")
ERR_403 = _("Not staff, or no model permission.")
ERR_404 = _("Not found (or not visible).")
ERR_409 = _("Conflict with the current state.")
CRUD_ERRORS = {
    "list": {400: ERR_400, 404: _("Page out of range.")},
    "retrieve": {404: ERR_404},
    "create": {400: ERR_400, 401: ERR_401, 403: ERR_403},
    "update": {400: ERR_400, 401: ERR_401, 403: ERR_403, 404: ERR_404},
    "partial_update": {400: ERR_400, 401: ERR_401, 403: ERR_403, 404: ERR_404},
    "destroy": {401: ERR_401, 403: ERR_403, 404: ERR_404},
}

E400 = OpenApiResponse(description=ERR_400)
E401 = OpenApiResponse(description=ERR_401)
E403 = OpenApiResponse(description=ERR_403)
E404 = OpenApiResponse(description=ERR_404)
E409 = OpenApiResponse(description=ERR_409)
WRITE_ERRORS = {400: E400, 401: E401, 403: E403}

CONDITIONAL_PARAMS = [
    OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False),
    OpenApiParameter("If-Modified-Since", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False),
]
# The URL takes anything (for a JSON 404); the schema documents what an id is.
IMAGE_ID_PARAM = OpenApiParameter("image_id", OpenApiTypes.INT, OpenApiParameter.PATH)
NOT_MODIFIED = OpenApiResponse(description=_("Not modified since the ETag / date given."))


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
