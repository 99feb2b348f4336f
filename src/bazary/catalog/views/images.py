"""A product's images."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins
from rest_framework.request import Request
from rest_framework.response import Response

from bazary.core.lookups import parse_id
from bazary.core.parsers import FormParser, JSONParser, MultiPartParser
from bazary.core.permissions import IsStaffWithModelPerms
from bazary.core.views import BazaryAPIMixin

from .. import serializers as s
from ..conf import catalog_settings
from ..models import ProductImage, get_product_model
from ..pagination import CatalogPageNumberPagination
from ..schema import (
    E401,
    E403,
    E404,
    IMAGE_ID_PARAM,
    WRITE_ERRORS,
)
from .common import CatalogPermissionMixin, visible_product


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
