"""Categories: CRUD and the cached tree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bazary.core.parsers import FormParser, JSONParser, MultiPartParser
from bazary.core.permissions import is_staff
from bazary.core.views import BazaryAPIMixin

from .. import serializers as s
from ..conf import catalog_settings
from ..exceptions import Conflict
from ..filters import CatalogFilterBackend, CategoryFilterSet
from ..models import get_category_model
from ..schema import (
    CONDITIONAL_PARAMS,
    CRUD_ERRORS,
    ERR_409,
    NOT_MODIFIED,
    CatalogAutoSchema,
)
from ..tree import cached_tree
from .common import CatalogPermissionMixin, SlugLookupMixin, conditional_response


@extend_schema_view(
    list=extend_schema(summary=_("List categories (flat)")),
    retrieve=extend_schema(summary=_("A category with its ancestors")),
    create=extend_schema(summary=_("Create a category")),
    update=extend_schema(summary=_("Replace a category")),
    partial_update=extend_schema(summary=_("Update a category")),
    destroy=extend_schema(
        summary=_("Delete a category"),
        description=_("409 while the category still has products or subcategories."),
    ),
)
class CategoryViewSet(CatalogPermissionMixin, SlugLookupMixin, BazaryAPIMixin, viewsets.ModelViewSet):
    schema = CatalogAutoSchema()
    error_responses = {**CRUD_ERRORS, "destroy": {**CRUD_ERRORS["destroy"], 409: ERR_409}}
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filter_backends = [CatalogFilterBackend]
    filterset_class = CategoryFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @property
    def pagination_class(self) -> Any:  # type: ignore[override]
        return catalog_settings.PAGINATION_CLASS

    def get_queryset(self) -> Any:
        qs = get_category_model()._default_manager.select_related("parent").order_by("path")
        if not is_staff(self.request):
            # Active, under active ancestors only: what the tree shows.
            qs = qs.visible()
        return qs

    def get_serializer_class(self) -> Any:
        return catalog_settings.CATEGORY_SERIALIZER

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        # Every ancestor of the page in one query, for the breadcrumbs.
        ids = {pk for category in rows for pk in category.ancestor_ids()}
        known = get_category_model()._default_manager.in_bulk(ids) if ids else {}
        serializer = self.get_serializer(
            rows, many=True, context={**self.get_serializer_context(), "categories_by_id": known}
        )
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def perform_destroy(self, instance: Any) -> None:
        try:
            with transaction.atomic():
                instance.delete()
        except ProtectedError as exc:
            raise Conflict(_("This category still has products or subcategories; move or delete them first.")) from exc


class CategoryTreeView(BazaryAPIMixin, APIView):
    """The whole tree, nested; active categories only unless you are staff.
    Cached, and answers conditional GETs."""

    permission_classes = [permissions.AllowAny]
    pagination_class = None

    @extend_schema(
        summary=_("The category tree"),
        parameters=CONDITIONAL_PARAMS,
        responses={200: s.CategoryTreeSerializer(many=True), 304: NOT_MODIFIED},
    )
    def get(self, request: Request) -> Response:
        tree, version = cached_tree(active_only=not is_staff(request))
        return conditional_response(request, tree, datetime.fromtimestamp(version, tz=UTC))
