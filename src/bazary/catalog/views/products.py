"""Products: list, detail and CRUD."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from bazary.core.permissions import is_staff
from bazary.core.views import BazaryAPIMixin

from ..conf import catalog_settings
from ..filters import CatalogFilterBackend
from ..listrows import ListRows
from ..models import get_product_model
from ..schema import (
    CONDITIONAL_PARAMS,
    CRUD_ERRORS,
    ERR_404,
    CatalogAutoSchema,
)
from .common import CatalogPermissionMixin, SlugLookupMixin, conditional_response


@extend_schema_view(
    list=extend_schema(
        summary=_("List products"),
        description=_("Customers see active products in active categories; staff see all."),
    ),
    retrieve=extend_schema(summary=_("A product"), parameters=CONDITIONAL_PARAMS),
    create=extend_schema(summary=_("Create a product")),
    update=extend_schema(summary=_("Replace a product")),
    partial_update=extend_schema(summary=_("Update a product")),
    destroy=extend_schema(summary=_("Delete a product")),
)
class ProductViewSet(CatalogPermissionMixin, SlugLookupMixin, BazaryAPIMixin, viewsets.ModelViewSet):
    schema = CatalogAutoSchema()
    error_responses = {**CRUD_ERRORS, "retrieve": {304: _("Not modified since the ETag / date given."), 404: ERR_404}}
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filter_backends = [CatalogFilterBackend]

    @property
    def pagination_class(self) -> Any:  # type: ignore[override]
        return catalog_settings.PAGINATION_CLASS

    @property
    def filterset_class(self) -> Any:
        return catalog_settings.PRODUCT_FILTERSET

    def get_queryset(self) -> Any:
        qs = get_product_model()._default_manager.all()
        if not is_staff(self.request):
            qs = qs.visible()
        if self.action == "list":
            return qs.for_listing()
        if self.action == "retrieve":
            return qs.for_detail()
        return qs.select_related("category").prefetch_related("tags")

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return catalog_settings.PRODUCT_DETAIL_SERIALIZER
        return catalog_settings.PRODUCT_SERIALIZER

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The built-in item shape is read from .values() rows (see listrows);
        # a serializer the rows cannot follow gets DRF's model-instance path.
        reader = ListRows.for_serializer(self.get_serializer())
        if reader is None:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        # A cursor reads its position from the rows: its ordering's columns.
        ordering = getattr(self.paginator, "ordering", None) if isinstance(self.paginator, CursorPagination) else None
        cursor_columns = (
            [ordering.lstrip("-")] if isinstance(ordering, str) else [o.lstrip("-") for o in ordering or ()]
        )
        rows = reader.rows(queryset, cursor_columns)
        page = self.paginate_queryset(rows)
        if page is None:  # no pagination
            return Response(reader.items(list(rows)))
        return self.get_paginated_response(reader.items(page))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = self.get_object()
        # The category's ancestors in one query, shared with the serializer:
        # renaming one changes the body and so Last-Modified too.
        category = product.category
        ids = category.ancestor_ids()
        ancestors = type(category)._default_manager.in_bulk(ids) if ids else {}
        context = {**self.get_serializer_context(), "categories_by_id": ancestors}
        data = self.get_serializer(product, context=context).data
        # Tag renames and deletions bump the products' updated_at (see search.py).
        last_modified = max([product.updated_at, category.updated_at, *(a.updated_at for a in ancestors.values())])
        return conditional_response(request, data, last_modified)
