"""Staff import and export of the catalog over HTTP: ``products/export/``."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from bazary.core.views import BazaryAPIMixin, JSONRenderer

from ..models import get_product_model
from ..schema import E401, E403
from ..transfer import Exporter

EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


class ExportPermission(permissions.DjangoModelPermissions):
    """Staff with ``view_product``: an export holds cost prices and inactive
    products."""

    perms_map = {**permissions.DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}

    def has_permission(self, request: Request, view: Any) -> bool:
        from bazary.core.permissions import is_staff

        return is_staff(request) and super().has_permission(request, view)


class JSONOnlyNegotiation(BaseContentNegotiation):
    # ``?format=`` names the export's format, not a DRF renderer: errors are
    # always JSON.
    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None


class ProductExportView(BazaryAPIMixin, APIView):
    permission_classes = [ExportPermission]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnlyNegotiation
    pagination_class = None

    def get_queryset(self) -> Any:  # for DjangoModelPermissions
        return get_product_model()._default_manager.all()

    @extend_schema(
        summary=_("Export every product (CSV or JSON), streamed"),
        description=_(
            "Staff with the view permission of products. Every product, inactive ones and cost prices included, "
            "with its variants, in the format bazary_import_products and products/import/ read back. Streamed in "
            "constant memory; CSV cells that a spreadsheet would take for a formula start with a quote."
        ),
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=list(EXPORT_FORMATS), required=False)],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
            400: OpenApiResponse(description=_("Unknown format.")),
            401: E401,
            403: E403,
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        fmt = request.query_params.get("format", "csv")
        if fmt not in EXPORT_FORMATS:
            raise ValidationError({"format": [_("Choose csv or json.")]})
        name = f"products-{timezone.now():%Y%m%d-%H%M%S}.{fmt}"
        response = StreamingHttpResponse((chunk.encode() for chunk in Exporter(fmt)), content_type=EXPORT_FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response
