"""A product's variants (``products/{slug}/variants/``), their stock and
their back-in-stock alerts."""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.db.models import Prefetch, RestrictedError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bazary.core.lookups import parse_id
from bazary.core.permissions import IsStaffWithModelPerms, is_staff
from bazary.core.views import BazaryAPIMixin

from .. import serializers as s
from ..exceptions import Conflict
from ..models import ProductImage, StockAlert, Variant, VariantOptionValue
from ..pagination import CatalogPageNumberPagination
from ..schema import CRUD_ERRORS, E401, E404, E409, ERR_409, WRITE_ERRORS, CatalogAutoSchema
from ..stock import InsufficientStock, StockLimitExceeded, adjust_stock
from .common import CatalogPermissionMixin, visible_product

VARIANT_ID_PARAM = OpenApiParameter("variant_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def variants_of(request: Request, product: Any) -> Any:
    """The product's variants a request may see (customers: active ones),
    with their option values."""
    links = VariantOptionValue.objects.select_related("value", "option")
    images = ProductImage.objects.order_by("position", "pk")
    qs = Variant.objects.filter(product=product).prefetch_related(
        Prefetch("option_links", queryset=links), Prefetch("images", queryset=images)
    )
    if not is_staff(request):
        qs = qs.filter(is_active=True)
    return qs.order_by("position", "pk")


def visible_variant(request: Request, slug: str, variant_id: Any) -> Variant:
    product = visible_product(request, slug)
    variant = get_object_or_404(variants_of(request, product), pk=parse_id(variant_id))
    variant.product = product
    return cast(Variant, variant)


@extend_schema_view(
    list=extend_schema(summary=_("List a product's variants"), parameters=[]),
    retrieve=extend_schema(summary=_("A variant"), parameters=[VARIANT_ID_PARAM]),
    create=extend_schema(
        summary=_("Add a variant to a product"),
        description=_(
            'One value per option of the product ({"options": {"size": "M", "colour": "black"}}); '
            "a combination another variant has is a 400. The first variant of a product without options "
            "gives the product its options."
        ),
    ),
    update=extend_schema(summary=_("Replace a variant"), parameters=[VARIANT_ID_PARAM]),
    partial_update=extend_schema(summary=_("Update a variant"), parameters=[VARIANT_ID_PARAM]),
    destroy=extend_schema(
        summary=_("Delete a variant"),
        description=_("409 when it has stock movements (its audit trail stays): deactivate it instead."),
        parameters=[VARIANT_ID_PARAM],
    ),
)
class VariantViewSet(CatalogPermissionMixin, BazaryAPIMixin, viewsets.ModelViewSet):
    schema = CatalogAutoSchema()
    error_responses = {**CRUD_ERRORS, "destroy": {**CRUD_ERRORS["destroy"], 409: ERR_409}}
    serializer_class = s.VariantSerializer
    lookup_url_kwarg = "variant_id"
    queryset = Variant.objects.all()
    filter_backends: Any = []
    # Ordered by position: page numbers, whatever PAGINATION_CLASS says.
    pagination_class = CatalogPageNumberPagination

    def product(self) -> Any:
        if not hasattr(self, "_product"):
            self._product = visible_product(self.request, str(self.kwargs.get("slug")))
        return self._product

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Variant.objects.none()
        if "variant_id" in self.kwargs:
            self.kwargs["variant_id"] = parse_id(self.kwargs["variant_id"])
        return variants_of(self.request, self.product())

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["product"] = self.product()
        return context

    def perform_create(self, serializer: Any) -> None:
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance: Any) -> None:
        try:
            with transaction.atomic():
                instance.delete()
        except RestrictedError as exc:
            raise Conflict(
                _("This variant has stock movements, which are kept: deactivate it (is_active=false) instead."),
                code="has_stock_movements",
            ) from exc


class VariantStockPermission(IsStaffWithModelPerms):
    """Changing a variant's stock is a change of the variant."""

    perms_map = {**IsStaffWithModelPerms.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class VariantStockView(BazaryAPIMixin, APIView):
    permission_classes = [VariantStockPermission]
    pagination_class = None

    def get_queryset(self) -> Any:  # for DjangoModelPermissions
        return Variant.objects.all()

    @extend_schema(
        summary=_("Change a variant's stock"),
        description=_(
            "As for a product: atomic in the database and recorded; below zero is a 409 and changes nothing; "
            "going from 0 to more notifies the users waiting for the variant or for the product."
        ),
        parameters=[VARIANT_ID_PARAM],
        request=s.StockChangeSerializer,
        responses={200: s.VariantStockSerializer, 404: E404, 409: E409, **WRITE_ERRORS},
    )
    def post(self, request: Request, slug: str, variant_id: str) -> Response:
        variant = visible_variant(request, slug, variant_id)
        serializer = s.StockChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            adjust_stock(
                variant,
                serializer.validated_data["delta"],
                reason=serializer.validated_data["reason"],
                user=request.user,
            )
        except InsufficientStock as exc:
            raise Conflict(_("Not enough stock: the result would be below zero."), code="insufficient_stock") from exc
        except StockLimitExceeded as exc:
            raise Conflict(_("The result would exceed the largest possible stock."), code="stock_limit") from exc
        return Response(s.VariantStockSerializer(variant).data)


class VariantStockAlertView(BazaryAPIMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    @extend_schema(
        summary=_("Subscribe to a variant's back-in-stock notification"),
        parameters=[VARIANT_ID_PARAM],
        request=None,
        responses={
            201: s.StockAlertSerializer,
            200: OpenApiResponse(s.StockAlertSerializer, description=_("Already subscribed.")),
            401: E401,
            404: E404,
        },
    )
    def post(self, request: Request, slug: str, variant_id: str) -> Response:
        variant = visible_variant(request, slug, variant_id)
        with transaction.atomic():
            alert, created = StockAlert.objects.get_or_create(
                user=cast(Any, request.user), product=variant.product, variant=variant
            )
            if not created and alert.notified_at is not None:
                alert.notified_at = None
                alert.save(update_fields=["notified_at"])
                created = True
        return Response(
            s.StockAlertSerializer(alert).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        summary=_("Unsubscribe from a variant"),
        parameters=[VARIANT_ID_PARAM],
        request=None,
        responses={204: None, 401: E401, 404: E404},
    )
    def delete(self, request: Request, slug: str, variant_id: str) -> Response:
        variant = visible_variant(request, slug, variant_id)
        StockAlert.objects.filter(user=cast(Any, request.user), variant=variant).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
