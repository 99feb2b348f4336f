"""``POST products/bulk/``: one action on many products, all or nothing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bazary.core.permissions import is_staff
from bazary.core.views import BazaryAPIMixin

from .. import bulk
from ..models import get_product_model
from ..schema import E409, WRITE_ERRORS
from ..serializers.bulk import BulkActionSerializer, BulkResultSerializer


class BulkPermission(permissions.BasePermission):
    """Staff with ``change_product``; the ``delete`` action needs
    ``delete_product`` too."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not is_staff(request):
            return False
        opts = get_product_model()._meta
        needed = [f"{opts.app_label}.change_{opts.model_name}"]
        if isinstance(request.data, dict) and request.data.get("action") == "delete":
            needed.append(f"{opts.app_label}.delete_{opts.model_name}")
        return request.user.has_perms(needed)


class ProductBulkView(BazaryAPIMixin, APIView):
    permission_classes = [BulkPermission]
    pagination_class = None

    @extend_schema(
        summary=_("One action on many products"),
        description=_(
            "Staff with change_product (and delete_product for delete). Up to BULK_MAX_ITEMS slugs and one action: "
            "activate, deactivate, set_price {price}, change_price {percent | amount} (rounded half-up to the "
            "currency, never below zero; variants with their own price change too), assign_category {category}, "
            "add_tags / remove_tags {tags}, delete. All or nothing: any unknown slug (listed by position), tag or "
            "category, or a price above a compare-at price, is a 400 and nothing changes. Price changes are "
            "recorded (PriceChange)."
        ),
        request=BulkActionSerializer,
        responses={200: BulkResultSerializer, 409: E409, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = BulkActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        products = bulk.resolve_products(data.pop("slugs"))
        result = bulk.apply(data.pop("action"), products, data, request.user)
        return Response(BulkResultSerializer(result).data)
