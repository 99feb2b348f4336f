"""The catalog API. Every view mixes in :class:`BazaryAPIMixin` and sets its
permissions, filter backends and pagination explicitly; serializer, filterset,
search backend and pagination classes are read from ``BAZARY_CATALOG`` per
request."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, cast

from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bazary.core.lookups import parse_id
from bazary.core.permissions import IsStaffWithModelPerms, is_staff
from bazary.core.views import BazaryAPIMixin

from . import serializers as s
from .conf import catalog_settings
from .exceptions import Conflict
from .filters import CategoryFilterSet
from .models import ProductImage, StockAlert, Tag, get_category_model, get_product_model
from .pagination import CatalogPageNumberPagination
from .schema import CatalogAutoSchema
from .stock import InsufficientStock, StockLimitExceeded, adjust_stock
from .tree import cached_tree

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


def guard_lookup(value: Any) -> str:
    """A slug from the URL (which accepts anything but ``/``), or a 404 for
    what no row can have and some databases refuse (NUL, absurd lengths)."""
    if not isinstance(value, str) or "\x00" in value or not value or len(value) > 1000:
        raise Http404
    return value


class CatalogPermissionMixin:
    # The catalog's read/write endpoints: PERMISSION_CLASS, read per request.
    # (A comment: drf-spectacular takes a view's first docstring as the
    # description of its operations.)

    def get_permissions(self) -> list[Any]:
        return [catalog_settings.PERMISSION_CLASS()]


class SlugLookupMixin:
    # Viewsets looked up by slug: hostile values are a JSON 404. (A comment,
    # like the mixin's above: a docstring would describe every operation.)

    def get_object(self) -> Any:
        kwargs = cast(Any, self).kwargs
        kwargs["slug"] = guard_lookup(kwargs.get("slug"))
        return cast(Any, super()).get_object()


def conditional_response(request: Request, data: Any, last_modified: datetime | None = None) -> Response:
    """200 with ``ETag`` (a hash of the body) and ``Last-Modified``, or 304
    when the client's ``If-None-Match`` / ``If-Modified-Since`` still holds."""
    body = json.dumps(data, sort_keys=True, default=str).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Authorization, Cookie"}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified.timestamp())
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = parse_etags(if_none_match)
        # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
        if "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    elif last_modified is not None:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if since is not None and int(last_modified.timestamp()) <= since:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(data, headers=headers)


CONDITIONAL_PARAMS = [
    OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False),
    OpenApiParameter("If-Modified-Since", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False),
]
# The URL takes anything (for a JSON 404); the schema documents what an id is.
IMAGE_ID_PARAM = OpenApiParameter("image_id", OpenApiTypes.INT, OpenApiParameter.PATH)
NOT_MODIFIED = OpenApiResponse(description=_("Not modified since the ETag / date given."))


# --------------------------------------------------------------------------- categories


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
    filter_backends = [DjangoFilterBackend]
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


# --------------------------------------------------------------------------- tags


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


# --------------------------------------------------------------------------- products


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
    filter_backends = [DjangoFilterBackend]

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


def visible_product(request: Request, slug: str) -> Any:
    qs = get_product_model()._default_manager.all()
    if not is_staff(request):
        qs = qs.visible()
    return get_object_or_404(qs, slug=guard_lookup(slug))


