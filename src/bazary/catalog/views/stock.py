"""A product's stock and its back-in-stock alerts."""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bazary.core.permissions import IsStaffWithModelPerms
from bazary.core.views import BazaryAPIMixin

from .. import serializers as s
from ..exceptions import Conflict
from ..models import StockAlert, get_product_model
from ..schema import (
    E401,
    E404,
    E409,
    WRITE_ERRORS,
)
from ..stock import HasVariants, InsufficientStock, StockLimitExceeded, adjust_stock
from .common import guard_lookup, visible_product


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
            "changes nothing. Going from 0 to more notifies the users waiting for the product. A product with "
            "variants has no stock of its own (409): change a variant's."
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
        except HasVariants as exc:
            raise Conflict(
                _("This product's stock is its variants': change a variant's stock."), code="has_variants"
            ) from exc
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
            alert, created = StockAlert.objects.get_or_create(
                user=cast(Any, request.user), product=product, variant=None
            )
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
        StockAlert.objects.filter(user=cast(Any, request.user), product=product, variant__isnull=True).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
