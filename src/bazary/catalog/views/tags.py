"""Tags."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from bazary.core.views import BazaryAPIMixin

from ..conf import catalog_settings
from ..models import Tag
from ..pagination import CatalogPageNumberPagination
from ..schema import (
    CRUD_ERRORS,
    CatalogAutoSchema,
)
from .common import CatalogPermissionMixin, SlugLookupMixin


@extend_schema_view(
    list=extend_schema(summary=_("List tags")),
    retrieve=extend_schema(summary=_("A tag")),
    create=extend_schema(summary=_("Create a tag")),
    update=extend_schema(summary=_("Replace a tag")),
    partial_update=extend_schema(summary=_("Update a tag")),
    destroy=extend_schema(summary=_("Delete a tag")),
)
class TagViewSet(CatalogPermissionMixin, SlugLookupMixin, BazaryAPIMixin, viewsets.ModelViewSet):
    schema = CatalogAutoSchema()
    error_responses = CRUD_ERRORS
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    queryset = Tag.objects.all()
    filter_backends: Any = []

    # Page numbers whatever PAGINATION_CLASS says: a cursor needs created_at,
    # which tags do not have.
    pagination_class = CatalogPageNumberPagination

    def get_queryset(self) -> Any:
        return Tag.objects.order_by("name", "pk")

    def get_serializer_class(self) -> Any:
        return catalog_settings.TAG_SERIALIZER