class ProductImageListView(CatalogPermissionMixin, BazaryAPIMixin, generics.ListCreateAPIView):
    """A product's images (GET), or upload one (POST, multipart, staff)."""

    parser_classes = [MultiPartParser, FormParser]
    filter_backends: Any = []
    queryset = ProductImage.objects.all()
    # Page numbers whatever PAGINATION_CLASS says: images are ordered by
    # primary flag and position, which a cursor cannot page through.
    pagination_class = CatalogPageNumberPagination

    def get_serializer_class(self) -> Any:
        return catalog_settings.IMAGE_SERIALIZER

    def get_queryset(self) -> Any:
        product = visible_product(self.request, self.kwargs["slug"])
        return ProductImage.objects.filter(product=product).order_by("-is_primary", "position", "id")

    @extend_schema(
        summary=_("List a product's images"), responses={200: s.ProductImageSerializer(many=True), 404: E404}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary=_("Upload an image"),
        description=_("The first image of a product becomes its primary image."),
        responses={201: s.ProductImageSerializer, 404: E404, **WRITE_ERRORS},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        product = visible_product(self.request, self.kwargs["slug"])
        data = dict(serializer.validated_data)
        image = ProductImage(product=product, **data)
        try:
            with transaction.atomic():
                # Lock the product row: two concurrent first uploads cannot both be primary.
                type(product)._default_manager.select_for_update().filter(pk=product.pk).exists()
                has_primary = ProductImage.objects.filter(product=product, is_primary=True).exists()
                image.is_primary = data.get("is_primary", False) or not has_primary
                if image.is_primary and has_primary:
                    ProductImage.objects.filter(product=product, is_primary=True).update(is_primary=False)
                image.save()
                _touch_product(product.pk)
        except Exception:
            # Nothing half-created: a file stored before the failure goes too.
            if image.image.name and getattr(image.image, "_committed", False):
                image.image.storage.delete(image.image.name)
            raise
        serializer.instance = image


class ProductImageDetailView(
    BazaryAPIMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, generics.GenericAPIView
):
    serializer_class = s.ProductImageUpdateSerializer
    permission_classes = [IsStaffWithModelPerms]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends: Any = []
    pagination_class = None
    queryset = ProductImage.objects.all()
    lookup_url_kwarg = "image_id"

    def get_queryset(self) -> Any:
        product = visible_product(self.request, self.kwargs["slug"])
        self.kwargs["image_id"] = parse_id(self.kwargs["image_id"])
        return ProductImage.objects.filter(product=product)

    @extend_schema(
        summary=_("Update an image's alt text, position or primary flag"),
        parameters=[IMAGE_ID_PARAM],
        responses={200: s.ProductImageSerializer, 404: E404, **WRITE_ERRORS},
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        summary=_("Delete an image"),
        parameters=[IMAGE_ID_PARAM],
        responses={204: None, 404: E404, 401: E401, 403: E403},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.destroy(request, *args, **kwargs)

    def perform_update(self, serializer: Any) -> None:
        with transaction.atomic():
            image = serializer.instance
            if serializer.validated_data.get("is_primary") and not image.is_primary:
                ProductImage.objects.filter(product_id=image.product_id, is_primary=True).update(is_primary=False)
            elif serializer.validated_data.get("is_primary") is False and image.is_primary:
                # Exactly one primary while a product has images: keep this one.
                serializer.validated_data.pop("is_primary")
            serializer.save()
            _touch_product(image.product_id)

    def perform_destroy(self, instance: ProductImage) -> None:
        name, storage = instance.image.name, instance.image.storage
        with transaction.atomic():
            instance.delete()
            if instance.is_primary:
                successor = (
                    ProductImage.objects.filter(product_id=instance.product_id).order_by("position", "id").first()
                )
                if successor is not None:
                    ProductImage.objects.filter(pk=successor.pk).update(is_primary=True)
            _touch_product(instance.product_id)
            # The file goes once the row is gone for good.
            if name:
                transaction.on_commit(lambda: storage.delete(name))


def _touch_product(product_id: Any) -> None:
    from django.utils import timezone as dj_timezone

    get_product_model()._default_manager.filter(pk=product_id).update(updated_at=dj_timezone.now())


class StockPermission(IsStaffWithModelPerms):
    """Changing stock is a change of the product."""

    perms_map = {**IsStaffWithModelPerms.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class ProductStockView(BazaryAPIMixin, APIView):
    permission_classes = [StockPermission]
    pagination_class = None

    def get_queryset(self) -> Any:  # for DjangoModelPermissions
        return get_product_model()._default_manager.all()

    @extend_schema(
        summary=_("Change a product's stock"),
        description=_(
            "Atomic in the database and recorded (who, when, delta, reason). A result below zero is a 409 and "
            "changes nothing. Going from 0 to more notifies the users waiting for the product."
        ),
        request=s.StockChangeSerializer,
        responses={200: s.StockSerializer, 404: E404, 409: E409, **WRITE_ERRORS},
    )
    def post(self, request: Request, slug: str) -> Response:
        product = get_object_or_404(get_product_model()._default_manager.all(), slug=guard_lookup(slug))
        serializer = s.StockChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            adjust_stock(
                product,
                serializer.validated_data["delta"],
                reason=serializer.validated_data["reason"],
                user=request.user,
            )
        except InsufficientStock as exc:
            raise Conflict(_("Not enough stock: the result would be below zero."), code="insufficient_stock") from exc
        except StockLimitExceeded as exc:
            raise Conflict(_("The result would exceed the largest possible stock."), code="stock_limit") from exc
        return Response(s.StockSerializer(product).data)


class StockAlertView(BazaryAPIMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    @extend_schema(
        summary=_("Subscribe to a back-in-stock notification"),
        request=None,
        responses={
            201: s.StockAlertSerializer,
            200: OpenApiResponse(s.StockAlertSerializer, description=_("Already subscribed.")),
            401: E401,
            404: E404,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        product = visible_product(request, slug)
        with transaction.atomic():
            alert, created = StockAlert.objects.get_or_create(user=cast(Any, request.user), product=product)
            if not created and alert.notified_at is not None:
                # Notified before: this is a new subscription.
                alert.notified_at = None
                alert.save(update_fields=["notified_at"])
                created = True
        return Response(
            s.StockAlertSerializer(alert).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(summary=_("Unsubscribe"), request=None, responses={204: None, 401: E401, 404: E404})
    def delete(self, request: Request, slug: str) -> Response:
        product = visible_product(request, slug)
        StockAlert.objects.filter(user=cast(Any, request.user), product=product).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
